"""Every page of every role, on the demo network, passes the page checks; and in Chromium every one fits 320 px.

The checks (``page_checks``) are the class of faults that issue 13 found one by one: a control
nobody can name, a group of choices whose question nobody sees, a page without its own heading,
an escaped tag in the text. Each page is checked as it opens and, for a form that posts back to
its own page, after a post with nothing filled in (the page with its error messages). In Chromium
at 320 CSS pixels (WCAG 1.4.10 reflow) no page scrolls sideways, and axe finds nothing.

The pages are the routes the access matrix lets each visitor open, so a new page is checked
the day it is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from demo_cast import Cast, visitor
from page_checks import page_problems
from test_access_matrix import MATRIX

VISITORS = ["anonymous", "parent", "advocate", "applicant", "organiser", "admin"]
NOT_PAGES = {"public.exit", "auth.sign_out", "auth.home", "parents.ask"}  # they only redirect
DOWNLOADS = {"parents.download_data", "organisers.download_report", "admin.download_report"}


@pytest.fixture(scope="session")
def app(demo_app: Flask) -> Flask:
    """On the demo network, built once for the run (``conftest.demo_app``)."""
    return demo_app


def pages_for(app: Flask, persona: str, cast: Cast) -> list[tuple[str, str]]:
    """(endpoint, address) of every page this visitor may open."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint in NOT_PAGES or "GET" not in (rule.methods or ()):
            continue
        if MATRIX[rule.endpoint][persona] != 200:
            continue
        found.append((rule.endpoint, rule.build({n: cast.ids[n] for n in rule.arguments}, append_unknown=False)[1]))
    return found


FORM = re.compile(r'<form\b[^>]*>', re.S)


def forms_posting_back(html: str, address: str) -> bool:
    """Whether the page has a form that posts to the page itself (a question, whose errors it shows)."""
    for tag in FORM.findall(html):
        if 'method="post"' not in tag.lower():
            continue
        action = re.search(r'action="([^"]*)"', tag)
        if action is None or action.group(1) in ("", address):
            return True
    return False


@pytest.mark.parametrize("persona", VISITORS)
def test_every_page_names_every_control_and_question_with_one_heading_and_no_stray_tags(
        app: Flask, session: Any, cast: Cast, persona: str) -> None:
    client = visitor(app, session, cast, persona)
    problems: dict[str, list[str]] = {}
    pages = pages_for(app, persona, cast)
    assert len(pages) >= 3, pages
    for endpoint, address in pages:
        response = client.get(address)
        if response.status_code == 302 and response.location.startswith("/sign-in"):
            client = visitor(app, session, cast, persona)  # a page's own form signed them out (sign out, say)
            response = client.get(address)
        assert response.status_code == 200, (endpoint, address, response.status_code, response.location)
        if response.mimetype != "text/html":
            continue  # the data download (JSON)
        html = response.get_data(as_text=True)
        found = page_problems(html)
        if found:
            problems[address] = found
        if forms_posting_back(html, address):
            posted = client.post(address, data={"csrf_token": client.csrf_token(address)})
            if posted.status_code == 200:  # the page again, with what is missing
                found = page_problems(posted.get_data(as_text=True))
                if found:
                    problems[f"{address} (posted empty)"] = found
    assert problems == {}


@pytest.fixture(scope="module")
def demo_server(app: Flask) -> Iterator[str]:
    """The demo network served on loopback (what it writes, sessions and audit rows, stays: harmless)."""
    from browser_support import serve

    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def committed_cast(app: Flask) -> Cast:
    """The cast read outside any test transaction: the served app must be free to write."""
    from demo_cast import make_cast
    from peermatch.extensions import db

    with app.app_context():
        found = make_cast(db.session)
        db.session.rollback()
        db.session.remove()
    return found


@pytest.mark.browser
@pytest.mark.parametrize("persona", VISITORS)
def test_every_page_fits_a_320_px_screen_and_axe_finds_nothing(app: Flask, committed_cast: Cast, persona: str,
                                                              browser: Any, demo_server: str) -> None:
    from browser_support import axe_violations
    from peermatch.services.demo import DEMO_PASSWORD
    from support import sign_in_in_the_browser

    cast = committed_cast
    context = browser.new_context(viewport={"width": 320, "height": 700}, bypass_csp=True)
    page = context.new_page()
    if persona != "anonymous":
        sign_in_in_the_browser(page, demo_server, cast.emails[persona], DEMO_PASSWORD, app)
    overflow, violations = {}, {}
    for endpoint, address in pages_for(app, persona, cast):
        if endpoint in DOWNLOADS:
            continue
        page.goto(demo_server + address)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 321 && !e.closest('.pm-table-scroll'))
                .slice(0, 3).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40))""")
            overflow[address] = (width, wide)
        found = axe_violations(page)
        if found:
            violations[address] = found
    context.close()
    assert overflow == {}
    assert violations == {}
