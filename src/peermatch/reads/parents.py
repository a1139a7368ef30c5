"""What a parent's pages show: their own requests, never anyone else's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch.errors import NotFound
from peermatch.models import Match, RequestStatus, SupportRequest, User, VolunteerProfile
from peermatch.services import matches, requests


def sent_requests(session: Session, parent: User) -> list[SupportRequest]:
    """A parent's sent requests, newest first (the draft is shown apart, to carry on with)."""
    return list(session.scalars(
        sa.select(SupportRequest)
        .where(SupportRequest.parent_id == parent.id, SupportRequest.status != RequestStatus.DRAFT)
        .options(selectinload(SupportRequest.main_issue))
        .order_by(SupportRequest.created_dt.desc())
    ))


def own_request(session: Session, parent: User, request_id: str | uuid.UUID) -> SupportRequest:
    """One of this parent's own sent requests, or :class:`NotFound` — never someone else's."""
    try:
        rid = request_id if isinstance(request_id, uuid.UUID) else uuid.UUID(str(request_id))
    except ValueError:
        raise NotFound(request_id) from None
    request = session.scalar(
        sa.select(SupportRequest)
        .where(SupportRequest.id == rid, SupportRequest.parent_id == parent.id,
               SupportRequest.status != RequestStatus.DRAFT)
        .options(selectinload(SupportRequest.issue_types), selectinload(SupportRequest.status_changes))
    )
    if request is None:
        raise NotFound(request_id)
    return request


@dataclass(frozen=True)
class RequestPage:
    request: SupportRequest
    match: Match | None
    can_withdraw: bool
    can_give_feedback: bool


def request_page(session: Session, parent: User, request_id: str | uuid.UUID) -> RequestPage:
    """A parent's request with its timeline, their advocate once introduced, and what they can do next."""
    request = own_request(session, parent, request_id)
    match = session.scalar(
        sa.select(Match).where(Match.request_id == request.id)
        .options(selectinload(Match.volunteer).selectinload(VolunteerProfile.user))
        .order_by(Match.accepted_dt.desc()).limit(1)
    )
    return RequestPage(request, match, requests.can_withdraw(request), matches.parent_feedback_due(match))


def latest_submitted(session: Session, parent: User) -> SupportRequest | None:
    """The request the parent sent most recently, for the confirmation page."""
    return session.scalar(
        sa.select(SupportRequest)
        .where(SupportRequest.parent_id == parent.id, SupportRequest.status != RequestStatus.DRAFT)
        .order_by(SupportRequest.submitted_dt.desc())
        .limit(1)
    )
