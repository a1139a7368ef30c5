"""Sessions an attacker cannot ride: a copied cookie is worth nothing once the person has signed out.

A parent may share a phone with the person they fear. Every test here copies a cookie the
way someone holding the phone could, then checks what that copy still opens.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask

from support import TEST_PASSWORD, FormClient, make_config
from peermatch import clock, create_app
from peermatch.models import Role, SignInSession, User
from peermatch.services import accounts

SIGNED_IN_PAGES = {Role.PARENT: "/your-requests/", Role.VOLUNTEER: "/volunteer/", Role.ORGANISER: "/organiser/",
                   Role.ADMIN: "/admin/"}


def copy_of(app: Flask, browser: FormClient, address: str = "127.0.0.1") -> FormClient:
    """Another client holding the same cookie, from ``address``."""
    stolen: FormClient = app.test_client()  # type: ignore[assignment]
    stolen.set_cookie("session", browser.get_cookie("session").value)
    stolen.environ_base["REMOTE_ADDR"] = address
    return stolen


def signed_in(browser: FormClient, role: Role = Role.PARENT) -> bool:
    response = browser.get(SIGNED_IN_PAGES[role])
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in"), response.status
    return False


def test_a_cookie_copied_before_signing_out_opens_nothing_after_it(app: Flask, sign_in_as: Any) -> None:
    browser, _ = sign_in_as(Role.PARENT)
    stolen = copy_of(app, browser)
    assert signed_in(stolen)  # the copy works while the parent is signed in
    response = browser.submit("/sign-out", {}, form_url="/sign-out")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert '"storage"' in response.headers["Clear-Site-Data"]
    assert not signed_in(stolen)
    assert not signed_in(browser)
    assert "You have signed out" in browser.get("/sign-in").get_data(as_text=True)


def test_a_cookie_used_from_another_address_is_signed_out(app: Flask, sign_in_as: Any) -> None:
    browser, _ = sign_in_as(Role.PARENT)
    assert not signed_in(copy_of(app, browser, address="198.51.100.7"))


def test_the_quick_exit_and_a_new_password_end_every_session_of_the_person(
        app: Flask, sign_in_as: Any, session: Any) -> None:
    phone, parent = sign_in_as(Role.PARENT)
    laptop, _ = sign_in_as(Role.PARENT, parent)
    phone.get("/exit")
    assert not signed_in(laptop)

    phone, _ = sign_in_as(Role.PARENT, parent)
    laptop, _ = sign_in_as(Role.PARENT, parent)
    accounts.set_password(session, session.get(User, parent.id), "another long password", clock.now())
    session.commit()
    assert not signed_in(phone) and not signed_in(laptop)
    assert session.scalar(sa.select(sa.func.count()).select_from(SignInSession)
                          .where(SignInSession.user_id == parent.id)) == 0


@pytest.mark.parametrize("role, hours", [(Role.ORGANISER, 12), (Role.ADMIN, 12), (Role.PARENT, 24),
                                         (Role.VOLUNTEER, 24)])
def test_a_busy_session_still_ends_at_its_absolute_lifetime(sign_in_as: Any, role: Role, hours: int) -> None:
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        browser, _ = sign_in_as(role)
        minutes = 0
        while minutes + 50 < hours * 60:  # used every 50 minutes: never idle for an hour
            minutes += 50
            traveller.move_to(start + timedelta(minutes=minutes))
            assert signed_in(browser, role), minutes
        traveller.move_to(start + timedelta(hours=hours, seconds=1))
        assert not signed_in(browser, role)


def test_signing_in_starts_a_new_session_with_a_new_csrf_secret(app: Flask, people: Any) -> None:
    """A value planted before sign-in (session fixation) is worth nothing after it."""
    user = people.user(Role.PARENT)
    browser: FormClient = app.test_client()  # type: ignore[assignment]
    token_before = browser.csrf_token("/sign-in")
    planted = browser.get_cookie("session").value
    browser.submit("/sign-in", {"email": user.email, "password": TEST_PASSWORD})
    assert browser.get_cookie("session").value != planted
    assert browser.post("/sign-out", data={"csrf_token": token_before}).status_code == 400  # the old secret is gone
    assert signed_in(browser)
    fixed: FormClient = app.test_client()  # type: ignore[assignment]
    fixed.set_cookie("session", planted)
    assert not signed_in(fixed)


def test_the_cookie_carries_only_a_random_value_and_the_database_only_its_hash(
        sign_in_as: Any, session: Any) -> None:
    browser, parent = sign_in_as(Role.PARENT)
    value = browser.get_cookie("session").value
    assert len(value) >= 43 and "." not in value and str(parent.id) not in value
    row = session.scalars(sa.select(SignInSession).where(SignInSession.user_id == parent.id)).one()
    assert row.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in row.data


def test_static_files_neither_read_nor_renew_a_session(sign_in_as: Any) -> None:
    browser, _ = sign_in_as(Role.PARENT)
    response = browser.get("/static/app.css")
    response.close()
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def production_app(tmp_path: Path, db_url: str) -> Flask:
    app = create_app({**make_config(db_url, tmp_path), "TESTING": False, "ENV": "production",
                      "REDIS_URL": "redis://127.0.0.1:6379/13"})
    app.test_client_class = FormClient
    return app


def test_in_production_the_cookie_is_host_only_secure_and_https_is_required(tmp_path: Path, db_url: str) -> None:
    app = production_app(tmp_path, db_url)
    client = app.test_client()
    response = client.get("/sign-in", base_url="https://peermatch.example.org")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain=" not in cookie and "Expires=" not in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    with app.app_context():
        from peermatch.extensions import db

        db.session.execute(sa.delete(SignInSession).where(SignInSession.user_id.is_(None)))
        db.session.commit()
        db.engine.dispose()


def test_sessions_that_can_no_longer_be_used_are_purged(app: Flask, sign_in_as: Any, session: Any) -> None:
    from peermatch import sessions

    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        browser, parent = sign_in_as(Role.PARENT)
        traveller.move_to(start + timedelta(minutes=30))
        assert sessions.purge_expired(session, app, clock.now()) == 0
        traveller.move_to(start + timedelta(minutes=61))
        assert sessions.purge_expired(session, app, clock.now()) >= 1
        assert session.scalar(sa.select(sa.func.count()).select_from(SignInSession)
                              .where(SignInSession.user_id == parent.id)) == 0
