"""The words a volunteer reads for each choice and status (the codes live in ``models.enums``)."""

from __future__ import annotations

from datetime import datetime

from peermatch.models import ContactMode, DeclineReason, Gender, MatchOutcome, MeetingType, SupportMode

GENDERS: dict[str, str] = {
    Gender.WOMAN: "Woman",
    Gender.MAN: "Man",
    Gender.NON_BINARY: "Non-binary",
    Gender.PREFER_NOT_TO_SAY: "Prefer not to say",
}

SUPPORT_MODES: dict[str, str] = {
    SupportMode.IN_PERSON: "In person",
    SupportMode.PHONE: "Phone",
    SupportMode.VIDEO: "Video call",
}

# (value in km, what a person reads): people in the UK think in miles.
TRAVEL_DISTANCES: tuple[tuple[str, str], ...] = (
    ("5", "Up to 3 miles (5 km)"),
    ("10", "Up to 6 miles (10 km)"),
    ("15", "Up to 10 miles (15 km)"),
    ("25", "Up to 15 miles (25 km)"),
    ("40", "Up to 25 miles (40 km)"),
)

MEETING_TYPES: dict[str, str] = {
    MeetingType.CHILD_PROTECTION_CONFERENCE: "Child protection conference",
    MeetingType.CORE_GROUP: "Core group meeting",
    MeetingType.CHILD_IN_NEED_MEETING: "Child in need meeting",
    MeetingType.PLO_MEETING: "Pre-proceedings (PLO) meeting",
    MeetingType.COURT_HEARING: "Court hearing",
    MeetingType.FAMILY_GROUP_CONFERENCE: "Family group conference",
    MeetingType.CHILD_IN_CARE_REVIEW: "Child in care review",
    MeetingType.OTHER: "Meeting",
}

PARTS_OF_DAY: dict[int, str] = {0: "morning", 1: "afternoon", 2: "evening"}

DECLINE_REASONS: dict[str, str] = {
    DeclineReason.NOT_AVAILABLE: "I am not free at the times they need",
    DeclineReason.TOO_FAR: "It is too far for me to travel",
    DeclineReason.TOO_CLOSE_TO_HOME: "It is too close to home (I might know the family)",
    DeclineReason.NOT_RIGHT_EXPERIENCE: "It is not something I can speak to from my own experience",
    DeclineReason.PERSONAL: "Personal reasons",
    DeclineReason.OTHER: "Another reason",
}

CONTACT_MODES: dict[str, str] = {
    ContactMode.PHONE: "Phone call",
    ContactMode.TEXT: "Text messages",
    ContactMode.VIDEO: "Video call",
    ContactMode.IN_PERSON: "In person",
    ContactMode.MEETING: "At a meeting with children's services or a court",
    ContactMode.EMAIL: "Email",
}

MATCH_OUTCOMES: dict[str, str] = {
    MatchOutcome.SUPPORTED_THROUGH_MEETING: "I supported them through the meeting or process",
    MatchOutcome.ONGOING_NEED_REFERRED: "They need more help and I referred them on",
    MatchOutcome.PARENT_STOPPED_CONTACT: "The parent stopped being in touch",
    MatchOutcome.ADVOCATE_COULD_NOT_CONTINUE: "I could not carry on",
    MatchOutcome.CONCERN_RAISED: "I raised a concern with the organisers",
    MatchOutcome.OTHER: "Something else",
}

RATINGS: tuple[tuple[str, str], ...] = (
    ("5", "Very well"), ("4", "Well"), ("3", "Neither well nor badly"), ("2", "Badly"), ("1", "Very badly"),
)

OFFER_STATUS: dict[str, str] = {
    "offered": "Waiting for your answer",
    "accepted": "You accepted",
    "declined": "You declined",
    "lapsed": "The time to answer ran out",
    "withdrawn": "Withdrawn by the organisers",
}


def hours_and_minutes(minutes: int) -> str:
    """``95`` → ``1 hour 35 minutes``."""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def distance(km: float) -> str:
    """A travel distance as the choices read it: ``20`` → ``Up to 12 miles (20 km)``."""
    return f"Up to {round(km / 1.609344)} miles ({km:g} km)"


def and_list(words: list[str]) -> str:
    """``["Cumbria", "Lancashire", "Kent"]`` → ``Cumbria, Lancashire and Kent``."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def outside_organisation(outcode: str, organisation: str, areas: list[str]) -> str:
    """The notice after a volunteer moves outside their organisation's areas. It promises nothing nobody does."""
    if areas:
        where = f"{organisation} covers {and_list(areas)}, and {outcode} is outside {'it' if len(areas) == 1 else 'them'}"
    else:
        where = f"{organisation} does not cover {outcode}"
    return (f"{where}. You are still volunteering with {organisation}. "
            f"Offers to meet a parent in person are now measured from {outcode}")


def no_organisation_covers(outcode: str) -> str:
    """The hint of the application's organisation question, asked only where no member organisation covers."""
    return (f"No member organisation covers {outcode} yet. Choose the organisation you would like to volunteer with. "
            "You can still support parents by phone or video.")


def offer_headline(summary: object) -> str:
    """What an offer is about, in one line: the parent's meeting when there is one, else their main issue, and where.

    The meeting is named by its own type: a family group conference is never called by the
    main issue's name (often "Child protection conference").
    """
    meeting_type = getattr(summary, "meeting_type", None)
    meeting_date = getattr(summary, "meeting_date", None)
    if meeting_type and meeting_date:
        what = f"{MEETING_TYPES.get(meeting_type, 'Meeting')} on {meeting_date.day} {meeting_date:%B}"
    else:
        what = getattr(summary, "main_issue", "") or "A parent"
    area = getattr(summary, "area", "")
    return f"{what} in {area}" if area else what


def time_left(until: datetime, now: datetime) -> str:
    """``2 days 3 hours``, ``20 hours``, ``45 minutes``: how long is left to answer, rounded down."""
    seconds = max(0, int((until - now).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
