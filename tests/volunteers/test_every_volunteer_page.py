"""Every volunteer page, as it first opens and after a post with mistakes, passes the page checks.

The checks (``page_checks``) are the class of the faults issue 13 found one by one: a group of
radios or date boxes with no question, a control nobody can name, a page without its own heading,
an escaped ``<br>`` in the text. Every GET route of the volunteers' blueprint (and registering)
must be visited here: a new page that is not fails the first test.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from page_checks import check_page, page_problems
from peermatch.models import Role
from volunteers.conftest import NOW


def test_the_page_checks_catch_what_issue_13_found() -> None:
    """The checker itself: each fault it must catch, in a page otherwise sound."""
    def page(body: str, title: str = "Capacity") -> str:
        return f"<html><head><title>{title} – PeerMatch</title></head><body><h1>Capacity</h1>{body}</body></html>"

    assert page_problems(page("<form><fieldset><legend>How many?</legend>"
                              "<input type=radio id=c1 name=c><label for=c1>1</label></fieldset></form>")) == []
    assert "legend is empty" in " ".join(page_problems(page(
        '<fieldset><legend class="govuk-fieldset__legend--s"></legend><input id=a name=a type=radio>'
        '<label for=a>1</label></fieldset>')))
    assert "hidden from sighted users" in " ".join(page_problems(page(
        '<fieldset><legend class="govuk-visually-hidden">Start date</legend></fieldset>')))
    assert "no legend" in " ".join(page_problems(page("<fieldset><div>Day</div></fieldset>")))
    assert "no accessible name" in " ".join(page_problems(page('<input name="x" id="x">')))
    assert page_problems(page('<label>Year <input name="y"></label><button>Save<span '
                              'class="govuk-visually-hidden"> it</span></button>')) == []
    assert "no accessible name" in " ".join(page_problems(page("<button></button>")))
    assert "literal HTML tag '<br>'" in " ".join(page_problems(page("<p>Child protection conference&lt;br&gt;A child</p>")))
    assert "2 <h1>" in " ".join(page_problems(page("<h1>Again</h1>")))
    assert "0 <h1>" in " ".join(page_problems("<title>T</title><p>no heading</p>"))
    assert "does not begin with" in " ".join(page_problems(page("", title="Something else")))


@pytest.fixture()
def advocate_with_everything(sign_in_as: Any, volunteering: Any, clock: Any, session: Any) -> dict[str, Any]:
    """An approved advocate with an offer (20 hours left, a family group conference), a match waiting for the
    introduction, an introduced match with a contact logged, and a date away; and the addresses of each."""
    user, profile = volunteering.advocate(capacity=4)
    request = volunteering.request(organisation=profile.organisation, meeting_date=(NOW + timedelta(days=6)).date())
    request.meeting_type = "family_group_conference"
    offer = volunteering.offer(profile, request, now=NOW - timedelta(hours=28))
    waiting = volunteering.offer(profile, now=NOW - timedelta(hours=1))
    from peermatch.services import offers
    offers.accept(session, waiting, user, NOW - timedelta(minutes=30))
    introduced = volunteering.introduced(user, profile, now=NOW - timedelta(days=3))
    session.flush()
    browser, _ = sign_in_as(Role.VOLUNTEER, user)
    return {"browser": browser, "offer": offer.id, "waiting_match": waiting.match.id, "match": introduced.id}


def volunteer_get_routes(app: Flask) -> set[str]:
    """Every page a volunteer opens: the blueprint's GET routes, and registering."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and (rule.endpoint.startswith("volunteers.")
                                                  or rule.endpoint == "auth.register_volunteer")}


def test_every_volunteer_page_and_every_refused_post_passes_the_page_checks(
        app: Flask, advocate_with_everything: dict[str, Any], sign_in_as: Any, people: Any) -> None:
    browser = advocate_with_everything["browser"]
    offer, match, waiting = (advocate_with_everything[k] for k in ("offer", "match", "waiting_match"))
    pages = {
        "volunteers.home": "/volunteer/",
        "volunteers.details": "/volunteer/details",
        "volunteers.availability": "/volunteer/availability",
        "volunteers.capacity": "/volunteer/capacity",
        "volunteers.pauses": "/volunteer/away",
        "volunteers.add_pause": "/volunteer/away/add",
        "volunteers.offers": "/volunteer/offers",
        "volunteers.offer": f"/volunteer/offers/{offer}",
        "volunteers.decline_offer": f"/volunteer/offers/{offer}/decline",
        "volunteers.match": f"/volunteer/matches/{match}",
        "volunteers.log_contact": f"/volunteer/matches/{match}/contacts/new",
        "volunteers.end_match": f"/volunteer/matches/{match}/end",
    }
    visited: set[str] = set()
    for endpoint, url in pages.items():
        response = browser.get(url)
        assert response.status_code == 200, url
        check_page(response.get_data(as_text=True), url)
        visited.add(endpoint)
    check_page(browser.get(f"/volunteer/matches/{waiting}").get_data(as_text=True), "a match before the introduction")
    for url in ("/volunteer/details", "/volunteer/availability", "/volunteer/capacity", "/volunteer/away/add",
                f"/volunteer/offers/{offer}/decline", f"/volunteer/matches/{match}/contacts/new",
                f"/volunteer/matches/{match}/end"):
        response = browser.submit(url, {"starts_on": ["", "13", ""], "ends_on": ["32", "", "2026"]})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "There is a problem" in html, url
        check_page(html, f"POST {url}")
    message = browser.submit(f"/volunteer/matches/{match}/messages", {}, form_url=f"/volunteer/matches/{match}")
    check_page(message.get_data(as_text=True), "POST a message with nothing in it")

    anonymous = app.test_client()
    check_page(anonymous.get("/volunteer/register").get_data(as_text=True), "/volunteer/register")
    check_page(anonymous.submit("/volunteer/register", {}).get_data(as_text=True), "POST /volunteer/register")
    visited.add("auth.register_volunteer")

    applicant, user = sign_in_as(Role.VOLUNTEER)
    user.organisation_id = None
    people.session.flush()
    check_page(applicant.get("/volunteer/").get_data(as_text=True), "an applicant's home")
    visited |= visit_the_application(applicant)

    assert volunteer_get_routes(app) <= visited, f"pages not checked: {volunteer_get_routes(app) - visited}"


def visit_the_application(applicant: Any) -> set[str]:
    """Every page of the application, opened and then sent empty, and check answers: the endpoints visited.

    The postcode is one no member organisation covers, so the organisation question is asked too.
    """
    from peermatch.web.volunteers.application import PAGES

    assert applicant.get("/volunteer/apply").status_code == 302
    for page in PAGES:
        url = f"/volunteer/apply/{page.slug}"
        if page.answer == "travel_km":
            applicant.submit("/volunteer/apply/how", {"support_modes": ["in_person"]})
        if page.answer == "organisation":
            applicant.submit("/volunteer/apply/postcode", {"postcode": "TR1"})
        opened = applicant.get(url)
        assert opened.status_code == 200, url
        check_page(opened.get_data(as_text=True), url)
        refused = applicant.submit(url, {})
        if page.answer != "opt_outs":  # leaving it blank is an answer: none
            assert "There is a problem" in refused.get_data(as_text=True), url
            check_page(refused.get_data(as_text=True), f"POST {url}")
    check = "/volunteer/apply/check"
    check_page(applicant.get(check).get_data(as_text=True), check)
    refused = applicant.submit(check, {})
    assert "There is a problem" in refused.get_data(as_text=True)
    check_page(refused.get_data(as_text=True), f"POST {check}")
    return {"volunteers.apply", "volunteers.application_question", "volunteers.check_application"}
