"""Matching at network scale: the number of statements does not grow with the network, every worker
sees a change committed by another at its next ranking, and shared limits are shared.

Benchmarks of the speed itself are in ``benchmarks/`` (``make benchmark``), not here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from support import FormClient, make_config
from peermatch import clock, create_app
from peermatch.extensions import db
from peermatch.geo import lookup_postcode
from peermatch.models import IssueType, RequestStatus, Role, SupportRequest, Vetting, VolunteerLanguage, VolunteerProfile
from peermatch.services import advocates
from peermatch.services import matching as matching_service
from volunteers.committed import Committed
from volunteers.conftest import Volunteering


@pytest.fixture()
def volunteering(session: Any, people: Any) -> Volunteering:
    return Volunteering(session, people)


@contextmanager
def counted(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def grow(volunteering: Any, organisation: Any, advocates_: int, requests: int) -> list[SupportRequest]:
    for n in range(advocates_):
        _, profile = volunteering.advocate(organisation=organisation, name=f"Advocate {n}")
        profile.language_rows.append(VolunteerLanguage(language="pl")) if n % 3 == 0 else None
        profile.lived_experience.append(volunteering.issue("domestic_abuse")) if n % 2 == 0 else None
    made = [volunteering.request(organisation=organisation) for _ in range(requests)]
    volunteering.session.flush()
    return made


def statements_for(session: Any, request: SupportRequest, organisation_id: uuid.UUID) -> tuple[int, int, int]:
    """Statements of a first ranking (the snapshot loads), a second one, and a batch, in this test's session."""
    matching_service.forget_snapshots()
    engine = session.get_bind().engine
    with counted(engine) as cold:
        matching_service.rank_request(session, request, clock.today())
    with counted(engine) as warm:
        matching_service.rank_request(session, request, clock.today())
    with counted(engine) as batch:
        matching_service.propose_batch_for(session, organisation_id, clock.today())
    return len(cold), len(warm), len(batch)


def test_the_statements_per_ranking_and_per_batch_do_not_grow_with_the_network(volunteering: Any, people: Any,
                                                                                session: Any) -> None:
    small = people.organisation("Small Parents", county="Cumbria")
    grown = grow(volunteering, small, advocates_=3, requests=2)
    few = statements_for(session, grown[0], small.id)
    # Past 500 advocates, loading ORM objects with selectinload would need a second IN list per relationship.
    grow(volunteering, small, advocates_=520, requests=12)
    many = statements_for(session, grown[0], small.id)
    assert few == many, (few, many)
    cold, warm, batch = many
    assert warm <= 10 and cold <= 20 and batch <= 12, many


@pytest.fixture()
def two_workers(app: Flask, db_url: str, tmp_path: Any) -> Iterator[tuple[Flask, Flask]]:
    """Two app instances on one database, as two gunicorn workers are: each keeps its own snapshot."""
    first = create_app(make_config(db_url, tmp_path / "one"))
    second = create_app(make_config(db_url, tmp_path / "two"))
    yield first, second
    for worker in (first, second):
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()


def committed_network(committed: Committed, session: Session) -> tuple[VolunteerProfile, SupportRequest]:
    organisation = committed.organisation(session, county="Rutland")
    user, profile = committed.advocate(session, organisation, capacity=2)
    profile.vetting = Vetting(dbs_checked_on=date(2025, 1, 1), dbs_expires_on=date(2030, 1, 1),
                              training_completed_on=date(2025, 1, 2))
    profile.language_rows = [VolunteerLanguage(language="en")]
    profile.offers_phone = True
    parent = committed.user(session, Role.PARENT)
    place = lookup_postcode("LE15")
    now = datetime.now(timezone.utc) - timedelta(hours=1)
    request = SupportRequest(parent_id=parent.id, organisation_id=organisation.id, status=RequestStatus.OPEN,
                             outcode=place.outcode, latitude=place.latitude, longitude=place.longitude,
                             availability_mask=0b111, accepts_phone=True, submitted_dt=now, opened_dt=now,
                             main_issue_id=session.scalars(sa.select(IssueType.id).order_by(IssueType.position)).first())
    session.add(request)
    session.flush()
    committed.requests.append(request.id)
    return profile, request


def ranked(worker: Flask, request_id: uuid.UUID) -> set[str]:
    with worker.app_context():
        request = db.session.get(SupportRequest, request_id)
        result = matching_service.rank_request(db.session, request, clock.today()).result
        db.session.rollback()
        return {c.volunteer_id for c in result.eligible}


def test_a_change_committed_by_one_worker_is_seen_by_the_next_ranking_in_another(
        two_workers: tuple[Flask, Flask]) -> None:
    first, second = two_workers
    with first.app_context():
        committed = Committed(db.engine, first)
        try:
            profile, request = committed_network(committed, db.session)
            db.session.commit()
            advocate_id, request_id = str(profile.id), request.id
            db.session.remove()  # this worker's request is over (SQLite: no lock held while the other writes)
            assert advocate_id in ranked(first, request_id) and advocate_id in ranked(second, request_id)

            with second.app_context():  # the second worker: the advocate goes away today
                profile = db.session.get(VolunteerProfile, uuid.UUID(advocate_id))
                advocates.add_pause(db.session, profile, clock.today(), clock.today() + timedelta(days=3), "Away",
                                    profile.user, clock.now())
                db.session.commit()
            assert advocate_id not in ranked(first, request_id)  # the first worker's very next ranking
            assert advocate_id not in ranked(second, request_id)

            with first.app_context():  # and back: the pause is removed by the first worker
                profile = db.session.get(VolunteerProfile, uuid.UUID(advocate_id))
                advocates.remove_pause(db.session, profile, profile.pauses[0].id, profile.user, clock.now())
                db.session.commit()
            assert advocate_id in ranked(second, request_id)
        finally:
            committed.remove()


def test_a_rate_limit_is_shared_by_every_worker_through_redis(db_url: str, tmp_path: Any) -> None:
    import redis

    namespace = f"redis://127.0.0.1:6379/{15}"
    redis.Redis.from_url(namespace).flushdb()
    workers = [create_app(make_config(db_url, tmp_path / name, REDIS_URL=namespace,
                                      SIGN_IN_RATE_LIMIT="2 per minute")) for name in ("one", "two")]
    for worker in workers:
        worker.test_client_class = FormClient
    clients = [worker.test_client() for worker in workers]
    for client in clients:
        client.environ_base["REMOTE_ADDR"] = "192.0.2.91"
    statuses = [clients[i % 2].submit("/sign-in", {"email": "x@example.org", "password": "wrong password"}).status_code
                for i in range(3)]
    assert statuses == [200, 200, 429]  # two attempts on different workers use up the one shared limit
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()
    redis.Redis.from_url(namespace).flushdb()


def test_two_workers_that_read_then_write_at_the_same_moment_both_succeed(two_workers: tuple[Flask, Flask]) -> None:
    """Every signed-in page reads, then records who looked. On SQLite a transaction that read first
    cannot upgrade to write while another is writing ("database is locked"), so transactions begin
    IMMEDIATE and take turns; on PostgreSQL both simply run."""
    import threading

    from peermatch.models import AuditAction, AuditEvent, User
    from peermatch.services import audit

    first, second = two_workers
    with first.app_context():
        committed = Committed(db.engine, first)
        organisers = [committed.user(db.session, Role.ORGANISER, committed.organisation(db.session)) for _ in "ab"]
        db.session.commit()
        ids = [o.id for o in organisers]
        db.session.remove()
    first_has_read = threading.Event()
    second_has_read = threading.Event()
    failures: list[BaseException] = []

    def organiser_opens_a_page(worker: Flask, organiser_id: uuid.UUID, mine: threading.Event,
                               other: threading.Event | None, wait_for: threading.Event | None) -> None:
        try:
            with worker.app_context():
                if wait_for is not None:
                    wait_for.wait(5)
                organiser = db.session.get(User, organiser_id)  # the transaction begins with a read
                mine.set()
                if other is not None:
                    other.wait(1)  # give the other worker the chance to read too (it cannot, on SQLite)
                audit.record(db.session, organiser, AuditAction.LIST_VIEWED, "organisation",
                             organisation_id=organiser.organisation_id)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    try:
        threads = [threading.Thread(target=organiser_opens_a_page,
                                    args=(first, ids[0], first_has_read, second_has_read, None)),
                   threading.Thread(target=organiser_opens_a_page,
                                    args=(second, ids[1], second_has_read, None, first_has_read))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not failures, failures
        with first.app_context():
            recorded = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                         .where(AuditEvent.actor_id.in_(ids)))
            db.session.remove()
        assert recorded == 2
    finally:
        committed.remove()


def test_a_worker_loads_the_advocates_before_its_first_page(two_workers: tuple[Flask, Flask]) -> None:
    """gunicorn's post_worker_init calls warm(): the first organiser a new worker serves does not wait
    for every advocate to load; their ranking only checks the version (no advocate rows are read)."""
    import gc

    from peermatch.wsgi import warm

    first, second = two_workers
    with first.app_context():
        committed = Committed(db.engine, first)
        try:
            profile, request = committed_network(committed, db.session)
            db.session.commit()
            advocate_id, request_id, organisation_id = str(profile.id), request.id, str(profile.organisation_id)
            db.session.remove()

            warm(second)
            gc.unfreeze()  # warm() sets the loaded objects aside from the collector; undo that in the test run
            with second.app_context():
                kept = matching_service.snapshot(db.session)
                db.session.rollback()
                assert advocate_id in kept.profiles and organisation_id in kept.pools
                with counted(db.engine) as statements:
                    assert advocate_id in ranked(second, request_id)
            assert statements and not any("volunteer_languages" in s for s in statements), statements
        finally:
            committed.remove()
