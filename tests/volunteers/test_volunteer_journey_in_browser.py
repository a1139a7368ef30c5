"""A new volunteer's whole journey in a real Chromium, 375 pixels wide, with JavaScript turned off: the application
one question a page with check answers, availability, a date away, an offer from the home page's banner, a contact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from browser_support import CHROMIUM_ARGS, chromium_path, serve
from peermatch import create_app
from peermatch.models import Match, MatchStatus, Role, User, VolunteerProfile, VolunteerStatus
from peermatch.services import matches
from support import TEST_PASSWORD
from volunteers.committed import Committed

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
EMAIL = "journey-volunteer@example.org"
PARENT_NAME = "Philippa-Browser"


@pytest.fixture()
def committed(app: Flask) -> Iterator[Committed]:
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    made = Committed(engine, app)
    try:
        yield made
    finally:
        made.remove()
        engine.dispose()


@pytest.fixture()
def base_url(app: Flask) -> Iterator[str]:
    """A second app on the same database, served on loopback, whose writes are committed."""
    live = create_app({**app.config, "INSTANCE_PATH": app.instance_path})
    with serve(live) as url:
        yield url
    with live.app_context():
        from peermatch.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def page(base_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
        yield context.new_page()
        context.close()
        chromium.close()


def fits_the_phone(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_new_volunteer_applies_sets_availability_and_a_pause_accepts_an_offer_and_logs_a_contact(
        page: Any, base_url: str, committed: Committed, app: Flask) -> None:
    with Session(committed.engine) as session:
        organisation = committed.organisation(session, county="Rutland")
        committed.user(session, Role.VOLUNTEER, email=EMAIL, name="Jordan")
        session.commit()
        organisation_id = organisation.id

    page.goto(base_url + "/sign-in")
    page.fill("#email", EMAIL)
    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Sign in')")
    assert page.url == base_url + "/volunteer/"
    page.click("text=Start your application")

    # One question a page. A mistake is shown on its own page, which still fits the phone.
    assert page.title().startswith("Which of these have you been through yourself? – Apply to volunteer")
    page.click("button:has-text('Continue')")
    assert page.title().startswith("Error: Which of these have you been through yourself?")
    assert page.locator(".govuk-error-summary").is_visible() and fits_the_phone(page)
    page.check("#lived_experience")
    page.click("button:has-text('Continue')")
    assert page.locator("h1").inner_text() == "Are there any you would rather not support a parent with?"
    page.click("button:has-text('Continue')")  # none
    page.check("#languages")
    page.click("button:has-text('Continue')")
    page.check("#gender")
    page.click("button:has-text('Continue')")
    page.check("#support_modes")
    page.check("#support_modes-2")
    page.click("button:has-text('Continue')")
    page.fill("#postcode", "LE15 6AB")
    page.click("button:has-text('Continue')")
    assert page.locator("h1").inner_text() == "How far could you travel to meet a parent in person?"
    page.check("#travel_km-3")
    page.click("button:has-text('Continue')")
    page.check("#network_wide-2")
    page.click("button:has-text('Continue')")
    assert page.locator("h1").inner_text() == "How many parents could you support at the same time?"
    page.check("#capacity")
    page.click("button:has-text('Continue')")
    assert page.locator("h1").inner_text() == "When are you usually free?" and fits_the_phone(page)
    page.check("#availability-0-0")
    page.check("#availability-2-2")
    page.click("button:has-text('Continue')")
    page.fill("#introduction", "I was on a child protection plan and want to help others through it.")
    page.click("button:has-text('Continue')")

    # Check answers: every answer with a link to change it; changing one comes back here.
    assert page.url == base_url + "/volunteer/apply/check"
    assert page.title().startswith("Check your answers before sending your application")
    assert page.locator("text=LE15").first.is_visible() and fits_the_phone(page)
    page.click("a[href='/volunteer/apply/gender?change=1']")
    page.check("#gender-2")
    page.click("button:has-text('Continue')")
    assert page.url == base_url + "/volunteer/apply/check"
    assert page.locator("dd:has-text('Man')").first.is_visible()
    page.click("button:has-text('Send application')")
    assert page.url == base_url + "/volunteer/"
    assert page.locator("text=Application received").first.is_visible()
    assert page.locator("h2:has-text('What happens next')").is_visible()
    assert page.locator("text=0 minutes").count() == 0

    page.click("text=Change when you are usually free")
    assert page.locator("#availability-0-0").is_checked() and page.locator("#availability-2-2").is_checked()
    page.check("#availability-4-1")
    page.click("button:has-text('Save availability')")
    assert page.url == base_url + "/volunteer/"

    away = datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=30)
    back = away + timedelta(days=13)
    page.click("text=Dates you are away")
    page.click("text=Add dates you are away")
    for field, day in (("starts_on", away), ("ends_on", back)):
        page.fill(f"#{field}", str(day.day))
        page.fill(f"#{field}-month", str(day.month))
        page.fill(f"#{field}-year", str(day.year))
    page.fill("#reason", "Holiday")
    page.click("button:has-text('Add these dates')")
    assert page.url == base_url + "/volunteer/away"
    assert page.locator("dt.govuk-summary-list__key").inner_text() == f"{away.day} {away:%B %Y} to {back.day} {back:%B %Y}"
    assert fits_the_phone(page)

    # An organiser approves the application and offers a parent (their screens come in a later issue).
    with Session(committed.engine) as session:
        profile = session.scalar(sa.select(VolunteerProfile).join(VolunteerProfile.user)
                                 .where(sa.text("users.email = :email")).params(email=EMAIL))
        assert profile is not None and profile.organisation_id == organisation_id
        assert profile.availability_mask == (1 << 0) | (1 << 8) | (1 << 13) and len(profile.pauses) == 1
        profile.status = VolunteerStatus.APPROVED
        session.flush()
        committed.offer(session, profile, profile.organisation, datetime.now(timezone.utc),
                        name_to_ask_for=PARENT_NAME, phone_ok=True, phone="07700 900123", safe_times="After 6pm")
        session.commit()

    page.goto(base_url + "/volunteer/")
    banner = page.locator(".govuk-notification-banner")
    assert banner.is_visible() and "left to answer" in banner.inner_text()
    page.click("nav >> text=Offers")
    assert PARENT_NAME not in page.content()
    page.click("text=Answer this offer")
    assert PARENT_NAME not in page.content() and fits_the_phone(page)
    accept = page.locator("button:has-text('Accept offer')").bounding_box()
    assert accept["width"] >= PHONE["width"] - 2 * 15 - 1 and accept["x"] <= 16  # full width, not centred
    page.click("button:has-text('Accept offer')")
    assert "/volunteer/matches/" in page.url and PARENT_NAME not in page.content()
    assert page.locator("text=An organiser will introduce you to the parent soon").first.is_visible()
    with app.app_context(), Session(committed.engine) as session:  # the organiser introduces them
        match = session.scalar(sa.select(Match).where(Match.status == MatchStatus.AWAITING_INTRODUCTION)
                               .join(Match.volunteer).join(VolunteerProfile.user).where(User.email == EMAIL))
        matches.introduce(session, match, committed.user(session, Role.ORGANISER, match.volunteer.organisation),
                          datetime.now(timezone.utc))
        session.commit()
    page.reload()
    assert page.locator("h1").inner_text() == "Supporting a parent" and PARENT_NAME not in page.title()
    assert page.locator(f"text={PARENT_NAME}").first.is_visible()
    assert page.locator("text=07700 900123").first.is_visible() and page.locator("text=After 6pm").is_visible()
    assert fits_the_phone(page)

    today = datetime.now(ZoneInfo("Europe/London")).date()
    page.click("text=Log a contact")
    page.fill("#occurred_on", str(today.day))
    page.fill("#occurred_on-month", str(today.month))
    page.fill("#occurred_on-year", str(today.year))
    page.check("#mode")
    page.fill("#minutes", "45")
    page.fill("#note", "First call to plan for the conference")
    page.click("button:has-text('Save contact')")
    assert "/volunteer/matches/" in page.url
    assert page.locator("text=Contact saved").is_visible()
    assert page.locator("text=First call to plan for the conference").is_visible()
    page.goto(base_url + "/volunteer/")
    assert page.locator("text=45 minutes").is_visible()
