"""Two people end the same match at the same moment: exactly one of them frees the advocate's place.

A parent cancels their request while their advocate ends the support. On PostgreSQL the two
run in two real connections at once (started together by a barrier, the first holding its
locks a moment): the second waits for the first's lock on the request, then sees the match
already ended and is told so. The advocate supports two parents, so a place freed twice
would leave them "supporting 0" while one match is still open. SQLite lets one writer in at
a time, so there the same test proves the sequential guard.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from peermatch.errors import DomainError
from peermatch.models import MATCH_OPEN, Match, MatchStatus, RequestStatus, Role, SupportRequest, User, VolunteerProfile
from peermatch.services import matches, offers, requests
from volunteers.committed import Committed

HOLD_LOCKS_SECONDS = 0.3


def parent_cancels(session: Session, request_id: uuid.UUID, now: datetime) -> None:
    request = session.get(SupportRequest, request_id)
    assert request is not None
    requests.withdraw(session, request, request.parent, now)


def advocate_ends_support(session: Session, match_id: uuid.UUID, now: datetime) -> None:
    match = session.get(Match, match_id)
    assert match is not None
    matches.end_support(session, match, match.volunteer.user, now, outcome="supported_through_meeting",
                        outcome_note="", rating=5, comments="")


def in_own_transaction(engine: sa.Engine, app: Flask, change: Callable[..., None], args: tuple[Any, ...],
                       barrier: threading.Barrier | None, results: dict[str, tuple[str, float]], name: str) -> None:
    """Run one person's change in a connection and transaction of its own, and commit."""
    with app.app_context(), Session(engine) as session:
        session.connection()  # connect before the starting gun
        if barrier is not None:
            barrier.wait(timeout=10)
        started = time.monotonic()
        try:
            change(session, *args)
            session.flush()
            if barrier is not None:
                time.sleep(HOLD_LOCKS_SECONDS)  # keep the locks while the other one tries
            session.commit()
            results[name] = ("done", time.monotonic() - started)
        except DomainError as error:
            session.rollback()
            results[name] = (f"refused: {error}", time.monotonic() - started)


def test_a_parent_cancelling_while_the_advocate_ends_the_support_frees_one_place(app: Flask) -> None:
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    committed = Committed(engine, app)
    start = datetime.now(timezone.utc) - timedelta(hours=2)
    try:
        with app.app_context(), Session(engine) as session:
            organisation = committed.organisation(session)
            user, profile = committed.advocate(session, organisation, capacity=2)
            raced = committed.offer(session, profile, organisation, start)
            other = committed.offer(session, profile, organisation, start)
            raced_match = offers.accept(session, raced, session.get(User, user.id), start + timedelta(minutes=5))
            matches.introduce(session, raced_match, committed.user(session, Role.ORGANISER, organisation),
                              start + timedelta(minutes=30))
            offers.accept(session, other, session.get(User, user.id), start + timedelta(minutes=6))
            session.commit()
            ids = raced.request_id, raced_match.id, profile.id
        request_id, match_id, profile_id = ids
        with Session(engine) as session:
            assert session.get(VolunteerProfile, profile_id).active_match_count == 2

        now = datetime.now(timezone.utc)
        results: dict[str, tuple[str, float]] = {}
        people = {"parent": (parent_cancels, (request_id, now)), "advocate": (advocate_ends_support, (match_id, now))}
        concurrent = engine.dialect.name == "postgresql"
        if concurrent:
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=in_own_transaction,
                                        args=(engine, app, change, args, barrier, results, name))
                       for name, (change, args) in people.items()]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        else:
            for name, (change, args) in people.items():
                in_own_transaction(engine, app, change, args, None, results, name)

        outcomes = sorted(outcome.split(":")[0] for outcome, _ in results.values())
        assert outcomes == ["done", "refused"], results
        refused_after = next(seconds for outcome, seconds in results.values() if outcome.startswith("refused"))
        if concurrent:
            # The refused one really waited for the winner's lock, rather than merely coming second.
            assert refused_after >= HOLD_LOCKS_SECONDS / 2, results
        with Session(engine) as session:
            profile = session.get(VolunteerProfile, profile_id)
            open_matches = session.scalar(sa.select(sa.func.count()).select_from(Match).where(
                Match.volunteer_id == profile_id, Match.status.in_(MATCH_OPEN)))
            assert (profile.active_match_count, open_matches) == (1, 1)
            assert session.get(Match, match_id).status == MatchStatus.ENDED
            request = session.get(SupportRequest, request_id)
            winner = next(name for name, (outcome, _) in results.items() if outcome == "done")
            assert request.status == {"parent": RequestStatus.WITHDRAWN, "advocate": RequestStatus.CLOSED}[winner]
    finally:
        committed.remove()
        engine.dispose()
