"""The engine fed from the database: profiles, ranking with reasons, and versioned scoring models."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from peermatch.errors import NotEligible
from peermatch import matching
from peermatch.models import (
    IssueType, Role, ScoringModelVersion, SupportRequest, Vetting, VolunteerLanguage, VolunteerProfile,
)
from peermatch.services import matching as matching_service
from peermatch.services import scoring_models

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def issue(session: Any, code: str) -> IssueType:
    return session.scalars(sa.select(IssueType).where(IssueType.code == code)).one()


def advocate(session: Any, people: Any, organisation: Any, name: str, **fields: Any) -> VolunteerProfile:
    user = people.user(Role.VOLUNTEER, organisation=organisation, name=name)
    expires = fields.pop("dbs_expires_on", TODAY + timedelta(days=400))
    profile = VolunteerProfile(
        user_id=user.id, organisation_id=organisation.id, status="approved", home_outcode="LA14",
        latitude=54.1185, longitude=-3.2302, travel_km=20, capacity=2, availability_mask=0b111,
        offers_in_person=True, offers_phone=True, **fields,
    )
    profile.lived_experience = [issue(session, "domestic_abuse")]
    profile.language_rows = [VolunteerLanguage(language="en")]
    profile.vetting = Vetting(dbs_checked_on=TODAY - timedelta(days=300), dbs_expires_on=expires,
                              training_completed_on=TODAY - timedelta(days=200))
    session.add(profile)
    session.flush()
    return profile


def a_request(session: Any, organisation: Any) -> SupportRequest:
    request = SupportRequest(status="open", organisation_id=organisation.id, outcode="LA13", latitude=54.12,
                             longitude=-3.22, availability_mask=0b1, accepts_in_person=True, accepts_phone=True,
                             main_issue_id=issue(session, "domestic_abuse").id)
    request.issue_types = [issue(session, "domestic_abuse")]
    from peermatch.models import RequestLanguage

    request.language_rows = [RequestLanguage(language="en")]
    session.add(request)
    session.flush()
    return request


def test_profiles_carry_what_the_rules_need(session: Any, people: Any) -> None:
    organisation = people.organisation("Furness Parents Together")
    volunteer = advocate(session, people, organisation, "Robin")
    request = a_request(session, organisation)
    [profile] = [p for p in matching_service.volunteer_profiles(session, organisation.id) if p.id == str(volunteer.id)]
    assert profile.approved and profile.training_completed and profile.capacity == 2
    assert profile.lived_experience == frozenset({"domestic_abuse"}) and profile.area_code == "cumbria"
    req = matching_service.request_profile(session, request)
    assert req.main_issue == "domestic_abuse" and req.support_modes == frozenset({"in_person", "phone"})
    assert matching.check_rules(req, profile, TODAY) == ()


def test_an_organiser_sees_who_was_excluded_and_why(session: Any, people: Any) -> None:
    organisation = people.organisation("Furness Parents Together")
    ready = advocate(session, people, organisation, "Robin")
    lapsed = advocate(session, people, organisation, "Alex", dbs_expires_on=TODAY - timedelta(days=3))
    request = a_request(session, organisation)
    result = matching_service.rank_request(session, request, TODAY, explain_exclusions=True).result
    assert [c.volunteer_id for c in result.eligible] == [str(ready.id)]
    [excluded] = [e for e in result.excluded if e.volunteer_id == str(lapsed.id)]
    assert any("DBS check expired on 20 November 2026" in r.message for r in excluded.reasons)
    top = result.eligible[0]
    assert 0 <= top.score <= 1 and {c.feature for c in top.contributions} == set(matching.FEATURE_NAMES)


def test_applicants_and_other_organisations_are_not_in_the_pool(session: Any, people: Any) -> None:
    ours, theirs = people.organisation("Ours"), people.organisation("Theirs", county="Kent")
    applicant = advocate(session, people, ours, "Applicant", )
    applicant.status = "application_received"
    elsewhere = advocate(session, people, theirs, "Elsewhere")
    anywhere = advocate(session, people, theirs, "Anywhere", network_wide=True)
    session.flush()
    ids = {p.id for p in matching_service.volunteer_profiles(session, ours.id)}
    assert str(applicant.id) not in ids and str(elsewhere.id) not in ids and str(anywhere.id) in ids


def test_too_little_history_is_refused_with_a_clear_message(session: Any) -> None:
    with pytest.raises(matching.NotEnoughHistory, match="Keep using the default weights"):
        scoring_models.train_model(session, NOW)


def test_the_model_command_refuses_to_train_on_too_little_history(app: Any, session: Any) -> None:
    refused = app.test_cli_runner().invoke(args=["model", "train"])
    assert refused.exit_code != 0 and "training needs at least 200" in refused.output


def test_only_admins_manage_models(sign_in_as: Any) -> None:
    organiser, _ = sign_in_as(Role.ORGANISER)
    assert organiser.get("/admin/scoring-models").status_code == 403


def test_each_offer_records_its_score_explanation_and_the_model_version_that_scored_it(session: Any,
                                                                                     people: Any) -> None:
    organisation = people.organisation("Furness Parents Together")
    robin = advocate(session, people, organisation, "Robin")
    organiser = people.user(Role.ORGANISER, organisation=organisation)
    request = a_request(session, organisation)
    offer = matching_service.propose_scored_offer(session, request, robin, organiser, NOW)
    assert offer.model_version == "default-1" and 0 < offer.score < 1
    assert {item["feature"] for item in offer.explanation} == set(matching.FEATURE_NAMES)
    assert all(item["explanation"] for item in offer.explanation)

    trained = ScoringModelVersion(version="lr-test", parameters={
        **matching.default_model().to_dict(), "version": "lr-test"}, metrics={})
    session.add(trained)
    session.flush()
    scoring_models.activate_model(session, "lr-test", None, NOW)
    other = a_request(session, organisation)
    assert matching_service.propose_scored_offer(session, other, robin, organiser, NOW).model_version == "lr-test"


def test_an_advocate_who_breaks_a_rule_is_never_proposed(session: Any, people: Any) -> None:
    organisation = people.organisation("Furness Parents Together")
    lapsed = advocate(session, people, organisation, "Alex", dbs_expires_on=TODAY - timedelta(days=3))
    request = a_request(session, organisation)
    with pytest.raises(NotEligible) as refused:
        matching_service.propose_scored_offer(session, request, lapsed, None, NOW)
    assert refused.value.reasons == ["DBS check expired on 20 November 2026"]


def test_training_learns_from_the_features_the_organiser_saw(session: Any, people: Any) -> None:
    organisation = people.organisation("Furness Parents Together")
    robin = advocate(session, people, organisation, "Robin")
    request = a_request(session, organisation)
    offer = matching_service.propose_scored_offer(session, request, robin, None, NOW)
    seen = tuple(item["value"] for item in sorted(
        offer.explanation, key=lambda item: matching.FEATURE_NAMES.index(item["feature"])))
    offer.status = "accepted"
    robin.lived_experience = []  # the advocate's profile changes later...
    session.flush()
    [example] = scoring_models.training_examples(session, TODAY)
    assert example.features == seen and example.label == 1  # ...but the decision was made on what was seen
