"""A parent's request for support, from the first answer to erasure.

Decisions worth knowing:
- The parent creates an account (email and password) as the first step of asking, and
  every answer is saved to a *draft* request in the database as they go. Nothing is kept
  in the browser, which may be shared with someone the parent is afraid of, and answers
  survive leaving mid-way and coming back from any device.
- Only an outward postcode is stored ("LA14"); a parent who would rather not say picks
  their council area instead. No child's name is ever asked for.
- A request goes to the organisation that covers its area. An area no member organisation
  covers is refused with a clear message listing the areas we do cover.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch.geo import PostcodeError, lookup_postcode
from peermatch.models import (
    AnonymisedRequestCount,
    Area,
    ConsentRecord,
    Feedback,
    FeedbackAuthor,
    IssueType,
    Match,
    MatchOutcome,
    MatchStatus,
    RequestLanguage,
    RequestStatus,
    SafeContact,
    SupportRequest,
    User,
    VolunteerProfile,
)
from peermatch.services import audit, offers
from peermatch.services.reference_data import area_for_outcode

CONSENT_PURPOSE = "share_with_organisers_and_advocate"
OPEN_FOR_PARENT = (RequestStatus.SUBMITTED, RequestStatus.OPEN, RequestStatus.OFFERED)


class RequestError(ValueError):
    """Something the parent can put right; ``field`` is the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- finding requests -----------------------------------------------------------------------------

def current_draft(session: Session, parent: User) -> SupportRequest:
    """The parent's unfinished request, created on first use (one draft at a time)."""
    draft = session.scalar(
        sa.select(SupportRequest)
        .where(SupportRequest.parent_id == parent.id, SupportRequest.status == RequestStatus.DRAFT)
        .order_by(SupportRequest.created_dt.desc())
        .limit(1)
    )
    if draft is None:
        draft = SupportRequest(parent_id=parent.id, status=RequestStatus.DRAFT, accepts_in_person=False,
                               accepts_phone=False, accepts_video=False)
        session.add(draft)
        session.flush()
    return draft


def existing_draft(session: Session, parent: User) -> SupportRequest | None:
    return session.scalar(
        sa.select(SupportRequest).where(
            SupportRequest.parent_id == parent.id, SupportRequest.status == RequestStatus.DRAFT
        )
    )


def parents_request(session: Session, parent: User, request_id: str | uuid.UUID) -> SupportRequest | None:
    """One of this parent's own requests, or None (the caller answers 404) — never someone else's."""
    try:
        rid = request_id if isinstance(request_id, uuid.UUID) else uuid.UUID(str(request_id))
    except ValueError:
        return None
    return session.scalar(
        sa.select(SupportRequest)
        .where(SupportRequest.id == rid, SupportRequest.parent_id == parent.id)
        .options(selectinload(SupportRequest.issue_types), selectinload(SupportRequest.status_changes))
    )


def active_issue_types(session: Session) -> list[IssueType]:
    return list(session.scalars(sa.select(IssueType).where(IssueType.active).order_by(IssueType.position)))


def covered_areas(session: Session) -> list[Area]:
    """Council areas a member organisation covers, for parents who would rather not give a postcode."""
    return list(session.scalars(sa.select(Area).where(Area.organisation_id.is_not(None)).order_by(Area.name)))


# -- saving answers ----------------------------------------------------------------------------------

def save_issue_types(session: Session, draft: SupportRequest, codes: Iterable[str]) -> None:
    chosen = list(session.scalars(sa.select(IssueType).where(IssueType.code.in_(list(codes)), IssueType.active)))
    if not chosen:
        raise RequestError("Select what is happening", "issue_types")
    draft.issue_types = sorted(chosen, key=lambda t: t.position)
    if draft.main_issue_id not in {t.id for t in chosen}:
        draft.main_issue_id = chosen[0].id if len(chosen) == 1 else None
    session.flush()


def save_main_issue(session: Session, draft: SupportRequest, code: str) -> None:
    match = next((t for t in draft.issue_types if t.code == code), None)
    if match is None:
        raise RequestError("Select what matters most to you right now", "main_issue")
    draft.main_issue_id = match.id
    session.flush()


def save_meeting(session: Session, draft: SupportRequest, meeting_type: str | None) -> None:
    """``None`` means no meeting is planned; the date is then cleared too."""
    draft.meeting_type = meeting_type
    if meeting_type is None:
        draft.meeting_date = None
        draft.meeting_part = None
    draft.draft_answers = {**draft.draft_answers, "meeting_answered": True}
    session.flush()


def save_meeting_date(session: Session, draft: SupportRequest, when: date, part: int | None, today: date) -> None:
    if when < today:
        raise RequestError("The date of the meeting must be today or in the future", "meeting_date")
    if (when - today).days > 366:
        raise RequestError("The date of the meeting must be within the next year", "meeting_date")
    draft.meeting_date = when
    draft.meeting_part = part
    session.flush()


def save_postcode(session: Session, draft: SupportRequest, text: str) -> None:
    """Keep only the outward code; refuse areas no member organisation covers, saying which we do."""
    try:
        found = lookup_postcode(text)
    except PostcodeError as error:
        raise RequestError(str(error), "postcode") from error
    area = area_for_outcode(session, found.outcode)
    if area is None or area.organisation_id is None:
        names = ", ".join(a.name for a in covered_areas(session)) or "none yet"
        raise RequestError(
            f"There is no parent group for {found.outcode} in PeerMatch yet. The areas we cover are: {names}",
            "postcode",
        )
    draft.outcode = found.outcode
    draft.latitude, draft.longitude = found.latitude, found.longitude
    draft.area_id = area.id
    draft.organisation_id = area.organisation_id
    draft.draft_answers = {**draft.draft_answers, "location": "postcode"}
    session.flush()


def save_council_area(session: Session, draft: SupportRequest, area_id: str) -> None:
    area = next((a for a in covered_areas(session) if str(a.id) == area_id), None)
    if area is None:
        raise RequestError("Select your council area", "area")
    draft.outcode = None
    draft.latitude, draft.longitude = area.latitude, area.longitude
    draft.area_id = area.id
    draft.organisation_id = area.organisation_id
    draft.draft_answers = {**draft.draft_answers, "location": "area"}
    session.flush()


def save_support_modes(session: Session, draft: SupportRequest, modes: Iterable[str]) -> None:
    modes = set(modes)
    if not modes:
        raise RequestError("Select how support could happen", "support_modes")
    draft.accepts_in_person = "in_person" in modes
    draft.accepts_phone = "phone" in modes
    draft.accepts_video = "video" in modes
    session.flush()


def save_languages(session: Session, draft: SupportRequest, codes: Iterable[str], interpreter_ok: bool) -> None:
    codes = sorted(set(codes))
    if not codes:
        raise RequestError("Select the languages you speak", "languages")
    draft.language_rows = [RequestLanguage(language=code) for code in codes]
    draft.interpreter_ok = interpreter_ok
    draft.draft_answers = {**draft.draft_answers, "languages_answered": True}
    session.flush()


def save_advocate_gender(session: Session, draft: SupportRequest, gender: str | None) -> None:
    draft.advocate_gender = gender
    draft.draft_answers = {**draft.draft_answers, "gender_answered": True}
    session.flush()


def save_availability(session: Session, draft: SupportRequest, mask: int) -> None:
    if mask <= 0:
        raise RequestError("Select at least one time you are usually free", "availability")
    draft.availability_mask = mask
    session.flush()


@dataclass(frozen=True)
class SafeContactAnswers:
    name_to_ask_for: str
    channels: frozenset[str]  # email, phone, text
    email: str | None
    phone: str | None
    safe_times: str
    voicemail_ok: bool


def save_safe_contact(session: Session, draft: SupportRequest, answers: SafeContactAnswers) -> None:
    if not answers.channels:
        raise RequestError("Select at least one way it is safe to contact you", "channels")
    if "email" in answers.channels and not answers.email:
        raise RequestError("Enter the email address it is safe to use", "email")
    if answers.channels & {"phone", "text"} and not answers.phone:
        raise RequestError("Enter the phone number it is safe to use", "phone")
    contact = draft.safe_contact or SafeContact()
    contact.name_to_ask_for = answers.name_to_ask_for.strip()
    contact.email_ok = "email" in answers.channels
    contact.email = answers.email.strip() if answers.email and contact.email_ok else None
    contact.phone_ok = "phone" in answers.channels
    contact.text_ok = "text" in answers.channels
    contact.phone = answers.phone.strip() if answers.phone and (contact.phone_ok or contact.text_ok) else None
    contact.voicemail_ok = answers.voicemail_ok and contact.phone_ok
    contact.safe_times = answers.safe_times.strip()
    draft.safe_contact = contact
    session.flush()


def record_consent(session: Session, draft: SupportRequest, parent: User, version: str, now: datetime) -> None:
    session.add(ConsentRecord(user_id=parent.id, purpose=CONSENT_PURPOSE, privacy_notice_version=version,
                              given_dt=now))
    draft.draft_answers = {**draft.draft_answers, "consent_version": version}
    session.flush()


# -- checking and sending ------------------------------------------------------------------------------

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
    if draft.area_id is None:
        missing.append("where")
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
    if not answers.get("consent_version"):
        missing.append("consent")
    return missing


def submit_request(session: Session, draft: SupportRequest, parent: User, now: datetime) -> SupportRequest:
    """Send a complete draft to the organisation covering its area. Sending twice does nothing more."""
    if draft.status != RequestStatus.DRAFT:
        return draft
    missing = missing_steps(draft)
    if missing:
        raise RequestError("Answer all the questions before sending your request", missing[0])
    offers.move_request(session, draft, RequestStatus.SUBMITTED, parent, now)
    draft.submitted_dt = now
    audit.record(session, parent, "request.submitted", "support_request", draft.id,
                 organisation_id=draft.organisation_id)
    session.flush()
    return draft


def latest_submitted(session: Session, parent: User) -> SupportRequest | None:
    return session.scalar(
        sa.select(SupportRequest)
        .where(SupportRequest.parent_id == parent.id, SupportRequest.status != RequestStatus.DRAFT)
        .order_by(SupportRequest.submitted_dt.desc())
        .limit(1)
    )


# -- after sending ---------------------------------------------------------------------------------------

def current_match(session: Session, request: SupportRequest) -> Match | None:
    return session.scalar(
        sa.select(Match).where(Match.request_id == request.id)
        .options(selectinload(Match.volunteer).selectinload(VolunteerProfile.user))
        .order_by(Match.introduced_dt.desc()).limit(1)
    )


def can_withdraw(request: SupportRequest) -> bool:
    return request.status in (*OPEN_FOR_PARENT, RequestStatus.MATCHED)


def withdraw_request(session: Session, request: SupportRequest, parent: User, now: datetime) -> None:
    """The parent no longer wants support: pending offers are withdrawn and any match ends."""
    if not can_withdraw(request):
        raise RequestError("This request cannot be cancelled now")
    offers.move_request(session, request, RequestStatus.WITHDRAWN, parent, now)
    request.withdrawn_dt = now
    offers.withdraw_outstanding_offers(session, request, parent, now)
    for match in session.scalars(sa.select(Match).where(
            Match.request_id == request.id, Match.status != MatchStatus.ENDED)):
        _end_match_for_parent(session, match, now)
    audit.record(session, parent, "request.withdrawn", "support_request", request.id,
                 organisation_id=request.organisation_id)
    session.flush()


def _end_match_for_parent(session: Session, match: Match, now: datetime) -> None:
    match.status = MatchStatus.ENDED
    match.ended_dt = now
    match.outcome = MatchOutcome.PARENT_STOPPED_CONTACT
    offers.free_place(session, match.volunteer_id)


def can_give_feedback(session: Session, request: SupportRequest) -> bool:
    match = current_match(session, request)
    if match is None or match.status != MatchStatus.ENDED:
        return False
    return not any(f.author == FeedbackAuthor.PARENT for f in match.feedback)


def give_feedback(session: Session, request: SupportRequest, rating: int, comments: str, now: datetime) -> None:
    match = current_match(session, request)
    if match is None or not can_give_feedback(session, request):
        raise RequestError("You cannot leave feedback on this request")
    session.add(Feedback(match_id=match.id, author=FeedbackAuthor.PARENT, rating=rating,
                         comments=comments.strip(), given_dt=now))
    session.flush()


# -- the parent's own data ---------------------------------------------------------------------------------

def export_parent_data(session: Session, parent: User) -> dict[str, Any]:
    """Everything held about a parent, readable by a person (UK GDPR right of access)."""
    requests = session.scalars(
        sa.select(SupportRequest).where(SupportRequest.parent_id == parent.id)
        .options(selectinload(SupportRequest.issue_types), selectinload(SupportRequest.language_rows),
                 selectinload(SupportRequest.safe_contact), selectinload(SupportRequest.status_changes),
                 selectinload(SupportRequest.area), selectinload(SupportRequest.organisation))
        .order_by(SupportRequest.created_dt)
    ).all()
    consents = session.scalars(sa.select(ConsentRecord).where(ConsentRecord.user_id == parent.id)).all()

    def when(value: datetime | date | None) -> str | None:
        return value.isoformat() if value else None

    exported_requests = []
    for request in requests:
        contact = request.safe_contact
        match = current_match(session, request)
        exported_requests.append({
            "reference": request.reference,
            "status": request.status,
            "what_is_happening": [t.name for t in request.issue_types],
            "what_matters_most": next((t.name for t in request.issue_types if t.id == request.main_issue_id), None),
            "meeting": {"type": request.meeting_type, "date": when(request.meeting_date),
                        "part_of_day": request.meeting_part},
            "outward_postcode": request.outcode,
            "council_area": request.area.name if request.area else None,
            "organisation": request.organisation.name if request.organisation else None,
            "support_modes": [m for m, ok in (("in person", request.accepts_in_person), ("phone", request.accepts_phone),
                                              ("video", request.accepts_video)) if ok],
            "languages": request.languages,
            "interpreter_ok": request.interpreter_ok,
            "advocate_gender_preference": request.advocate_gender,
            "availability_mask": request.availability_mask,
            "safe_contact": None if contact is None else {
                "name_to_ask_for": contact.name_to_ask_for, "email_ok": contact.email_ok, "email": contact.email,
                "phone_ok": contact.phone_ok, "text_ok": contact.text_ok, "phone": contact.phone,
                "voicemail_ok": contact.voicemail_ok, "safe_times": contact.safe_times,
            },
            "timeline": [{"status": c.to_status, "when": when(c.changed_dt)} for c in request.status_changes],
            "advocate_first_name": match.volunteer.user.display_name if match else None,
            "submitted": when(request.submitted_dt),
        })
    audit.record(session, parent, "parent.data_exported", "user", parent.id)
    return {
        "account": {"name": parent.display_name, "email": parent.email, "created": when(parent.created_dt),
                    "last_signed_in": when(parent.last_sign_in_dt)},
        "consents": [{"purpose": c.purpose, "privacy_notice_version": c.privacy_notice_version,
                      "given": when(c.given_dt), "withdrawn": when(c.withdrawn_dt)} for c in consents],
        "requests": exported_requests,
    }


def _count_anonymously(session: Session, request: SupportRequest) -> None:
    """Fold a request into the anonymised monthly counts before it is deleted."""
    if request.status == RequestStatus.DRAFT:
        return
    submitted = request.submitted_dt or request.created_dt
    month = date(submitted.year, submitted.month, 1)
    key = dict(
        month=month, organisation_id=request.organisation_id,
        area_code=request.area.code if request.area else "",
        main_issue_code=next((t.code for t in request.issue_types if t.id == request.main_issue_id), ""),
        final_status=request.status, outcome=request.outcome or "",
    )
    row = session.scalar(sa.select(AnonymisedRequestCount).filter_by(**key))
    if row is None:
        row = AnonymisedRequestCount(**key, count=0)
        session.add(row)
    row.count += 1


def erase_parent(session: Session, parent: User, now: datetime) -> None:
    """Delete the account and everything personal; requests survive only as anonymised counts."""
    requests = session.scalars(
        sa.select(SupportRequest).where(SupportRequest.parent_id == parent.id)
        .options(selectinload(SupportRequest.issue_types), selectinload(SupportRequest.area))
    ).all()
    for request in requests:
        for match in session.scalars(sa.select(Match).where(
                Match.request_id == request.id, Match.status != MatchStatus.ENDED)):
            _end_match_for_parent(session, match, now)
        _count_anonymously(session, request)
    session.flush()
    audit.record(session, None, "parent.erased", "user", None)
    for request in requests:
        session.delete(request)
    session.delete(parent)
    session.flush()
