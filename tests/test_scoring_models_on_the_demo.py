"""Scoring models and batches on the demo network's year of history (built once a run: ``conftest.demo_app``)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from peermatch import clock, matching
from peermatch.errors import DomainError
from peermatch.models import AuditAction, AuditEvent, Organisation, Role, ScoringModelVersion
from peermatch.services import matching as matching_service
from peermatch.services import scoring_models


@pytest.fixture(scope="module")
def app(demo_app: Flask) -> Flask:
    return demo_app


def test_a_trained_model_is_stored_but_never_used_until_activated(session: Any, people: Any) -> None:
    NOW = clock.now()
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


def test_model_commands_train_list_evaluate_and_activate(app: Any, session: Any) -> None:
    runner = app.test_cli_runner()
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
    NOW = clock.now()
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


def test_batch_proposals_for_an_organisation_respect_capacity_and_beat_greedy(session: Any, people: Any) -> None:
    TODAY = clock.today()
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
