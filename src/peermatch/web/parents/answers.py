"""A parent's answers in words, grouped as they were asked: for check answers, their request's page and their
data to print. One place decides how each answer reads, so the three never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from peermatch.models import SupportRequest
from peermatch.reference import DAYS, PARTS_OF_DAY, describe_slots
from peermatch.services import drafts
from peermatch.web.filters import language_name, long_date
from peermatch.web.parents.forms import MEETING_TYPES, SUPPORT_MODES

MEETING_NAMES = {value: label for value, label, _ in MEETING_TYPES}
PART_NAMES = {0: "morning", 1: "afternoon", 2: "evening"}
NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class Row:
    key: str
    lines: list[str]
    slug: str | None = None  # the question that changes it (the contact question for every contact row)


@dataclass(frozen=True)
class Section:
    heading: str
    rows: list[Row] = field(default_factory=list)


def slots(mask: int) -> list[str]:
    """Each ticked time of the weekly grid: "Monday morning", "Thursday evening"."""
    return [f"{DAYS[bit // 3]} {PARTS_OF_DAY[bit % 3].lower()}" for bit in range(21) if mask >> bit & 1]


def meeting_when(request: SupportRequest) -> str:
    """"Tuesday 3 March 2027, in the morning" (the part of day, when the parent knows it)."""
    if request.meeting_date is None:
        return NOT_ANSWERED
    when = f"{request.meeting_date:%A} {long_date(request.meeting_date)}"
    if request.meeting_part is not None:
        when += f", in the {PART_NAMES[request.meeting_part]}"
    return when


def where(request: SupportRequest) -> str:
    if drafts.is_network_wide(request):
        return f"{request.outcode}. There is no parent group near you, so you asked for support by phone or video call"
    if request.outcode and request.area:
        return f"{request.outcode} ({request.area.name})"
    if request.area:
        return request.area.name
    return request.outcode or NOT_ANSWERED


def answer_sections(request: SupportRequest) -> list[Section]:
    """Every answer of a request (sent or not), in words, under the heading of what it is about."""
    answered = request.draft_answers or {}
    modes = dict((v, label) for v, label, _ in SUPPORT_MODES)
    situation = [
        Row("What is happening", [t.name for t in request.issue_types] or [NOT_ANSWERED], "what-is-happening"),
    ]
    if len(request.issue_types) > 1:
        situation.append(Row("What matters most", [request.main_issue.name if request.main_issue else NOT_ANSWERED],
                             "what-matters-most"))
    meeting = MEETING_NAMES.get(request.meeting_type or "", "No meeting planned") \
        if answered.get("meeting_answered") or request.status != "draft" else NOT_ANSWERED
    situation.append(Row("Meeting", [meeting], "meeting"))
    if request.meeting_type:
        situation.append(Row("When the meeting is", [meeting_when(request)], "meeting-date"))

    chosen = [label for value, label in modes.items() if getattr(request, f"accepts_{value}")]
    languages = [language_name(code) for code in request.languages]
    if languages and request.interpreter_ok:
        languages.append("An interpreter is OK")
    gender = {"woman": "A woman", "man": "A man"}.get(request.advocate_gender or "", "No preference")
    support = Section("How you would like support", [
        Row("Where you live", [where(request)], "where"),
        Row("How support could happen", chosen or [NOT_ANSWERED], "how"),
        Row("Languages you speak", languages or [NOT_ANSWERED], "language"),
        Row("Would you prefer a woman or a man",
            [gender if answered.get("gender_answered") or request.status != "draft" else NOT_ANSWERED], "advocate"),
        Row("When you are usually free", slots(request.availability_mask) or [NOT_ANSWERED], "when-free"),
    ])

    contact = request.safe_contact
    contacting = Section("Contacting you safely")
    if contact is None:
        contacting.rows.append(Row("How and when it is safe to contact you", [NOT_ANSWERED], "contact"))
    else:
        ways = [name for name, ok in (("Phone call", contact.phone_ok), ("Text message", contact.text_ok),
                                      ("Email", contact.email_ok)) if ok]
        contacting.rows.extend([
            Row("Name to ask for", [contact.name_to_ask_for], "contact"),
            Row("Safe ways to contact you", ways, "contact"),
        ])
        if contact.phone_ok or contact.text_ok:
            contacting.rows.append(Row("Phone number", [contact.phone or NOT_ANSWERED], "contact"))
        if contact.phone_ok:
            contacting.rows.append(Row("Voicemail", ["OK to leave a voicemail" if contact.voicemail_ok
                                                     else "Do not leave a voicemail"], "contact"))
        if contact.email_ok:
            contacting.rows.append(Row("Email address", [contact.email or NOT_ANSWERED], "contact"))
        contacting.rows.append(Row("When it is safe to contact you", [contact.safe_times], "contact"))
        if drafts.messages_allowed(request):
            times = describe_slots(contact.message_times_mask)
            contacting.rows.append(Row(
                "When we may send you a message",
                [times[:1].upper() + times[1:] if answered.get("message_times_answered") or request.status != "draft"
                 else NOT_ANSWERED], "message-times"))
    return [Section("Your situation", situation), support, contacting]


def timeline(request: SupportRequest) -> list[tuple[str, object]]:
    """What has happened so far, in the parent's words: each step once (an offer going out and coming back is still
    "Looking for an advocate"), with when it began."""
    from peermatch.web.wording import REQUEST_STATUS_FOR_PARENTS

    steps: list[tuple[str, object]] = []
    for change in request.status_changes:
        words = REQUEST_STATUS_FOR_PARENTS[change.to_status][0]
        if not steps or steps[-1][0] != words:
            steps.append((words, change.changed_dt))
    return steps
