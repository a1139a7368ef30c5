"""Guessing passwords: stopped per address and per account, behind a proxy too, never locking a person out."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import time_machine
from flask import Flask

from support import TEST_PASSWORD, FormClient, make_config
from peermatch import clock, create_app
from peermatch.extensions import db
from peermatch.models import Role
from peermatch.web.auth.attempts import FREE_FAILURES, LONGEST_WAIT


def attempt(app: Flask, email: str, password: str, address: str) -> int:
    client: FormClient = app.test_client()  # type: ignore[assignment]
    client.environ_base["REMOTE_ADDR"] = address
    return client.submit("/sign-in", {"email": email, "password": password}).status_code


def test_guessing_one_account_from_one_address_stops_that_address_only(app: Flask, people: Any) -> None:
    parent = people.user(Role.PARENT)
    statuses = [attempt(app, parent.email, "not the password", "203.0.113.5") for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert attempt(app, parent.email, TEST_PASSWORD, "203.0.113.5") == 429  # even the right password, from there
    assert attempt(app, parent.email, TEST_PASSWORD, "198.51.100.20") == 302  # the parent, at home


def test_guessing_from_many_addresses_slows_the_account_but_never_locks_the_person_out(
        app: Flask, people: Any) -> None:
    parent = people.user(Role.PARENT)
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        burst = Counter(attempt(app, parent.email, "not the password", f"203.0.113.{n}") for n in range(1, 51))
        assert burst == {200: FREE_FAILURES + 1, 429: 50 - FREE_FAILURES - 1}  # 11 guesses checked, not 50
        client: FormClient = app.test_client()  # type: ignore[assignment]
        client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
        refused = client.submit("/sign-in", {"email": parent.email, "password": TEST_PASSWORD})
        assert refused.status_code == 429
        assert "too many attempts to sign in to this account. Wait 2 seconds" in refused.get_data(as_text=True)
        traveller.move_to(start + timedelta(seconds=LONGEST_WAIT + 1))  # the longest the parent ever waits
        signed_in = client.submit("/sign-in", {"email": parent.email, "password": TEST_PASSWORD})
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)


def test_the_limits_behave_the_same_for_an_address_nobody_has(app: Flask, people: Any) -> None:
    parent = people.user(Role.PARENT)

    def statuses(email: str, prefix: str) -> list[int]:
        return [attempt(app, email, "not the password", f"{prefix}{n % 3}") for n in range(20)]

    with time_machine.travel(clock.now(), tick=False):
        assert statuses(parent.email, "203.0.113.") == statuses("nobody-has-this@example.org", "198.51.100.")


def behind_a_proxy(tmp_path: Path, db_url: str, proxies: int) -> Flask:
    app = create_app(make_config(db_url, tmp_path, PROXY_COUNT=proxies, SIGN_IN_RATE_LIMIT="3 per minute"))
    app.test_client_class = FormClient
    return app


def forget_sessions(app: Flask) -> None:
    """These apps commit for real: take away the visitors' sessions they made."""
    import sqlalchemy as sa

    from peermatch.models import SignInSession

    with app.app_context():
        db.session.execute(sa.delete(SignInSession).where(SignInSession.user_id.is_(None)))
        db.session.commit()
        db.engine.dispose()


def attempts_through_the_proxy(app: Flask, client_address: str) -> list[int]:
    client: FormClient = app.test_client()  # type: ignore[assignment]
    client.environ_base.update(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_address)
    return [client.submit("/sign-in", {"email": f"guess{n}@example.org", "password": "wrong"}).status_code
            for n in range(4)]


def test_behind_the_proxy_each_client_is_limited_by_its_own_address(tmp_path: Path, db_url: str) -> None:
    app = behind_a_proxy(tmp_path, db_url, proxies=1)
    try:
        assert attempts_through_the_proxy(app, "203.0.113.9") == [200, 200, 200, 429]
        assert attempts_through_the_proxy(app, "198.51.100.4") == [200, 200, 200, 429]  # not blocked by the first
    finally:
        forget_sessions(app)


def test_without_a_proxy_a_forwarded_for_header_changes_nothing(tmp_path: Path, db_url: str) -> None:
    app = behind_a_proxy(tmp_path, db_url, proxies=0)
    try:
        assert attempts_through_the_proxy(app, "203.0.113.9") == [200, 200, 200, 429]
        assert attempts_through_the_proxy(app, "198.51.100.4") == [429] * 4  # one address, whatever it claims
    finally:
        forget_sessions(app)
