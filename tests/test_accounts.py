"""Registering, signing in and out, and who may see which page."""

from __future__ import annotations

from typing import Any

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from argon2 import extract_parameters

from support import TEST_PASSWORD, TEST_TOTP_SECRET, code_for, error_messages
from peermatch import clock
from peermatch.models import AuditAction, AuditEvent, Role, User


def register_parent(client: Any, **overrides: str) -> Any:
    data = {"display_name": "Jo", "email": "Jo.Parent@Example.org", "password": "a long enough pass",
            "confirm_password": "a long enough pass", **overrides}
    return client.submit("/register", data)


def test_a_parent_registers_confirms_from_the_email_and_goes_straight_on_to_asking(
        client: Any, session: Any, inbox: Any) -> None:
    response = register_parent(client)
    assert response.headers["Location"] == "/register/check-your-email"
    assert session.scalar(sa.select(User).where(User.email == "jo.parent@example.org")) is None  # not yet
    assert client.submit("/sign-in", {"email": "jo.parent@example.org", "password": "a long enough pass"}
                         ).status_code == 200
    link = finish_link(inbox)
    assert client.get(link).headers["Location"] == "/ask/"
    user = session.scalar(sa.select(User).where(User.email == "jo.parent@example.org"))
    assert user.role == Role.PARENT and user.display_name == "Jo"
    home = client.get("/your-requests/")
    assert "You have not asked for support yet" in home.get_data(as_text=True)
    used = client.get(link)
    assert used.status_code == 400 and "already been used" in used.get_data(as_text=True)


def finish_link(inbox: Any) -> str:
    import re

    [message] = inbox.messages
    assert message["Subject"] == "A message from PeerMatch"
    return re.search(r"http://localhost(/register/finish/\S+)", message.get_content()).group(1)


def test_registering_never_says_whether_an_address_has_an_account(client: Any, people: Any, inbox: Any) -> None:
    people.user(Role.PARENT, email="taken@example.org", name="Robin")
    taken = register_parent(client, email="TAKEN@example.org")
    new = register_parent(client, email="new.parent@example.org")
    assert (taken.status_code, taken.headers["Location"]) == (new.status_code, new.headers["Location"])
    to_owner, to_new = inbox.messages
    assert to_owner["To"] == "taken@example.org" and "you already have one" in to_owner.get_content()
    assert "/forgotten-password" in to_owner.get_content() and "/register/finish/" not in to_owner.get_content()
    assert to_new["To"] == "new.parent@example.org" and "/register/finish/" in to_new.get_content()


def test_a_registration_link_works_for_24_hours(client: Any, inbox: Any) -> None:
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        register_parent(client)
        link = finish_link(inbox)
        traveller.move_to(start + timedelta(hours=24, minutes=1))
        late = client.get(link)
    assert late.status_code == 400 and "This link has expired. Register again" in late.get_data(as_text=True)


def test_passwords_are_hashed_with_argon2id_never_stored(client: Any, session: Any, inbox: Any) -> None:
    register_parent(client)
    client.get(finish_link(inbox))
    user = session.scalar(sa.select(User).where(User.email == "jo.parent@example.org"))
    assert "a long enough pass" not in user.password_hash
    parameters = extract_parameters(user.password_hash)
    assert parameters.type.name == "ID" and parameters.memory_cost >= 19 * 1024 and parameters.time_cost >= 2


def test_a_volunteer_applicant_registers_and_sees_what_happens_next(client: Any, session: Any, inbox: Any) -> None:
    response = client.submit("/volunteer/register", {
        "display_name": "Alex", "email": "alex@example.org", "password": "a long enough pass",
        "confirm_password": "a long enough pass"})
    assert response.headers["Location"] == "/register/check-your-email"
    assert client.get(finish_link(inbox)).headers["Location"] == "/volunteer/"
    assert "Your application is not finished yet" in client.get("/volunteer/").get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"display_name": ""}, "Enter a name we can call you"),
        ({"email": ""}, "Enter your email address"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format, like name@example.com"),
        ({"password": "short", "confirm_password": "short"}, "Password must be 10 characters or more"),
        ({"confirm_password": "something else entirely"}, "Passwords must match"),
    ],
)
def test_registration_mistakes_get_specific_messages_and_keep_answers(client: Any, overrides: dict[str, str],
                                                                      message: str) -> None:
    response = register_parent(client, **overrides)
    assert response.status_code == 200
    assert message in error_messages(response)
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "<title>Error:" in html
    if overrides.get("display_name") != "":
        assert 'value="Jo"' in html


def test_each_role_lands_on_its_own_home_page(sign_in_as: Any) -> None:
    for role, home in [(Role.PARENT, "/your-requests/"), (Role.VOLUNTEER, "/volunteer/"),
                       (Role.ORGANISER, "/organiser/"), (Role.ADMIN, "/admin/")]:
        browser, _ = sign_in_as(role)
        assert browser.get("/home").headers["Location"] == home
        assert browser.get(home).status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client: Any, people: Any,
                                                                          session: Any) -> None:
    user = people.user(Role.PARENT)
    response = client.submit("/sign-in", {"email": user.email, "password": "not the password"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in error_messages(response)
    unknown = client.submit("/sign-in", {"email": "nobody@example.org", "password": "not the password"})
    assert error_messages(unknown) == error_messages(response)
    assert client.get("/your-requests/").status_code == 302
    failures = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.SIGN_IN_FAILED)).all()
    assert [f.subject_id for f in failures] == [str(user.id)]


def test_sign_in_ignores_email_case(client: Any, people: Any, session: Any) -> None:
    user = people.user(Role.PARENT, email="case@example.org")
    response = client.submit("/sign-in", {"email": "Case@Example.ORG", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/your-requests/"
    session.refresh(user)
    assert user.last_sign_in_dt is not None


def test_signing_out_ends_the_session(sign_in_as: Any) -> None:
    browser, _ = sign_in_as(Role.PARENT)
    response = browser.submit("/sign-out", {}, form_url="/sign-out")
    assert response.headers["Location"] == "/sign-in"
    assert browser.get("/your-requests/").status_code == 302


def test_a_form_without_its_csrf_token_is_rejected(client: Any, people: Any) -> None:
    user = people.user(Role.PARENT)
    response = client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    forged = client.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert client.get("/your-requests/").status_code == 302


@pytest.mark.parametrize(
    "role, forbidden",
    [(Role.PARENT, "/volunteer/"), (Role.PARENT, "/organiser/"), (Role.PARENT, "/admin/"),
     (Role.VOLUNTEER, "/your-requests/"), (Role.VOLUNTEER, "/organiser/"), (Role.ORGANISER, "/admin/"),
     (Role.ORGANISER, "/admin/organisers"), (Role.ADMIN, "/organiser/"), (Role.ADMIN, "/your-requests/")],
)
def test_a_role_cannot_open_another_roles_pages(sign_in_as: Any, role: Role, forbidden: str) -> None:
    browser, _ = sign_in_as(role)
    response = browser.get(forbidden)
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["/your-requests/", "/volunteer/", "/organiser/", "/admin/", "/home"])
def test_anonymous_visitors_are_sent_to_sign_in_and_brought_back(client: Any, people: Any, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_next_brings_a_person_back_to_the_page_they_wanted(client: Any, people: Any) -> None:
    user = people.user(Role.ADMIN)
    response = client.submit("/sign-in?next=/admin/organisers", {"email": user.email, "password": TEST_PASSWORD},
                             form_url="/sign-in")
    assert response.headers["Location"] == "/sign-in/code"  # staff: the code first, and then on to the page
    response = client.submit("/sign-in/code", {"code": code_for(TEST_TOTP_SECRET)})
    assert response.headers["Location"] == "/admin/organisers"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
                                    "http://localhost.evil.example/"])
def test_next_never_leaves_the_site(client: Any, people: Any, target: str) -> None:
    user = people.user(Role.PARENT)
    response = client.submit(f"/sign-in?next={target}", {"email": user.email, "password": TEST_PASSWORD},
                             form_url="/sign-in")
    assert response.headers["Location"] == "/your-requests/"


def test_a_closed_account_cannot_sign_in(client: Any, people: Any, session: Any) -> None:
    user = people.user(Role.VOLUNTEER)
    user.active = False
    session.flush()
    response = client.submit("/sign-in", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "This account has been closed" in response.get_data(as_text=True)


def test_too_many_sign_in_attempts_are_slowed_down(app: Any, client: Any) -> None:
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    # One address for this test alone (the request never leaves the process).
    client.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    try:
        statuses = [client.submit("/sign-in", {"email": "x@example.org", "password": "wrong password"}).status_code
                    for _ in range(4)]
        page = client.submit("/sign-in", {"email": "x@example.org", "password": "wrong password"})
    finally:
        app.config["SIGN_IN_RATE_LIMIT"] = "10000 per minute"
    assert statuses == [200, 200, 200, 429]
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)


def test_a_session_stays_alive_while_used_and_ends_when_left_idle(sign_in_as: Any) -> None:
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        browser, _ = sign_in_as(Role.PARENT)
        for minutes in (50, 100):  # each request renews the hour
            traveller.move_to(start + timedelta(minutes=minutes))
            assert browser.get("/your-requests/").status_code == 200
        traveller.move_to(start + timedelta(minutes=100 + 61))  # left alone for over an hour: signed out
        assert browser.get("/your-requests/").status_code == 302
