"""A new parent asks for support on a phone-width screen with JavaScript turned off."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from browser_support import PHONE, open_the_emailed_link, start_as_a_new_parent

pytestmark = pytest.mark.browser


@pytest.fixture()
def covered_area(live_app: Any) -> None:
    from peermatch.extensions import db
    from peermatch.models import Organisation
    from peermatch.services.reference_data import ensure_area

    import sqlalchemy as sa

    with live_app.app_context():
        if db.session.scalar(sa.select(Organisation).where(Organisation.slug == "browser-furness")) is not None:
            db.session.remove()
            return  # the live app's data lasts for the session's browser tests
        organisation = Organisation(name="Browser Furness Parents", slug="browser-furness")
        db.session.add(organisation)
        db.session.flush()
        ensure_area(db.session, "Cumbria", organisation)
        db.session.commit()
        db.session.remove()


def test_a_new_parent_asks_for_support_on_a_phone_without_javascript(browser: Any, base_url: str,
                                                                     covered_area: None, tmp_path: Any,
                                                                     live_inbox: Any) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    start_as_a_new_parent(page, base_url, "Jess", "jess.browser@example.org", "a long enough password")
    page.click("button:has-text('Create account')")
    open_the_emailed_link(page, base_url, live_inbox)

    assert page.locator("h1").inner_text() == "What is happening?"
    page.click("button:has-text('Continue')")  # nothing chosen: an error, linked to the field
    assert page.locator(".govuk-error-summary a[href='#issue_types']").inner_text() == "Select what is happening"
    page.check("text=Child protection conference")
    page.check("text=Domestic abuse")
    page.click("button:has-text('Continue')")
    page.check("label:has-text('Domestic abuse')")
    page.click("button:has-text('Continue')")
    page.check("label:has-text('Child protection conference')")
    page.click("button:has-text('Continue')")
    meeting = date.today() + timedelta(days=5)
    page.fill("#meeting_date", str(meeting.day))
    page.fill("#meeting_date-month", str(meeting.month))
    page.fill("#meeting_date-year", str(meeting.year))
    page.check("label:has-text('Morning')")
    page.click("button:has-text('Continue')")
    page.fill("#postcode", "LA14 2AB")
    page.click("button:has-text('Continue')")
    page.check("label:has-text('By phone')")
    page.click("button:has-text('Continue')")
    page.check("label:has-text('English')")
    page.check("#interpreter_ok")
    page.click("button:has-text('Continue')")
    page.check("label:has-text('No preference')")
    page.click("button:has-text('Continue')")
    page.check("#availability-0-0")
    page.check("#availability-2-2")
    page.click("button:has-text('Continue')")
    assert page.locator(".govuk-caption-l").inner_text() == "Question 8 of 9"  # the count never grew
    page.fill("#name_to_ask_for", "Jess")
    page.check("label:has-text('Text message')")
    # Without JavaScript every revealed box shows (GOV.UK's fallback); the number goes under texts.
    assert page.locator("#text_phone").is_visible() and page.locator("#email").is_visible()
    page.fill("#text_phone", "07700 900123")
    page.fill("#safe_times", "After 7pm")
    page.click("button:has-text('Continue')")
    assert page.locator("h1").inner_text() == "When is it safe for us to send you a message?"
    page.check("#message_times-0-2")
    page.check("#message_times-4-2")
    page.click("button:has-text('Continue')")
    page.check("#consent")
    page.click("button:has-text('Continue')")

    assert page.locator("h1").inner_text() == "Check your answers before sending your request"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.screenshot(path=str(tmp_path / "check-answers.png"), full_page=True)
    page.click("button:has-text('Send request')")
    assert page.locator(".govuk-panel__title").inner_text() == "Request sent"
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert reference.startswith("PM-")
    page.click("text=Follow your request")
    assert page.locator("h1").inner_text() == "Received"
    assert page.locator(".govuk-exit-this-page").count() == 1
    assert "Browser Furness Parents" in page.content()  # who is looking after it

    # The meeting moved: the parent changes its date and part of day from the request's own page.
    page.click("a[href$='/change/meeting-date']")
    assert page.locator(".govuk-caption-l").inner_text() == f"Request {reference}"
    later = date.today() + timedelta(days=9)
    page.fill("#meeting_date", str(later.day))
    page.fill("#meeting_date-month", str(later.month))
    page.fill("#meeting_date-year", str(later.year))
    page.check("label:has-text('Evening')")
    page.click("button:has-text('Continue')")
    assert page.locator("h1").inner_text() == "Received"
    assert "Your changes have been saved" in page.locator(".govuk-notification-banner").inner_text()
    assert f"{later:%A} {later.day} {later:%B %Y}, in the evening" in page.content()
    # And how support could happen: video as well.
    page.click("a[href$='/change/how']")
    page.check("label:has-text('By video call')")
    page.click("button:has-text('Continue')")
    assert "By video call" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "request.png"), full_page=True)

    # Their data, in words, to print.
    page.goto(base_url + "/your-data/to-read")
    assert page.locator("h1").inner_text() == "Your data in words"
    assert f"Request {reference}" in page.content() and "in the evening" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_question_one_is_shorter_on_a_phone(browser: Any, base_url: str, covered_area: None,
                                            live_inbox: Any) -> None:
    """Twenty boxes in three short groups, hints only where a word of the field needs one: shorter than the flat list."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    start_as_a_new_parent(page, base_url, "Kim", "kim.browser@example.org", "a long enough password")
    page.click("button:has-text('Create account')")
    open_the_emailed_link(page, base_url, live_inbox)
    assert page.locator("h1").inner_text() == "What is happening?"
    assert page.locator("input[name='issue_types']").count() == 20
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 2650, height  # 3,050 px as one flat list with a hint under every box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
