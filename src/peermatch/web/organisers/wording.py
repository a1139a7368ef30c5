"""The words an organiser reads for each choice and status (the codes live in ``models.enums``)."""

from __future__ import annotations

from datetime import datetime

from peermatch.models import MatchStatus, OfferStatus
from peermatch.web.filters import date_time
from peermatch.web.organisers.forms import MATCH_OUTCOMES, UNMATCHED_REASONS
from peermatch.web.volunteers.wording import (  # noqa: F401  (the same words for staff)
    CONTACT_MODES,
    DECLINE_REASONS,
    GENDERS,
    MEETING_TYPES,
    PARTS_OF_DAY,
    SUPPORT_MODES,
    hours_and_minutes,
)

OFFER_STATUS: dict[str, str] = {
    OfferStatus.PROPOSED: "Proposed",
    OfferStatus.APPROVED: "Approved",
    OfferStatus.OFFERED: "Waiting for an answer",
    OfferStatus.ACCEPTED: "Accepted",
    OfferStatus.DECLINED: "Declined",
    OfferStatus.LAPSED: "No answer in time",
    OfferStatus.WITHDRAWN: "Withdrawn",
}

OFFER_TAG: dict[str, str] = {
    OfferStatus.OFFERED: "blue", OfferStatus.ACCEPTED: "green", OfferStatus.DECLINED: "orange",
    OfferStatus.LAPSED: "orange", OfferStatus.WITHDRAWN: "grey", OfferStatus.PROPOSED: "grey",
    OfferStatus.APPROVED: "grey",
}

MATCH_STATUS: dict[str, str] = {
    MatchStatus.AWAITING_INTRODUCTION: "Accepted, waiting for the introduction",
    MatchStatus.INTRODUCED: "Introduced",
    MatchStatus.ACTIVE: "Active",
    MatchStatus.ENDED: "Ended",
}

OUTCOMES = {**MATCH_OUTCOMES, **UNMATCHED_REASONS}


def when(moment: datetime | None) -> str:
    """A time as organisers read it, in UK time: "3 May 2026 at 2:05pm"."""
    return date_time(moment)


def modes(codes: list[str] | set[str] | frozenset[str]) -> str:
    """Support modes in words: "In person, Phone"."""
    return ", ".join(SUPPORT_MODES.get(code, code) for code in ("in_person", "phone", "video") if code in codes)
