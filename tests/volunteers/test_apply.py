"""A new volunteer applies: every question, every mistake, and where the application goes."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from support import error_messages
from peermatch.models import AuditAction, AuditEvent, Role, VolunteerProfile, VolunteerStatus

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


def answers(**overrides: Any) -> dict[str, Any]:
    data = {**GOOD, **overrides}
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture()
def applicant(sign_in_as: Any, people: Any) -> tuple[Any, Any, Any]:
    """A volunteer who has just registered (no organisation yet); an organisation covers Cumbria."""
    organisation = people.organisation(county="Cumbria")
    user = people.user(Role.VOLUNTEER, organisation)
    user.organisation_id = None
    people.session.flush()
    browser, _ = sign_in_as(Role.VOLUNTEER, user)
    return browser, user, organisation


def test_a_new_volunteer_is_sent_to_the_application_from_their_home_page(applicant: Any) -> None:
    browser, _, _ = applicant
    home = browser.get("/volunteer/").get_data(as_text=True)
    assert "Your application is not finished yet" in home and 'href="/volunteer/apply"' in home
    assert browser.get("/volunteer/availability").headers["Location"] == "/volunteer/apply"
    page = browser.get("/volunteer/apply")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<title>Apply to volunteer" in html
    assert html.count("<fieldset") >= 7 + 7 and html.count('type="checkbox"') >= 21 + 20 + 20


def test_applying_records_every_answer_and_explains_what_happens_next(applicant: Any, session: Any) -> None:
    browser, user, organisation = applicant
    response = browser.submit("/volunteer/apply", answers())
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
    home = browser.get("/volunteer/").get_data(as_text=True)
    assert "Application received" in home and "What happens next" in home
    assert "DBS check" in home and "0 of 2 received" in home
    assert session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.ADVOCATE_APPLICATION_RECEIVED,
                                                      AuditEvent.actor_id == user.id)) is not None
    assert browser.get("/volunteer/apply").headers["Location"] == "/volunteer/"


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
    response = browser.submit("/volunteer/apply", answers(**overrides))
    assert response.status_code == 200
    assert message in error_messages(response)
    html = response.get_data(as_text=True)
    assert "<title>Error: Apply to volunteer" in html and "There is a problem" in html
    if "introduction" not in overrides:
        assert "I went through a child protection conference alone in 2019." in html
    if overrides.get("postcode") is None:
        assert 'value="la14 2ab"' in html
    assert session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)) is None


def test_travel_distance_is_not_needed_for_phone_and_video_only(applicant: Any, session: Any) -> None:
    browser, user, _ = applicant
    response = browser.submit("/volunteer/apply", answers(support_modes=["phone", "video"], travel_km=None))
    assert response.status_code == 302, error_messages(response)
    profile = session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert profile.travel_km == 0 and not profile.offers_in_person


def test_outside_every_covered_area_the_volunteer_chooses_an_organisation(applicant: Any, session: Any) -> None:
    browser, user, organisation = applicant
    first = browser.submit("/volunteer/apply", answers(postcode="TR1 2AB"))
    assert first.status_code == 200
    assert ("No member organisation covers TR1 yet. Choose the organisation you would like to volunteer with"
            in error_messages(first))
    html = first.get_data(as_text=True)
    assert organisation.name in html and 'value="TR1 2AB"' in html
    second = browser.submit("/volunteer/apply", answers(postcode="TR1 2AB", organisation=str(organisation.id)))
    assert second.status_code == 302, error_messages(second)
    profile = session.scalar(sa.select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert profile.organisation_id == organisation.id and profile.area_id is None and profile.home_outcode == "TR1"


def test_an_unknown_organisation_is_refused(applicant: Any) -> None:
    browser, _, _ = applicant
    response = browser.submit("/volunteer/apply", answers(postcode="TR1", organisation="not-an-organisation"))
    assert "Select an organisation from the list" in error_messages(response)
