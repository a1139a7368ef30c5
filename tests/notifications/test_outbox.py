"""The outbox: each change writes its notifications in its own transaction; the worker delivers, retries and records.

Delivery here runs the worker's own code (``jobs.deliver_due``) in the test's process, over a
real SMTP conversation and a local Notify; ``test_worker.py`` runs real worker processes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from peermatch import jobs
from peermatch.errors import DomainError
from peermatch.matching.week import ALL_SLOTS_MASK
from peermatch.models import Notification, NotificationEvent, NotificationStatus, Role, Vetting
from peermatch.services import drafts, matches, notifications, offers
from support import free_port

TUESDAY_TEN = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)


def rows(session: Any, **where: Any) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.created_dt, Notification.event, Notification.channel)
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def deliver(app: Any, at: datetime = TUESDAY_TEN) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return jobs.deliver_due(app)


@pytest.fixture()
def stopped(session: Any) -> Any:
    with time_machine.travel(TUESDAY_TEN, tick=False) as traveller:
        yield traveller


def test_an_offer_its_acceptance_and_the_introduction_each_tell_the_right_people(
        app: Any, session: Any, people: Any, volunteering: Any, inbox: Any, notify: Any, stopped: Any) -> None:
    advocate, profile = volunteering.advocate(email="robin.advocate@example.org")
    organiser = people.user(Role.ORGANISER, profile.organisation, email="org.one@example.org", name="Orla")
    organiser.phone, organiser.notify_by_text = "07700 900777", True
    request = volunteering.request(organisation=profile.organisation, text_ok=True, message_times_mask=ALL_SLOTS_MASK)

    offer = offers.propose(session, request, profile, organiser, TUESDAY_TEN, score=0.8)
    offers.approve(session, offer, organiser, TUESDAY_TEN)
    offers.send(session, offer, organiser, TUESDAY_TEN)
    assert [(n.event, n.recipient_id, n.channel) for n in rows(session)] == [
        ("offer_sent", advocate.id, "email")]

    match = offers.accept(session, offer, advocate, TUESDAY_TEN)
    accepted = [(n.event, n.channel) for n in rows(session, event=NotificationEvent.OFFER_ACCEPTED)]
    assert accepted == [("offer_accepted", "email"), ("offer_accepted", "text")]  # the organiser chose both

    matches.introduce(session, match, organiser, TUESDAY_TEN)
    told = {(n.to_parent, n.recipient_id, n.channel) for n in rows(session, event=NotificationEvent.INTRODUCED)}
    assert told == {(True, request.parent_id, "email"), (True, request.parent_id, "text"),
                    (False, advocate.id, "email")}

    assert deliver(app) == {"delivered": 6, "recovered": 0, "unconfirmed": 0}
    by_address: dict[str, str] = {}
    for message in inbox.messages:
        by_address[message["To"]] = by_address.get(message["To"], "") + message.get_content()
    assert set(by_address) == {"robin.advocate@example.org", "org.one@example.org", "zelda.private@example.net"}
    assert "You have a new offer to look at. Please answer it by 10:00am on Thursday 12 March" in by_address[
        "robin.advocate@example.org"]
    assert "You have been introduced to the parent you will support." in by_address["robin.advocate@example.org"]
    assert "An offer was accepted and is waiting for your introduction." in by_address["org.one@example.org"]
    assert notifications.PARENT_WORDS in by_address["zelda.private@example.net"]
    assert sorted(t["phone_number"] for t in notify.texts) == ["07700 900461", "07700 900777"]
    assert {n.status for n in rows(session)} == {NotificationStatus.DELIVERED}
    assert deliver(app) == {"recovered": 0, "unconfirmed": 0}  # nothing is sent twice


def test_a_change_that_is_rolled_back_tells_nobody(session: Any, people: Any, volunteering: Any, stopped: Any) -> None:
    advocate, profile = volunteering.advocate()
    request = volunteering.request(organisation=profile.organisation)
    organiser = people.user(Role.ORGANISER, profile.organisation)
    offer = offers.propose(session, request, profile, organiser, TUESDAY_TEN)
    offers.approve(session, offer, organiser, TUESDAY_TEN)
    before = len(rows(session))
    with pytest.raises(DomainError):
        with session.begin_nested():
            offers.send(session, offer, organiser, TUESDAY_TEN)
            raise DomainError("the organiser's page failed after sending")
    assert len(rows(session)) == before


def test_a_request_received_tells_the_parent_and_every_organiser_of_its_organisation(
        session: Any, people: Any, volunteering: Any, stopped: Any) -> None:
    from peermatch.models import RequestStatus
    from peermatch.services import requests

    organisation = people.organisation(county="Rutland")
    organisers = [people.user(Role.ORGANISER, organisation) for _ in range(2)]
    people.user(Role.ORGANISER, people.organisation())  # another organisation's: never told
    request = volunteering.request(organisation=organisation, postcode="LE15")
    request.status = RequestStatus.DRAFT
    request.draft_answers = {"meeting_answered": True, "languages_answered": True, "gender_answered": True,
                             "consent_version": "2026-11"}
    drafts.save_message_times(session, request, ALL_SLOTS_MASK)
    requests.submit(session, request, session.get(type(organisers[0]), request.parent_id), TUESDAY_TEN)
    told = {(n.recipient_id, n.to_parent) for n in rows(session, event=NotificationEvent.REQUEST_RECEIVED)}
    assert told == {(request.parent_id, True), (organisers[0].id, False), (organisers[1].id, False)}


def test_a_mail_server_that_is_down_is_tried_again_later_and_then_given_up(
        app: Any, session: Any, people: Any, stopped: Any) -> None:
    user = people.user(Role.VOLUNTEER)
    notifications.tell_user(session, user, NotificationEvent.VETTING_DECISION, "decided", TUESDAY_TEN)
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", free_port()  # nobody listens
    try:
        moment = TUESDAY_TEN
        waits = []
        for _ in range(len(notifications.RETRY_AFTER)):
            assert deliver(app, moment) == {"failed": 1, "recovered": 0, "unconfirmed": 0}
            [row] = rows(session)
            assert row.status == NotificationStatus.RETRYING
            waits.append(row.not_before_dt - moment)
            moment = row.not_before_dt
        assert deliver(app, moment) == {"failed": 1, "recovered": 0, "unconfirmed": 0}
    finally:
        app.config["MAIL_SERVER"] = None
    [row] = rows(session)
    assert waits == list(notifications.RETRY_AFTER)
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, len(notifications.RETRY_AFTER) + 1)
    assert "refused" in row.problem.lower() or "connect" in row.problem.lower()


def test_texts_the_provider_refuses_fail_at_once_and_texts_it_cannot_take_now_are_tried_again(
        app: Any, session: Any, people: Any, notify: Any, stopped: Any) -> None:
    refused, busy = people.user(Role.VOLUNTEER), people.user(Role.VOLUNTEER)
    for user, phone in ((refused, "07700 900001"), (busy, "07700 900002")):
        user.phone, user.notify_by_text, user.notify_by_email = phone, True, False
        notifications.tell_user(session, user, NotificationEvent.VETTING_DECISION, "decided", TUESDAY_TEN)
    notify.answers = {"07700 900001": 400, "07700 900002": 503}
    deliver(app)
    status = {n.recipient_id: (n.status, n.problem) for n in rows(session)}
    assert status[refused.id] == (NotificationStatus.FAILED, "The text provider refused the text (400)")
    assert status[busy.id] == (NotificationStatus.RETRYING, "The text provider was busy or failing (503)")
    notify.answers = {}
    deliver(app, TUESDAY_TEN + timedelta(minutes=1))
    assert [t["phone_number"] for t in notify.texts] == ["07700 900002"]
    assert notify.refused_tokens == 0  # the real client signed every call as Notify expects


def test_someone_who_chose_a_daily_digest_gets_one_message_a_day_from_8am(
        app: Any, session: Any, people: Any, inbox: Any, stopped: Any) -> None:
    organiser = people.user(Role.ORGANISER, email="digest.organiser@example.org")
    organiser.daily_digest = True
    for n in range(3):
        notifications.tell_user(session, organiser, NotificationEvent.OFFER_DECLINED, f"offer-{n}", TUESDAY_TEN)
    notifications.tell_user(session, organiser, NotificationEvent.HELP_ASKED, "thread", TUESDAY_TEN)
    deliver(app)
    assert inbox.messages == []
    early = datetime(2026, 3, 11, 7, 30, tzinfo=timezone.utc)
    assert notifications.gather_digests(session, early) == 0
    eight = datetime(2026, 3, 11, 8, 5, tzinfo=timezone.utc)
    assert notifications.gather_digests(session, eight) == 1
    assert notifications.gather_digests(session, eight + timedelta(hours=1)) == 0  # once a day, however often run
    deliver(app, eight)
    [message] = inbox.messages
    assert "- 1 requests for help\n- 3 offers declined" in message.get_content().replace("\r\n", "\n")
    assert {n.status for n in rows(session, event=NotificationEvent.OFFER_DECLINED)} == {NotificationStatus.IN_DIGEST}

    notifications.tell_user(session, organiser, NotificationEvent.OFFER_LAPSED, "after the digest", eight)
    assert notifications.gather_digests(session, eight + timedelta(hours=2)) == 0
    [late] = rows(session, event=NotificationEvent.OFFER_LAPSED)
    assert late.status == NotificationStatus.HELD_FOR_DIGEST  # for tomorrow's, not lost in today's sent one
    next_day = eight + timedelta(days=1)
    assert notifications.gather_digests(session, next_day) == 1
    deliver(app, next_day)
    assert "- 1 offers not answered in time" in inbox.messages[-1].get_content()


def test_an_offer_reminder_goes_once_twelve_hours_before_it_lapses(
        app: Any, session: Any, volunteering: Any, stopped: Any) -> None:
    advocate, profile = volunteering.advocate()
    offer = volunteering.offer(profile, now=TUESDAY_TEN)
    assert notifications.tell_offer_reminders(session, TUESDAY_TEN) == 0
    later = offer.expires_dt - timedelta(hours=11)
    assert notifications.tell_offer_reminders(session, later) == 1
    assert notifications.tell_offer_reminders(session, later + timedelta(minutes=15)) == 0
    [reminder] = rows(session, event=NotificationEvent.OFFER_REMINDER)
    assert reminder.recipient_id == advocate.id


def test_checks_running_out_are_told_30_and_7_days_ahead_to_the_advocate_and_their_organisers(
        session: Any, people: Any, volunteering: Any, stopped: Any) -> None:
    advocate, profile = volunteering.advocate()
    organiser = people.user(Role.ORGANISER, profile.organisation)
    profile.vetting.dbs_expires_on = date(2026, 4, 5)  # 26 days after TUESDAY_TEN
    session.flush()
    assert notifications.tell_checks_expiring(session, TUESDAY_TEN) == 2
    assert notifications.tell_checks_expiring(session, TUESDAY_TEN + timedelta(days=1)) == 0
    assert notifications.tell_checks_expiring(session, datetime(2026, 3, 30, 9, 0, tzinfo=timezone.utc)) == 2
    told = [(n.recipient_id, n.volunteer_id) for n in rows(session, event=NotificationEvent.CHECKS_EXPIRING)]
    assert sorted(told) == sorted([(advocate.id, profile.id), (organiser.id, profile.id)] * 2)
    assert isinstance(profile.vetting, Vetting)


def test_the_daily_list_of_work_waiting_goes_to_organisers_who_have_some(
        app: Any, session: Any, people: Any, volunteering: Any, inbox: Any, stopped: Any) -> None:
    organisation = people.organisation()
    busy = people.user(Role.ORGANISER, organisation, email="busy.organiser@example.org")
    volunteering.request(organisation=organisation)
    eight = datetime(2026, 3, 10, 8, 30, tzinfo=timezone.utc)
    notifications.tell_stalled_work(session, eight)
    assert [n.recipient_id for n in rows(session, event=NotificationEvent.STALLED_WORK)
            if n.organisation_id == organisation.id] == [busy.id]
    deliver(app, eight)
    [message] = [m for m in inbox.messages if m["To"] == "busy.organiser@example.org"]
    assert "- 1 requests need an advocate" in message.get_content().replace("\r\n", "\n")


@pytest.mark.parametrize("event", [e for e in NotificationEvent if e not in (NotificationEvent.DAILY_DIGEST,)])
def test_no_notification_to_anyone_names_what_it_is_about(app: Any, session: Any, volunteering: Any, people: Any,
                                                          event: str, stopped: Any) -> None:
    advocate, profile = volunteering.advocate()
    offer = volunteering.offer(profile)
    for user in (advocate, people.user(Role.ORGANISER, profile.organisation)):
        notifications.tell_user(session, user, event, "words", TUESDAY_TEN, request_id=offer.request_id,
                                volunteer_id=profile.id)
    for row in rows(session, event=event):
        words = notifications.compose(session, row, "https://peermatch.example")
        assert isinstance(words, notifications.Words)
        assert notifications.never_says_what_it_is_about(words), words.body
        assert words.subject == "A message from PeerMatch"


def test_an_erased_parent_is_never_sent_what_was_waiting(session: Any, volunteering: Any, stopped: Any) -> None:
    from peermatch.models import User
    from peermatch.services import personal_data

    request = volunteering.request(message_times_mask=1)  # Monday morning only: it waits
    notifications.tell_parent(session, request, NotificationEvent.INTRODUCED, "news", TUESDAY_TEN)
    [waiting] = rows(session, request_id=request.id)
    personal_data.erase_parent(session, session.get(User, request.parent_id), TUESDAY_TEN)
    row = session.get(Notification, waiting.id, populate_existing=True)
    assert (row.status, row.recipient_id, row.request_id) == (NotificationStatus.CANCELLED, None, None)


def test_in_production_nothing_is_written_to_the_log_instead_of_sent(app: Any, session: Any, people: Any,
                                                                    stopped: Any, caplog: Any) -> None:
    """An address and its words in a log are a leak: production with no server or provider refuses instead."""
    user = people.user(Role.VOLUNTEER, email="never.logged@example.org")
    user.phone, user.notify_by_text = "07700 900999", True
    notifications.tell_user(session, user, NotificationEvent.VETTING_DECISION, "decided", TUESDAY_TEN)
    app.config["ENV"] = "production"
    try:
        deliver(app)
    finally:
        app.config["ENV"] = "development"
    problems = {n.channel: (n.status, n.problem) for n in rows(session)}
    assert problems == {
        "email": (NotificationStatus.RETRYING, "No mail server is configured (PEERMATCH_MAIL_SERVER)"),
        "text": (NotificationStatus.FAILED, "No text provider is configured (PEERMATCH_NOTIFY_API_KEY)")}
    assert "never.logged@example.org" not in caplog.text and "07700 900999" not in caplog.text
