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
    """Where a volunteer stands; only ``approved`` can be matched. Only ``services.advocates`` changes it.

    ``suspended`` is an organiser's decision (reinstating returns to approved); ``inactive``
    is an advocate who stepped back; ``withdrawn`` one who left.
    """

    APPLICATION_RECEIVED = "application_received"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class VettingStatus(enum.StrEnum):
    """How far a volunteer's safer-recruitment checks are, worked out from the checks themselves
    (``services.advocates.vetting_state``) so it can never go stale when a DBS check runs out."""

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
    """A request for support: draft → submitted → open → offered → matched → closed.

    Or withdrawn by the parent, or closed unmatched by an organiser. Only
    ``services.requests`` changes it (see its table of allowed moves).
    """

    DRAFT = "draft"
    SUBMITTED = "submitted"
    OPEN = "open"
    OFFERED = "offered"
    MATCHED = "matched"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    CLOSED_UNMATCHED = "closed_unmatched"


REQUEST_LOOKING = frozenset({RequestStatus.SUBMITTED, RequestStatus.OPEN, RequestStatus.OFFERED})
"""Still looking for an advocate: an offer can be made, sent or accepted for it."""

REQUEST_AWAITING_OFFER = frozenset({RequestStatus.SUBMITTED, RequestStatus.OPEN})
"""Looking for an advocate and no offer is out for it: what batches propose for."""

REQUEST_FINISHED = frozenset({RequestStatus.CLOSED, RequestStatus.WITHDRAWN, RequestStatus.CLOSED_UNMATCHED})
"""Nothing more will happen to it."""


class OfferStatus(enum.StrEnum):
    """An offer: proposed → approved → offered → accepted / declined / lapsed (or withdrawn)."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


OFFER_OUTSTANDING = frozenset({OfferStatus.PROPOSED, OfferStatus.APPROVED, OfferStatus.OFFERED})
"""Not answered yet: withdrawn if the request stops looking."""

OFFER_ANSWERED = frozenset({OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.LAPSED})
"""The advocate answered (or the time to answer ran out): what the scoring model learns from."""

OFFER_TURNED_DOWN = frozenset({OfferStatus.DECLINED, OfferStatus.LAPSED})
"""The advocate said no, or let the time run out: they are not offered the same request again."""


class MatchStatus(enum.StrEnum):
    """A match: awaiting introduction (the advocate accepted) → introduced → active → ended."""

    AWAITING_INTRODUCTION = "awaiting_introduction"
    INTRODUCED = "introduced"
    ACTIVE = "active"
    ENDED = "ended"


MATCH_OPEN = frozenset({MatchStatus.AWAITING_INTRODUCTION, MatchStatus.INTRODUCED, MatchStatus.ACTIVE})
"""Not ended: each such match holds one of the advocate's places."""

MATCH_INTRODUCED = frozenset({MatchStatus.INTRODUCED, MatchStatus.ACTIVE})
"""The organiser introduced them: the advocate sees the parent's allowed contact details and logs contacts."""


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


class UnmatchedReason(enum.StrEnum):
    """Why an organiser closed a request without a match (kept as the request's outcome)."""

    NO_ADVOCATE_AVAILABLE = "no_advocate_available"
    PARENT_NOT_REACHABLE = "parent_not_reachable"
    SUPPORT_FOUND_ELSEWHERE = "support_found_elsewhere"
    NO_LONGER_NEEDED = "no_longer_needed"
    OUTSIDE_WHAT_WE_OFFER = "outside_what_we_offer"
    DUPLICATE = "duplicate"


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


class NotificationEvent(enum.StrEnum):
    """What a notification tells someone about. The words sent never name the event to a parent."""

    REQUEST_RECEIVED = "request_received"
    REQUEST_CLOSED = "request_closed"
    OFFER_SENT = "offer_sent"
    OFFER_REMINDER = "offer_reminder"
    OFFER_DECLINED = "offer_declined"
    OFFER_LAPSED = "offer_lapsed"
    OFFER_ACCEPTED = "offer_accepted"
    INTRODUCED = "introduced"
    VETTING_DECISION = "vetting_decision"
    CHECKS_EXPIRING = "checks_expiring"
    NEW_MESSAGE = "new_message"
    HELP_ASKED = "help_asked"
    STALLED_WORK = "stalled_work"
    DAILY_DIGEST = "daily_digest"


class NotificationChannel(enum.StrEnum):
    EMAIL = "email"
    TEXT = "text"


class NotificationStatus(enum.StrEnum):
    """Where one notification is on its way (``services/notifications.py`` is the only writer).

    *handed_over* is written just before the message leaves us for good (the end of the SMTP
    DATA, the text provider's call): a worker that dies after it never sends again, and the
    row ends *unconfirmed* rather than risk a second message in a parent's inbox.
    """

    WAITING = "waiting"              # to be sent at its time (the next safe time for a parent)
    HELD_FOR_DIGEST = "held_for_digest"
    SENDING = "sending"
    HANDED_OVER = "handed_over"
    DELIVERED = "delivered"
    RETRYING = "retrying"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"
    CANCELLED = "cancelled"          # the person no longer allows the channel, or was erased
    IN_DIGEST = "in_digest"


#: Notifications a worker may still pick up.
NOTIFICATION_DUE = frozenset({NotificationStatus.WAITING, NotificationStatus.RETRYING})


class MessageSender(enum.StrEnum):
    PARENT = "parent"
    ADVOCATE = "advocate"


class AuditAction(enum.StrEnum):
    """Every kind of event the audit log records: the one list, so the log can be filtered by it.

    A change of a request, an offer or a match is recorded by the module that makes it
    (``request.<new status>``, ``offer.<new status>``, ``match.<new status>``), so no
    change can happen without its event. Details never hold personal values.
    """

    # accounts and sessions
    ACCOUNT_CREATED = "account.created"
    SIGNED_IN = "account.signed_in"
    SIGN_IN_FAILED = "account.sign_in_failed"
    PASSWORD_SET = "account.password_set"
    PASSWORD_RESET_ASKED = "account.password_reset_asked"
    TWO_FACTOR_SET_UP = "account.two_factor_set_up"
    TWO_FACTOR_FAILED = "account.two_factor_failed"
    RECOVERY_CODE_USED = "account.recovery_code_used"
    TWO_FACTOR_RESET = "account.two_factor_reset"
    SIGN_IN_CONFIRMED = "account.sign_in_confirmed"
    AUDIT_LOG_READ = "audit.log_read"
    SESSIONS_ENDED = "account.sessions_ended"
    # a parent's request (one per status it moves to)
    REQUEST_SUBMITTED = "request.submitted"
    REQUEST_OPEN = "request.open"
    REQUEST_OFFERED = "request.offered"
    REQUEST_MATCHED = "request.matched"
    REQUEST_CLOSED = "request.closed"
    REQUEST_WITHDRAWN = "request.withdrawn"
    REQUEST_CLOSED_UNMATCHED = "request.closed_unmatched"
    # offers (one per status)
    OFFER_PROPOSED = "offer.proposed"
    OFFER_APPROVED = "offer.approved"
    OFFER_OFFERED = "offer.offered"
    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    OFFER_LAPSED = "offer.lapsed"
    OFFER_WITHDRAWN = "offer.withdrawn"
    # matches (one per status), and what happens during one
    MATCH_AWAITING_INTRODUCTION = "match.awaiting_introduction"
    MATCH_INTRODUCED = "match.introduced"
    MATCH_ACTIVE = "match.active"
    MATCH_ENDED = "match.ended"
    CONTACT_LOGGED = "match.contact_logged"
    FEEDBACK_GIVEN = "match.feedback_given"
    CONTACT_DETAILS_VIEWED = "match.contact_details_viewed"
    # advocates
    ADVOCATE_APPLICATION_RECEIVED = "advocate.application_received"
    ADVOCATE_APPROVED = "advocate.approved"
    ADVOCATE_SUSPENDED = "advocate.suspended"
    ADVOCATE_INACTIVE = "advocate.inactive"
    ADVOCATE_REJECTED = "advocate.rejected"
    ADVOCATE_WITHDRAWN = "advocate.withdrawn"
    VETTING_RECORDED = "advocate.vetting_recorded"
    ADVOCATE_DETAILS_CHANGED = "advocate.details_changed"
    ADVOCATE_AVAILABILITY_CHANGED = "advocate.availability_changed"
    ADVOCATE_CAPACITY_CHANGED = "advocate.capacity_changed"
    ADVOCATE_PAUSE_ADDED = "advocate.pause_added"
    ADVOCATE_PAUSE_REMOVED = "advocate.pause_removed"
    # what organisers look at (who, what and when; never the values)
    REQUEST_VIEWED = "request.viewed"
    CANDIDATES_VIEWED = "request.candidates_viewed"
    CONFLICT_RECORDED = "request.conflict_recorded"
    ADVOCATE_VIEWED = "advocate.viewed"
    MATCH_VIEWED = "match.viewed"
    LIST_VIEWED = "organisation.list_viewed"
    BATCH_PROPOSED = "organisation.batch_proposed"
    # a parent's own data
    PARENT_DATA_EXPORTED = "parent.data_exported"
    PARENT_ERASED = "parent.erased"
    # the network
    SCORING_MODEL_TRAINED = "scoring_model.trained"
    SCORING_MODEL_ACTIVATED = "scoring_model.activated"
    # telling people, and messages between a parent and their advocate
    NOTIFICATION_PREFERENCES_CHANGED = "account.notification_preferences_changed"
    SAFE_CONTACT_CHANGED = "request.safe_contact_changed"
    REQUEST_CHANGED = "request.changed_by_parent"
    MESSAGE_SENT = "match.message_sent"
    HELP_ASKED = "match.help_asked"
    MESSAGES_READ = "match.messages_read"
    NOTIFICATIONS_VIEWED = "organisation.notifications_viewed"
    # keeping nothing longer than needed
    RETENTION_PURGE = "network.retention_purge"
    SETTING_CHANGED = "network.setting_changed"
    # the network's settings (services/network.py)
    ORGANISATION_ADDED = "network.organisation_added"
    ORGANISATION_CHANGED = "network.organisation_changed"
    AREA_ADDED = "network.area_added"
    AREA_REMOVED = "network.area_removed"
    OUTCODES_CHANGED = "network.outcodes_changed"
    ORGANISER_DEACTIVATED = "account.organiser_deactivated"
    ORGANISER_REINVITED = "account.organiser_reinvited"
    ORGANISER_MOVED = "account.organiser_moved"
    ISSUE_TYPE_ADDED = "network.issue_type_added"
    ISSUE_TYPE_RENAMED = "network.issue_type_renamed"
    ISSUE_TYPE_RETIRED = "network.issue_type_retired"
    # reports (counts only; a download leaves the service, so it is recorded)
    REPORT_DOWNLOADED = "organisation.report_downloaded"
