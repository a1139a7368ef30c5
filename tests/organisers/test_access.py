"""An organiser sees only their own organisation: every id of another one answers 404, on every page and POST."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from organisers.conftest import fitting_advocate
from peermatch.models import AuditAction, AuditEvent, Role
from peermatch.services import offers
from volunteers.conftest import NOW

SAMPLE = {"decision": "approve"}
# Routes whose argument names no object of an organisation: a report table's name. Whose figures
# it holds is always the signed-in organiser's own organisation (tests/test_reports.py).
NOT_AN_ID = {"/organiser/reports/<table>.csv"}


def another_organisations_ids(volunteering: Any, people: Any) -> dict[str, str]:
    """A request, an advocate, an offer and a match, all of a second organisation (Kent)."""
    kent = people.organisation("Kent Parent Advocates", county="Kent")
    user, profile = fitting_advocate(volunteering, kent, name="Kim")
    request = volunteering.request(organisation=kent, postcode="CT1")
    offer = volunteering.offer(profile, request)
    match = offers.accept(volunteering.session, offer, user, NOW)
    other_request = volunteering.request(organisation=kent, postcode="CT1")
    waiting = volunteering.offer(fitting_advocate(volunteering, kent, name="Kit")[1], other_request)
    return {"request_id": str(other_request.id), "volunteer_id": str(profile.id), "match_id": str(match.id),
            "offer_id": str(waiting.id)}


def test_every_organiser_page_and_post_answers_404_for_another_organisations_ids(
        app: Flask, organiser: Any, volunteering: Any, people: Any, session: Any) -> None:
    browser, _ = organiser
    ids = another_organisations_ids(volunteering, people)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      browser.get("/organiser/batch").get_data(as_text=True)).group(1)
    tried = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organiser/") or not rule.arguments or rule.rule in NOT_AN_ID:
            continue
        values = {name: ids.get(name, SAMPLE.get(name)) for name in rule.arguments}
        assert None not in values.values(), f"no id of another organisation for {rule.rule}"
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", value, path)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = (browser.get(path) if method == "GET" else
                        browser.post(path, data={"csrf_token": token, "volunteer_id": ids["volunteer_id"],
                                                 "reason": "x", "outcome": "other"}))
            assert response.status_code == 404, (method, path, response.status_code)
            tried += 1
    assert tried >= 15  # every organiser route with an id was walked (17 when written)


def test_another_organisations_advocate_cannot_be_offered_or_recorded_against(
        organiser: Any, volunteering: Any, people: Any, furness: Any) -> None:
    browser, _ = organiser
    ids = another_organisations_ids(volunteering, people)
    ours = volunteering.request(organisation=furness)
    candidates = f"/organiser/requests/{ours.id}/candidates"
    # Kent's advocate did not opt in to support parents anywhere: they are not a candidate at all.
    assert browser.submit(f"/organiser/requests/{ours.id}/offers", {"volunteer_id": ids["volunteer_id"]},
                          form_url=f"/organiser/requests/{ours.id}").status_code == 404
    assert browser.submit(f"/organiser/requests/{ours.id}/conflicts",
                          {"volunteer_id": ids["volunteer_id"], "reason": "Knows them"},
                          form_url=f"/organiser/requests/{ours.id}").status_code == 400
    asked = browser.submit(candidates, {"q": "Kim"})
    assert asked.headers["Location"] == candidates + "?search=1#why-not"  # the name is not in the address
    searched = browser.get(candidates + "?search=1").get_data(as_text=True)
    assert "No advocate called “Kim” could be offered your requests" in searched
    assert searched.count("Kim") == 2  # the search box and the answer, never a result


@pytest.mark.parametrize("role", [Role.PARENT, Role.VOLUNTEER, Role.ADMIN])
def test_only_organisers_open_the_organiser_pages(sign_in_as: Any, role: Role) -> None:
    browser, _ = sign_in_as(role)
    for page in ("/organiser/", "/organiser/requests", "/organiser/offers", "/organiser/batch"):
        assert browser.get(page).status_code == 403


def test_reading_a_record_is_audited_without_the_values(organiser: Any, volunteering: Any, furness: Any,
                                                        session: Any) -> None:
    browser, user = organiser
    request = volunteering.request(organisation=furness)
    _, profile = fitting_advocate(volunteering, furness, name="Robin")
    for page in (f"/organiser/requests/{request.id}", f"/organiser/requests/{request.id}/candidates",
                 f"/organiser/advocates/{profile.id}", "/organiser/requests"):
        assert browser.get(page).status_code == 200
    import sqlalchemy as sa

    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id == user.id)).all()
    actions = {e.action for e in events}
    assert {AuditAction.REQUEST_VIEWED, AuditAction.CANDIDATES_VIEWED, AuditAction.ADVOCATE_VIEWED,
            AuditAction.LIST_VIEWED} <= actions
    text = " ".join(str(e.details) for e in events)
    assert "Zelda" not in text and "07700" not in text and "Robin" not in text
