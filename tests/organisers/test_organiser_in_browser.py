"""An organiser's day in a real Chromium, on the demo network: at 1280 px and on a phone, and every page through axe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from support import sign_in_in_the_browser
from peermatch import clock
from peermatch.extensions import db
from peermatch.models import Offer, OfferStatus, User, VolunteerProfile
from peermatch.services.demo import DEMO_PASSWORD, load_demo_data

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def demo(live_app: Flask) -> Flask:
    with live_app.app_context():
        load_demo_data(db.session, clock.now())
        db.session.commit()
        db.session.remove()
    return live_app


def sign_in(page: Any, base_url: str, email: str, demo: Flask) -> None:
    sign_in_in_the_browser(page, base_url, email, DEMO_PASSWORD, demo)


def fits(page: Any) -> bool:
    """Nothing is cut off or scrolls the page sideways."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_most_urgent_request_becomes_an_introduced_match_using_only_the_pages(
        browser: Any, base_url: str, demo: Flask) -> None:
    staff = browser.new_context(viewport=WIDE).new_page()
    sign_in(staff, base_url, "organiser1@example.org", demo)
    assert staff.locator("h1").inner_text() == "Today's work"
    staff.click("text=need an advocate")
    assert staff.locator("h1").inner_text() == "Requests needing an advocate"
    first = staff.locator(".govuk-summary-card").first
    reference = re.search(r"PM-\w{4}-\w{4}", first.locator(".govuk-summary-card__title").inner_text()).group(0)
    first.locator("a:has-text('Open')").click()
    assert staff.locator("h1").inner_text() == f"Request {reference}"
    staff.click("text=Find an advocate")
    assert staff.locator("h1").inner_text() == f"Advocates for request {reference}"
    assert staff.locator("text=Who does not fit, and why").is_visible()
    best = staff.locator(".govuk-summary-card__title").first.inner_text().split(". ", 1)[1].split(" (")[0]
    staff.locator("button:has-text('Send offer')").first.click()
    assert f"Offer sent to {best}" in staff.locator(".govuk-notification-banner").inner_text()

    with demo.app_context():  # who it went to, so they can sign in (every demo account has the same password)
        offer = db.session.scalars(sa.select(Offer).where(Offer.status == OfferStatus.OFFERED)
                                   .order_by(Offer.offered_dt.desc())).first()
        email = db.session.scalar(sa.select(User.email).join(VolunteerProfile, VolunteerProfile.user_id == User.id)
                                  .where(VolunteerProfile.id == offer.volunteer_id))
        db.session.remove()
    advocate = browser.new_context(viewport=PHONE).new_page()
    sign_in(advocate, base_url, email, demo)
    advocate.goto(base_url + f"/volunteer/offers/{offer.id}")
    advocate.click("button:has-text('Accept offer')")
    assert advocate.locator("text=An organiser will introduce you").first.is_visible()

    staff.click("nav >> text=Offers")
    staff.locator(".govuk-summary-card", has_text=f"Request {reference}").locator("a:has-text('Introduce')").click()
    assert staff.locator("text=The parent will see").is_visible()
    staff.click("button:has-text('Introduce them')")
    assert "Introduced." in staff.locator(".govuk-notification-banner").inner_text()
    advocate.reload()
    assert advocate.locator("text=How to get in touch").is_visible()


ORGANISER_PAGES = ["/organiser/", "/organiser/requests", "/organiser/offers", "/organiser/matches",
                   "/organiser/matches?stalled=1", "/organiser/advocates", "/organiser/applications",
                   "/organiser/batch"]


def record_pages(page: Any, base_url: str) -> list[str]:
    """The pages of one request, one advocate and one match, found by following the lists."""
    found = []
    for listing, pattern in (("/organiser/requests", r"/organiser/requests/[0-9a-f-]{36}"),
                             ("/organiser/advocates", r"/organiser/advocates/[0-9a-f-]{36}"),
                             ("/organiser/matches", r"/organiser/matches/[0-9a-f-]{36}")):
        page.goto(base_url + listing)
        links = re.findall(rf'href="({pattern})"', page.content())
        if links:
            found.append(links[0])
    request = next(p for p in found if "/requests/" in p)
    advocate = next(p for p in found if "/advocates/" in p)
    match = next((p for p in found if "/matches/" in p), None)
    more = [request + "/candidates", request + "/close", advocate + "/vetting",
            advocate + "/suspend"]
    return found + more + ([match + "/end"] if match else [])


def test_every_organiser_page_fits_a_phone_and_has_no_accessibility_violations(
        browser: Any, base_url: str, demo: Flask) -> None:
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    sign_in(page, base_url, "organiser2@example.org", demo)
    pages = ORGANISER_PAGES + record_pages(page, base_url)
    problems = {}
    for path in pages:
        page.goto(base_url + path)
        if not fits(page):
            problems[path] = "wider than the phone"
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})")
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        if violations:
            problems[path] = violations
    why_not = next(p for p in pages if p.endswith("/candidates"))
    page.goto(base_url + why_not)
    page.fill("#q", "a")  # "why not this person?" is posted: the name never appears in the address
    page.click("button:has-text('Check')")
    assert page.url == base_url + why_not + "?search=1#why-not"
    assert page.locator("#why-not").is_visible()
    # At the top, as every other page is checked: scrolled, the sticky "Exit this page" bar covers whatever
    # button happens to sit under it, which axe's target-size rule reads as an obscured target.
    page.evaluate("window.scrollTo(0, 0)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})")
    if result["violations"]:
        problems[why_not + " (why not)"] = [(v["id"], [n["target"] for n in v["nodes"]][:3],
                                             [n.get("failureSummary", "")[:200] for n in v["nodes"]][:2])
                                            for v in result["violations"]]
    page.goto(base_url + "/organiser/batch")
    page.click("button:has-text('Propose offers')")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})")
    if result["violations"] or not fits(page):
        problems["/organiser/batch (proposals)"] = [v["id"] for v in result["violations"]] or "wider than the phone"
    context.close()
    assert problems == {}, "\n".join(f"{path}: {found}" for path, found in problems.items())
    assert len(pages) >= 15
