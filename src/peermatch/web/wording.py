"""Statuses in plain words, for parents and for staff."""

from __future__ import annotations

from peermatch.models import RequestStatus, VettingStatus, VolunteerStatus

# (what a parent reads, GOV.UK tag colour)
REQUEST_STATUS_FOR_PARENTS: dict[str, tuple[str, str]] = {
    RequestStatus.DRAFT: ("Not sent yet", "grey"),
    RequestStatus.SUBMITTED: ("Received", "blue"),
    RequestStatus.OPEN: ("Looking for an advocate", "light-blue"),
    RequestStatus.OFFERED: ("Looking for an advocate", "light-blue"),
    RequestStatus.MATCHED: ("Advocate found", "green"),
    RequestStatus.CLOSED: ("Finished", "grey"),
    RequestStatus.WITHDRAWN: ("You cancelled this request", "grey"),
    RequestStatus.CLOSED_UNMATCHED: ("Closed: we could not find an advocate", "orange"),
}

REQUEST_STATUS_FOR_STAFF: dict[str, str] = {
    RequestStatus.DRAFT: "Draft",
    RequestStatus.SUBMITTED: "Submitted",
    RequestStatus.OPEN: "Open",
    RequestStatus.OFFERED: "Offered",
    RequestStatus.MATCHED: "Matched",
    RequestStatus.CLOSED: "Closed",
    RequestStatus.WITHDRAWN: "Withdrawn by parent",
    RequestStatus.CLOSED_UNMATCHED: "Closed unmatched",
}

VOLUNTEER_STATUS: dict[str, str] = {
    VolunteerStatus.APPLICATION_RECEIVED: "Application received",
    VolunteerStatus.APPROVED: "Approved",
    VolunteerStatus.INACTIVE: "Inactive",
    VolunteerStatus.REJECTED: "Not approved",
    VolunteerStatus.WITHDRAWN: "Withdrawn",
}

VETTING_STATUS: dict[str, str] = {
    VettingStatus.NOT_STARTED: "Not started",
    VettingStatus.IN_PROGRESS: "In progress",
    VettingStatus.COMPLETE: "Complete",
    VettingStatus.EXPIRED: "Expired",
}
