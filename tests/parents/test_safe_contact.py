"""When a message is safe, and changing how and when it is safe to be contacted after sending the request."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from journey import answer_everything, introduce_advocate
from support import error_messages
from peermatch import clock, jobs
from peermatch.errors import DomainError
from peermatch.matching.week import mask_from_slots
from peermatch.models import (
    AuditAction,
    AuditEvent,
    Notification,
    NotificationChannel,
    NotificationEvent,
    Role,
    SupportRequest,
)
from peermatch.services import drafts, notifications

WEEKDAY_EVENINGS = mask_from_slots((day, 2) for day in range(5))
SATURDAY_MORNING = mask_from_slots([(5, 0)])
CHANGED = {"name_to_ask_for": "Jo", "channels": ["email"], "phone": "", "email": "new.safe@example.org",
           "voicemail_ok": "no", "safe_times": "Saturday mornings", "message_times": ["5-0"]}


def draft_of(session: Any, user: Any) -> SupportRequest:
    session.expire_all()
    return drafts.existing_draft(session, user)


def sent_request(browser: Any, session: Any, user: Any) -> SupportRequest:
    answer_everything(browser)
    assert browser.submit("/ask/check-answers", {}).headers["Location"] == "/ask/sent"
    session.expire_all()
    return session.scalars(sa.select(SupportRequest).where(SupportRequest.parent_id == user.id)).one()


def test_a_parent_who_allows_email_or_text_is_asked_when_a_message_is_safe(parent: Any, session: Any) -> None:
    browser, user = parent
    answer_everything(browser, skip=("message-times", "consent"))
    page = browser.get("/ask/message-times").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">When is it safe for us to send you a message?</h1>" in page
    assert "morning is 8am to 12 noon, afternoon is 12 to 5pm, evening is 5pm to 9pm" in page
    assert "We never send anything at night" in page
    assert "Question 8 of 9" in page  # it follows the contact question
    nothing = browser.submit("/ask/message-times", {})
    assert error_messages(nothing) == ["Select at least one time when it is safe to send you a message"]

    answered = browser.submit("/ask/message-times", {"message_times": ["0-2", "1-2", "2-2", "3-2", "4-2"]})
    assert answered.headers["Location"] == "/ask/consent"
    assert draft_of(session, user).safe_contact.message_times_mask == WEEKDAY_EVENINGS
    assert 'value="3-2" checked' in browser.get("/ask/message-times").get_data(as_text=True)  # kept to change


def test_check_answers_shows_the_message_times_with_a_change_link(parent: Any) -> None:
    browser, _ = parent
    answer_everything(browser)
    page = browser.get("/ask/check-answers").get_data(as_text=True)
    assert "When we may send you a message" in page
    assert "Monday evening, Tuesday evening, Wednesday evening, Thursday evening, Friday evening" in page
    assert 'href="/ask/message-times?change=1"' in page
    changed = browser.submit("/ask/message-times?change=1", {"message_times": ["5-0"]})
    assert changed.headers["Location"] == "/ask/check-answers"
    assert "Saturday morning" in browser.get("/ask/check-answers").get_data(as_text=True)


def test_a_parent_who_allows_only_phone_calls_is_not_asked_about_messages(parent: Any, session: Any) -> None:
    browser, user = parent
    answer_everything(browser, skip=("contact", "consent"))
    response = browser.submit("/ask/contact", {"name_to_ask_for": "Jo", "channels": ["phone"], "phone": "07700 900982",
                                               "voicemail_ok": "no", "safe_times": "Mornings"})
    assert response.headers["Location"] == "/ask/consent"
    draft = draft_of(session, user)
    assert "message-times" not in drafts.missing_steps(draft)
    assert "When we may send you a message" not in browser.get("/ask/check-answers").get_data(as_text=True)


def test_choosing_email_later_from_check_answers_asks_the_message_times_before_checking_again(
        parent: Any, session: Any) -> None:
    browser, user = parent
    answer_everything(browser, skip=("contact",))
    browser.submit("/ask/contact", {"name_to_ask_for": "Jo", "channels": ["phone"], "phone": "07700 900982",
                                    "voicemail_ok": "no", "safe_times": "Mornings"})
    assert drafts.missing_steps(draft_of(session, user)) == []
    response = browser.submit("/ask/contact?change=1", {
        "name_to_ask_for": "Jo", "channels": ["phone", "email"], "phone": "07700 900982",
        "email": "jo.safe@example.org", "voicemail_ok": "no", "safe_times": "Mornings"})
    assert response.headers["Location"] == "/ask/message-times?change=1"
    assert drafts.missing_steps(draft_of(session, user)) == ["message-times"]
    check = browser.get("/ask/check-answers").get_data(as_text=True)
    assert "Send request" not in check and 'href="/ask/message-times"' in check  # a question is unanswered
    browser.submit("/ask/message-times?change=1", {"message_times": ["0-0"]})
    assert browser.submit("/ask/check-answers", {}).headers["Location"] == "/ask/sent"


def test_a_parent_changes_how_it_is_safe_to_contact_them_from_their_request_and_the_next_notification_obeys(
        app: Any, parent: Any, session: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    # Sending wrote "there is news" by text and by email, waiting for a weekday evening.
    waiting = {n.channel: n for n in session.scalars(sa.select(Notification).where(
        Notification.request_id == request.id, Notification.to_parent))}
    assert set(waiting) == {NotificationChannel.TEXT, NotificationChannel.EMAIL}

    page = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    assert f'href="/your-requests/{request.id}/contact"' in page
    form = browser.get(f"/your-requests/{request.id}/contact").get_data(as_text=True)
    assert 'value="Jolene"' in form and 'value="safe.jolene@example.org"' in form and 'value="4-2" checked' in form
    assert "<legend" in form and "How is it safe to contact you?" in form

    saved = browser.submit(f"/your-requests/{request.id}/contact", CHANGED)
    assert saved.headers["Location"] == f"/your-requests/{request.id}", error_messages(saved)
    session.expire_all()
    contact = session.get(SupportRequest, request.id).safe_contact
    assert (contact.name_to_ask_for, contact.email_ok, contact.text_ok, contact.phone, contact.email,
            contact.safe_times, contact.message_times_mask) == (
        "Jo", True, False, None, "new.safe@example.org", "Saturday mornings", SATURDAY_MORNING)
    assert "Your changes have been saved" in browser.get(f"/your-requests/{request.id}").get_data(as_text=True)

    # Audited by the names of what changed, never the values.
    [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.SAFE_CONTACT_CHANGED))
    assert event.subject_id == str(request.id) and event.actor_id == user.id
    assert set(event.details["changed"]) == {"name_to_ask_for", "text_ok", "phone", "email", "safe_times",
                                             "message_times_mask"}
    assert "new.safe@example.org" not in str(event.details) and "Jo" not in event.details["changed"]

    # Delivery reads the answers as they are now: no text any more, the email to the new address and name.
    assert notifications.parent_channels(contact) == [NotificationChannel.EMAIL]
    assert notifications.compose(session, waiting[NotificationChannel.TEXT], "https://peermatch.test") == \
        "The parent no longer allows this way of contacting them"
    words = notifications.compose(session, waiting[NotificationChannel.EMAIL], "https://peermatch.test")
    assert words.address == "new.safe@example.org" and words.body.startswith("Hello Jo,")
    # At the old time (a weekday evening) the worker finds it no longer safe and moves it to the new one.
    email = waiting[NotificationChannel.EMAIL]
    with time_machine.travel(email.not_before_dt, tick=False):
        assert jobs.deliver_one(app, email.id) == "not now"
    session.refresh(email)
    assert clock.local(email.not_before_dt).weekday() == 5 and clock.local(email.not_before_dt).hour == 8
    with time_machine.travel(email.not_before_dt, tick=False):
        assert jobs.deliver_one(app, email.id) == "delivered"
    # Once that has gone, the next news is written by email only, for a Saturday morning.
    notifications.tell_parent(session, contact.request, NotificationEvent.REQUEST_CLOSED, "next", clock.now())
    [following] = session.scalars(sa.select(Notification).where(Notification.idempotency_key.startswith(
        f"{NotificationEvent.REQUEST_CLOSED}:next:")))
    assert following.channel == NotificationChannel.EMAIL
    assert clock.local(following.not_before_dt).weekday() == 5 and 8 <= clock.local(following.not_before_dt).hour < 12


@pytest.mark.parametrize("change, message", [
    ({"channels": ["text"], "phone": ""}, "Enter the phone number it is safe to use"),
    ({"channels": ["email"], "email": ""}, "Enter the email address it is safe to use"),
    ({"channels": ["email"], "message_times": []}, "Select at least one time when it is safe to send you a message"),
    ({"channels": []}, "Select at least one way it is safe to contact you"),
    ({"phone": "call me", "channels": ["text"]}, "Enter a phone number, like 07700 900 982"),
    ({"name_to_ask_for": ""}, "Enter the name we should ask for"),
    ({"message_times": ["9-9"]}, "Select times from the week shown"),
])
def test_a_change_is_checked_like_the_question_and_a_mistake_saves_nothing(
        parent: Any, session: Any, change: dict[str, Any], message: str) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    response = browser.submit(f"/your-requests/{request.id}/contact", {**CHANGED, **change})
    assert response.status_code == 200 and message in error_messages(response)
    assert "<title>Error: Change how and when it is safe to contact you" in response.get_data(as_text=True)
    session.expire_all()
    contact = session.get(SupportRequest, request.id).safe_contact
    assert (contact.name_to_ask_for, contact.text_ok, contact.email, contact.message_times_mask) == (
        "Jolene", True, "safe.jolene@example.org", WEEKDAY_EVENINGS)
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.SAFE_CONTACT_CHANGED)) is None


def test_phone_calls_only_keeps_the_message_times_but_sends_nothing(parent: Any, session: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    saved = browser.submit(f"/your-requests/{request.id}/contact", {
        **CHANGED, "channels": ["phone"], "phone": "07700 900111", "voicemail_ok": "yes", "message_times": []})
    assert saved.status_code == 302, error_messages(saved)
    session.expire_all()
    contact = session.get(SupportRequest, request.id).safe_contact
    assert (contact.phone_ok, contact.voicemail_ok, contact.email, contact.message_times_mask) == (
        True, True, None, WEEKDAY_EVENINGS)
    assert notifications.parent_channels(contact) == []


def test_an_advocate_sees_the_changed_answers_at_once(parent: Any, session: Any, people: Any, sign_in_as: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    match = introduce_advocate(session, request, people, name="Morgan")
    page = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    assert f'href="/your-requests/{request.id}/contact"' in page
    browser.submit(f"/your-requests/{request.id}/contact", CHANGED)
    advocate, _ = sign_in_as(Role.VOLUNTEER, match.volunteer.user)
    seen = advocate.get(f"/volunteer/matches/{match.id}").get_data(as_text=True)
    assert "new.safe@example.org" in seen and "Do not send texts" in seen and "Saturday mornings" in seen


def test_once_the_request_has_finished_the_answers_no_longer_change(parent: Any, session: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    browser.submit(f"/your-requests/{request.id}/cancel", {"confirm": "yes"})
    page = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    assert f'href="/your-requests/{request.id}/contact"' not in page and ">Change<" not in page
    refused = browser.get(f"/your-requests/{request.id}/contact")
    assert refused.headers["Location"] == f"/your-requests/{request.id}"
    token = browser.csrf_token("/sign-out")
    assert browser.post(f"/your-requests/{request.id}/contact", data={**CHANGED, "csrf_token": token}).status_code == 302
    assert "how we contact you can no longer change" in browser.get(f"/your-requests/{request.id}").get_data(
        as_text=True)
    session.expire_all()
    finished = session.get(SupportRequest, request.id)
    assert finished.safe_contact.name_to_ask_for == "Jolene"
    with pytest.raises(DomainError, match="can no longer change"):
        drafts.change_safe_contact(session, finished, user, drafts.SafeContactAnswers(
            "Jo", frozenset({"email"}), "a@example.org", None, "Any time", False), SATURDAY_MORNING,
            finished.updated_dt)


def test_another_parents_request_cannot_be_changed(parent: Any, session: Any, sign_in_as: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    other, _ = sign_in_as(Role.PARENT)
    assert other.get(f"/your-requests/{request.id}/contact").status_code == 404
    token = other.csrf_token("/sign-out")
    assert other.post(f"/your-requests/{request.id}/contact", data={**CHANGED, "csrf_token": token}).status_code == 404
    session.expire_all()
    assert session.get(SupportRequest, request.id).safe_contact.name_to_ask_for == "Jolene"
