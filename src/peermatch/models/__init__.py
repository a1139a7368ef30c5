"""The whole data model. Import models from here."""

from peermatch.models.base import Base
from peermatch.models.enums import (
    MATCH_INTRODUCED,
    NOTIFICATION_DUE,
    MATCH_OPEN,
    OFFER_ANSWERED,
    OFFER_OUTSTANDING,
    OFFER_TURNED_DOWN,
    REQUEST_AWAITING_OFFER,
    REQUEST_FINISHED,
    REQUEST_LOOKING,
    AuditAction,
    ContactMode,
    DeclineReason,
    FeedbackAuthor,
    Gender,
    MatchOutcome,
    MatchStatus,
    MessageSender,
    NotificationChannel,
    NotificationEvent,
    NotificationStatus,
    MeetingType,
    OfferStatus,
    PartOfDay,
    RequestStatus,
    Role,
    SupportMode,
    UnmatchedReason,
    VettingStatus,
    VolunteerStatus,
)
from peermatch.models.governance import AnonymisedRequestCount, AuditEvent, MatchingState, ScoringModelVersion, Setting
from peermatch.models.notifications import MESSAGE_MAX_LENGTH, Message, Notification
from peermatch.models.matches import ContactLogEntry, Feedback, Match, Offer, OfferStatusChange
from peermatch.models.people import Area, AreaOutcode, ConsentRecord, IssueType, Organisation, PendingRegistration, RecoveryCode, SignInSession, User
from peermatch.models.requests import (
    ConflictOfInterest,
    RequestLanguage,
    RequestStatusChange,
    SafeContact,
    SupportRequest,
    request_issue_types,
)
from peermatch.models.volunteers import (
    Vetting,
    VolunteerApplicationDraft,
    VolunteerLanguage,
    VolunteerPause,
    VolunteerProfile,
    VolunteerStatusChange,
    volunteer_lived_experience,
    volunteer_opt_outs,
)

__all__ = [
    "MESSAGE_MAX_LENGTH", "Message", "MessageSender", "NOTIFICATION_DUE", "Notification", "NotificationChannel",
    "NotificationEvent", "NotificationStatus",
    "MATCH_INTRODUCED", "MATCH_OPEN", "OFFER_ANSWERED", "OFFER_OUTSTANDING", "OFFER_TURNED_DOWN", "REQUEST_AWAITING_OFFER", "REQUEST_FINISHED",
    "REQUEST_LOOKING", "AnonymisedRequestCount", "Area", "AreaOutcode", "AuditAction", "AuditEvent", "Base",
    "ConflictOfInterest", "ConsentRecord", "ContactLogEntry", "ContactMode", "DeclineReason", "Feedback",
    "FeedbackAuthor", "Gender", "IssueType", "Match", "MatchOutcome", "MatchingState", "MatchStatus", "MeetingType", "Offer",
    "OfferStatus", "OfferStatusChange", "Organisation", "PartOfDay", "RequestLanguage", "RequestStatus",
    "RequestStatusChange", "Role", "SafeContact", "ScoringModelVersion", "Setting", "SupportMode",
    "PendingRegistration", "RecoveryCode", "SignInSession", "SupportRequest", "UnmatchedReason", "User", "Vetting", "VettingStatus", "VolunteerApplicationDraft", "VolunteerLanguage", "VolunteerPause",
    "VolunteerProfile", "VolunteerStatus", "VolunteerStatusChange", "request_issue_types", "volunteer_lived_experience",
    "volunteer_opt_outs",
]
