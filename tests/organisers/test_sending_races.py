"""Two organisers send at the same moment: one offer, and a clear message for the other.

On PostgreSQL the two sends run in two connections at once; the second waits for the
first's lock (on the request, or on the advocate's row), then sees the first offer and
is refused. SQLite lets one writer in at a time, so there they run one after the other.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from peermatch.errors import DomainError
from peermatch.geo import lookup_postcode
from peermatch.models import (
    Offer,
    OfferStatus,
    RequestStatus,
    Role,
    SupportRequest,
    User,
    Vetting,
    VolunteerLanguage,
    VolunteerProfile,
)
from peermatch.services import matching
from volunteers.committed import Committed

HOLD = 0.3


def ready_advocate(committed: Committed, session: Session, organisation: Any, capacity: int) -> VolunteerProfile:
    _, profile = committed.advocate(session, organisation, capacity=capacity)
    profile.vetting = Vetting(dbs_checked_on=date(2025, 1, 1), dbs_expires_on=date(2030, 1, 1),
                              training_completed_on=date(2025, 1, 2))
    profile.language_rows = [VolunteerLanguage(language="en")]
    profile.offers_phone = True
    session.flush()
    return profile


def open_request(committed: Committed, session: Session, organisation: Any, now: datetime) -> SupportRequest:
    parent = committed.user(session, Role.PARENT)
    place = lookup_postcode("LE15")
    request = SupportRequest(parent_id=parent.id, organisation_id=organisation.id, status=RequestStatus.OPEN,
                             outcode=place.outcode, latitude=place.latitude, longitude=place.longitude,
                             availability_mask=0b111, accepts_phone=True, submitted_dt=now, opened_dt=now)
    session.add(request)
    session.flush()
    committed.requests.append(request.id)
    return request


def send(engine: sa.Engine, app: Flask, request_id: uuid.UUID, volunteer_id: uuid.UUID, organiser_id: uuid.UUID,
         barrier: threading.Barrier | None, results: dict[str, tuple[str, float]], name: str) -> None:
    with app.app_context(), Session(engine) as session:
        session.connection()
        if barrier is not None:
            barrier.wait(timeout=10)
        started = time.monotonic()
        try:
            matching.send_offer(session, session.get(SupportRequest, request_id), session.get(VolunteerProfile, volunteer_id),
                                session.get(User, organiser_id), datetime.now(timezone.utc))
            session.flush()
            if barrier is not None:
                time.sleep(HOLD)
            session.commit()
            results[name] = ("sent", time.monotonic() - started)
        except DomainError as error:
            session.rollback()
            results[name] = (f"refused: {error}", time.monotonic() - started)


def race(app: Flask, engine: sa.Engine, jobs: dict[str, tuple[uuid.UUID, uuid.UUID, uuid.UUID]]) -> dict[str, tuple[str, float]]:
    results: dict[str, tuple[str, float]] = {}
    if engine.dialect.name == "postgresql":
        barrier = threading.Barrier(len(jobs))
        threads = [threading.Thread(target=send, args=(engine, app, *job, barrier, results, name))
                   for name, job in jobs.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        for name, job in jobs.items():
            send(engine, app, *job, None, results, name)
    return results


def test_two_organisers_sending_an_advocates_last_place_end_with_one_offer(app: Flask) -> None:
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    committed = Committed(engine, app)
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    try:
        with app.app_context(), Session(engine) as session:
            organisation = committed.organisation(session)
            advocate = ready_advocate(committed, session, organisation, capacity=1)
            first, second = (open_request(committed, session, organisation, now) for _ in range(2))
            ana, ben = (committed.user(session, Role.ORGANISER, organisation) for _ in range(2))
            session.commit()
            jobs = {"ana": (first.id, advocate.id, ana.id), "ben": (second.id, advocate.id, ben.id)}
        results = race(app, engine, jobs)
        outcomes = sorted(r.split(":")[0] for r, _ in results.values())
        assert outcomes == ["refused", "sent"], results
        refused = next(r for r, _ in results.values() if r.startswith("refused"))
        assert "No free place: supporting 0 of 1, and 1 offer waiting for their answer" in refused
        with Session(engine) as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Offer).where(
                Offer.volunteer_id == advocate.id, Offer.status == OfferStatus.OFFERED)) == 1
    finally:
        committed.remove()
        engine.dispose()


def test_two_organisers_sending_the_same_request_end_with_one_offer(app: Flask) -> None:
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    committed = Committed(engine, app)
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    try:
        with app.app_context(), Session(engine) as session:
            organisation = committed.organisation(session)
            robin, sasha = (ready_advocate(committed, session, organisation, capacity=2) for _ in range(2))
            request = open_request(committed, session, organisation, now)
            ana, ben = (committed.user(session, Role.ORGANISER, organisation) for _ in range(2))
            session.commit()
            jobs = {"ana": (request.id, robin.id, ana.id), "ben": (request.id, sasha.id, ben.id)}
        results = race(app, engine, jobs)
        outcomes = sorted(r.split(":")[0] for r, _ in results.values())
        assert outcomes == ["refused", "sent"], results
        refused, waited = next((r, s) for r, s in results.values() if r.startswith("refused"))
        assert "An offer for this request is already waiting for an answer" in refused
        if engine.dialect.name == "postgresql":
            assert waited >= HOLD / 2  # it waited for the winner's lock on the request
        with Session(engine) as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Offer).where(
                Offer.request_id == request.id)) == 1
    finally:
        committed.remove()
        engine.dispose()
