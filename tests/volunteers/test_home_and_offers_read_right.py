"""The volunteer's home, an offer and registering read right (issue 13, item 4): an offer waiting is the first
thing on the home page with the time left; checks say "Done" once; applicants are not told about hours and places
they cannot have yet; registering says what is needed and how to sign in; an offer names the parent's own meeting;
Accept is a full-width button like every other."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from page_checks import parse
from peermatch.models import Role
from volunteers.conftest import NOW


def text_of(html: str) -> str:
    return parse(html).text()


def test_an_offer_waiting_is_a_banner_at_the_top_of_home_with_the_time_left(advocate_client: Any,
                                                                              volunteering: Any) -> None:
    browser, _, profile = advocate_client
    request = volunteering.request(organisation=profile.organisation, meeting_date=(NOW + timedelta(days=6)).date())
    request.meeting_type = "family_group_conference"
    offer = volunteering.offer(profile, request, now=NOW - timedelta(hours=28))
    html = browser.get("/volunteer/").get_data(as_text=True)
    root = parse(html)
    banner = next(n for n in root.walk() if "govuk-notification-banner" in n.classes())
    words = banner.text()
    assert "1 offer waiting for your answer" in words and "20 hours left to answer" in words
    assert "Family group conference on 16 March" in words
    assert f'href="/volunteer/offers/{offer.id}"' in html.split("Your application and checks")[0]
    assert html.index("govuk-notification-banner") < html.index("Your application and checks")


def test_no_banner_without_an_offer(advocate_client: Any) -> None:
    browser, _, _ = advocate_client
    assert "govuk-notification-banner" not in browser.get("/volunteer/").get_data(as_text=True)


def test_each_check_says_done_once(advocate_client: Any) -> None:
    browser, _, _ = advocate_client
    words = text_of(browser.get("/volunteer/").get_data(as_text=True))
    assert "Done Done" not in words and "Done, valid until" not in words
    assert "DBS check Done Valid until 6 January 2028" in words
    assert "Training Done Completed on 1 February 2025" in words


def test_an_applicant_is_not_shown_hours_or_places_they_cannot_have_yet(applicant_with_application: Any) -> None:
    words = text_of(applicant_with_application.get("/volunteer/").get_data(as_text=True))
    assert "Application received" in words and "What happens next" in words
    assert "0 minutes" not in words and "You are supporting 0" not in words
    assert "No offers are waiting for you" not in words


def test_an_approved_advocate_still_sees_their_places_and_hours(advocate_client: Any) -> None:
    browser, _, _ = advocate_client
    words = text_of(browser.get("/volunteer/").get_data(as_text=True))
    assert "You are supporting 0 of the 2 parents you can support at once" in words
    assert "Hours you have given this year: 0 minutes" in words


def test_registering_says_up_front_what_is_needed_and_how_to_sign_in(app: Any, session: Any) -> None:
    html = app.test_client().get("/volunteer/register").get_data(as_text=True)
    before_the_form = html.split("<form")[0]
    assert "DBS check" in before_the_form and "two references" in before_the_form
    assert 'href="/sign-in"' in html and "Already have an account?" in html


def test_an_offer_is_headed_by_the_parents_own_meeting(advocate_client: Any, volunteering: Any) -> None:
    browser, _, profile = advocate_client
    request = volunteering.request(organisation=profile.organisation, meeting_date=(NOW + timedelta(days=6)).date())
    request.meeting_type = "family_group_conference"
    offer = volunteering.offer(profile, request)
    page = browser.get(f"/volunteer/offers/{offer.id}").get_data(as_text=True)
    lead = next(n for n in parse(page).walk() if "govuk-body-l" in n.classes()).text()
    assert lead.startswith("Family group conference on 16 March")
    listed = parse(browser.get("/volunteer/offers").get_data(as_text=True))
    headings = [n.text() for n in listed.walk() if n.tag == "h2"]
    assert any(h.startswith("Family group conference on 16 March") for h in headings), headings
    assert not any(h.startswith("Child protection conference") for h in headings), headings


def test_accept_is_a_full_width_button_of_the_button_group(advocate_client: Any, volunteering: Any) -> None:
    browser, _, profile = advocate_client
    offer = volunteering.offer(profile)
    root = parse(browser.get(f"/volunteer/offers/{offer.id}").get_data(as_text=True))
    accept = next(n for n in root.walk() if n.tag == "button" and n.text() == "Accept offer")
    assert "govuk-button-group" in accept.parent.classes()  # a form between them centres a narrow button


@pytest.fixture()
def applicant_with_application(sign_in_as: Any, volunteering: Any, clock: Any) -> Any:
    from peermatch.models import VolunteerStatus

    user, _ = volunteering.advocate(status=VolunteerStatus.APPLICATION_RECEIVED)
    browser, _ = sign_in_as(Role.VOLUNTEER, user)
    return browser
