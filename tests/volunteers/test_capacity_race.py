"""Capacity is never exceeded, even when two offers are accepted at the same moment.

On PostgreSQL two real connections accept at once (synchronised by a barrier): the
conditional UPDATE makes the second wait for the first one's row lock, then find no free
place. SQLite cannot run two writers at once, so there the same test proves the
sequential guard: the second acceptance is refused.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from peermatch.errors import DomainError
from peermatch.models import Match, Offer, OfferStatus, User, VolunteerProfile
from peermatch.services import offers
from volunteers.committed import Committed

HOLD_LOCK_SECONDS = 0.3


def accept_in_own_connection(engine: sa.Engine, offer_id: uuid.UUID, user_id: uuid.UUID, now: datetime,
                             barrier: threading.Barrier | None, results: dict[uuid.UUID, tuple[str, float]]) -> None:
    """Accept one offer in a connection and transaction of its own, and commit."""
    with Session(engine) as session:
        offer = session.get(Offer, offer_id)
        user = session.get(User, user_id)
        assert offer is not None and user is not None
        offer.volunteer  # noqa: B018  (load everything before the starting gun)
        if barrier is not None:
            barrier.wait(timeout=10)
        started = time.monotonic()
        try:
            offers.accept(session, offer, user, now)
            session.flush()
            if barrier is not None:
                time.sleep(HOLD_LOCK_SECONDS)  # keep the row lock while the other one tries
            session.commit()
            results[offer_id] = ("accepted", time.monotonic() - started)
        except DomainError:
            session.rollback()
            results[offer_id] = ("refused", time.monotonic() - started)


def test_two_offers_accepted_at_the_same_moment_never_exceed_capacity(app: Flask) -> None:
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    committed = Committed(engine, app)
    now = datetime.now(timezone.utc)
    try:
        with Session(engine) as session:
            organisation = committed.organisation(session)
            user, profile = committed.advocate(session, organisation, capacity=1)
            first = committed.offer(session, profile, organisation, now)
            second = committed.offer(session, profile, organisation, now)
            session.commit()
            ids = (first.id, second.id, user.id, profile.id)
        first_id, second_id, user_id, profile_id = ids
        results: dict[uuid.UUID, tuple[str, float]] = {}
        concurrent = engine.dialect.name == "postgresql"
        if concurrent:
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=accept_in_own_connection,
                                        args=(engine, offer_id, user_id, now, barrier, results))
                       for offer_id in (first_id, second_id)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        else:
            for offer_id in (first_id, second_id):
                accept_in_own_connection(engine, offer_id, user_id, now, None, results)

        assert sorted(outcome for outcome, _ in results.values()) == ["accepted", "refused"]
        if concurrent:
            # The refused one really was waiting on the winner's row lock, not merely later.
            refused_after = next(seconds for outcome, seconds in results.values() if outcome == "refused")
            assert refused_after >= HOLD_LOCK_SECONDS / 2
        else:
            assert results[second_id][0] == "refused"
        with Session(engine) as session:
            profile = session.get(VolunteerProfile, profile_id)
            assert profile is not None and (profile.active_match_count, profile.capacity) == (1, 1)
            matches = session.scalars(sa.select(Match).where(Match.volunteer_id == profile_id)).all()
            assert len(matches) == 1
            statuses = sorted(session.scalars(sa.select(Offer.status).where(Offer.id.in_([first_id, second_id]))))
            assert statuses == [OfferStatus.ACCEPTED, OfferStatus.OFFERED]
    finally:
        committed.remove()
        engine.dispose()


