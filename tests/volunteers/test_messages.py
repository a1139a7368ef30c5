"""Messages inside PeerMatch: the parent and their advocate write to each other, either can ask the organisers for
help, the organiser reads the thread on purpose, and the thread closes when the support ends."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from peermatch.errors import DomainError, NotFound
from peermatch.models import (
    AuditAction,
    AuditEvent,
    Message,
    MessageSender,
    Notification,
    NotificationEvent,
    NotificationStatus,
    Role,
    User,
)
from peermatch.services import matches, messages
from support import error_messages
from volunteers.conftest import NOW, PARENT_NAME


@pytest.fixture()
def conversation(advocate_client: Any, volunteering: Any, sign_in_as: Any, session: Any) -> Any:
    """An advocate introduced to a parent, both signed in."""
    advocate, advocate_user, profile = advocate_client
    match = volunteering.introduced(advocate_user, profile)
    parent_user = session.get(User, match.request.parent_id)
    parent, _ = sign_in_as(Role.PARENT, parent_user)

    class Conversation:
        pass

    c = Conversation()
    c.advocate, c.advocate_user, c.parent, c.parent_user, c.match = advocate, advocate_user, parent, parent_user, match
    c.request_url = f"/your-requests/{match.request_id}"
    c.match_url = f"/volunteer/matches/{match.id}"
    return c


def thread(session: Any, match: Any) -> list[Message]:
    session.expire_all()
    return list(session.scalars(sa.select(Message).where(Message.match_id == match.id).order_by(Message.sent_dt)))


def told(session: Any, event: str) -> list[Notification]:
    return list(session.scalars(sa.select(Notification).where(Notification.event == event)))


def test_the_parent_and_the_advocate_write_to_each_other_and_each_is_told_safely(conversation: Any,
                                                                                 session: Any) -> None:
    c = conversation
    page = c.parent.get(c.request_url).get_data(as_text=True)
    assert "Messages with your advocate" in page and "No messages yet" in page and "Write to Robin" in page
    assert "<legend" in page and "Do you need help from the organisers?" in page

    sent = c.parent.submit(f"{c.request_url}/messages", {"body": "Hello Robin,\r\nthe meeting is <b>Friday</b>."},
                           form_url=c.request_url)
    assert sent.headers["Location"] == f"{c.request_url}#messages", error_messages(sent)
    [first] = thread(session, c.match)
    assert (first.sender, first.author_id, first.body, first.asks_for_help) == (
        MessageSender.PARENT, c.parent_user.id, "Hello Robin,\nthe meeting is <b>Friday</b>.", False)
    # The advocate is told there is news, by their own settings (email by default).
    [to_advocate] = told(session, NotificationEvent.NEW_MESSAGE)
    assert to_advocate.recipient_id == c.advocate_user.id and not to_advocate.to_parent

    # Shown escaped, each line on its own.
    seen = c.advocate.get(c.match_url).get_data(as_text=True)
    assert "Hello Robin,<br>the meeting is &lt;b&gt;Friday&lt;/b&gt;." in seen and "<b>Friday</b>" not in seen
    assert f"{PARENT_NAME} <span" in seen and f"Write to {PARENT_NAME}" in seen

    reply = c.advocate.submit(f"{c.match_url}/messages", {"body": "Thank you, I will be there."}, form_url=c.match_url)
    assert reply.headers["Location"] == f"{c.match_url}#messages"
    assert [m.sender for m in thread(session, c.match)] == [MessageSender.PARENT, MessageSender.ADVOCATE]
    # The parent is told only by what they allowed (email here, not text), at their next safe time, and
    # only once: the introduction's news still waits for that time and says the same words.
    to_parent = session.scalars(sa.select(Notification).where(Notification.to_parent,
                                                              Notification.request_id == c.match.request_id)).all()
    assert [(n.channel, n.status) for n in to_parent] == [("email", NotificationStatus.WAITING)]
    assert to_parent[0].not_before_dt >= NOW
    page = c.parent.get(c.request_url).get_data(as_text=True)
    assert "Thank you, I will be there." in page and "You <span" in page and "Robin <span" in page

    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.MESSAGE_SENT)).all()
    assert len(events) == 2 and all("Friday" not in str(e.details) for e in events)


def test_either_side_can_ask_the_organisers_for_help_and_the_organiser_reads_the_thread(
        conversation: Any, session: Any, sign_in_as: Any, people: Any) -> None:
    c = conversation
    c.advocate.submit(f"{c.match_url}/messages", {"body": "I am worried about the report", "help": ["yes"]},
                      form_url=c.match_url)
    [message] = thread(session, c.match)
    assert message.asks_for_help
    organisers = told(session, NotificationEvent.HELP_ASKED)
    assert organisers and {n.request_id for n in organisers} == {c.match.request_id}
    assert all(session.get(User, n.recipient_id).organisation_id == c.match.request.organisation_id
               for n in organisers)
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.HELP_ASKED)) is not None
    assert "Asked the organisers for help" in c.parent.get(c.request_url).get_data(as_text=True)

    organiser, organiser_user = sign_in_as(Role.ORGANISER, people.user(Role.ORGANISER, c.match.volunteer.organisation))
    match_page = organiser.get(f"/organiser/matches/{c.match.id}").get_data(as_text=True)
    assert "Help asked for" in match_page and "written 1 message to each other" in match_page
    assert "I am worried" not in match_page  # read only on purpose, on its own page
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.MESSAGES_READ)) is None
    read = organiser.get(f"/organiser/matches/{c.match.id}/messages").get_data(as_text=True)
    assert "I am worried about the report" in read and "Robin (advocate)" in read
    [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.MESSAGES_READ))
    assert event.actor_id == organiser_user.id and event.subject_id == str(c.match.id)

    elsewhere, _ = sign_in_as(Role.ORGANISER, people.user(Role.ORGANISER, people.organisation(county="")))
    assert elsewhere.get(f"/organiser/matches/{c.match.id}/messages").status_code == 404


def test_the_parent_asks_for_help_too(conversation: Any, session: Any) -> None:
    c = conversation
    c.parent.submit(f"{c.request_url}/messages", {"body": "Can someone call me?", "help": ["yes"]},
                    form_url=c.request_url)
    [message] = thread(session, c.match)
    assert message.asks_for_help and message.sender == MessageSender.PARENT
    assert told(session, NotificationEvent.HELP_ASKED)


@pytest.mark.parametrize("body, message", [
    ("", "Enter your message"),
    ("   \r\n ", "Enter your message"),
    ("x" * 2001, "Your message must be 2000 characters or fewer"),
])
def test_a_message_must_have_words_and_not_too_many(conversation: Any, session: Any, body: str, message: str) -> None:
    c = conversation
    for client, url, page in ((c.parent, f"{c.request_url}/messages", c.request_url),
                              (c.advocate, f"{c.match_url}/messages", c.match_url)):
        response = client.submit(url, {"body": body}, form_url=page)
        assert response.status_code == 200 and error_messages(response) == [message]
        assert "<title>Error: " in response.get_data(as_text=True)
    assert thread(session, c.match) == []
    assert told(session, NotificationEvent.NEW_MESSAGE) == []


def test_exactly_2000_characters_is_fine(conversation: Any, session: Any) -> None:
    c = conversation
    c.parent.submit(f"{c.request_url}/messages", {"body": "y" * 2000}, form_url=c.request_url)
    assert len(thread(session, c.match)[0].body) == 2000


def test_the_thread_closes_when_the_support_ends(conversation: Any, session: Any) -> None:
    c = conversation
    c.parent.submit(f"{c.request_url}/messages", {"body": "Thank you for everything"}, form_url=c.request_url)
    token = c.advocate.csrf_token("/sign-out")
    parent_token = c.parent.csrf_token("/sign-out")
    matches.end_support(session, c.match, c.advocate_user, NOW, outcome="supported_through_meeting", outcome_note="",
                        rating=5, comments="")
    for client, url in ((c.parent, c.request_url), (c.advocate, c.match_url)):
        page = client.get(url).get_data(as_text=True)
        assert "Thank you for everything" in page and "This conversation closed when the support ended" in page
        assert "Send message" not in page
    refused = c.advocate.post(f"{c.match_url}/messages", data={"body": "One more thing", "csrf_token": token})
    assert refused.headers["Location"] == c.match_url
    assert "This conversation has closed because the support has ended" in c.advocate.get(c.match_url).get_data(
        as_text=True)
    refused = c.parent.post(f"{c.request_url}/messages", data={"body": "One more", "csrf_token": parent_token})
    assert refused.headers["Location"] == c.request_url
    assert [m.body for m in thread(session, c.match)] == ["Thank you for everything"]
    with pytest.raises(DomainError, match="closed"):
        messages.send(session, c.match, c.parent_user, MessageSender.PARENT, "Still there?", False, NOW)


def test_before_the_introduction_there_is_no_thread(advocate_client: Any, volunteering: Any, session: Any) -> None:
    from peermatch.services import offers

    advocate, user, profile = advocate_client
    match = offers.accept(session, volunteering.offer(profile), user, NOW)
    page = advocate.get(f"/volunteer/matches/{match.id}").get_data(as_text=True)
    assert "Messages with the parent" not in page
    token = advocate.csrf_token("/sign-out")
    refused = advocate.post(f"/volunteer/matches/{match.id}/messages", data={"body": "Hi", "csrf_token": token})
    assert refused.status_code == 302
    assert "once an organiser has introduced you" in advocate.get(f"/volunteer/matches/{match.id}").get_data(
        as_text=True)
    assert thread(session, match) == []


def test_nobody_else_can_write_in_the_thread(conversation: Any, session: Any, sign_in_as: Any,
                                             volunteering: Any) -> None:
    c = conversation
    other_user, _ = volunteering.advocate(name="Sky", organisation=c.match.volunteer.organisation)
    other, _ = sign_in_as(Role.VOLUNTEER, other_user)
    token = other.csrf_token("/sign-out")
    assert other.post(f"{c.match_url}/messages", data={"body": "Hello", "csrf_token": token}).status_code == 404
    assert other.get(c.match_url).status_code == 404
    stranger, _ = sign_in_as(Role.PARENT)
    token = stranger.csrf_token("/sign-out")
    assert stranger.post(f"{c.request_url}/messages", data={"body": "Hello", "csrf_token": token}).status_code == 404
    assert thread(session, c.match) == []
    # The service checks the author too, whatever a page did.
    with pytest.raises(NotFound):
        messages.send(session, c.match, other_user, MessageSender.ADVOCATE, "Hello", False, NOW)
    with pytest.raises(NotFound):
        messages.send(session, c.match, c.advocate_user, MessageSender.PARENT, "Hello", False, NOW)
