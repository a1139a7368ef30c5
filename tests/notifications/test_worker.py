"""Real ``peermatch worker`` processes on the test database: killed mid-delivery, and two at once.

The queue is the one production uses for the database under test: SQLite in the instance
folder beside a SQLite database, Redis beside PostgreSQL. Rows here are committed for real
(another process must see them) and removed at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from peermatch import clock, create_app
from peermatch.extensions import db
from peermatch.models import Notification, NotificationEvent, NotificationStatus, Role, User
from peermatch.services import notifications
from support import Inbox, free_port, make_config

REDIS_QUEUE = "redis://127.0.0.1:6379/14"
FINAL = {NotificationStatus.DELIVERED, NotificationStatus.UNCONFIRMED, NotificationStatus.FAILED,
         NotificationStatus.CANCELLED}


@pytest.fixture()
def producer(app: Flask, db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app like a web worker's, putting jobs on the same queue the worker processes read.

    (``app`` only so that the schema is migrated first.)
    """
    redis_url = REDIS_QUEUE if db_url.startswith("postgresql") else None
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    own = create_app(make_config(db_url, tmp_path / "instance", REDIS_URL=redis_url))
    yield own
    with own.app_context():
        db.session.remove()
        db.engine.dispose()
    if redis_url:
        redis.Redis.from_url(redis_url).flushdb()


class Killer(Inbox):
    """An SMTP server that kills the sending worker at a chosen point of the conversation.

    ``at="rcpt"``: before the message's final dot, so nothing was delivered; ``at="data"``:
    after the server has the message and before it answers, so it was delivered but the
    worker never hears so.
    """

    def __init__(self, at: str | None = None) -> None:
        super().__init__()
        self.at = at
        self.victim: int | None = None

    def _kill(self, point: str) -> None:
        if self.at == point and self.victim:
            os.kill(self.victim, signal.SIGKILL)
            self.victim = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self._kill("rcpt")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        self._kill("data")
        return answer


@pytest.fixture()
def smtp() -> Iterator[Callable[..., Any]]:
    from aiosmtpd.controller import Controller

    controllers = []

    def start(handler: Killer) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        return controller.port

    yield start
    for controller in controllers:
        controller.stop()


def start_worker(producer: Flask, mail_port: int, **settings: Any) -> subprocess.Popen[bytes]:
    env = {**os.environ,
           "PEERMATCH_DATABASE_URL": producer.config["SQLALCHEMY_DATABASE_URI"],
           "PEERMATCH_INSTANCE_PATH": producer.instance_path,
           "PEERMATCH_SECRET_KEY": producer.config["SECRET_KEY"],
           "PEERMATCH_MAIL_SERVER": "127.0.0.1", "PEERMATCH_MAIL_PORT": str(mail_port),
           **{f"PEERMATCH_{key}": str(value) for key, value in settings.items()}}
    if producer.config.get("REDIS_URL"):
        env["PEERMATCH_REDIS_URL"] = producer.config["REDIS_URL"]
    Path(producer.instance_path).mkdir(parents=True, exist_ok=True)
    log = Path(producer.instance_path) / f"worker-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as output:  # the child keeps its own copy of the file
        worker = subprocess.Popen([sys.executable, "-c", "from peermatch.cli import main; main()", "worker"],
                                  env=env, stdout=output, stderr=subprocess.STDOUT)
    worker.log = log  # type: ignore[attr-defined]
    return worker


def log_of(worker: subprocess.Popen[bytes]) -> str:
    return worker.log.read_text(errors="replace")  # type: ignore[attr-defined]


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_for(check: Callable[[], bool], seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"Waited {seconds} s for {what}")


class Rows:
    """Committed users and their notifications, removed again at the end."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.users: list[uuid.UUID] = []

    def people_told(self, count: int, each: int = 1) -> list[uuid.UUID]:
        """``count`` volunteers, each told ``each`` things, committed (and so put on the queue)."""
        with self.app.app_context():
            made = []
            for n in range(count):
                user = User(email=f"told-{uuid.uuid4().hex[:10]}@example.org", password_hash="x", role=Role.VOLUNTEER,
                            display_name=f"Volunteer {n}")
                db.session.add(user)
                db.session.flush()
                made.append(user.id)
                for k in range(each):
                    notifications.tell_user(db.session, user, NotificationEvent.VETTING_DECISION, f"test-{k}",
                                            clock.now())
            db.session.commit()  # the commit puts "deliver what is due" on the queue
            self.users += made
            db.session.remove()
            return made

    def statuses(self) -> list[tuple[str, int]]:
        with self.app.app_context():
            found = db.session.execute(sa.select(Notification.status, Notification.attempts)
                                       .where(Notification.recipient_id.in_(self.users))
                                       .order_by(Notification.idempotency_key)).all()
            db.session.remove()
            return [tuple(row) for row in found]  # type: ignore[misc]

    def remove(self) -> None:
        with self.app.app_context():
            db.session.execute(sa.delete(Notification).where(Notification.recipient_id.in_(self.users)))
            db.session.execute(sa.delete(User).where(User.id.in_(self.users)))
            db.session.commit()
            db.session.remove()


@pytest.fixture()
def committed(producer: Flask) -> Iterator[Rows]:
    rows = Rows(producer)
    yield rows
    rows.remove()


def kill_mid_delivery_then_start_another(producer: Flask, committed: Rows, smtp: Any, at: str
                                         ) -> tuple[Killer, list[Any], list[Any]]:
    """One notification; the first worker is killed at ``at`` of its SMTP conversation, then a second starts.

    Returns the server, the rows just after the kill, and the rows once the second worker has
    dealt with what the first left (it takes stale claims back at once here).
    """
    server = Killer(at=at)
    port = smtp(server)
    committed.people_told(1)
    first = start_worker(producer, port)
    server.victim = first.pid
    try:
        first.wait(timeout=60)
        assert first.returncode == -signal.SIGKILL
        after_kill = committed.statuses()
        second = start_worker(producer, port, NOTIFICATION_STALE_SECONDS=0)
        try:
            wait_for(lambda: committed.statuses()[0][0] in FINAL, what="the second worker to finish it")
            time.sleep(1)  # long enough for a second message to arrive, if one were coming
        finally:
            stop(second)
    finally:
        stop(first)
    return server, after_kill, committed.statuses()


def test_a_worker_killed_after_the_server_took_the_message_never_sends_it_again(
        producer: Flask, committed: Rows, smtp: Any) -> None:
    server, after_kill, finally_ = kill_mid_delivery_then_start_another(producer, committed, smtp, at="data")
    assert after_kill == [(NotificationStatus.HANDED_OVER, 1)]
    assert finally_ == [(NotificationStatus.UNCONFIRMED, 1)]
    assert len(server.messages) == 1


def test_a_worker_killed_before_the_message_left_is_followed_by_one_that_sends_it_once(
        producer: Flask, committed: Rows, smtp: Any) -> None:
    server, after_kill, finally_ = kill_mid_delivery_then_start_another(producer, committed, smtp, at="rcpt")
    assert after_kill == [(NotificationStatus.SENDING, 1)]
    assert finally_ == [(NotificationStatus.DELIVERED, 2)]
    assert len(server.messages) == 1


def test_two_workers_at_once_send_each_notification_exactly_once(producer: Flask, committed: Rows,
                                                                 smtp: Any) -> None:
    server = Killer()
    port = smtp(server)
    workers = [start_worker(producer, port, JOBS_WORKERS=3) for _ in range(2)]
    try:
        for _ in range(4):  # several commits, so several "deliver what is due" jobs for both to take
            committed.people_told(10)
        wait_for(lambda: all(status == NotificationStatus.DELIVERED for status, _ in committed.statuses()),
                 what="all delivered")
        time.sleep(1.5)  # long enough for a duplicate to arrive, if any were coming
    finally:
        for worker in workers:
            stop(worker)
    assert all(worker.returncode == 0 for worker in workers), [log_of(w) for w in workers]
    statuses = committed.statuses()
    assert len(statuses) == 40 and {attempts for _, attempts in statuses} == {1}
    assert len(server.messages) == 40
    assert len({(m["To"], m.get_content()) for m in server.messages}) == 40
