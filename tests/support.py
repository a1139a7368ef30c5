"""Helpers shared by the tests: a form-filling client, error messages as a person reads them, SMTP inbox.

Kept out of conftest.py so that test modules (and conftests in sub-folders) can import them by a
name that never clashes.
"""

from __future__ import annotations

import contextvars
import re
from urllib.parse import unquote
from pathlib import Path
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient

from peermatch.passwords import hash_password

TEST_PASSWORD = "correct horse battery staple"
_TEST_PASSWORD_HASH = hash_password(TEST_PASSWORD)  # hashed once: argon2 per fixture user would be slow


# Every person's name the current test has saved (users' names, the names parents ask us to use).
PERSONAL_NAMES: set[str] = set()


def page_heading_and_title(html: str) -> tuple[str | None, str | None]:
    """The text of the page's first ``<h1>`` and of its ``<title>``, as a person reads them."""
    import html as html_module

    def text(fragment: str) -> str:
        return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()

    title = re.search(r"<title>(.*?)</title>", html, re.S)
    heading = re.search(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
    return (text(heading.group(1)) if heading else None), (text(title.group(1)) if title else None)


def check_title(html: str, path: str) -> None:
    """A page's title begins with its heading (after "Error: "), and never names a person."""
    heading, title = page_heading_and_title(html)
    if title is None:
        return
    assert heading is not None, f"{path}: a page with a title has no <h1>"
    assert title.removeprefix("Error: ").startswith(heading), f"{path}: title {title!r} does not begin with {heading!r}"
    for name in PERSONAL_NAMES:
        assert not re.search(rf"\b{re.escape(name)}\b", title), f"{path}: the title {title!r} carries a name"


def check_address(address: str) -> None:
    """No address the service sends anyone to, or is asked for, carries a person's name (history, logs)."""
    for name in PERSONAL_NAMES:
        assert not re.search(rf"\b{re.escape(name)}\b", address), f"the address {address!r} carries a name"


class FormClient(FlaskClient):
    """A test client that fills forms the way a browser does, CSRF token included.

    Every HTML page it receives is checked: its title begins with its heading and
    carries nobody's name (browser history and tab lists show titles); and no address
    it opens or is redirected to carries a name.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Run each request in a fresh context, as a real server would.

        Otherwise Flask reuses the test's app context, and ``g`` (with the signed-in
        user) would leak from one request, or one client, to the next.
        """
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if response.mimetype == "text/html":
            check_title(response.get_data(as_text=True), response.request.path)
        check_address(unquote(response.request.full_path) + " " + unquote(response.headers.get("Location", "")))
        return response

    def csrf_token(self, url: str) -> str:
        page = self.get(url)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
        assert match, f"no CSRF token on {url} (status {page.status_code})"
        return match.group(1)

    def submit(self, url: str, data: dict[str, Any] | None = None, *, form_url: str | None = None,
               **kwargs: Any) -> Any:
        """GET the page with the form (``form_url``, default ``url``), then POST ``data`` to ``url``."""
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf_token(form_url or url)
        return self.post(url, data=payload, **kwargs)


def error_messages(response: Any) -> list[str]:
    """The error messages shown next to fields, as a person reads them."""
    import html as html_module

    html = response.get_data(as_text=True)
    return [html_module.unescape(re.sub(r"\s+", " ", m).strip()) for m in
            re.findall(r'<p id="[^"]*-error" class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>(.*?)</p>', html, re.S)]


def free_port() -> int:
    """A port nothing is listening on, on loopback."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """Messages received by a real SMTP server listening on loopback."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"


# Staff made by the tests' ``people`` have two-factor set up with this key.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_for(secret: str, last_step: int | None = None) -> str:
    """An authenticator app's code for ``secret`` that the service will take now.

    Codes are never accepted twice, so after a sign-in in this 30-second step the next one
    takes the next step's code (accepted one step early).
    """
    import pyotp

    from peermatch import clock

    totp = pyotp.TOTP(secret)
    now = totp.timecode(clock.now())
    step = now if last_step is None or last_step < now else last_step + 1
    assert step <= now + 1, "three sign-ins of one staff account within 30 seconds: use another account"
    return totp.generate_otp(step)


def sign_in_through_the_pages(client: Any, session: Any, email: str, password: str) -> Any:
    """The sign-in page, then for staff the code page (with a code from their key): the last response."""
    import sqlalchemy as sa

    from peermatch.models import User

    response = client.submit("/sign-in", {"email": email, "password": password})
    if response.headers.get("Location") == "/sign-in/code":
        user = session.scalar(sa.select(User).where(User.email == email.lower()))
        session.refresh(user)
        response = client.submit("/sign-in/code", {"code": code_for(user.totp_secret, user.totp_last_step)})
    return response


def sign_in_in_the_browser(page: Any, base_url: str, email: str, password: str, live_app: Any) -> None:
    """The same in Chromium, on a live server (the code read from its committed database)."""
    import sqlalchemy as sa

    from peermatch.extensions import db
    from peermatch.models import User

    page.goto(base_url + "/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    if page.url.endswith("/sign-in/code"):
        with live_app.app_context():
            secret, last_step = db.session.execute(
                sa.select(User.totp_secret, User.totp_last_step).where(User.email == email.lower())).one()
            db.session.remove()
        page.fill("#code", code_for(secret, last_step))
        page.click("button:has-text('Continue')")


@contextmanager
def mail_to_inbox(app: Any) -> Iterator[Inbox]:
    """Point ``app``'s mail at an aiosmtpd server on loopback while inside: a real SMTP conversation."""
    from aiosmtpd.controller import Controller

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    previous = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", controller.port
    try:
        yield handler
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = previous
        controller.stop()


def make_config(url: str, instance: Path, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(instance),
        # Generous enough never to trip in ordinary tests; test_accounts lowers it to prove it works.
        "SIGN_IN_RATE_LIMIT": "10000 per minute",
        "MAIL_SERVER": None,
        "SERVER_NAME": None,
        **extra,
    }


def personal_values_left(session: Any, values: list[str]) -> list[tuple[str, str, str]]:
    """Every (table, column, value) where any of ``values`` still appears in any text column of any table.

    The check that an erasure or a purge leaves nothing of a person behind.
    """
    import json

    import sqlalchemy as sa

    from peermatch.models import Base

    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, (sa.String, sa.Text, sa.JSON)):
                continue
            for cell in session.execute(sa.select(column)).scalars():
                text = json.dumps(cell) if not isinstance(cell, str) else cell
                for value in values:
                    if text and value.lower() in text.lower():
                        found.append((table.name, column.name, value))
    return found
