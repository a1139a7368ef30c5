"""A parent's rights over their data (UK GDPR): a copy of everything held, and erasure.

Erasure ends any match still open through ``services.matches`` (so the advocate's place is
freed exactly once), folds each request into the anonymised monthly counts, and deletes
the account with everything that hangs from it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from peermatch.errors import DomainError
from peermatch.models import (
    MATCH_OPEN,
    AnonymisedRequestCount,
    AuditAction,
    ConsentRecord,
    Match,
    MatchOutcome,
    RequestStatus,
    SupportRequest,
    User,
    VolunteerProfile,
)
from peermatch.services import audit, matches, notifications, requests


@dataclass(frozen=True)
class ParentRecords:
    """Everything held about a parent: their account, consents, and each request with its advocate's first name
    (once introduced)."""

    parent: User
    consents: list[ConsentRecord]
    requests: list[tuple[SupportRequest, str | None]]


def parent_records(session: Session, parent: User, now: datetime) -> ParentRecords:
    """Everything held about a parent (UK GDPR right of access), for the download and the page to print; audited."""
    rows = session.scalars(
        sa.select(SupportRequest).where(SupportRequest.parent_id == parent.id)
        .options(selectinload(SupportRequest.issue_types), selectinload(SupportRequest.language_rows),
                 selectinload(SupportRequest.safe_contact), selectinload(SupportRequest.status_changes),
                 selectinload(SupportRequest.area), selectinload(SupportRequest.organisation))
        .order_by(SupportRequest.created_dt)
    ).all()
    consents = list(session.scalars(sa.select(ConsentRecord).where(ConsentRecord.user_id == parent.id)
                                    .order_by(ConsentRecord.given_dt)))
    requests_held = []
    for request in rows:
        match = session.scalar(
            sa.select(Match).where(Match.request_id == request.id)
            .options(selectinload(Match.volunteer).selectinload(VolunteerProfile.user))
            .order_by(Match.accepted_dt.desc()).limit(1))
        requests_held.append((request, match.volunteer.user.display_name if match and match.introduced_dt else None))
    audit.record(session, parent, AuditAction.PARENT_DATA_EXPORTED, "user", parent.id, at=now)
    return ParentRecords(parent, consents, requests_held)


def export_parent_data(session: Session, parent: User, now: datetime) -> dict[str, Any]:
    """Everything held about a parent as JSON-ready data (the download); :func:`parent_records` for the page."""
    records = parent_records(session, parent, now)
    consents = records.consents

    def when(value: datetime | date | None) -> str | None:
        return value.isoformat() if value else None

    exported_requests = []
    for request, advocate in records.requests:
        contact = request.safe_contact
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
            "advocate_first_name": advocate,
            "submitted": when(request.submitted_dt),
        })
    return {
        "account": {"name": parent.display_name, "email": parent.email, "created": when(parent.created_dt),
                    "last_signed_in": when(parent.last_sign_in_dt)},
        "consents": [{"purpose": c.purpose, "privacy_notice_version": c.privacy_notice_version,
                      "given": when(c.given_dt), "withdrawn": when(c.withdrawn_dt)} for c in consents],
        "requests": exported_requests,
    }


def count_anonymously(session: Session, request: SupportRequest) -> None:
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
    # One statement that adds to the count or starts it: two erasures at once never insert the same row twice.
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    statement = insert(AnonymisedRequestCount).values(id=uuid.uuid4(), count=1, **key)
    session.execute(statement.on_conflict_do_update(
        index_elements=list(key), set_={"count": AnonymisedRequestCount.count + 1}))


def erase_parent(session: Session, parent: User, now: datetime) -> None:
    """Delete the account and everything personal; requests survive only as anonymised counts.

    The account's row is locked first, so erasing twice at once (a double click) erases once
    and tells the second what happened.
    """
    session.flush()
    # NO KEY: others may still record what they did meanwhile (their audit rows point at the account).
    locked = session.scalars(sa.select(User).where(User.id == parent.id).with_for_update(key_share=True)
                             .execution_options(populate_existing=True)).one_or_none()
    if locked is None:
        raise DomainError("This account has already been deleted")
    rows = session.scalars(
        sa.select(SupportRequest).where(SupportRequest.parent_id == parent.id).order_by(SupportRequest.id)
        .options(selectinload(SupportRequest.issue_types), selectinload(SupportRequest.area))
    ).all()
    for request in rows:
        request = requests.lock(session, request)
        for match in session.scalars(sa.select(Match).where(Match.request_id == request.id,
                                                            Match.status.in_(MATCH_OPEN))).all():
            matches.end(session, match, None, now, outcome=MatchOutcome.PARENT_STOPPED_CONTACT,
                        note="The parent deleted their account")
        count_anonymously(session, request)
    session.flush()
    audit.record(session, None, AuditAction.PARENT_ERASED, "user", None, at=now)
    notifications.forget_person(session, parent.id)
    for request in rows:
        session.delete(request)
    session.delete(parent)
    session.flush()
