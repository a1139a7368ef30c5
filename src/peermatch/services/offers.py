"""The life of an offer: proposed → approved → offered → accepted / declined / lapsed → introduced.

An offer is an organiser's proposal that one volunteer advocate supports one parent's
request. Organisers propose and approve it, it is sent to the volunteer with a time
limit, and the volunteer accepts or declines. Accepting introduces them: a
:class:`~peermatch.models.Match` is created and the volunteer can see the parent's
contact details. Every step writes a row of :class:`~peermatch.models.OfferStatusChange`.

Two rules are kept by the database itself, not by reading and then writing:

* an offer moves out of ``offered`` once only (a conditional ``UPDATE … WHERE status =
  'offered'``), so a double click, a lapse and an accept cannot both win;
* a volunteer never has more active matches than their capacity: accepting runs
  ``UPDATE volunteer_profiles SET active_match_count = active_match_count + 1 WHERE
  id = … AND active_match_count < capacity`` and checks the row count, and a CHECK
  constraint (``active_match_count <= capacity``) backs it up. On PostgreSQL the second
  of two simultaneous accepts waits for the first one's row lock, then re-reads the
  row and finds no free place.

Like every domain function, these flush and never commit; times are passed in
(``now``) so that lapsing can be tested with a controlled clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch.models import (
    Match,
    MatchStatus,
    Offer,
    OfferStatus,
    OfferStatusChange,
    RequestStatus,
    RequestStatusChange,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.models.enums import DeclineReason
from peermatch.services import audit

DEFAULT_LAPSE_HOURS = 48
LONDON = ZoneInfo("Europe/London")
# When each part of the day starts, for "how long until the parent's meeting".
PART_OF_DAY_STARTS = {0: time(9, 0), 1: time(13, 0), 2: time(18, 0)}
# An offer always gives the volunteer at least this long, however close the meeting.
MINIMUM_TIME_TO_ANSWER = timedelta(hours=1)

OUTSTANDING = (OfferStatus.PROPOSED, OfferStatus.APPROVED, OfferStatus.OFFERED)
# A request can still be matched while it is in one of these.
MATCHABLE_REQUEST_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.OPEN, RequestStatus.OFFERED)


class OfferError(ValueError):
    """An offer cannot move as asked; the message is fit to show the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def offer_deadline(now: datetime, lapse_hours: float = DEFAULT_LAPSE_HOURS, meeting_date: date | None = None,
                   meeting_part: int | None = None) -> datetime:
    """When an offer sent at ``now`` lapses.

    Normally ``lapse_hours`` later; but when the parent has a meeting sooner than that,
    halfway to the start of the meeting, so the organisers still have time to ask someone
    else. Never less than an hour.
    """
    deadline = now + timedelta(hours=lapse_hours)
    if meeting_date is not None:
        starts = datetime.combine(meeting_date, PART_OF_DAY_STARTS.get(meeting_part or 0, time(9, 0)), tzinfo=LONDON)
        halfway = now + max((starts.astimezone(timezone.utc) - now) / 2, MINIMUM_TIME_TO_ANSWER)
        deadline = min(deadline, halfway)
    return deadline


def _history(offer: Offer, old: str | None, new: str, by: User | None, now: datetime, note: str = "") -> None:
    offer.status_changes.append(OfferStatusChange(
        from_status=old, to_status=new, changed_dt=now, changed_by_id=by.id if by is not None else None, note=note,
    ))


def move_request(session: Session, request: SupportRequest, new: RequestStatus, by: User | None,
                  now: datetime) -> None:
    """Move a request to ``new`` with a row in its timeline (no-op if it is there already)."""
    old = request.status
    if old == new:
        return
    request.status = new
    stamp = {RequestStatus.OFFERED: "offered_dt", RequestStatus.MATCHED: "matched_dt",
             RequestStatus.CLOSED: "closed_dt"}.get(new)
    if stamp:
        setattr(request, stamp, now)
    elif new == RequestStatus.OPEN and request.opened_dt is None:
        request.opened_dt = now
    session.add(RequestStatusChange(request_id=request.id, from_status=old, to_status=new, changed_dt=now,
                                    changed_by_id=by.id if by is not None else None))


def _move_offer(session: Session, offer: Offer, old: Sequence[str], new: OfferStatus, now: datetime,
                *conditions: Any, **values: Any) -> bool:
    """Move ``offer`` from one of ``old`` to ``new`` in one conditional UPDATE; False if someone else moved it first."""
    session.flush()
    result = session.execute(
        sa.update(Offer)
        .where(Offer.id == offer.id, Offer.status.in_(list(old)), *conditions)
        .values(status=new, updated_dt=now, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(offer)
    return result.rowcount == 1  # type: ignore[attr-defined]


def free_place(session: Session, volunteer_id: Any) -> None:
    """One of an advocate's places is free again (a match ended); never below zero."""
    session.execute(
        sa.update(VolunteerProfile)
        .where(VolunteerProfile.id == volunteer_id, VolunteerProfile.active_match_count > 0)
        .values(active_match_count=VolunteerProfile.active_match_count - 1)
        .execution_options(synchronize_session=False)
    )


def withdraw_outstanding_offers(session: Session, request: SupportRequest, by: User | None, now: datetime) -> None:
    """The request no longer needs an advocate: every offer not yet answered is withdrawn."""
    for offer in session.scalars(sa.select(Offer).where(Offer.request_id == request.id,
                                                        Offer.status.in_(list(OUTSTANDING)))).all():
        old = offer.status
        if _move_offer(session, offer, [old], OfferStatus.WITHDRAWN, now):
            _history(offer, old, OfferStatus.WITHDRAWN, by, now)


def _back_to_organisers(session: Session, request: SupportRequest, by: User | None, now: datetime) -> None:
    """After a decline or lapse the request is open again, unless another offer for it is still out."""
    others = session.scalar(
        sa.select(sa.func.count()).select_from(Offer)
        .where(Offer.request_id == request.id, Offer.status == OfferStatus.OFFERED)
    )
    if not others and request.status == RequestStatus.OFFERED:
        move_request(session, request, RequestStatus.OPEN, by, now)


def propose_offer(session: Session, request: SupportRequest, volunteer: VolunteerProfile, by: User | None,
                  now: datetime, *, score: float | None = None, explanation: list[dict[str, Any]] | None = None,
                  model_version: str | None = None) -> Offer:
    """An organiser proposes ``volunteer`` for ``request`` (with the score and reasons they saw)."""
    if volunteer.status != VolunteerStatus.APPROVED:
        raise OfferError("Only an approved advocate can be offered a parent to support")
    if request.status not in MATCHABLE_REQUEST_STATUSES:
        raise OfferError("This request is not looking for an advocate")
    duplicate = session.scalar(
        sa.select(Offer.id).where(Offer.request_id == request.id, Offer.volunteer_id == volunteer.id,
                                  Offer.status.in_(list(OUTSTANDING) + [OfferStatus.DECLINED]))
    )
    if duplicate is not None:
        raise OfferError("This advocate already has, or has declined, an offer for this request")
    offer = Offer(request_id=request.id, volunteer_id=volunteer.id, status=OfferStatus.PROPOSED, score=score,
                  explanation=explanation or [], model_version=model_version,
                  proposed_by_id=by.id if by is not None else None, proposed_dt=now)
    offer.status_changes = []
    _history(offer, None, OfferStatus.PROPOSED, by, now)
    session.add(offer)
    session.flush()
    return offer


def approve_offer(session: Session, offer: Offer, by: User | None, now: datetime) -> Offer:
    """An organiser approves a proposed offer (a person always approves a match)."""
    if not _move_offer(session, offer, [OfferStatus.PROPOSED], OfferStatus.APPROVED, now,
                       approved_by_id=by.id if by is not None else None, approved_dt=now):
        raise OfferError("Only a proposed offer can be approved")
    _history(offer, OfferStatus.PROPOSED, OfferStatus.APPROVED, by, now)
    session.flush()
    return offer


def send_offer(session: Session, offer: Offer, by: User | None, now: datetime,
               lapse_hours: float = DEFAULT_LAPSE_HOURS) -> Offer:
    """Send an approved offer to the volunteer; it lapses at :func:`offer_deadline`."""
    request = offer.request
    if request.status not in MATCHABLE_REQUEST_STATUSES:
        raise OfferError("This request is not looking for an advocate")
    expires = offer_deadline(now, lapse_hours, request.meeting_date, request.meeting_part)
    if not _move_offer(session, offer, [OfferStatus.APPROVED], OfferStatus.OFFERED, now,
                       offered_dt=now, expires_dt=expires):
        raise OfferError("Only an approved offer can be sent")
    _history(offer, OfferStatus.APPROVED, OfferStatus.OFFERED, by, now)
    move_request(session, request, RequestStatus.OFFERED, by, now)
    session.flush()
    return offer


def _why_not_offered(offer: Offer, now: datetime) -> str:
    reasons = {
        OfferStatus.ACCEPTED: "You have already accepted this offer",
        OfferStatus.DECLINED: "You have already declined this offer",
        OfferStatus.LAPSED: "The time to answer this offer has passed, so it has gone back to the organisers",
        OfferStatus.WITHDRAWN: "The organisers have withdrawn this offer",
    }
    if offer.status == OfferStatus.OFFERED and offer.expires_dt is not None and offer.expires_dt <= now:
        return reasons[OfferStatus.LAPSED]
    return reasons.get(OfferStatus(offer.status), "This offer is not waiting for your answer")


def accept_offer(session: Session, offer: Offer, by: User | None, now: datetime) -> Match:
    """The volunteer accepts: they take one of their free places and are introduced to the parent.

    All or nothing (inside a SAVEPOINT): if the offer has lapsed or been answered, the
    volunteer has no free place, or the request no longer needs an advocate, nothing
    changes and :class:`OfferError` says why.
    """
    with session.begin_nested():
        in_time = sa.or_(Offer.expires_dt.is_(None), Offer.expires_dt > now)
        if not _move_offer(session, offer, [OfferStatus.OFFERED], OfferStatus.ACCEPTED, now, in_time,
                           responded_dt=now):
            raise OfferError(_why_not_offered(offer, now))
        claimed = session.execute(
            sa.update(VolunteerProfile)
            .where(VolunteerProfile.id == offer.volunteer_id,
                   VolunteerProfile.active_match_count < VolunteerProfile.capacity)
            .values(active_match_count=VolunteerProfile.active_match_count + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise OfferError(
                "You are already supporting as many parents as you said you can at once. To accept this offer, "
                "first change how many parents you can support, or decline it"
            )
        session.refresh(offer.volunteer)
        _history(offer, OfferStatus.OFFERED, OfferStatus.ACCEPTED, by, now)
        match = introduce(session, offer, by, now)
    return match


def introduce(session: Session, offer: Offer, by: User | None, now: datetime) -> Match:
    """Introduce the advocate of an accepted offer to the parent: the match begins.

    The request becomes *matched*; any other offer still out for it is withdrawn.
    Capacity was already taken by :func:`accept_offer`.
    """
    if offer.status != OfferStatus.ACCEPTED:
        raise OfferError("Only an accepted offer can be introduced")
    if offer.match is not None:
        return offer.match
    request = offer.request
    old_status = request.status
    moved = session.execute(
        sa.update(SupportRequest)
        .where(SupportRequest.id == offer.request_id, SupportRequest.status.in_(list(MATCHABLE_REQUEST_STATUSES)))
        .values(status=RequestStatus.MATCHED, matched_dt=now, updated_dt=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise OfferError("This parent no longer needs an advocate: the request was withdrawn or closed")
    session.refresh(request)
    session.add(RequestStatusChange(request_id=request.id, from_status=old_status,
                                    to_status=RequestStatus.MATCHED, changed_dt=now,
                                    changed_by_id=by.id if by is not None else None))
    match = Match(offer=offer, request_id=offer.request_id, volunteer_id=offer.volunteer_id,
                  status=MatchStatus.INTRODUCED, introduced_dt=now)
    session.add(match)
    others = session.scalars(
        sa.select(Offer).where(Offer.request_id == offer.request_id, Offer.id != offer.id,
                               Offer.status.in_(list(OUTSTANDING)))
    ).all()
    for other in others:
        old = other.status
        if _move_offer(session, other, [old], OfferStatus.WITHDRAWN, now):
            _history(other, old, OfferStatus.WITHDRAWN, by, now, "Another advocate was introduced")
    audit.record(session, by, "match.introduced", "support_request", request.id,
                 organisation_id=request.organisation_id, offer_id=str(offer.id))
    session.flush()
    return match


def decline_offer(session: Session, offer: Offer, by: User | None, reason: str, note: str,
                  now: datetime) -> Offer:
    """The volunteer declines, with a reason from the list and optional words; the request goes back."""
    if reason not in {r.value for r in DeclineReason}:
        raise OfferError("Select why you cannot take this on", field="reason")
    note = (note or "").strip()
    if len(note) > 500:
        raise OfferError("Anything else must be 500 characters or fewer", field="note")
    if not _move_offer(session, offer, [OfferStatus.OFFERED], OfferStatus.DECLINED, now,
                       responded_dt=now, decline_reason=reason, decline_note=note):
        raise OfferError(_why_not_offered(offer, now))
    _history(offer, OfferStatus.OFFERED, OfferStatus.DECLINED, by, now, note)
    _back_to_organisers(session, offer.request, by, now)
    session.flush()
    return offer


def lapse_due_offers(session: Session, now: datetime) -> list[Offer]:
    """Lapse every offer whose time to answer has passed; each goes back to the organisers.

    Safe to run at any time and from several places at once (``peermatch lapse-offers``
    runs it from cron): an offer that was answered in the meantime is left alone.
    """
    due = session.scalars(
        sa.select(Offer).where(Offer.status == OfferStatus.OFFERED, Offer.expires_dt <= now)
        .order_by(Offer.expires_dt)
    ).all()
    lapsed = []
    for offer in due:
        if _move_offer(session, offer, [OfferStatus.OFFERED], OfferStatus.LAPSED, now):
            _history(offer, OfferStatus.OFFERED, OfferStatus.LAPSED, None, now, "No answer in time")
            _back_to_organisers(session, offer.request, None, now)
            lapsed.append(offer)
    session.flush()
    return lapsed
