"""An advocate changes their details: what they have been through, languages, where and how they can help."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from support import error_messages
from peermatch.geo import lookup_postcode
from peermatch.models import AuditAction, AuditEvent, IssueType, Role, VolunteerProfile
from peermatch.services import matching
from peermatch.errors import DomainError
from peermatch.services import advocates
from volunteers.conftest import NOW, TODAY

# The advocate fixture lives in LA14 (Barrow), travels 15 km, speaks English and has been
# through a child protection conference. These are the same answers with three changes.
CHANGED = {
    "lived_experience": ["child_protection_conference", "care_proceedings"],
    "opt_outs": ["domestic_abuse"],
    "languages": ["en", "pl"],
    "gender": "woman",
    "support_modes": ["in_person", "phone"],
    "postcode": "la9 4ab",
    "travel_km": "15",
    "network_wide": "no",
    "introduction": "I have been there, and I learnt Polish from my mum.",
}


def answers(**overrides: Any) -> dict[str, Any]:
    data = {**CHANGED, **overrides}
    return {k: v for k, v in data.items() if v is not None}


def audit_events(session: Any, profile: VolunteerProfile) -> list[AuditEvent]:
    return list(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.ADVOCATE_DETAILS_CHANGED,
                                                            AuditEvent.subject_id == str(profile.id))))


def test_the_home_page_links_to_your_details_which_shows_the_current_answers(advocate_client: Any) -> None:
    browser, _, _ = advocate_client
    assert 'href="/volunteer/details">Change your details</a>' in browser.get("/volunteer/").get_data(as_text=True)
    page = browser.get("/volunteer/details")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<title>Your details" in html
    assert 'value="child_protection_conference" checked' in html
    assert 'value="en" checked' in html and 'value="pl" checked' not in html
    assert 'value="in_person" checked' in html and 'value="phone" checked' in html
    assert 'value="video" checked' not in html
    assert 'value="LA14"' in html and 'value="15" checked' in html and 'value="no" checked' in html
    assert "I have been there" in html
    assert html.count("checked") == 6  # nothing else: no opt-outs, no gender given
    # Not the organisation (vetting), nor capacity and free times (pages of their own).
    assert 'name="organisation"' not in html and 'name="capacity"' not in html and 'name="availability"' not in html


def test_a_change_is_saved_and_matching_uses_it_at_once(advocate_client: Any, session: Any) -> None:
    browser, user, profile = advocate_client
    response = browser.submit("/volunteer/details", answers())
    assert response.status_code == 302, error_messages(response)
    assert response.headers["Location"] == "/volunteer/"
    home = browser.get("/volunteer/").get_data(as_text=True)
    assert "Your details are saved. New offers will use them straight away" in home
    assert "outside" not in home  # Kendal is in Cumbria, like Barrow

    session.expire_all()  # the page saved through its own session, as every request does
    kendal = lookup_postcode("LA9")
    assert profile.home_outcode == "LA9"
    assert (profile.latitude, profile.longitude) == (kendal.latitude, kendal.longitude)
    assert profile.languages == ["en", "pl"] and profile.gender == "woman"
    assert [t.code for t in profile.opt_outs] == ["domestic_abuse"]
    assert {t.code for t in profile.lived_experience} == {"child_protection_conference", "care_proceedings"}
    assert profile.introduction == "I have been there, and I learnt Polish from my mum."
    assert profile.organisation_id == user.organisation_id  # unchanged

    seen = {v.id: v for v in matching.volunteer_profiles(session, profile.organisation_id)}[str(profile.id)]
    assert seen.outcode == "LA9" and (seen.lat, seen.lon) == (kendal.latitude, kendal.longitude)
    assert seen.languages == {"en", "pl"} and seen.opt_outs == {"domestic_abuse"}
    assert seen.lived_experience == {"child_protection_conference", "care_proceedings"} and seen.gender == "woman"


def test_a_new_opt_out_stops_offers_about_it_straight_away(advocate_client: Any, session: Any,
                                                           volunteering: Any) -> None:
    browser, _, profile = advocate_client
    request = volunteering.request(organisation=profile.organisation)  # also about domestic abuse
    before = matching.rank_request(session, request, TODAY).result
    assert str(profile.id) in {c.volunteer_id for c in before.eligible}
    response = browser.submit("/volunteer/details", answers())
    assert response.status_code == 302, error_messages(response)
    session.expire_all()  # the page saved through its own session, as every request does; this one is stale
    after = matching.rank_request(session, request, TODAY, explain_exclusions=True).result
    assert str(profile.id) not in {c.volunteer_id for c in after.eligible}
    [excluded] = [e for e in after.excluded if e.volunteer_id == str(profile.id)]
    assert [reason.rule for reason in excluded.reasons] == ["opt_out"]


def test_the_audit_event_names_the_changed_answers_and_never_their_values(advocate_client: Any,
                                                                          session: Any) -> None:
    browser, user, profile = advocate_client
    browser.submit("/volunteer/details", answers())
    [event] = audit_events(session, profile)
    assert event.actor_id == user.id and event.organisation_id == profile.organisation_id
    assert event.details == {"fields": ["lived_experience", "opt_outs", "languages", "gender", "postcode",
                                        "introduction"]}
    written = json.dumps(event.details)
    for value in ("LA9", "la9", "pl", "domestic_abuse", "care_proceedings", "woman", "Polish"):
        assert value not in written


def test_saving_without_a_change_writes_no_audit_event(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    same = answers(lived_experience=["child_protection_conference"], opt_outs=None, languages=["en"], gender=None,
                   postcode="LA14 2AB", introduction="I have been there")
    response = browser.submit("/volunteer/details", same)
    # The fixture advocate gave no gender, and the page asks for one like the application does.
    assert error_messages(response) == ["Select your gender, or prefer not to say"]
    profile.gender = "woman"
    session.flush()
    response = browser.submit("/volunteer/details", {**same, "gender": "woman"})
    assert response.status_code == 302, error_messages(response)
    assert "You did not change anything" in browser.get("/volunteer/").get_data(as_text=True)
    assert audit_events(session, profile) == []


def test_a_postcode_outside_the_organisation_is_saved_and_explained(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    organisation = profile.organisation
    response = browser.submit("/volunteer/details", answers(postcode="LS1 4AP"))
    assert response.status_code == 302, error_messages(response)
    session.refresh(profile)
    assert profile.home_outcode == "LS1" and profile.area_id is None
    assert profile.organisation_id == organisation.id
    home = browser.get("/volunteer/").get_data(as_text=True)
    assert (f"{organisation.name} covers Cumbria, and LS1 is outside it. You are still volunteering with "
            f"{organisation.name}. Offers to meet a parent in person are now measured from LS1") in home
    assert "told" not in home
    # Saving again from there says nothing more: the postcode did not change this time.
    browser.submit("/volunteer/details", answers(postcode="LS1"))
    assert "is outside" not in browser.get("/volunteer/").get_data(as_text=True)


def test_phone_and_video_only_needs_no_travel_distance(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    response = browser.submit("/volunteer/details", answers(support_modes=["phone", "video"], travel_km=None,
                                                            network_wide="yes"))
    assert response.status_code == 302, error_messages(response)
    session.refresh(profile)
    assert profile.support_modes == {"phone", "video"} and profile.travel_km == 0 and profile.network_wide
    html = browser.get("/volunteer/details").get_data(as_text=True)
    assert 'name="travel_km" type="radio" value="15" checked' not in html and 'value="yes" checked' in html
    [event] = audit_events(session, profile)
    assert {"support_modes", "travel_km", "network_wide"} <= set(event.details["fields"])


def test_a_travel_distance_no_longer_offered_is_kept(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    profile.travel_km = 20
    session.flush()
    html = browser.get("/volunteer/details").get_data(as_text=True)
    assert "Up to 12 miles (20 km)" in html and 'value="20" checked' in html
    response = browser.submit("/volunteer/details", answers(travel_km="20"))
    assert response.status_code == 302, error_messages(response)
    session.refresh(profile)
    assert profile.travel_km == 20


def test_a_retired_issue_type_the_advocate_has_is_still_shown(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    retired = session.scalar(sa.select(IssueType).where(IssueType.code == "child_protection_conference"))
    retired.active = False
    session.flush()
    html = browser.get("/volunteer/details").get_data(as_text=True)
    assert 'value="child_protection_conference" checked' in html
    response = browser.submit("/volunteer/details", answers())
    assert response.status_code == 302, error_messages(response)
    session.refresh(profile)
    assert "child_protection_conference" in {t.code for t in profile.lived_experience}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"lived_experience": None}, "Select at least one thing you have been through"),
        ({"opt_outs": ["care_proceedings"]},
         "You cannot choose something you have been through and also ask not to be offered it"),
        ({"opt_outs": ["not_an_issue"]}, "Select from the list"),
        ({"languages": None}, "Select at least one language"),
        ({"languages": ["xx"]}, "Select languages from the list"),
        ({"gender": None}, "Select your gender, or prefer not to say"),
        ({"support_modes": None}, "Select how you could support parents"),
        ({"postcode": ""}, "Enter your home postcode"),
        ({"postcode": "12345"}, "Enter a real postcode, like LA14 2AB, or just the first part, like LA14"),
        ({"postcode": "QQ9"}, "We do not recognise the postcode area QQ9. Check it and try again"),
        ({"postcode": "LA9 4AB LA9 4AB"}, "Postcode must be 10 characters or fewer"),
        ({"travel_km": None}, "Select how far you could travel to meet a parent in person"),
        ({"travel_km": "500"}, "Select how far you could travel to meet a parent in person"),
        ({"network_wide": None}, "Select yes if you would support parents anywhere by phone or video"),
        ({"introduction": "   "}, "Tell the organisers a little about yourself"),
        ({"introduction": "x" * 1001}, "Your introduction must be 1000 characters or fewer"),
    ],
)
def test_each_mistake_gets_its_own_message_keeps_every_answer_and_saves_nothing(
        advocate_client: Any, session: Any, overrides: dict[str, Any], message: str) -> None:
    browser, _, profile = advocate_client
    response = browser.submit("/volunteer/details", answers(**overrides))
    assert response.status_code == 200
    assert error_messages(response) == [message]
    html = response.get_data(as_text=True)
    assert "<title>Error: Your details" in html and "There is a problem" in html
    if "introduction" not in overrides:
        assert "I have been there, and I learnt Polish from my mum." in html
    if "postcode" not in overrides:
        assert 'value="la9 4ab"' in html
    else:
        assert f'value="{overrides["postcode"]}"' in html or not overrides["postcode"]
    if "languages" not in overrides:
        assert 'value="pl" checked' in html
    if "opt_outs" not in overrides:
        assert 'value="domestic_abuse" checked' in html
    if "gender" not in overrides:
        assert 'value="woman" checked' in html
    session.refresh(profile)
    assert profile.home_outcode == "LA14" and profile.languages == ["en"] and profile.opt_outs == []
    assert audit_events(session, profile) == []


def test_the_domain_refuses_the_same_issue_as_experience_and_opt_out(advocate_client: Any, session: Any) -> None:
    _, user, profile = advocate_client
    details = advocates.VolunteerDetails(
        lived_experience=["domestic_abuse"], opt_outs=["domestic_abuse"], languages=["en"], gender="woman",
        support_modes=["phone"], postcode="LA9", travel_km=0, network_wide=False, introduction="Hello",
    )
    with pytest.raises(DomainError) as refused:
        advocates.change_details(session, profile, details, user, NOW)
    assert refused.value.field == "opt_outs"
    assert str(refused.value) == "You cannot choose something you have been through and also ask not to be offered it"
    assert profile.home_outcode == "LA14" and profile.gender is None


def test_a_volunteer_who_has_not_applied_is_sent_to_apply(sign_in_as: Any) -> None:
    browser, _ = sign_in_as(Role.VOLUNTEER)
    assert browser.get("/volunteer/details").headers["Location"] == "/volunteer/apply"


def test_only_a_signed_in_volunteer_may_see_the_page(client: Any, parent_client: Any) -> None:
    response = client.get("/volunteer/details")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert parent_client.get("/volunteer/details").status_code == 403
