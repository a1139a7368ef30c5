"""A new volunteer applies one question a page: every question, every mistake, saving as they go, checking their
answers, and where the application goes."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from support import error_messages
from peermatch.models import (
    AuditAction,
    AuditEvent,
    Role,
    VolunteerApplicationDraft,
    VolunteerProfile,
    VolunteerStatus,
)

GOOD = {
    "lived_experience": ["child_protection_conference", "care_proceedings"],
    "opt_outs": ["domestic_abuse"],
    "languages": ["en", "pl"],
    "gender": "woman",
    "support_modes": ["in_person", "phone"],
    "postcode": "la14 2ab",
    "travel_km": "15",
    "network_wide": "yes",
    "capacity": "2",
    "availability": ["0-0", "0-2", "3-1"],
    "introduction": "I went through a child protection conference alone in 2019.",
}


# Each page of the application and the answer it asks.
PAGES = {"experience": "lived_experience", "opt-outs": "opt_outs", "languages": "languages", "gender": "gender",
         "how": "support_modes", "postcode": "postcode", "travel": "travel_km", "organisation": "organisation",
         "network-wide": "network_wide", "capacity": "capacity", "when-free": "availability",
         "introduction": "introduction"}
SLUG = {answer: slug for slug, answer in PAGES.items()}
CHECK = "/volunteer/apply/check"


def answers(**overrides: Any) -> dict[str, Any]:
    data = {**GOOD, **overrides}
    return {k: v for k, v in data.items() if v is not None}


def answer_every_page(browser: Any, data: dict[str, Any]) -> Any:
    """Answer each page the application shows, in order, as a person would; the check-answers page's response."""
    url = browser.get("/volunteer/apply").headers["Location"]
    seen = []
    while url.split("?")[0] != CHECK:
        slug = url.split("?")[0].rsplit("/", 1)[1]
        seen.append(slug)
        assert len(seen) <= len(PAGES), seen
        name = PAGES[slug]
        response = browser.submit(url, {name: data[name]} if name in data else {})
        assert response.status_code == 302, (url, error_messages(response))
        url = response.headers["Location"]
    return browser.get(url)


def apply_through_the_pages(browser: Any, data: dict[str, Any]) -> Any:
    """Answer every page, then send the application from check answers: the response to sending."""
    check = answer_every_page(browser, data)
    assert check.status_code == 200
    return browser.submit(CHECK, {})


@pytest.fixture()
def applicant(sign_in_as: Any, people: Any) -> tuple[Any, Any, Any]:
    """A volunteer who has just registered (no organisation yet); an organisation covers Cumbria."""
    organisation = people.organisation(county="Cumbria")
    user = people.user(Role.VOLUNTEER, organisation)
    user.organisation_id = None
    people.session.flush()
    browser, _ = sign_in_as(Role.VOLUNTEER, user)
    return browser, user, organisation


def test_a_new_volunteer_is_sent_to_the_application_from_their_home_page(applicant: Any, session: Any) -> None:
    browser, _, _ = applicant
    home = browser.get("/volunteer/").get_data(as_text=True)
    assert "Your application is not finished yet" in home and 'href="/volunteer/apply"' in home
    assert browser.get("/volunteer/availability").headers["Location"] == "/volunteer/apply"
    start = browser.get("/volunteer/apply")
    assert start.status_code == 302 and start.headers["Location"] == "/volunteer/apply/experience"
    page = browser.get("/volunteer/apply/experience")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Which of these have you been through yourself? – Apply to volunteer" in html
    issue_types = session.scalar(sa.text("select count(*) from issue_types where active"))
    assert html.count("<fieldset") == 1 and html.count('type="checkbox"') == issue_types >= 20


def test_each_page_asks_one_question_with_its_own_heading(applicant: Any) -> None:
    browser, _, _ = applicant
    apply_through_the_pages_until = answer_every_page(browser, answers())
    assert apply_through_the_pages_until.status_code == 200
    for slug in PAGES:
        if slug == "organisation":
            continue  # asked only outside every covered area (below)
        html = browser.get(f"/volunteer/apply/{slug}").get_data(as_text=True)
        assert html.count("<h1") == 1 and html.count("<fieldset") <= (7 if slug == "when-free" else 1), slug
        assert "Your answers are saved as you go" in html


def test_applying_records_every_answer_and_explains_what_happens_next(applicant: Any, session: Any) -> None:
    browser, user, organisation = applicant
    check = answer_every_page(browser, answers()).get_data(as_text=True)
    for shown in ("Child protection conference", "Care proceedings", "Domestic abuse", "English", "Polish", "Woman",
                  "In person", "Phone", "LA14", "Up to 10 miles (15 km)", "Yes, by phone or video",
                  "Monday: morning, evening", "Thursday: afternoon", "I went through a child protection conference"):
        assert shown in check, shown
    assert "la14 2ab" not in check.lower()  # only the outward code is kept
    response = browser.submit(CHECK, {})
    assert response.status_code == 302, error_messages(response)
    assert response.headers["Location"] == "/volunteer/"
    profile = session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert profile.status == VolunteerStatus.APPLICATION_RECEIVED
    session.refresh(user)
    assert profile.organisation_id == organisation.id and user.organisation_id == organisation.id
    assert profile.home_outcode == "LA14" and profile.area_id is not None
    assert {t.code for t in profile.lived_experience} == {"child_protection_conference", "care_proceedings"}
    assert [t.code for t in profile.opt_outs] == ["domestic_abuse"]
    assert profile.languages == ["en", "pl"] and profile.gender == "woman"
    assert profile.support_modes == {"in_person", "phone"} and profile.travel_km == 15
    assert profile.network_wide is True and profile.capacity == 2
    assert profile.availability_mask == (1 << 0) | (1 << 2) | (1 << (3 * 3 + 1))
    assert profile.introduction.startswith("I went through")
    assert profile.vetting is not None and profile.vetting.dbs_checked_on is None
    assert session.get(VolunteerApplicationDraft, user.id) is None  # the draft goes once the application is made
    home = browser.get("/volunteer/").get_data(as_text=True)
    assert "Application received" in home and "What happens next" in home
    assert "DBS check" in home and "0 of 2 received" in home
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.ADVOCATE_APPLICATION_RECEIVED,
                                                      AuditEvent.actor_id == user.id)) is not None
    assert browser.get("/volunteer/apply").headers["Location"] == "/volunteer/"
    assert browser.get("/volunteer/apply/gender").headers["Location"] == "/volunteer/"
    assert browser.get(CHECK).headers["Location"] == "/volunteer/"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"lived_experience": None}, "Select at least one thing you have been through"),
        ({"opt_outs": ["care_proceedings"]},
         "You cannot choose something you have been through and also ask not to be offered it"),
        ({"languages": None}, "Select at least one language"),
        ({"gender": None}, "Select your gender, or prefer not to say"),
        ({"support_modes": None}, "Select how you could support parents"),
        ({"postcode": ""}, "Enter your home postcode"),
        ({"postcode": "12345"}, "Enter a real postcode, like LA14 2AB, or just the first part, like LA14"),
        ({"postcode": "QQ9"}, "We do not recognise the postcode area QQ9. Check it and try again"),
        ({"travel_km": None}, "Select how far you could travel to meet a parent in person"),
        ({"network_wide": None}, "Select yes if you would support parents anywhere by phone or video"),
        ({"capacity": None}, "Select how many parents you could support at the same time"),
        ({"capacity": "9"}, "Select how many parents you could support at the same time"),
        ({"availability": None}, "Select at least one time in the week when you are usually free"),
        ({"introduction": ""}, "Tell the organisers a little about yourself"),
        ({"introduction": "x" * 1001}, "Your introduction must be 1000 characters or fewer"),
    ],
)
def test_each_mistake_gets_its_own_message_and_keeps_the_answers(applicant: Any, session: Any,
                                                                 overrides: dict[str, Any], message: str) -> None:
    browser, user, _ = applicant
    good = answers()
    answer_every_page(browser, good)
    name = next(iter(overrides))
    url = f"/volunteer/apply/{SLUG[name]}?change=1"
    wrong = answers(**overrides)
    response = browser.submit(url, {name: wrong[name]} if name in wrong else {})
    assert response.status_code == 200
    assert message in error_messages(response)
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html and "– Apply to volunteer" in html and "There is a problem" in html
    if name == "introduction":
        assert wrong["introduction"] in html  # what was typed is shown again to put right
    if name == "postcode" and wrong["postcode"]:
        assert f'value="{wrong["postcode"]}"' in html
    # Every other answer is kept, and the one put wrong keeps its last good value.
    kept = session.get(VolunteerApplicationDraft, user.id).answers
    assert kept["introduction"] == good["introduction"] and kept["postcode"] == "LA14"
    assert kept["lived_experience"] == good["lived_experience"]
    assert session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)) is None


def test_travel_distance_is_not_needed_for_phone_and_video_only(applicant: Any, session: Any) -> None:
    browser, user, _ = applicant
    check = answer_every_page(browser, answers(support_modes=["phone", "video"], travel_km=None))
    assert "How far you could travel" not in check.get_data(as_text=True)
    response = browser.submit(CHECK, {})
    assert response.status_code == 302, error_messages(response)
    profile = session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert profile.travel_km == 0 and not profile.offers_in_person


def test_outside_every_covered_area_the_volunteer_chooses_an_organisation(applicant: Any, session: Any) -> None:
    browser, user, organisation = applicant
    browser.get("/volunteer/apply")
    for name in ("lived_experience", "opt_outs", "languages", "gender", "support_modes"):
        assert browser.submit(f"/volunteer/apply/{SLUG[name]}", {name: GOOD[name]}).status_code == 302
    first = browser.submit("/volunteer/apply/postcode", {"postcode": "TR1 2AB"})
    assert first.headers["Location"] == "/volunteer/apply/travel"
    assert browser.submit("/volunteer/apply/travel", {"travel_km": "15"}).headers["Location"] == \
        "/volunteer/apply/organisation"
    asked = browser.get("/volunteer/apply/organisation").get_data(as_text=True)
    assert "No member organisation covers TR1 yet. Choose the organisation you would like to volunteer with" in asked
    assert organisation.name in asked
    # Sent without choosing, the check-answers page says what is missing, and nothing is saved.
    refused = browser.submit(CHECK, {})
    assert "Choose the organisation you would like to volunteer with" in refused.get_data(as_text=True)
    assert session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)) is None
    second = apply_through_the_pages(browser, answers(postcode="TR1 2AB", organisation=str(organisation.id)))
    assert second.status_code == 302, error_messages(second)
    profile = session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert profile.organisation_id == organisation.id and profile.area_id is None and profile.home_outcode == "TR1"


def test_an_unknown_organisation_is_refused(applicant: Any) -> None:
    browser, _, _ = applicant
    browser.get("/volunteer/apply")
    browser.submit("/volunteer/apply/postcode", {"postcode": "TR1"})
    response = browser.submit("/volunteer/apply/organisation", {"organisation": "not-an-organisation"})
    assert "Select an organisation from the list" in error_messages(response)


def test_answers_are_saved_as_you_go_and_wait_for_you_after_signing_out(applicant: Any, sign_in_as: Any,
                                                                       session: Any) -> None:
    browser, user, _ = applicant
    for name in ("lived_experience", "opt_outs", "languages"):
        assert browser.submit(f"/volunteer/apply/{SLUG[name]}", {name: GOOD[name]}).status_code == 302
    browser.submit("/sign-out", {})
    again, _ = sign_in_as(Role.VOLUNTEER, user)
    assert again.get("/volunteer/apply").headers["Location"] == "/volunteer/apply/gender"  # where they left off
    shown = again.get("/volunteer/apply/languages").get_data(as_text=True)
    assert 'value="pl" checked' in shown.replace("\n", " ") or re.search(r'value="pl"[^>]*checked', shown)
    assert session.get(VolunteerApplicationDraft, user.id).answers["languages"] == ["en", "pl"]


def test_check_answers_lists_every_question_still_to_answer_at_once(applicant: Any, session: Any) -> None:
    browser, user, _ = applicant
    for name in ("lived_experience", "opt_outs", "languages"):
        browser.submit(f"/volunteer/apply/{SLUG[name]}", {name: GOOD[name]})
    page = browser.get(CHECK).get_data(as_text=True)
    assert page.count("Not answered yet") == 7  # gender, how, postcode, network-wide, capacity, free, introduction
    refused = browser.submit(CHECK, {})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "<title>Error: Check your answers" in html
    for message in ("Select your gender, or prefer not to say", "Select how you could support parents",
                    "Enter your home postcode", "Select yes if you would support parents anywhere by phone or video",
                    "Select how many parents you could support at the same time",
                    "Select at least one time in the week when you are usually free",
                    "Tell the organisers a little about yourself"):
        assert message in html, message
    assert 'href="/volunteer/apply/gender?change=1"' in html
    assert session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)) is None


def test_changing_an_answer_returns_to_check_answers_and_asks_any_new_question_first(applicant: Any) -> None:
    browser, _, _ = applicant
    answer_every_page(browser, answers(support_modes=["phone"], travel_km=None))
    check = browser.get(CHECK).get_data(as_text=True)
    assert 'href="/volunteer/apply/gender?change=1"' in check
    assert browser.submit("/volunteer/apply/gender?change=1", {"gender": "man"}).headers["Location"] == CHECK
    # In person now: the travel question opens before returning.
    moved = browser.submit("/volunteer/apply/how?change=1", {"support_modes": ["phone", "in_person"]})
    assert moved.headers["Location"] == "/volunteer/apply/travel?change=1"
    assert browser.submit("/volunteer/apply/travel?change=1", {"travel_km": "25"}).headers["Location"] == CHECK
    check = browser.get(CHECK).get_data(as_text=True)
    assert "Man" in check and "Up to 15 miles (25 km)" in check
