"""What a parent's pages show: their own requests, never anyone else's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch.errors import NotFound
from peermatch.models import Match, Message, RequestStatus, SupportRequest, User, VolunteerProfile
from peermatch.services import drafts, matches, messages, requests


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
        .options(selectinload(SupportRequest.issue_types), selectinload(SupportRequest.status_changes),
                 selectinload(SupportRequest.organisation), selectinload(SupportRequest.safe_contact))
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
    can_change_contact: bool
    can_change_request: bool
    messages: list[Message]  # with their advocate, from the introduction
    can_write: bool


def request_page(session: Session, parent: User, request_id: str | uuid.UUID) -> RequestPage:
    """A parent's request with its timeline, their advocate once introduced, the messages with them, and what
    they can do next."""
    request = own_request(session, parent, request_id)
    match = session.scalar(
        sa.select(Match).where(Match.request_id == request.id)
        .options(selectinload(Match.volunteer).selectinload(VolunteerProfile.user))
        .order_by(Match.accepted_dt.desc()).limit(1)
    )
    introduced = match is not None and match.introduced_dt is not None
    return RequestPage(request, match, requests.can_withdraw(request),
                       matches.parent_feedback_due(match), drafts.can_change_safe_contact(request),
                       drafts.can_change_request(request),
                       messages.thread(session, match) if introduced and match else [], messages.thread_open(match))


def own_match(session: Session, parent: User, request_id: str | uuid.UUID) -> Match:
    """The advocate's match on one of this parent's own requests (the latest), or :class:`NotFound`."""
    request = own_request(session, parent, request_id)
    match = session.scalar(sa.select(Match).where(Match.request_id == request.id)
                           .order_by(Match.accepted_dt.desc()).limit(1))
    if match is None:
        raise NotFound(request_id)
    return match


def latest_submitted(session: Session, parent: User) -> SupportRequest | None:
    """The request the parent sent most recently, for the confirmation page."""
    return session.scalar(
        sa.select(SupportRequest)
        .where(SupportRequest.parent_id == parent.id, SupportRequest.status != RequestStatus.DRAFT)
        .order_by(SupportRequest.submitted_dt.desc())
        .limit(1)
    )
