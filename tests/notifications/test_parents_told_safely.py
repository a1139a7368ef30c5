"""A parent is told only as they allowed: by their channels, inside their times, by their name, in neutral words.

Property tests draw random safe-contact answers and random moments, put every kind of news
through the real outbox and the real delivery (SMTP to a local server, texts to a local
Notify), and check every message that left against the answers as they were when it left.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peermatch import clock, jobs
from peermatch.matching.week import ALL_SLOTS_MASK
from peermatch.models import Notification, NotificationEvent, NotificationStatus
from peermatch.services import notifications

MOMENTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(timezone.utc))
MASKS = st.integers(min_value=0, max_value=ALL_SLOTS_MASK)


@given(mask=MASKS, after=MOMENTS)
def test_the_next_safe_time_is_the_first_safe_moment(mask: int, after: datetime) -> None:
    found = notifications.next_safe_time(mask, after)
    if mask == 0:
        assert found is None
        return
    assert found is not None and found >= after
    assert notifications.is_safe_time(mask, found)
    moment = after
    while moment < found:  # windows last hours, so quarter-hour steps cannot jump over one
        assert not notifications.is_safe_time(mask, moment), (after, moment, found)
        moment += timedelta(minutes=15)


@given(mask=MASKS, at=MOMENTS)
def test_no_time_is_safe_at_night_whatever_was_ticked(mask: int, at: datetime) -> None:
    local = clock.local(at)
    if local.hour < 8 or local.hour >= 21:
        assert not notifications.is_safe_time(mask | ALL_SLOTS_MASK, at)


def test_the_hours_of_each_part_of_the_day_are_london_time_in_summer_and_winter() -> None:
    monday_morning = 1  # bit 0: Monday morning
    winter = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)   # a Monday, 8am GMT
    summer = datetime(2026, 7, 6, 7, 0, tzinfo=timezone.utc)   # a Monday, 8am BST
    assert notifications.is_safe_time(monday_morning, winter)
    assert not notifications.is_safe_time(monday_morning, winter - timedelta(minutes=1))
    assert notifications.is_safe_time(monday_morning, summer)
    assert not notifications.is_safe_time(monday_morning, summer - timedelta(minutes=1))
    assert notifications.next_safe_time(monday_morning, summer + timedelta(hours=4)) == summer + timedelta(days=7)


ANSWERS = st.fixed_dictionaries({
    "email_ok": st.booleans(), "text_ok": st.booleans(), "phone_ok": st.booleans(), "voicemail_ok": st.booleans(),
    "message_times_mask": MASKS,
    "name_to_ask_for": st.sampled_from(["Jo", "Sam Court", "Mx Abuse-Smith", "Aisha", "Bee"]),
})
PARENT_EVENTS = [NotificationEvent.REQUEST_RECEIVED, NotificationEvent.INTRODUCED, NotificationEvent.REQUEST_CLOSED,
                 NotificationEvent.NEW_MESSAGE]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=ANSWERS, told=MOMENTS, tries=st.lists(st.integers(min_value=0, max_value=14 * 24 * 60), min_size=1,
                                                     max_size=6))
def test_no_message_ever_leaves_outside_what_the_parent_allowed(
        app: Any, session: Any, volunteering: Any, inbox: Any, notify: Any, answers: dict[str, Any],
        told: datetime, tries: list[int]) -> None:
    request = volunteering.request(email="safe.inbox@example.net", phone="07700 900123")
    for key, value in answers.items():
        setattr(request.safe_contact, key, value)
    session.flush()
    inbox.messages.clear()
    notify.texts.clear()
    event = PARENT_EVENTS[tries[0] % len(PARENT_EVENTS)]
    written = notifications.tell_parent(session, request, event, f"subject-{told.isoformat()}", told)
    allowed = {c for c, ok in (("email", answers["email_ok"]), ("text", answers["text_ok"])) if ok}
    assert written == (len(allowed) if answers["message_times_mask"] else 0)

    sent_at: list[tuple[str, datetime]] = []
    for minutes in sorted(tries):
        moment = told + timedelta(minutes=minutes)
        before = len(inbox.messages), len(notify.texts)
        with time_machine.travel(moment, tick=False):
            for notification_id in notifications.due(session, moment):
                if session.get(Notification, notification_id).request_id == request.id:  # not earlier examples'
                    jobs.deliver_one(app, notification_id)
        sent_at += [("email", moment)] * (len(inbox.messages) - before[0])
        sent_at += [("text", moment)] * (len(notify.texts) - before[1])

    for channel, moment in sent_at:
        assert channel in allowed
        assert notifications.is_safe_time(answers["message_times_mask"], moment)
    for message in inbox.messages:
        assert message["To"] == "safe.inbox@example.net"
        assert message["Subject"] == "A message from PeerMatch"
        body = message.get_content()
        assert body.startswith(f"Hello {answers['name_to_ask_for']},")
        assert notifications.PARENT_WORDS in body
        assert notifications.never_says_what_it_is_about(notifications.Words(
            "", message["Subject"], body, answers["name_to_ask_for"]))
    for text in notify.texts:
        assert text["phone_number"] == "07700 900123"
        assert text["personalisation"]["body"].startswith(f"Hello {answers['name_to_ask_for']},")
    assert len([c for c, _ in sent_at if c == "email"]) <= 1 and len([c for c, _ in sent_at if c == "text"]) <= 1


@pytest.mark.parametrize("event", PARENT_EVENTS)
def test_a_parents_news_always_reads_the_same_whatever_happened(app: Any, session: Any, volunteering: Any,
                                                               inbox: Any, event: str) -> None:
    request = volunteering.request(message_times_mask=ALL_SLOTS_MASK)
    tuesday_ten = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
    with time_machine.travel(tuesday_ten, tick=False):
        notifications.tell_parent(session, request, event, "news", tuesday_ten)
        for notification_id in notifications.due(session, tuesday_ten):
            assert jobs.deliver_one(app, notification_id) == "delivered"
    [message] = inbox.messages
    assert message.get_content().replace("\r\n", "\n") == (
        f"Hello Zelda-Quinn,\n\n{notifications.PARENT_WORDS}\n\nhttp://127.0.0.1:5000/sign-in\n")


def test_a_parent_who_allowed_no_message_is_told_only_inside_the_service(session: Any, volunteering: Any) -> None:
    request = volunteering.request(email_ok=False, text_ok=False, phone_ok=True)
    now = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
    assert notifications.tell_parent(session, request, NotificationEvent.INTRODUCED, "news", now) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(Notification)
                          .where(Notification.request_id == request.id)) == 0


def test_a_phone_that_stopped_being_safe_is_never_used_by_a_text_queued_before(
        app: Any, session: Any, volunteering: Any, notify: Any) -> None:
    request = volunteering.request(email_ok=False, text_ok=True, message_times_mask=ALL_SLOTS_MASK)
    now = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
    notifications.tell_parent(session, request, NotificationEvent.INTRODUCED, "news", now)
    request.safe_contact.text_ok = False  # the parent changed their answers before it went
    session.flush()
    with time_machine.travel(now, tick=False):
        [notification_id] = notifications.due(session, now)
        assert jobs.deliver_one(app, notification_id) == "not now"
    row = session.get(Notification, notification_id, populate_existing=True)
    assert row.status == NotificationStatus.CANCELLED
    assert row.problem == "The parent no longer allows this way of contacting them"
    assert notify.texts == []


def test_news_outside_the_parents_times_waits_for_the_next_one(app: Any, session: Any, volunteering: Any,
                                                               inbox: Any) -> None:
    wednesday_evening = 1 << (2 * 3 + 2)
    request = volunteering.request(message_times_mask=wednesday_evening)
    tuesday_ten = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
    notifications.tell_parent(session, request, NotificationEvent.INTRODUCED, "news", tuesday_ten)
    row = session.scalar(sa.select(Notification).where(Notification.request_id == request.id))
    assert row.not_before_dt == datetime(2026, 3, 11, 17, 0, tzinfo=timezone.utc)
    assert notifications.due(session, tuesday_ten) == []
    with time_machine.travel(row.not_before_dt, tick=False):
        assert jobs.deliver_one(app, row.id) == "delivered"
    assert len(inbox.messages) == 1


def test_news_that_comes_while_other_news_waits_is_one_message_not_several(app: Any, session: Any,
                                                                          volunteering: Any, inbox: Any) -> None:
    monday_morning = 1
    request = volunteering.request(message_times_mask=monday_morning)
    tuesday_ten = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)
    for n in range(4):  # four messages from the advocate on Tuesday
        notifications.tell_parent(session, request, NotificationEvent.NEW_MESSAGE, f"message-{n}", tuesday_ten)
    [waiting] = session.scalars(sa.select(Notification).where(Notification.request_id == request.id)).all()
    with time_machine.travel(waiting.not_before_dt, tick=False):
        assert jobs.deliver_one(app, waiting.id) == "delivered"
    notifications.tell_parent(session, request, NotificationEvent.NEW_MESSAGE, "message-5", waiting.not_before_dt)
    assert len(session.scalars(sa.select(Notification).where(Notification.request_id == request.id)).all()) == 2
    assert len(inbox.messages) == 1
