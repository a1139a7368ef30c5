"""The engine fed from the database: profiles, ranking with reasons, and versioned scoring models."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from peermatch.errors import DomainError, NotEligible
from peermatch import matching
from peermatch.models import (
    AuditAction,
    AuditEvent, IssueType, Role, ScoringModelVersion, SupportRequest, Vetting, VolunteerLanguage, VolunteerProfile,
)
from peermatch.services import matching as matching_service
from peermatch.services import scoring_models
from peermatch.services.demo import load_demo_data

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


def test_a_trained_model_is_stored_but_never_used_until_activated(session: Any, people: Any) -> None:
    load_demo_data(session, NOW)
    admin = people.user(Role.ADMIN)
    row = scoring_models.train_model(session, NOW, min_examples=40)
    assert not row.active and row.metrics["auc"] is not None and "default_auc" in row.metrics
    assert scoring_models.active_model(session).version == "default-1"

    scoring_models.activate_model(session, row.version, admin, NOW)
    assert scoring_models.active_model(session).version == row.version
    scoring_models.activate_model(session, "default-1", admin, NOW)  # roll back
    assert scoring_models.active_model(session).version == "default-1"
    assert session.scalar(sa.select(sa.func.count()).select_from(ScoringModelVersion)
                          .where(ScoringModelVersion.active)) == 0
    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.SCORING_MODEL_ACTIVATED)).all()
    assert [e.subject_id for e in events] == [row.version, "default-1"]
    with pytest.raises(DomainError, match="There is no scoring model version 'nope'"):
        scoring_models.activate_model(session, "nope", admin, NOW)


def test_too_little_history_is_refused_with_a_clear_message(session: Any) -> None:
    with pytest.raises(matching.NotEnoughHistory, match="Keep using the default weights"):
        scoring_models.train_model(session, NOW)


def test_model_commands_train_list_evaluate_and_activate(app: Any, session: Any) -> None:
    runner = app.test_cli_runner()
    # Refused while there is too little history (the demo's year of history is enough to train on).
    refused = runner.invoke(args=["model", "train"])
    assert refused.exit_code != 0 and "training needs at least 200" in refused.output
    load_demo_data(session, NOW)
    trained = runner.invoke(args=["model", "train", "--min-examples", "40"])
    assert trained.exit_code == 0, trained.output
    version = trained.output.split("peermatch model activate ")[1].strip()
    assert "Not active yet" in trained.output
    listed = runner.invoke(args=["model", "list"])
    assert "* default-1" in listed.output and f"  {version}" in listed.output
    assert "auc" in runner.invoke(args=["model", "evaluate", version]).output
    assert runner.invoke(args=["model", "activate", version]).exit_code == 0
    assert f"* {version}" in runner.invoke(args=["model", "list"]).output
    assert runner.invoke(args=["model", "activate", "nope"]).exit_code != 0


def test_an_admin_sees_the_weights_and_activates_a_version_after_confirming(sign_in_as: Any, session: Any,
                                                                           people: Any) -> None:
    load_demo_data(session, NOW)
    row = scoring_models.train_model(session, NOW, min_examples=40)
    admin, _ = sign_in_as(Role.ADMIN)
    page = admin.get("/admin/scoring-models").get_data(as_text=True)
    assert "Lived experience of the parent&#39;s issues" in page and row.version in page
    confirm = admin.get(f"/admin/scoring-models/{row.version}/activate").get_data(as_text=True)
    assert f"Use {row.version} for new offers?" in confirm
    admin.submit(f"/admin/scoring-models/{row.version}/activate", {})
    session.expire_all()
    assert scoring_models.active_model(session).version == row.version
    assert admin.get("/admin/scoring-models/unknown/activate").status_code == 404


def test_only_admins_manage_models(sign_in_as: Any) -> None:
    organiser, _ = sign_in_as(Role.ORGANISER)
    assert organiser.get("/admin/scoring-models").status_code == 403


def test_batch_proposals_for_an_organisation_respect_capacity_and_beat_greedy(session: Any, people: Any) -> None:
    load_demo_data(session, NOW)
    from peermatch.models import Organisation

    organisation = session.scalars(sa.select(Organisation).order_by(Organisation.name)).first()
    result = matching_service.propose_batch_for(session, organisation.id, TODAY).result
    requests = matching_service.open_requests(session, organisation.id)
    assert {r.id for r in requests} and all(r.organisation_id == organisation.id for r in requests)
    room = {p.id: p.capacity - p.active_matches - p.offers_waiting
            for p in matching_service.volunteer_profiles(session, organisation.id)}
    used: dict[str, int] = {}
    for assignment in result.assignments:
        used[assignment.volunteer_id] = used.get(assignment.volunteer_id, 0) + 1
    assert all(used[v] <= room[v] for v in used)
    assert len({a.request_id for a in result.assignments}) == len(result.assignments)
    profiles = [matching_service.request_profile(session, r) for r in requests]
    pool = matching.VolunteerPool(matching_service.volunteer_profiles(session, organisation.id))
    greedy = matching.greedy_batch(profiles, pool, matching.default_model(), TODAY)
    assert result.total_score >= greedy.total_score - 1e-9
    most = matching_service.propose_batch_for(session, organisation.id, TODAY, maximise_matches=True).result
    assert most.matched_count >= result.matched_count


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
