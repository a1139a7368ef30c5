"""Journeys in a real Chromium: the quick exit, signing in, and accessibility of the shell."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from browser_support import axe_violations, PHONE, open_the_emailed_link, start_as_a_new_parent
from support import TEST_PASSWORD, TEST_TOTP_SECRET, _TEST_PASSWORD_HASH, sign_in_in_the_browser
from peermatch import clock
from peermatch.extensions import db
from peermatch.models import Organisation, Role, User

pytestmark = pytest.mark.browser



def make_user(live_app: Flask, role: Role, email: str) -> None:
    with live_app.app_context():
        if db.session.scalar(sa.select(User).where(User.email == email)) is None:
            organisation = None
            if role in (Role.ORGANISER, Role.VOLUNTEER):
                organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "browser-org"))
                if organisation is None:
                    organisation = Organisation(name="Browser Parents Together", slug="browser-org")
                    db.session.add(organisation)
                    db.session.flush()
            staff = role in (Role.ORGANISER, Role.ADMIN)
            db.session.add(User(email=email, password_hash=_TEST_PASSWORD_HASH, role=role, display_name="Robin",
                                organisation_id=organisation.id if organisation else None,
                                totp_secret=TEST_TOTP_SECRET if staff else None,
                                totp_enabled_dt=clock.now() if staff else None))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def sign_in(page: Any, base_url: str, email: str, live_app: Flask) -> None:
    sign_in_in_the_browser(page, base_url, email, TEST_PASSWORD, live_app)


def test_the_exit_button_leaves_for_a_neutral_site_and_signs_the_parent_out(page: Any, base_url: str,
                                                                            live_app: Flask, exit_url: str) -> None:
    make_user(live_app, Role.PARENT, "exit-button@example.org")
    sign_in(page, base_url, "exit-button@example.org", live_app)
    assert page.url == base_url + "/your-requests/"
    page.click(".govuk-exit-this-page__button")
    page.wait_for_url(exit_url)
    assert page.title() == "Weather forecast"
    page.goto(base_url + "/your-requests/")
    assert "/sign-in" in page.url


def test_pressing_shift_three_times_leaves_too(page: Any, base_url: str, exit_url: str) -> None:
    page.goto(base_url + "/")
    page.locator("body").focus()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(exit_url, timeout=5000)
    assert page.title() == "Weather forecast"


def test_each_role_signs_in_and_lands_on_its_home_page(browser: Any, base_url: str, live_app: Flask) -> None:
    homes = {Role.PARENT: ("/your-requests/", "Your requests"), Role.VOLUNTEER: ("/volunteer/", "Your volunteering"),
             Role.ORGANISER: ("/organiser/", "Today's work"), Role.ADMIN: ("/admin/", "Network admin")}
    for role, (path, heading) in homes.items():
        email = f"browser-{role}@example.org"
        make_user(live_app, role, email)
        # A browser of its own for each person: clearing cookies races the last page's late responses.
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        sign_in(page, base_url, email, live_app)
        assert page.url == base_url + path
        assert page.locator("h1").inner_text() == heading
        context.close()


def test_a_parent_can_create_an_account_without_javascript(browser: Any, base_url: str, live_inbox: Any) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    start_as_a_new_parent(page, base_url, "Kim", "no-js-parent@example.org", "short")
    page.click("button:has-text('Create account')")
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.locator("#display_name").input_value() == "Kim"
    page.fill("#password", "a long enough password")
    page.fill("#confirm_password", "a long enough password")
    page.click("button:has-text('Create account')")
    open_the_emailed_link(page, base_url, live_inbox)
    assert page.url == base_url + "/ask/what-is-happening"
    context.close()


@pytest.mark.parametrize("path", ["/", "/sign-in", "/register", "/volunteer/register", "/privacy", "/no-such-page"])
def test_public_pages_have_no_accessibility_violations(browser: Any, base_url: str, path: str) -> None:
    # axe is injected as a script, which our CSP would (rightly) block: bypass it for this check only.
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(base_url + path)
    violations = axe_violations(page)
    context.close()
    assert violations == []


@pytest.mark.parametrize("role, paths", [
    (Role.PARENT, ["/your-requests/", "/ask/what-is-happening", "/ask/meeting", "/ask/when-free", "/ask/contact",
                   "/ask/consent", "/ask/check-answers", "/your-data"]),
    (Role.VOLUNTEER, ["/volunteer/", "/volunteer/apply"]),
    (Role.ADMIN, ["/admin/", "/admin/organisers", "/admin/scoring-models"]),
])
def test_signed_in_pages_have_no_accessibility_violations(browser: Any, base_url: str, live_app: Flask, role: Role,
                                                          paths: list[str]) -> None:
    email = f"axe-{role}@example.org"
    if role == Role.ADMIN:
        with live_app.app_context():  # the demo network: wide tables that scroll sideways on a phone
            from peermatch import clock
            from peermatch.services.demo import load_demo_data

            load_demo_data(db.session, clock.now())
            db.session.commit()
            db.session.remove()
    make_user(live_app, role, email)
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base_url, email, live_app)
    found = {}
    for path in paths:
        page.goto(base_url + path)
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    context.close()
    assert found == {}


def test_the_admins_tables_fit_a_320_px_phone_with_every_email_and_count_whole(
        browser: Any, base_url: str, live_app: Flask) -> None:
    """WCAG reflow: nothing is cut off or needs sideways scrolling at 320 CSS pixels."""
    with live_app.app_context():
        from peermatch import clock
        from peermatch.services.demo import load_demo_data

        load_demo_data(db.session, clock.now())
        db.session.commit()
        db.session.remove()
    make_user(live_app, Role.ADMIN, "reflow-admin@example.org")
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    sign_in(page, base_url, "reflow-admin@example.org", live_app)
    for path in ["/admin/", "/admin/organisers"]:
        page.goto(base_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        cut = page.evaluate("""() => [...document.querySelectorAll('tbody td, tbody th')]
            .filter(cell => cell.scrollWidth > cell.clientWidth + 1 || cell.getBoundingClientRect().right > 321)
            .map(cell => cell.textContent.trim())""")
        assert cut == [], (path, cut)
        assert page.locator("td[data-label='Email']", has_text="organiser1@example.org").is_visible() or path == "/admin/"
    context.close()
