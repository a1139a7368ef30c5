"""The life of a parent's request for support: the only code that changes its status.

    draft → submitted → open → offered → matched → closed
                 ↘         ↘        ↘         ↘
            withdrawn by the parent, or closed unmatched by an organiser

:data:`TRANSITIONS` is the whole life cycle; :func:`_move` is the only place a request's
status is written, and it writes the timeline row and the audit event in the same step.
Offers (``services.offers``) and matches (``services.matches``) move the request through
the functions here, never by themselves.

**One request at a time.** Every change in a request's life, including its offers and
its match, starts with :func:`lock`: ``SELECT … FOR NO KEY UPDATE`` of the request's row on
PostgreSQL (on SQLite every transaction begins IMMEDIATE: see ``database.py``), then a fresh read. So two
people acting on one request at once are served one after the other: the second sees
what the first did (the request withdrawn, the match already ended) and is told so,
instead of both winning. Locks are always taken in the same order (request, then its
offer or match, then the advocate's row), so they cannot deadlock.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch.errors import DomainError, NotFound
from peermatch.models import (
    MATCH_OPEN,
    OFFER_OUTSTANDING,
    ConflictOfInterest,
    REQUEST_LOOKING,
    AuditAction,
    Match,
    MatchOutcome,
    Offer,
    OfferStatus,
    RequestStatus,
    RequestStatusChange,
    SupportRequest,
    UnmatchedReason,
    User,
    VolunteerProfile,
)
from peermatch.services import audit, notifications

S = RequestStatus
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.OPEN, S.OFFERED, S.MATCHED, S.WITHDRAWN, S.CLOSED_UNMATCHED}),
    S.OPEN: frozenset({S.OFFERED, S.MATCHED, S.WITHDRAWN, S.CLOSED_UNMATCHED}),
    S.OFFERED: frozenset({S.OPEN, S.MATCHED, S.WITHDRAWN, S.CLOSED_UNMATCHED}),
    S.MATCHED: frozenset({S.CLOSED, S.WITHDRAWN}),
}
"""Where a request may go from each status; closed, withdrawn and closed unmatched are final."""

_STAMPS = {S.SUBMITTED: "submitted_dt", S.OFFERED: "offered_dt", S.MATCHED: "matched_dt",
           S.CLOSED: "closed_dt", S.CLOSED_UNMATCHED: "closed_dt", S.WITHDRAWN: "withdrawn_dt"}
_WHY_NOT = {
    S.MATCHED: "This request already has an advocate",
    S.CLOSED: "This request has already finished",
    S.WITHDRAWN: "This request was cancelled by the parent",
    S.CLOSED_UNMATCHED: "This request has been closed",
}


def lock(session: Session, request: SupportRequest) -> SupportRequest:
    """Hold the request's row until the transaction ends, and re-read it (see the module docstring).

    :class:`NotFound` if it has gone meanwhile (the parent erased their account).
    """
    session.flush()
    locked = session.scalars(
        sa.select(SupportRequest).where(SupportRequest.id == request.id)
        # NO KEY: rows that merely point at the request (its timeline) are not held up by the lock.
        .with_for_update(key_share=True).execution_options(populate_existing=True)
    ).one_or_none()
    if locked is None:
        raise NotFound(request.id)
    return locked


def why_not(request: SupportRequest) -> str:
    """Why a request cannot take part in matching now, in words for the person who tried."""
    return _WHY_NOT.get(RequestStatus(request.status), "This request is not looking for an advocate")


def _move(session: Session, request: SupportRequest, new: RequestStatus, by: User | None, now: datetime,
          **values: object) -> None:
    """Move ``request`` to ``new``: status, its time stamp, a timeline row and an audit event, or DomainError."""
    old = RequestStatus(request.status)
    if new not in TRANSITIONS.get(old, frozenset()):
        raise DomainError(why_not(request))
    stamp = _STAMPS.get(new)
    if stamp is not None:
        values[stamp] = now
    if new == S.OPEN and request.opened_dt is None:
        values["opened_dt"] = now
    session.flush()
    moved = session.execute(
        sa.update(SupportRequest).where(SupportRequest.id == request.id, SupportRequest.status == old)
        .values(status=new, updated_dt=now, **values).execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("This request changed while you were looking at it. Check it and try again")
    session.refresh(request)
    session.add(RequestStatusChange(request_id=request.id, from_status=old, to_status=new, changed_dt=now,
                                    changed_by_id=by.id if by is not None else None))
    audit.record(session, by, AuditAction(f"request.{new}"), "support_request", request.id,
                 organisation_id=request.organisation_id, at=now, from_status=str(old))
    notifications.request_moved(session, request, new, now)


# -- a parent's side ------------------------------------------------------------------------------

def start_draft(session: Session, parent: User) -> SupportRequest:
    """A new, empty request for a parent to fill in answer by answer (``services.drafts``)."""
    draft = SupportRequest(parent_id=parent.id, status=S.DRAFT, accepts_in_person=False, accepts_phone=False,
                           accepts_video=False)
    session.add(draft)
    session.flush()
    return draft


def submit(session: Session, draft: SupportRequest, parent: User, now: datetime) -> SupportRequest:
    """Send a complete draft to the organisation covering its area. Sending twice does nothing more."""
    from peermatch.services import drafts

    draft = lock(session, draft)
    if draft.status != S.DRAFT:
        return draft
    missing = drafts.missing_steps(draft)
    if missing:
        raise DomainError("Answer all the questions before sending your request", missing[0])
    _move(session, draft, S.SUBMITTED, parent, now)
    return draft


def can_withdraw(request: SupportRequest) -> bool:
    """Whether the parent can still cancel: while looking for an advocate or matched."""
    return RequestStatus(request.status) in TRANSITIONS and S.WITHDRAWN in TRANSITIONS[RequestStatus(request.status)]


def withdraw(session: Session, request: SupportRequest, parent: User, now: datetime) -> None:
    """The parent no longer wants support: offers not yet answered are withdrawn and any match ends."""
    from peermatch.services import matches, offers

    request = lock(session, request)
    if not can_withdraw(request):
        raise DomainError("This request has already finished, so it cannot be cancelled")
    offers.withdraw_outstanding(session, request, parent, now, note="The parent cancelled the request")
    for match in session.scalars(sa.select(Match).where(Match.request_id == request.id,
                                                        Match.status.in_(MATCH_OPEN))).all():
        matches.end(session, match, parent, now, outcome=MatchOutcome.PARENT_STOPPED_CONTACT,
                    note="The parent cancelled the request")
    _move(session, request, S.WITHDRAWN, parent, now)


# -- an organiser's side -----------------------------------------------------------------------------

def acknowledge(session: Session, request: SupportRequest, organiser: User | None, now: datetime) -> None:
    """An organiser has looked at a new request: *submitted* becomes *open* (no-op otherwise)."""
    request = lock(session, request)
    if request.status == S.SUBMITTED:
        _move(session, request, S.OPEN, organiser, now)


def close_unmatched(session: Session, request: SupportRequest, organiser: User | None, now: datetime,
                    reason: str) -> None:
    """An organiser closes a request nobody will be matched to, with a reason from the list.

    Offers not yet answered are withdrawn. A request with an advocate introduced cannot be
    closed this way: its match ends first.
    """
    from peermatch.services import offers

    if reason not in set(UnmatchedReason):
        raise DomainError("Select why you are closing this request", "reason")
    request = lock(session, request)
    ensure_looking(request)
    offers.withdraw_outstanding(session, request, organiser, now, note="The request was closed without a match")
    _move(session, request, S.CLOSED_UNMATCHED, organiser, now, outcome=reason)


CONFLICT_REASON_LENGTH = 300


def record_conflict(session: Session, request: SupportRequest, volunteer: VolunteerProfile, organiser: User,
                    now: datetime, reason: str) -> None:
    """An organiser records that an advocate must not be offered this request (e.g. they know the family).

    An offer to them still waiting for an answer is withdrawn.
    """
    from peermatch.services import matching_data, offers

    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason", "reason")
    if len(reason) > CONFLICT_REASON_LENGTH:
        raise DomainError(f"The reason must be {CONFLICT_REASON_LENGTH} characters or fewer", "reason")
    request = lock(session, request)
    exists = session.scalar(sa.select(ConflictOfInterest.id).where(ConflictOfInterest.request_id == request.id,
                                                                   ConflictOfInterest.volunteer_id == volunteer.id))
    if exists is not None:
        raise DomainError("A conflict of interest is already recorded for this advocate", "volunteer_id")
    session.add(ConflictOfInterest(request_id=request.id, volunteer_id=volunteer.id, reason=reason,
                                   recorded_by_id=organiser.id, recorded_dt=now))
    waiting = session.scalar(sa.select(Offer).where(Offer.request_id == request.id, Offer.volunteer_id == volunteer.id,
                                                    Offer.status.in_(OFFER_OUTSTANDING)))
    if waiting is not None:
        offers.withdraw_outstanding(session, request, organiser, now, only=waiting,
                                    note="A conflict of interest was recorded")
        offer_came_back(session, request, organiser, now)
    audit.record(session, organiser, AuditAction.CONFLICT_RECORDED, "support_request", request.id,
                 organisation_id=request.organisation_id, at=now, volunteer_id=str(volunteer.id))
    matching_data.changed(session)


# -- what offers and matches do to a request ---------------------------------------------------------

def ensure_looking(request: SupportRequest) -> None:
    """DomainError unless the request is still looking for an advocate (the caller holds its lock)."""
    if request.status not in REQUEST_LOOKING:
        raise DomainError(why_not(request))


def ensure_needs_an_advocate(session: Session, request: SupportRequest) -> None:
    """DomainError unless the request is looking for an advocate and none has accepted it yet."""
    ensure_looking(request)
    accepted = session.scalar(sa.select(sa.func.count()).select_from(Match).where(
        Match.request_id == request.id, Match.status.in_(MATCH_OPEN)))
    if accepted:
        raise DomainError("An advocate has already accepted this request: introduce them, or end that match first")


def offer_sent(session: Session, request: SupportRequest, by: User | None, now: datetime) -> None:
    """An offer for it went to an advocate: the request is *offered*."""
    ensure_looking(request)
    if request.status != S.OFFERED:
        _move(session, request, S.OFFERED, by, now)


def advocate_fell_through(session: Session, request: SupportRequest, by: User | None, now: datetime) -> None:
    """The advocate who accepted will not support the parent after all: back to the organisers."""
    if request.status == S.OFFERED:
        _move(session, request, S.OPEN, by, now)


def offer_came_back(session: Session, request: SupportRequest, by: User | None, now: datetime) -> None:
    """An offer was declined, lapsed or withdrawn: back to the organisers, unless another is still out."""
    others_out = session.scalar(sa.select(sa.func.count()).select_from(Offer).where(
        Offer.request_id == request.id, Offer.status == OfferStatus.OFFERED))
    if not others_out and request.status == S.OFFERED:
        _move(session, request, S.OPEN, by, now)


def matched(session: Session, request: SupportRequest, by: User | None, now: datetime) -> None:
    """An advocate was introduced to the parent."""
    ensure_looking(request)
    _move(session, request, S.MATCHED, by, now)


def close(session: Session, request: SupportRequest, by: User | None, now: datetime, outcome: str) -> None:
    """The match ended: the request is closed with the match's outcome (no-op unless it was matched)."""
    if request.status == S.MATCHED:
        _move(session, request, S.CLOSED, by, now, outcome=outcome)
