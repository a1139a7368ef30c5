"""A parent's unfinished request, saved answer by answer until they send it.

Decisions worth knowing:
- The parent creates an account (email and password) as the first step of asking, and
  every answer is saved to a *draft* request in the database as they go. Nothing is kept
  in the browser, which may be shared with someone the parent is afraid of, and answers
  survive leaving mid-way and coming back from any device.
- Only an outward postcode is stored ("LA14"); a parent who would rather not say picks
  their council area instead. No child's name is ever asked for.
- A request goes to the organisation that covers its area (``services.reference_data``:
  every outward code of a covered council area is covered).
- A postcode no member organisation covers is kept (its outward code only) and leads to a
  page, never an error: where the network has network-wide advocates who support by phone or
  video, the parent can ask for that (:func:`choose_network_wide_support`); otherwise the page
  says plainly what else they can do. **Routing such a request:** it goes to the nearest member
  organisation (from the parent's outward code to the centre of the organisation's nearest
  covered area) among those with at least one approved network-wide advocate who supports by
  phone or video, ties broken by name. Any organisation's ranking already includes every
  network-wide advocate, so this only decides whose organisers triage it: the nearest group
  that itself vets remote advocates. The request then asks for phone or video only (an
  advocate of another organisation never meets in person).

Sending the finished draft is ``services.requests.submit``: the request's life cycle
starts there.

The safe-contact answers stay the parent's to change after sending, until the request is
finished (:func:`change_safe_contact`): the same checks as the question, and nothing saved
unless every answer is right. Notifications read them again at the moment of sending, so a
change is honoured by the very next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.errors import DomainError, NotFound
from peermatch.geo import PostcodeError, distance_km, lookup_postcode
from peermatch.models import (
    OFFER_OUTSTANDING,
    REQUEST_FINISHED,
    Area,
    AuditAction,
    ConsentRecord,
    IssueType,
    Offer,
    Organisation,
    RequestLanguage,
    RequestStatus,
    SafeContact,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.reference import ALL_SLOTS_MASK
from peermatch.services import audit, requests
from peermatch.services.reference_data import area_for_outcode

CONSENT_PURPOSE = "share_with_organisers_and_advocate"
MEETING_HORIZON = timedelta(days=366)


def current_draft(session: Session, parent: User) -> SupportRequest:
    """The parent's unfinished request, started on first use (one draft at a time)."""
    return existing_draft(session, parent) or requests.start_draft(session, parent)


def existing_draft(session: Session, parent: User) -> SupportRequest | None:
    """The parent's unfinished request, if they have one."""
    return session.scalar(
        sa.select(SupportRequest)
        .where(SupportRequest.parent_id == parent.id, SupportRequest.status == RequestStatus.DRAFT)
        .order_by(SupportRequest.created_dt.desc())
        .limit(1)
    )


def active_issue_types(session: Session) -> list[IssueType]:
    """The issue types a parent chooses from, in their usual order."""
    return list(session.scalars(sa.select(IssueType).where(IssueType.active).order_by(IssueType.position)))


def covered_areas(session: Session) -> list[Area]:
    """Council areas a member organisation covers, for parents who would rather not give a postcode."""
    return list(session.scalars(sa.select(Area).where(Area.organisation_id.is_not(None)).order_by(Area.name)))


def _remember(draft: SupportRequest, **answers: object) -> None:
    draft.draft_answers = {**(draft.draft_answers or {}), **answers}


def save_issue_types(session: Session, draft: SupportRequest, codes: Iterable[str]) -> None:
    chosen = list(session.scalars(sa.select(IssueType).where(IssueType.code.in_(list(codes)), IssueType.active)))
    if not chosen:
        raise DomainError("Select what is happening", "issue_types")
    draft.issue_types = sorted(chosen, key=lambda t: t.position)
    if draft.main_issue_id not in {t.id for t in chosen}:
        draft.main_issue_id = chosen[0].id if len(chosen) == 1 else None
    session.flush()


def save_main_issue(session: Session, draft: SupportRequest, code: str) -> None:
    match = next((t for t in draft.issue_types if t.code == code), None)
    if match is None:
        raise DomainError("Select what matters most to you right now", "main_issue")
    draft.main_issue_id = match.id
    session.flush()


def save_meeting(session: Session, draft: SupportRequest, meeting_type: str | None) -> None:
    """``None`` means no meeting is planned; the date is then cleared too."""
    draft.meeting_type = meeting_type
    if meeting_type is None:
        draft.meeting_date = None
        draft.meeting_part = None
    _remember(draft, meeting_answered=True)
    session.flush()


def save_meeting_date(session: Session, draft: SupportRequest, when: date, part: int | None, now: datetime) -> None:
    today = clock.today(now)
    if when < today:
        raise DomainError("The date of the meeting must be today or in the future", "meeting_date")
    if when - today > MEETING_HORIZON:
        raise DomainError("The date of the meeting must be within the next year", "meeting_date")
    draft.meeting_date = when
    draft.meeting_part = part
    session.flush()


def save_postcode(session: Session, draft: SupportRequest, text: str) -> None:
    """Keep only the outward code, and send the request to the organisation covering it.

    An outward code no organisation covers is kept too, with no organisation yet: the next
    page offers network-wide support by phone or video, or says what else the parent can do.
    """
    try:
        found = lookup_postcode(text)
    except PostcodeError as error:
        raise DomainError(str(error), "postcode") from error
    area = area_for_outcode(session, found.outcode)
    covered = area is not None and area.organisation_id is not None
    draft.outcode = found.outcode
    draft.latitude, draft.longitude = found.latitude, found.longitude
    draft.area_id = area.id if area is not None else None
    draft.organisation_id = area.organisation_id if covered and area is not None else None
    _remember(draft, location="postcode" if covered else "uncovered")
    session.flush()


def is_uncovered(draft: SupportRequest) -> bool:
    """The parent gave a postcode no member organisation covers (whether or not they then chose network-wide
    support)."""
    return (draft.draft_answers or {}).get("location") in ("uncovered", "network")


def is_network_wide(draft: SupportRequest) -> bool:
    """The parent lives where no organisation covers and asked for phone or video support from anywhere."""
    return (draft.draft_answers or {}).get("location") == "network"


def remote_support_route(session: Session, latitude: float | None, longitude: float | None) -> Organisation | None:
    """Where a request from an uncovered area goes if the parent asks for network-wide support (see the module's
    docstring for why): the nearest organisation with a network-wide advocate who supports by phone or video."""
    ready = (sa.select(VolunteerProfile.organisation_id)
             .join(User, User.id == VolunteerProfile.user_id)
             .where(VolunteerProfile.network_wide, VolunteerProfile.status == VolunteerStatus.APPROVED, User.active,
                    sa.or_(VolunteerProfile.offers_phone, VolunteerProfile.offers_video)))
    organisations = list(session.scalars(sa.select(Organisation).where(Organisation.active,
                                                                       Organisation.id.in_(ready))))
    if not organisations:
        return None

    def how_far(organisation: Organisation) -> tuple[float, str]:
        centres = [(a.latitude, a.longitude) for a in organisation.areas if a.latitude is not None]
        if latitude is None or longitude is None or not centres:
            return (float("inf"), organisation.name)
        return (min(distance_km(latitude, longitude, lat, lon) for lat, lon in centres if lon is not None),
                organisation.name)

    return min(organisations, key=how_far)


def choose_network_wide_support(session: Session, draft: SupportRequest) -> None:
    """The parent in an uncovered area asks for phone or video support from the network's network-wide advocates."""
    if not is_uncovered(draft):
        raise DomainError("Tell us your postcode first")
    organisation = remote_support_route(session, draft.latitude, draft.longitude)
    if organisation is None:
        raise DomainError("There is nobody who can support you by phone or video call at the moment")
    draft.organisation_id = organisation.id
    draft.accepts_in_person = False
    if not (draft.accepts_phone or draft.accepts_video):
        draft.accepts_phone = True
    _remember(draft, location="network")
    session.flush()


def save_council_area(session: Session, draft: SupportRequest, area_id: str) -> None:
    area = next((a for a in covered_areas(session) if str(a.id) == area_id), None)
    if area is None:
        raise DomainError("Select your council area", "area")
    draft.outcode = None
    draft.latitude, draft.longitude = area.latitude, area.longitude
    draft.area_id = area.id
    draft.organisation_id = area.organisation_id
    _remember(draft, location="area")
    session.flush()


def save_support_modes(session: Session, draft: SupportRequest, modes: Iterable[str]) -> None:
    modes = set(modes)
    if not modes:
        raise DomainError("Select how support could happen", "support_modes")
    if "in_person" in modes and is_network_wide(draft):
        raise DomainError("An advocate from another area can support you by phone or video call only",
                          "support_modes")
    draft.accepts_in_person = "in_person" in modes
    draft.accepts_phone = "phone" in modes
    draft.accepts_video = "video" in modes
    session.flush()


def save_languages(session: Session, draft: SupportRequest, codes: Iterable[str], interpreter_ok: bool) -> None:
    wanted = sorted(set(codes))
    if not wanted:
        raise DomainError("Select the languages you speak", "languages")
    # Rows that stay are kept: deleting and re-adding the same primary key in one flush would clash.
    kept = [row for row in draft.language_rows if row.language in wanted]
    draft.language_rows = kept + [RequestLanguage(language=code) for code in wanted
                                  if code not in {row.language for row in kept}]
    draft.interpreter_ok = interpreter_ok
    _remember(draft, languages_answered=True)
    session.flush()


def save_advocate_gender(session: Session, draft: SupportRequest, gender: str | None) -> None:
    draft.advocate_gender = gender
    _remember(draft, gender_answered=True)
    session.flush()


def save_availability(session: Session, draft: SupportRequest, mask: int) -> None:
    if not 0 < mask <= ALL_SLOTS_MASK:
        raise DomainError("Select at least one time you are usually free", "availability")
    draft.availability_mask = mask
    session.flush()


@dataclass(frozen=True)
class SafeContactAnswers:
    name_to_ask_for: str
    channels: frozenset[str]  # email, phone, text
    email: str | None
    phone: str | None  # for calls (and for texts, when no number is given for them)
    safe_times: str
    voicemail_ok: bool | None  # None: not answered (asked only when calls are allowed)
    text_phone: str | None = None  # for texts, when asked apart from calls


def _digits(number: str | None) -> str:
    return "".join(ch for ch in number or "" if ch.isdigit())


def contact_problems(answers: SafeContactAnswers) -> list[tuple[str, str]]:
    """Every missing or clashing safe-contact answer, as (form field, message), so a page shows them all at once.

    Each way chosen needs its address; a voicemail answer is needed only when calls are allowed. Calls and
    texts share one number, so two different numbers are refused.
    """
    problems = []
    if not answers.channels:
        problems.append(("channels", "Select at least one way it is safe to contact you"))
    if "email" in answers.channels and not answers.email:
        problems.append(("email", "Enter the email address it is safe to use"))
    if "phone" in answers.channels and not answers.phone and not answers.text_phone:
        problems.append(("phone", "Enter the phone number it is safe to use"))
    if "phone" in answers.channels and answers.voicemail_ok is None:
        problems.append(("voicemail_ok", "Select if it is OK to leave a voicemail"))
    if "text" in answers.channels and not answers.text_phone and not answers.phone:
        problems.append(("text_phone", "Enter the phone number it is safe to use"))
    if ({"phone", "text"} <= answers.channels and answers.phone and answers.text_phone
            and _digits(answers.phone) != _digits(answers.text_phone)):
        problems.append(("text_phone", "Enter the same number for calls and texts. We can only keep one number"))
    return problems


def check_safe_contact(answers: SafeContactAnswers) -> None:
    """Every way chosen has its address: DomainError on the first problem (:func:`contact_problems`)."""
    problems = contact_problems(answers)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field)


def _safe_number(answers: SafeContactAnswers) -> str | None:
    if "phone" in answers.channels and answers.phone:
        return answers.phone.strip()
    number = answers.text_phone or answers.phone
    return number.strip() if number and answers.channels & {"phone", "text"} else None


def save_safe_contact(session: Session, draft: SupportRequest, answers: SafeContactAnswers) -> None:
    """Save how it is safe to contact the parent; refused, with nothing changed, when an answer is missing."""
    check_safe_contact(answers)
    contact = draft.safe_contact or SafeContact()
    contact.name_to_ask_for = answers.name_to_ask_for.strip()
    contact.email_ok = "email" in answers.channels
    contact.email = answers.email.strip() if answers.email and contact.email_ok else None
    contact.phone_ok = "phone" in answers.channels
    contact.text_ok = "text" in answers.channels
    contact.phone = _safe_number(answers)
    contact.voicemail_ok = bool(answers.voicemail_ok) and contact.phone_ok
    contact.safe_times = answers.safe_times.strip()
    draft.safe_contact = contact
    session.flush()


def messages_allowed(request: SupportRequest) -> bool:
    """Whether the parent allowed any way we send messages (email or text), so their message times matter."""
    contact = request.safe_contact
    return contact is not None and (contact.email_ok or contact.text_ok)


def _check_message_times(mask: int) -> None:
    if not 0 < mask <= ALL_SLOTS_MASK:
        raise DomainError("Select at least one time when it is safe to send you a message", "message_times")


def save_message_times(session: Session, draft: SupportRequest, mask: int) -> None:
    """The weekly slots when a message (email or text) is safe; notifications wait for the next one."""
    if draft.safe_contact is None:
        raise DomainError("Tell us how it is safe to contact you first", "message_times")
    _check_message_times(mask)
    draft.safe_contact.message_times_mask = mask
    _remember(draft, message_times_answered=True)
    session.flush()


def can_change_safe_contact(request: SupportRequest) -> bool:
    """A sent request's safe-contact answers can change until the request is finished."""
    return request.status != RequestStatus.DRAFT and request.status not in REQUEST_FINISHED


def change_safe_contact(session: Session, request: SupportRequest, parent: User, answers: SafeContactAnswers,
                        message_times: int | None, now: datetime) -> None:
    """The parent changes how and when it is safe to contact them, after sending (audited, never the values).

    ``message_times`` None keeps the weekly slots as they are (they matter only while email or
    text is allowed, and are then required). Every answer is checked before anything changes.
    """
    request = requests.lock(session, request)
    if request.parent_id != parent.id:
        raise NotFound(request.id)
    if not can_change_safe_contact(request):
        raise DomainError("This request has finished, so how we contact you can no longer change")
    before = _contact_values(request.safe_contact)
    check_safe_contact(answers)
    if answers.channels & {"email", "text"}:
        _check_message_times(message_times if message_times is not None else
                             (request.safe_contact.message_times_mask if request.safe_contact else 0))
    save_safe_contact(session, request, answers)
    if message_times is not None and messages_allowed(request):
        assert request.safe_contact is not None
        request.safe_contact.message_times_mask = message_times
    changed = sorted(name for name, value in _contact_values(request.safe_contact).items() if before.get(name) != value)
    audit.record(session, parent, AuditAction.SAFE_CONTACT_CHANGED, "support_request", request.id,
                 organisation_id=request.organisation_id, at=now, changed=changed)
    session.flush()


def can_change_request(request: SupportRequest) -> bool:
    """A sent request's meeting, support modes and free times can change until it is finished."""
    return can_change_safe_contact(request)


REQUEST_ANSWERS = ("meeting_type", "meeting_date", "meeting_part", "accepts_in_person", "accepts_phone",
                   "accepts_video", "availability_mask")


@dataclass(frozen=True)
class RequestChanged:
    changed: list[str]  # the names of the answers that changed (never their values)
    withdrawn: int  # offers not yet answered whose advocate no longer fits


def change_sent_request(session: Session, request: SupportRequest, parent: User, change: Callable[[SupportRequest],
                        None], now: datetime) -> RequestChanged:
    """The parent changes their meeting, its date, support modes or free times after sending.

    ``change`` is the question's own save (``save_meeting``, ``save_meeting_date``,
    ``save_support_modes``, ``save_availability``), so a change is checked exactly as the
    question was. It is audited by the names of what changed. Matching reads a request's
    answers from its row at every ranking (``services.matching.request_profiles``; the
    matching data version covers advocates only), so organisers' next ranking and page see
    the change at once. An offer not yet answered whose advocate no longer fits (a support
    mode, a free time, the meeting's day or part of day) is withdrawn with the reasons
    (``services.offers``).
    """
    from peermatch.services import matching, offers

    request = requests.lock(session, request)
    if request.parent_id != parent.id:
        raise NotFound(request.id)
    if not can_change_request(request):
        raise DomainError("This request has finished, so it can no longer change")
    before = {name: getattr(request, name) for name in REQUEST_ANSWERS}
    change(request)
    changed = [name for name in REQUEST_ANSWERS if getattr(request, name) != before[name]]
    if not changed:
        return RequestChanged([], 0)
    audit.record(session, parent, AuditAction.REQUEST_CHANGED, "support_request", request.id,
                 organisation_id=request.organisation_id, at=now, changed=changed)
    withdrawn = 0
    today = clock.today(now)
    for offer in session.scalars(sa.select(Offer).where(Offer.request_id == request.id,
                                                        Offer.status.in_(OFFER_OUTSTANDING))).all():
        reasons = matching.no_longer_fits(session, request, offer.volunteer_id, today)
        if reasons and offers.withdraw_no_longer_fits(session, offer, parent, now, reasons):
            withdrawn += 1
    session.flush()
    return RequestChanged(changed, withdrawn)


def _contact_values(contact: SafeContact | None) -> dict[str, object]:
    if contact is None:
        return {}
    return {name: getattr(contact, name) for name in (
        "name_to_ask_for", "email_ok", "email", "phone_ok", "text_ok", "phone", "voicemail_ok", "safe_times",
        "message_times_mask")}


def record_consent(session: Session, draft: SupportRequest, parent: User, version: str, now: datetime) -> None:
    session.add(ConsentRecord(user_id=parent.id, purpose=CONSENT_PURPOSE, privacy_notice_version=version,
                              given_dt=now))
    _remember(draft, consent_version=version)
    session.flush()


def missing_steps(draft: SupportRequest) -> list[str]:
    """The question pages still to answer, in order (names match the parents' blueprint steps)."""
    answers = draft.draft_answers or {}
    missing = []
    if not draft.issue_types:
        missing.append("what-is-happening")
    elif draft.main_issue_id is None:
        missing.append("what-matters-most")
    if not answers.get("meeting_answered"):
        missing.append("meeting")
    elif draft.meeting_type and draft.meeting_date is None:
        missing.append("meeting-date")
    if draft.area_id is None and draft.outcode is None:
        missing.append("where")
    elif draft.organisation_id is None:
        missing.append("no-group-nearby")
    if not (draft.accepts_in_person or draft.accepts_phone or draft.accepts_video):
        missing.append("how")
    if not answers.get("languages_answered"):
        missing.append("language")
    if not answers.get("gender_answered"):
        missing.append("advocate")
    if not draft.availability_mask:
        missing.append("when-free")
    if draft.safe_contact is None:
        missing.append("contact")
    elif messages_allowed(draft) and not answers.get("message_times_answered"):
        missing.append("message-times")
    if not answers.get("consent_version"):
        missing.append("consent")
    return missing
