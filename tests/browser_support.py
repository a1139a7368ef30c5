"""Helpers for driving a real Chromium against the app served on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from peermatch import create_app
from peermatch.extensions import db
from peermatch.models import Base

PHONE = {"width": 375, "height": 740}
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("Chromium is not installed: run `apt-get install chromium` (make test does this in CI)")


@contextmanager
def serve(wsgi_app: Any) -> Iterator[str]:
    """Serve a WSGI app on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def start_as_a_new_parent(page: Any, base_url: str, name: str, email: str, password: str) -> None:
    """From the start page, "Ask for support" and fill in the account form (not yet sent)."""
    page.goto(base_url + "/")
    page.click("text=Ask for support")
    page.fill("#display_name", name)
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#confirm_password", password)


@pytest.fixture()
def live_inbox(live_app: Flask) -> Iterator[Any]:
    """The live app's mail goes to a real SMTP server on loopback for this test."""
    from support import mail_to_inbox

    with mail_to_inbox(live_app) as handler:
        yield handler


def open_the_emailed_link(page: Any, base_url: str, inbox: Any) -> None:
    """The parent opens the registration email on the same phone and follows its link."""
    import re

    assert page.locator("h1").inner_text() == "Check your email"
    link = re.search(r"https?://[^/\s]+(/register/finish/\S+)", inbox.messages[-1].get_content()).group(1)
    page.goto(base_url + link)


def neutral_site(environ: Any, start_response: Any) -> list[bytes]:
    """Stands in for the everyday site the quick exit leaves for."""
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [b"<!doctype html><title>Weather forecast</title><h1>Weather forecast</h1>"]


@pytest.fixture(scope="module")
def exit_url() -> Iterator[str]:
    with serve(neutral_site) as url:
        yield url + "/"


@pytest.fixture(scope="module")
def live_app(app: Flask, exit_url: str) -> Iterator[Flask]:
    """A second app on the same database whose writes are committed, wiped after the module."""
    live = create_app({**app.config, "EXIT_URL": exit_url, "INSTANCE_PATH": app.instance_path})
    yield live
    with live.app_context():
        # The audit log is append-only (a trigger refuses deletes); its actors become unknown instead.
        keep = {"issue_types", "alembic_version", "matching_state", "audit_events"}
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in keep:
                db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def base_url(live_app: Flask) -> Iterator[str]:
    with serve(live_app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Any) -> list[tuple[str, str, list[Any]]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
