"""The life of an offer: proposed → approved → offered → accepted / declined / lapsed (or withdrawn).

An offer is an organiser's proposal that one advocate supports one parent's request.
Organisers propose and approve it, it is sent to the advocate with a time to answer, and
the advocate accepts or declines; if nobody answers in time it lapses. Accepting begins
the match (``services.matches``). This module is the only code that changes an offer's
status: :func:`_move` does it in one conditional ``UPDATE … WHERE status IN (…)``, so a
double click, a lapse and an answer can never both win, and writes the status history and
the audit event in the same step.

Every function here first locks the offer's request (``services.requests.lock``), so all
changes to one request and its offers happen one after the other.

Like every domain function, these flush and never commit; the time is passed in (``now``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.errors import DomainError
from peermatch.models import (
    OFFER_OUTSTANDING,
    OFFER_TURNED_DOWN,
    AuditAction,
    DeclineReason,
    Match,
    Offer,
    OfferStatus,
    OfferStatusChange,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.services import audit, matching_data, notifications, requests

# When each part of the day starts, for "how long until the parent's meeting".
PART_OF_DAY_STARTS = {0: time(9, 0), 1: time(13, 0), 2: time(18, 0)}
# An offer always gives the advocate at least this long, however close the meeting.
MINIMUM_TIME_TO_ANSWER = timedelta(hours=1)
DECLINE_NOTE_LENGTH = 500


def lapse_hours() -> float:
    """How long an advocate has to answer an offer (``OFFER_LAPSE_HOURS``, 48 by default)."""
    return float(current_app.config["OFFER_LAPSE_HOURS"])


def offer_deadline(now: datetime, hours: float, meeting_date: date | None = None,
                   meeting_part: int | None = None) -> datetime:
    """When an offer sent at ``now`` lapses.

    Normally ``hours`` later; but when the parent has a meeting sooner than that, halfway to
    the start of the meeting (UK time), so the organisers still have time to ask someone
    else. Never less than an hour.
    """
    deadline = now + timedelta(hours=hours)
    if meeting_date is not None:
        starts = clock.local_time(meeting_date, PART_OF_DAY_STARTS.get(meeting_part or 0, time(9, 0)))
        halfway = now + max((starts - now) / 2, MINIMUM_TIME_TO_ANSWER)
        deadline = min(deadline, halfway)
    return deadline


def _move(session: Session, offer: Offer, old: Iterable[str], new: OfferStatus, by: User | None, now: datetime,
          *conditions: Any, note: str = "", **values: Any) -> bool:
    """Move ``offer`` from one of ``old`` to ``new``; False (and nothing written) if it was not in ``old``."""
    session.flush()
    before = offer.status
    result = session.execute(
        sa.update(Offer)
        .where(Offer.id == offer.id, Offer.status.in_(list(old)), *conditions)
        .values(status=new, updated_dt=now, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(offer)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(OfferStatusChange(offer_id=offer.id, from_status=before, to_status=new, changed_dt=now,
                                  changed_by_id=by.id if by is not None else None, note=note))
    audit.record(session, by, AuditAction(f"offer.{new}"), "offer", offer.id,
                 organisation_id=offer.request.organisation_id, at=now, request_id=str(offer.request_id))
    matching_data.changed(session, [offer.volunteer_id])  # an offer out holds one of the advocate's places
    notifications.offer_moved(session, offer, new, now)
    return True


def withdraw_outstanding(session: Session, request: SupportRequest, by: User | None, now: datetime, *,
                         note: str, keep: Offer | None = None, only: Offer | None = None) -> None:
    """Withdraw the request's offers not yet answered: all of them but ``keep``, or ``only`` that one.

    The caller holds the request's lock.
    """
    outstanding = session.scalars(sa.select(Offer).where(Offer.request_id == request.id,
                                                         Offer.status.in_(OFFER_OUTSTANDING))).all()
    for other in outstanding:
        if (keep is None or other.id != keep.id) and (only is None or other.id == only.id):
            _move(session, other, OFFER_OUTSTANDING, OfferStatus.WITHDRAWN, by, now, note=note)


def propose(session: Session, request: SupportRequest, volunteer: VolunteerProfile, by: User | None,
            now: datetime, *, score: float | None = None, explanation: list[dict[str, Any]] | None = None,
            model_version: str | None = None) -> Offer:
    """An organiser proposes ``volunteer`` for ``request`` (with the score and reasons they saw)."""
    request = requests.lock(session, request)
    if volunteer.status != VolunteerStatus.APPROVED:
        raise DomainError("Only an approved advocate can be offered a parent to support")
    requests.ensure_needs_an_advocate(session, request)
    waiting = session.scalar(sa.select(Offer).where(Offer.request_id == request.id,
                                                     Offer.status.in_(OFFER_OUTSTANDING)).limit(1))
    if waiting is not None and waiting.volunteer_id != volunteer.id:
        # One offer at a time: two organisers sending the same request end with one offer, not two advocates.
        raise DomainError("An offer for this request is already waiting for an answer. Withdraw it first to offer "
                          "someone else")
    duplicate = session.scalar(
        sa.select(Offer.id).where(Offer.request_id == request.id, Offer.volunteer_id == volunteer.id,
                                  Offer.status.in_(OFFER_OUTSTANDING | OFFER_TURNED_DOWN))
    )
    if duplicate is not None:
        raise DomainError("This advocate already has an offer for this request, or has said no to one (or not "
                          "answered in time)")
    offer = Offer(request_id=request.id, volunteer_id=volunteer.id, status=OfferStatus.PROPOSED, score=score,
                  explanation=explanation or [], model_version=model_version,
                  proposed_by_id=by.id if by is not None else None, proposed_dt=now, created_dt=now, updated_dt=now)
    session.add(offer)
    session.flush()
    session.add(OfferStatusChange(offer_id=offer.id, from_status=None, to_status=OfferStatus.PROPOSED, changed_dt=now,
                                  changed_by_id=by.id if by is not None else None))
    audit.record(session, by, AuditAction.OFFER_PROPOSED, "offer", offer.id, organisation_id=request.organisation_id,
                 at=now, request_id=str(request.id))
    matching_data.changed(session, [volunteer.id])
    return offer


def approve(session: Session, offer: Offer, by: User | None, now: datetime) -> Offer:
    """An organiser approves a proposed offer (a person always approves a match)."""
    requests.lock(session, offer.request)
    if not _move(session, offer, [OfferStatus.PROPOSED], OfferStatus.APPROVED, by, now,
                 approved_by_id=by.id if by is not None else None, approved_dt=now):
        raise DomainError("Only a proposed offer can be approved")
    return offer


def send(session: Session, offer: Offer, by: User | None, now: datetime) -> Offer:
    """Send an approved offer to the advocate; it lapses at :func:`offer_deadline`."""
    request = requests.lock(session, offer.request)
    requests.ensure_needs_an_advocate(session, request)
    expires = offer_deadline(now, lapse_hours(), request.meeting_date, request.meeting_part)
    if not _move(session, offer, [OfferStatus.APPROVED], OfferStatus.OFFERED, by, now,
                 offered_dt=now, expires_dt=expires):
        raise DomainError("Only an approved offer can be sent")
    requests.offer_sent(session, request, by, now)
    return offer


def withdraw(session: Session, offer: Offer, organiser: User, now: datetime) -> Offer:
    """An organiser takes back an offer not yet answered (to offer someone else, say)."""
    request = requests.lock(session, offer.request)
    if not _move(session, offer, OFFER_OUTSTANDING, OfferStatus.WITHDRAWN, organiser, now,
                 note="Withdrawn by an organiser"):
        raise DomainError("This offer has already been answered, so it cannot be withdrawn")
    requests.offer_came_back(session, request, organiser, now)
    return offer


def withdraw_no_longer_fits(session: Session, offer: Offer, parent: User, now: datetime, reasons: list[str]) -> bool:
    """The parent changed their request and the advocate of this offer, not yet answered, no longer fits: it is
    withdrawn with the reasons in its history (the organisers see them), and the request goes back to them.
    False if it had been answered meanwhile. The caller holds the request's lock."""
    note = "The parent changed their request, so this advocate no longer fits: " + "; ".join(reasons)
    if not _move(session, offer, OFFER_OUTSTANDING, OfferStatus.WITHDRAWN, parent, now, note=note[:500]):
        return False
    requests.offer_came_back(session, offer.request, parent, now)
    return True


def why_not_waiting(offer: Offer, now: datetime) -> str:
    """Why the advocate cannot answer this offer any more, in their words."""
    reasons = {
        OfferStatus.ACCEPTED: "You have already accepted this offer",
        OfferStatus.DECLINED: "You have already declined this offer",
        OfferStatus.LAPSED: "The time to answer this offer has passed, so it has gone back to the organisers",
        OfferStatus.WITHDRAWN: ("This offer has been withdrawn: the parent no longer needs an advocate, "
                                "or another advocate is supporting them"),
    }
    if offer.status == OfferStatus.OFFERED and offer.expires_dt is not None and offer.expires_dt <= now:
        return reasons[OfferStatus.LAPSED]
    return reasons.get(OfferStatus(offer.status), "This offer is not waiting for your answer")


def accept(session: Session, offer: Offer, by: User | None, now: datetime) -> Match:
    """The advocate accepts: they take one of their places and the match begins.

    All or nothing (inside a SAVEPOINT): if the offer has lapsed or been answered, the
    advocate has no free place, or the request no longer needs an advocate, nothing
    changes and :class:`DomainError` says why.
    """
    from peermatch.services import matches

    with session.begin_nested():
        requests.lock(session, offer.request)
        in_time = sa.or_(Offer.expires_dt.is_(None), Offer.expires_dt > now)
        if not _move(session, offer, [OfferStatus.OFFERED], OfferStatus.ACCEPTED, by, now, in_time, responded_dt=now):
            raise DomainError(why_not_waiting(offer, now))
        # Takes the place and moves the request; a DomainError there undoes the acceptance too.
        match = matches.begin(session, offer, by, now)
    return match


def decline(session: Session, offer: Offer, by: User | None, reason: str, note: str, now: datetime) -> Offer:
    """The advocate declines, with a reason from the list and optional words; the request goes back."""
    if reason not in set(DeclineReason):
        raise DomainError("Select why you cannot take this on", field="reason")
    note = (note or "").strip()
    if len(note) > DECLINE_NOTE_LENGTH:
        raise DomainError(f"Anything else must be {DECLINE_NOTE_LENGTH} characters or fewer", field="note")
    request = requests.lock(session, offer.request)
    if not _move(session, offer, [OfferStatus.OFFERED], OfferStatus.DECLINED, by, now, note=note,
                 responded_dt=now, decline_reason=reason, decline_note=note):
        raise DomainError(why_not_waiting(offer, now))
    requests.offer_came_back(session, request, by, now)
    return offer


def lapse_due(session: Session, now: datetime) -> list[Offer]:
    """Lapse every offer whose time to answer has passed; each goes back to the organisers.

    Safe to run at any time and from several places at once: an offer answered in the
    meantime is left alone (the conditional UPDATE finds it no longer *offered*).
    """
    # In request order, like every change that locks several requests, so two runs cannot deadlock.
    due = session.scalars(
        sa.select(Offer).where(Offer.status == OfferStatus.OFFERED, Offer.expires_dt <= now)
        .order_by(Offer.request_id, Offer.id)
    ).all()
    return [offer for offer in due if lapse(session, offer, now)]


def lapse(session: Session, offer: Offer, now: datetime) -> bool:
    """Lapse one offer if its time to answer has passed and nobody answered; True if it lapsed."""
    request = requests.lock(session, offer.request)
    if not _move(session, offer, [OfferStatus.OFFERED], OfferStatus.LAPSED, None, now, Offer.expires_dt <= now,
                 note="No answer in time"):
        return False
    requests.offer_came_back(session, request, None, now)
    return True
