"""Passwords a parent can live with: hard to guess, easy to replace when forgotten, changed with the old one."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from support import TEST_PASSWORD, error_messages
from peermatch import clock
from peermatch.models import PendingRegistration, Role

NEW_PASSWORD = "kettle on the windowsill"


def register(client: Any, password: str) -> Any:
    return client.submit("/register", {"display_name": "Jo", "email": "jo@example.org", "password": password,
                                       "confirm_password": password})


@pytest.mark.parametrize("password, reason", [
    ("password123", "This is a very common password"),
    ("1234567890", "This is a top-100 common password"),
    ("qwertyuiop", "This is a top-100 common password"),
    ("jojojojojo", "Repeats like"),
    ("abcdefghij", "Sequences like"),
])
def test_common_and_guessable_passwords_are_refused_with_the_reason(client: Any, session: Any, password: str,
                                                                    reason: str) -> None:
    response = register(client, password)
    assert response.status_code == 200
    [message] = [m for m in error_messages(response) if "harder to guess" in m]
    assert reason in message
    assert session.scalar(sa.select(sa.func.count()).select_from(PendingRegistration)) == 0


def test_a_long_passphrase_without_symbols_or_capitals_is_welcome(client: Any) -> None:
    assert register(client, "tea at four on fridays").headers["Location"] == "/register/check-your-email"


def test_passwords_may_be_as_long_as_256_characters_and_no_longer(client: Any) -> None:
    long_one = ("a quiet river under the old stone bridge " * 7)[:256]
    too_long = register(client, long_one + "x")
    assert "Password must be 256 characters or fewer" in error_messages(too_long)
    assert register(client, long_one).headers["Location"] == "/register/check-your-email"


def link_in(inbox: Any, path: str) -> str:
    [message] = inbox.messages
    assert message["Subject"] == "A message from PeerMatch"
    return re.search(rf"http://localhost({path}/\S+)", message.get_content()).group(1)


def test_a_parent_who_forgot_their_password_chooses_a_new_one_and_every_session_ends(
        app: Any, sign_in_as: Any, client: Any, inbox: Any) -> None:
    phone, parent = sign_in_as(Role.PARENT)
    asked = client.submit("/forgotten-password", {"email": parent.email.upper()})
    assert asked.headers["Location"] == "/forgotten-password/sent"
    link = link_in(inbox, "/reset-password")
    body = inbox.messages[0].get_content()
    assert "social care" not in body.lower() and parent.email not in body

    reset = client.submit(link, {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert reset.headers["Location"] == "/sign-in"
    assert "Your password has been changed" in client.get("/sign-in").get_data(as_text=True)
    assert phone.get("/your-requests/").status_code == 302  # the other session ended
    assert client.submit("/sign-in", {"email": parent.email, "password": TEST_PASSWORD}).status_code == 200
    assert client.submit("/sign-in", {"email": parent.email, "password": NEW_PASSWORD}).status_code == 302
    used_again = client.get(link)
    assert used_again.status_code == 400 and "already been used" in used_again.get_data(as_text=True)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
        client: Any, people: Any, inbox: Any) -> None:
    parent = people.user(Role.PARENT)
    known = client.submit("/forgotten-password", {"email": parent.email})
    unknown = client.submit("/forgotten-password", {"email": "nobody-has-this@example.org"})
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == parent.email


def test_a_reset_link_works_for_an_hour_only(client: Any, people: Any, inbox: Any) -> None:
    parent = people.user(Role.PARENT)
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        client.submit("/forgotten-password", {"email": parent.email})
        link = link_in(inbox, "/reset-password")
        traveller.move_to(start + timedelta(minutes=61))
        late = client.get(link)
    assert late.status_code == 400 and "This link has expired. Ask for a new one" in late.get_data(as_text=True)


def test_a_signed_in_person_changes_their_password_with_the_current_one(sign_in_as: Any) -> None:
    laptop, organiser = sign_in_as(Role.ORGANISER)
    phone, _ = sign_in_as(Role.ORGANISER, organiser)
    wrong = laptop.submit("/account/password", {"current_password": "not it", "password": NEW_PASSWORD,
                                                "confirm_password": NEW_PASSWORD})
    assert "Your current password is not right" in error_messages(wrong)
    changed = laptop.submit("/account/password", {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD,
                                                  "confirm_password": NEW_PASSWORD})
    assert changed.headers["Location"] == "/organiser/"
    assert "signed out everywhere else" in laptop.get("/organiser/").get_data(as_text=True)
    assert phone.get("/organiser/").status_code == 302
