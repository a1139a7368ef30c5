"""The life of a match: awaiting introduction → introduced → active → ended. The only code that
changes a match's status, and the only code that changes an advocate's count of places taken.

A match begins when an advocate accepts an offer (:func:`begin`): from then on it holds one
of their places, and the request has its advocate. An organiser then introduces them
(:func:`introduce`): only now does the parent see the advocate's first name and the
advocate the parent's contact details, exactly as the parent allowed. The first contact
logged makes it *active* (:func:`log_contact`). It ends once (:func:`end`): when the
advocate ends the support, an organiser ends it, the parent cancels the request, or the
parent's account is erased. A match that ends before the introduction sends the request
back to the organisers.

**Places.** ``VolunteerProfile.active_match_count`` is the number of the advocate's
matches that have not ended. It is changed in exactly two places, :func:`_take_place` and
:func:`_free_place`, and only in the same step as a conditional ``UPDATE`` of a match's
status that succeeded, so a match that is ended twice at once (the parent cancels while
the advocate ends the support) frees one place, not two. Taking a place is itself
conditional (``… WHERE active_match_count < capacity``) and a CHECK constraint backs it:
nobody is ever given more parents than they said they can support.

Why keep a counter at all, rather than count open matches when needed? The advocate's row
is what two acceptances at the same moment must queue on: the conditional UPDATE locks it,
so the second one sees the first one's place taken. Counting matches instead would need
the same row lock first and would still leave the database unable to refuse a wrong
count. The counter also lets ranking read every advocate's load as a plain column. The
invariant (counter = open matches, under any interleaving) is proved by
``tests/test_life_cycles.py``.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.errors import DomainError
from peermatch.models import (
    MATCH_INTRODUCED,
    MATCH_OPEN,
    AuditAction,
    ContactLogEntry,
    ContactMode,
    Feedback,
    FeedbackAuthor,
    Match,
    MatchOutcome,
    MatchStatus,
    Offer,
    OfferStatus,
    SupportRequest,
    User,
    VolunteerProfile,
)
from peermatch.services import audit, matching_data, notifications, offers, requests

NOTE_LENGTH = 500
OUTCOME_NOTE_LENGTH = 1000
COMMENTS_LENGTH = 2000
MAX_MINUTES = 1440


def _take_place(session: Session, volunteer_id: object) -> None:
    claimed = session.execute(
        sa.update(VolunteerProfile)
        .where(VolunteerProfile.id == volunteer_id, VolunteerProfile.active_match_count < VolunteerProfile.capacity)
        .values(active_match_count=VolunteerProfile.active_match_count + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(
            "You are already supporting as many parents as you said you can at once. To accept this offer, "
            "first change how many parents you can support, or decline it"
        )


def _free_place(session: Session, volunteer_id: object) -> None:
    session.execute(
        sa.update(VolunteerProfile).where(VolunteerProfile.id == volunteer_id)
        .values(active_match_count=VolunteerProfile.active_match_count - 1)
        .execution_options(synchronize_session=False)
    )


def _record(session: Session, by: User | None, action: AuditAction, match: Match, now: datetime,
            **details: object) -> None:
    audit.record(session, by, action, "match", match.id, organisation_id=match.request.organisation_id, at=now,
                 request_id=str(match.request_id), **details)


def begin(session: Session, offer: Offer, by: User | None, now: datetime) -> Match:
    """The advocate of an accepted offer takes one of their places: the match waits for an introduction.

    Called by ``offers.accept`` with the request locked. Any other offer still out for the
    request is withdrawn: it has its advocate.
    """
    if offer.status != OfferStatus.ACCEPTED:
        raise DomainError("Only an accepted offer can begin a match")
    if offer.match is not None:
        return offer.match
    request = offer.request
    requests.ensure_looking(request)
    _take_place(session, offer.volunteer_id)
    session.refresh(offer.volunteer)
    match = Match(offer=offer, request_id=offer.request_id, volunteer_id=offer.volunteer_id,
                  status=MatchStatus.AWAITING_INTRODUCTION, accepted_dt=now, created_dt=now, updated_dt=now)
    session.add(match)
    session.flush()
    _record(session, by, AuditAction.MATCH_AWAITING_INTRODUCTION, match, now)
    offers.withdraw_outstanding(session, request, by, now, keep=offer, note="Another advocate accepted")
    matching_data.changed(session, [offer.volunteer_id])
    return match


def introduce(session: Session, match: Match, organiser: User, now: datetime) -> Match:
    """An organiser introduces the advocate to the parent: both now see what they need of each other.

    The request becomes *matched*. Introducing twice (a double click, two organisers) is
    refused with a message and changes nothing.
    """
    request = requests.lock(session, match.request)
    session.flush()
    moved = session.execute(
        sa.update(Match).where(Match.id == match.id, Match.status == MatchStatus.AWAITING_INTRODUCTION)
        .values(status=MatchStatus.INTRODUCED, introduced_dt=now, introduced_by_id=organiser.id, updated_dt=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(match)
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError("This advocate has already been introduced" if match.status in MATCH_INTRODUCED
                          else "This match has ended, so there is nobody to introduce")
    _record(session, organiser, AuditAction.MATCH_INTRODUCED, match, now)
    requests.matched(session, request, organiser, now)
    notifications.introduced(session, match, now)
    return match


def log_contact(session: Session, match: Match, by: User, occurred_on: date, mode: str, minutes: int, note: str,
                now: datetime) -> ContactLogEntry:
    """Record one contact with the parent; the first one makes the match *active*."""
    today = clock.today(now)
    requests.lock(session, match.request)
    session.refresh(match)
    if match.status == MatchStatus.AWAITING_INTRODUCTION:
        raise DomainError("An organiser has not introduced you to the parent yet, so there are no contacts to log")
    if match.status not in MATCH_INTRODUCED or match.introduced_dt is None:
        raise DomainError("This support has ended, so you cannot add contacts to it")
    if occurred_on > today:
        raise DomainError("The date of the contact must be today or in the past", "occurred_on")
    introduced = clock.today(match.introduced_dt)
    if occurred_on < introduced:
        raise DomainError(
            f"The date of the contact must be on or after the day you were introduced "
            f"({introduced.day} {introduced:%B %Y})", "occurred_on",
        )
    if mode not in set(ContactMode):
        raise DomainError("Select how you were in contact", "mode")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise DomainError(f"Minutes must be between 1 and {MAX_MINUTES} (24 hours)", "minutes")
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise DomainError(f"Note must be {NOTE_LENGTH} characters or fewer", "note")
    entry = ContactLogEntry(match_id=match.id, occurred_on=occurred_on, mode=mode, minutes=minutes, note=note,
                            recorded_by_id=by.id, recorded_dt=now)
    session.add(entry)
    _record(session, by, AuditAction.CONTACT_LOGGED, match, now)
    if match.status == MatchStatus.INTRODUCED:
        activated = clock.local_time(occurred_on, datetime.min.time())
        session.execute(
            sa.update(Match).where(Match.id == match.id, Match.status == MatchStatus.INTRODUCED)
            .values(status=MatchStatus.ACTIVE, activated_dt=max(activated, match.introduced_dt), updated_dt=now)
            .execution_options(synchronize_session=False)
        )
        _record(session, by, AuditAction.MATCH_ACTIVE, match, now)
    session.flush()
    session.refresh(match)
    return entry


def end(session: Session, match: Match, by: User | None, now: datetime, *, outcome: str, note: str = "") -> bool:
    """End the match once and free the advocate's place; False if it had already ended.

    The caller holds the request's lock (``requests.lock``) and moves the request itself:
    closed when the support ends, withdrawn when the parent cancels.
    """
    if outcome not in set(MatchOutcome):
        raise DomainError("Select how the support ended", "outcome")
    session.flush()
    ended = session.execute(
        sa.update(Match).where(Match.id == match.id, Match.status.in_(MATCH_OPEN))
        .values(status=MatchStatus.ENDED, ended_dt=now, outcome=outcome, outcome_note=note.strip(), updated_dt=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(match)
    if ended.rowcount != 1:  # type: ignore[attr-defined]
        return False
    _free_place(session, match.volunteer_id)
    session.refresh(match.volunteer)
    _record(session, by, AuditAction.MATCH_ENDED, match, now, outcome=outcome)
    matching_data.changed(session, [match.volunteer_id])
    return True


def end_support(session: Session, match: Match, by: User, now: datetime, *, outcome: str, outcome_note: str,
                rating: int, comments: str) -> Match:
    """The advocate ends the support with an outcome and their feedback; the request is closed with it.

    Ending twice (a double click, or the parent cancelling at the same moment) is refused
    with a message and changes nothing.
    """
    if outcome not in set(MatchOutcome):
        raise DomainError("Select how the support ended", "outcome")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError("Select how well the support went", "rating")
    outcome_note, comments = (outcome_note or "").strip(), (comments or "").strip()
    if len(outcome_note) > OUTCOME_NOTE_LENGTH:
        raise DomainError(f"This must be {OUTCOME_NOTE_LENGTH} characters or fewer", "outcome_note")
    if len(comments) > COMMENTS_LENGTH:
        raise DomainError(f"Your feedback must be {COMMENTS_LENGTH} characters or fewer", "comments")
    request = requests.lock(session, match.request)
    session.refresh(match)
    if match.status == MatchStatus.AWAITING_INTRODUCTION:
        raise DomainError("An organiser has not introduced you to the parent yet. If you cannot support them "
                          "after all, contact your organiser")
    if not end(session, match, by, now, outcome=outcome, note=outcome_note):
        raise DomainError("This support has already ended")
    _add_feedback(session, match, FeedbackAuthor.VOLUNTEER, rating, comments, by, now)
    requests.close(session, request, by, now, outcome)
    return match


def end_by_organiser(session: Session, match: Match, organiser: User, now: datetime, *, outcome: str,
                     note: str) -> Match:
    """An organiser ends a match with an outcome. Before the introduction, the request goes back to them."""
    if outcome not in set(MatchOutcome):
        raise DomainError("Select how the support ended", "outcome")
    note = (note or "").strip()
    if len(note) > OUTCOME_NOTE_LENGTH:
        raise DomainError(f"This must be {OUTCOME_NOTE_LENGTH} characters or fewer", "note")
    request = requests.lock(session, match.request)
    session.refresh(match)
    before = match.status
    if not end(session, match, organiser, now, outcome=outcome, note=note):
        raise DomainError("This match has already ended")
    if before == MatchStatus.AWAITING_INTRODUCTION:
        requests.advocate_fell_through(session, request, organiser, now)
    else:
        requests.close(session, request, organiser, now, outcome)
    return match


def _add_feedback(session: Session, match: Match, author: FeedbackAuthor, rating: int, comments: str,
                  by: User | None, now: datetime) -> None:
    session.add(Feedback(match_id=match.id, author=author, rating=rating, comments=comments, given_dt=now))
    _record(session, by, AuditAction.FEEDBACK_GIVEN, match, now, author=str(author))


def latest_for(session: Session, request: SupportRequest) -> Match | None:
    """The request's most recent match, if it has one."""
    return session.scalar(sa.select(Match).where(Match.request_id == request.id)
                          .order_by(Match.accepted_dt.desc()).limit(1))


def can_give_parent_feedback(session: Session, request: SupportRequest) -> bool:
    """The parent can say how it went once, after a match they were introduced to ended."""
    return parent_feedback_due(latest_for(session, request))


def parent_feedback_due(match: Match | None) -> bool:
    """:func:`can_give_parent_feedback` for the request's latest match, when a page has already read it."""
    if match is None or match.status != MatchStatus.ENDED or match.introduced_dt is None:
        return False
    return not any(f.author == FeedbackAuthor.PARENT for f in match.feedback)


def give_parent_feedback(session: Session, request: SupportRequest, parent: User, rating: int, comments: str,
                         now: datetime) -> None:
    """The parent's feedback on an ended match (once)."""
    requests.lock(session, request)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError("Select how helpful your advocate was", "rating")
    comments = (comments or "").strip()
    if len(comments) > COMMENTS_LENGTH:
        raise DomainError(f"Your feedback must be {COMMENTS_LENGTH} characters or fewer", "comments")
    match = latest_for(session, request)
    if match is None or not can_give_parent_feedback(session, request):
        raise DomainError("You cannot leave feedback on this request")
    _add_feedback(session, match, FeedbackAuthor.PARENT, rating, comments, parent, now)
    session.flush()
