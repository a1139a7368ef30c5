"""The job queue: everything that happens later, run by ``peermatch worker`` (Huey).

The queue lives in Redis when ``REDIS_URL`` is set (production, several workers on several
machines) and otherwise in SQLite in the instance folder (a developer's machine, ``make
run``). The web app only ever puts one kind of job on it: "deliver what is due", after a
commit that wrote notifications, so a parent's news leaves within seconds. Everything else
is periodic, run by each worker's scheduler:

==========================  ===================  ===================================================
job                         when                 what
==========================  ===================  ===================================================
``deliver_due``             every minute         stale claims recovered, then every due notification
``lapse_offers``            every minute         offers nobody answered in time go back
``offer_reminders``         every 15 minutes     a reminder 12 hours before an offer lapses
``daily_notifications``     hourly (from 8am)    checks running out (30 and 7 days), the organisers'
                                                 work waiting, the daily digests
``purge_sessions``          hourly               sessions that can no longer be used
``retention_purge``         nightly (02:15 UTC)  what has been kept longer than the retention period
                                                 (``services/retention.py``)
==========================  ===================  ===================================================

**Two workers never send anything twice.** Each worker runs the periodic jobs, so with two
they run twice: every job is safe to run again and at the same moment. Notifications are
written once (a unique idempotency key), claimed once (a conditional UPDATE), and lapsing
is a conditional UPDATE too (``services/offers.py``); a purge run twice finds nothing the
second time.

Each job is a transaction boundary like a CLI command; delivery commits at each step of a
notification's way (claimed, handed over, delivered) so a worker that dies leaves a row that
says how far it got (``services/notifications.py``).
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

from peermatch import clock
from peermatch.extensions import db

logger = logging.getLogger(__name__)

_KEY = "peermatch.jobs"


def queue(app: Flask) -> Huey:
    """The app's job queue (made on first use, never at import or in the factory)."""
    huey = app.extensions.get(_KEY)
    if huey is None:
        if app.config.get("REDIS_URL"):
            huey = RedisHuey("peermatch", url=app.config["REDIS_URL"], results=False, utc=True)
        else:
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            huey = SqliteHuey("peermatch", filename=str(Path(app.instance_path) / "jobs.sqlite3"), results=False,
                              utc=True)
        _register(huey, app)
        app.extensions[_KEY] = huey
    return huey


def run_worker(app: Flask, workers: int) -> None:
    """Run the queue's consumer with its scheduler until SIGINT or SIGTERM (``peermatch worker``)."""
    consumer = queue(app).create_consumer(workers=workers, worker_type="thread", periodic=True, initial_delay=0.1,
                                          backoff=1.15, max_delay=1.0, check_worker_health=True)
    consumer.run()


# -- the jobs -------------------------------------------------------------------------------------------------

def deliver_one(app: Flask, notification_id: uuid.UUID) -> str:
    """Deliver one notification if this worker can claim it; what happened, in a word (for logs and tests)."""
    from peermatch.models import Notification, NotificationChannel
    from peermatch.services import mail, notifications, texts

    session = db.session
    now = clock.now()
    if not notifications.claim(session, notification_id, now):
        session.rollback()
        return "taken"
    session.commit()
    words = notifications.prepare(session, notification_id, now, app.config["BASE_URL"])
    session.commit()
    if words is None:
        return "not now"
    channel = session.scalar(sa.select(Notification.channel).where(Notification.id == notification_id))
    session.commit()  # no transaction stays open while a server is talked to

    def handing_over() -> None:
        notifications.handed_over(session, notification_id)
        session.commit()

    reference = None
    try:
        if channel == NotificationChannel.EMAIL:
            mail.send_handing_over(app.config, mail.Mail(to=words.address, body=words.body, subject=words.subject),
                                   handing_over)
        else:
            reference = texts.provider(app.config).send(words.address, words.body, str(notification_id),
                                                        handing_over)
    except (mail.AfterHandOver, texts.MaybeSent) as error:
        session.rollback()
        notifications.unconfirmed(session, notification_id, str(error) or type(error).__name__)
        outcome = "unconfirmed"
    except texts.TextRefused as error:
        session.rollback()
        notifications.not_delivered(session, notification_id, clock.now(), str(error), retry=False)
        outcome = "failed"
    except smtplib.SMTPResponseException as error:
        session.rollback()
        notifications.not_delivered(session, notification_id, clock.now(),
                                    f"The mail server answered {error.smtp_code}", retry=error.smtp_code < 500)
        outcome = "failed"
    except (OSError, smtplib.SMTPException, texts.TextNotSent) as error:
        session.rollback()
        notifications.not_delivered(session, notification_id, clock.now(),
                                    str(error) or type(error).__name__, retry=True)
        outcome = "failed"
    else:
        notifications.delivered(session, notification_id, clock.now(), reference)
        outcome = "delivered"
    session.commit()
    return outcome


def deliver_due(app: Flask) -> dict[str, int]:
    """Recover what a stopped worker left, then deliver every notification whose time has come."""
    from collections import Counter

    from peermatch.services import notifications

    outcomes: Counter[str] = Counter()
    with app.app_context():
        try:
            stale = timedelta(seconds=float(app.config["NOTIFICATION_STALE_SECONDS"]))
            again, lost = notifications.recover_stale(db.session, clock.now(), stale)
            db.session.commit()
            outcomes.update(recovered=again, unconfirmed=lost)
            for _ in range(50):  # each round's rows leave "due" (sent, claimed elsewhere, or rescheduled)
                ids = notifications.due(db.session, clock.now())
                db.session.commit()
                if not ids:
                    break
                for notification_id in ids:
                    outcomes[deliver_one(app, notification_id)] += 1
        finally:
            db.session.remove()
    return dict(outcomes)


def _in_transaction(app: Flask, work: Any) -> Any:
    with app.app_context():
        try:
            result = work(db.session, clock.now())
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def lapse_offers(app: Flask) -> int:
    from peermatch.services import offers

    return len(_in_transaction(app, offers.lapse_due))


def offer_reminders(app: Flask) -> int:
    from peermatch.services import notifications

    return _in_transaction(app, notifications.tell_offer_reminders)


def daily_notifications(app: Flask) -> int:
    from peermatch.services import notifications

    def work(session: Any, now: Any) -> int:
        return (notifications.tell_checks_expiring(session, now) + notifications.tell_stalled_work(session, now)
                + notifications.gather_digests(session, now))

    return _in_transaction(app, work)


def purge_sessions(app: Flask) -> int:
    from peermatch import sessions

    return _in_transaction(app, lambda session, now: sessions.purge_expired(session, app, now))


def retention_purge(app: Flask) -> int:
    from peermatch.services import retention

    def work(session: Any, now: Any) -> int:
        done = retention.purge_now(session, app.config, now)
        return done.requests + done.drafts + done.volunteers + done.accounts

    return _in_transaction(app, work)


def _register(huey: Huey, app: Flask) -> None:
    """The queue's tasks, bound to this app. The names are fixed so producer and worker agree."""
    deliver = huey.task(name="deliver_due")(lambda: deliver_due(app))
    huey.periodic_task(crontab(), name="deliver_due_every_minute")(lambda: deliver_due(app))
    huey.periodic_task(crontab(), name="lapse_offers")(lambda: lapse_offers(app))
    huey.periodic_task(crontab(minute="*/15"), name="offer_reminders")(lambda: offer_reminders(app))
    huey.periodic_task(crontab(minute="5"), name="daily_notifications")(lambda: daily_notifications(app))
    huey.periodic_task(crontab(minute="35"), name="purge_sessions")(lambda: purge_sessions(app))
    huey.periodic_task(crontab(minute="15", hour="2"), name="retention_purge")(lambda: retention_purge(app))
    app.extensions[_KEY + ".deliver"] = deliver


def kick(app: Flask) -> None:
    """Ask a worker to deliver what is due now (after a commit that wrote notifications)."""
    queue(app)
    app.extensions[_KEY + ".deliver"]()


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _kick_after_commit(session: sa.orm.Session) -> None:
    if not session.info.pop("peermatch.notifications_written", False) or not has_app_context():
        return
    try:
        kick(current_app._get_current_object())  # type: ignore[attr-defined]
    except Exception:  # the worker's every-minute run delivers it anyway
        logger.exception("Could not put the delivery on the job queue")


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _forget_after_rollback(session: sa.orm.Session) -> None:
    session.info.pop("peermatch.notifications_written", None)
