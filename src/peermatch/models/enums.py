"""The allowed values of every status and choice column, in the field's own words.

Each is a ``StrEnum`` so it is stored as readable text, compared to plain strings,
and checked by the database with a CHECK constraint (see ``base.one_of``).
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    PARENT = "parent"
    VOLUNTEER = "volunteer"
    ORGANISER = "organiser"
    ADMIN = "admin"


class VolunteerStatus(enum.StrEnum):
    """Where a volunteer's application stands; only ``approved`` can be matched."""

    APPLICATION_RECEIVED = "application_received"
    APPROVED = "approved"
    INACTIVE = "inactive"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class VettingStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    EXPIRED = "expired"


class SupportMode(enum.StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"


class Gender(enum.StrEnum):
    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class PartOfDay(enum.IntEnum):
    MORNING = 0
    AFTERNOON = 1
    EVENING = 2


class MeetingType(enum.StrEnum):
    CHILD_PROTECTION_CONFERENCE = "child_protection_conference"
    CORE_GROUP = "core_group"
    CHILD_IN_NEED_MEETING = "child_in_need_meeting"
    PLO_MEETING = "plo_meeting"
    COURT_HEARING = "court_hearing"
    FAMILY_GROUP_CONFERENCE = "family_group_conference"
    CHILD_IN_CARE_REVIEW = "child_in_care_review"
    OTHER = "other"


class RequestStatus(enum.StrEnum):
    """A request for support: draft → submitted → open → offered → matched → closed."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    OPEN = "open"
    OFFERED = "offered"
    MATCHED = "matched"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    CLOSED_UNMATCHED = "closed_unmatched"


class OfferStatus(enum.StrEnum):
    """An offer: proposed → approved → offered → accepted / declined / lapsed (or withdrawn)."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class MatchStatus(enum.StrEnum):
    """A match: introduced → active → ended."""

    INTRODUCED = "introduced"
    ACTIVE = "active"
    ENDED = "ended"


class DeclineReason(enum.StrEnum):
    NOT_AVAILABLE = "not_available"
    TOO_FAR = "too_far"
    TOO_CLOSE_TO_HOME = "too_close_to_home"
    NOT_RIGHT_EXPERIENCE = "not_right_experience"
    PERSONAL = "personal"
    OTHER = "other"


class MatchOutcome(enum.StrEnum):
    SUPPORTED_THROUGH_MEETING = "supported_through_meeting"
    ONGOING_NEED_REFERRED = "ongoing_need_referred"
    PARENT_STOPPED_CONTACT = "parent_stopped_contact"
    ADVOCATE_COULD_NOT_CONTINUE = "advocate_could_not_continue"
    CONCERN_RAISED = "concern_raised"
    OTHER = "other"


class ContactMode(enum.StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    TEXT = "text"
    EMAIL = "email"
    MEETING = "meeting"


class FeedbackAuthor(enum.StrEnum):
    PARENT = "parent"
    VOLUNTEER = "volunteer"
