"""Who gets what: every route, for nine kinds of visitor, with real ids; a new route fails until it is added here."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from demo_cast import PERSONAS, Cast, visitor
from support import FormClient


@pytest.fixture(scope="session")
def app(demo_app: Flask) -> Flask:
    """Every test here works on the demo network, built once for the run (``conftest.demo_app``)."""
    return demo_app

def status_of(client: FormClient, app: Flask, rule: Any, cast: Cast) -> int:
    url = rule.build({name: cast.ids[name] for name in rule.arguments}, append_unknown=False)[1]
    if "GET" in (rule.methods or ()):
        return client.get(url).status_code
    token = client.csrf_token("/sign-out") if client.get("/sign-out").status_code == 200 else \
        client.csrf_token("/sign-in")
    return client.post(url, data={"csrf_token": token}).status_code


PARENTS = ("parent", "other_parent")
VOLUNTEERS = ("advocate", "other_advocate", "applicant")
ORGANISERS = ("organiser", "other_organiser")


def everyone(status: int, **but: int) -> dict[str, int]:
    return {**dict.fromkeys(PERSONAS, status), **but}


def signed_in(status: int = 200, **but: int) -> dict[str, int]:
    """Any signed-in person; anonymous visitors are sent to sign in."""
    return everyone(status, anonymous=302, **but)


def only(group: tuple[str, ...], **but: int) -> dict[str, int]:
    """People of one role get 200 (or what ``but`` says); other roles 403; anonymous visitors sign in first."""
    return {**everyone(403, anonymous=302), **dict.fromkeys(group, 200), **but}


# The parent, the advocate and the organiser share one request (the advocate supports that parent); the
# "other" ones do not: another organisation's organiser, a parent and an advocate who are not part of it.
MATRIX: dict[str, dict[str, int]] = {
    "public.start": everyone(200), "public.privacy": everyone(200), "public.accessibility": everyone(200),
    "public.staying_safe": everyone(200), "public.exit": everyone(302), "parents.deleted": everyone(200),
    "auth.sign_in": everyone(302, anonymous=200), "auth.register_parent": everyone(302, anonymous=200),
    "auth.register_volunteer": everyone(302, anonymous=200), "auth.forgotten_password": everyone(200),
    "auth.reset_link_sent": everyone(200), "auth.check_your_email": everyone(200),
    "auth.finish_registration": everyone(400), "auth.reset_password": everyone(400), "auth.set_password": everyone(400),
    "auth.enter_code": everyone(302), "auth.set_up_code": everyone(302), "auth.sign_out": everyone(302),
    "auth.home": signed_in(302), "auth.sign_out_page": signed_in(), "auth.change_password": signed_in(),
    "auth.confirm_it_is_you": signed_in(),
    "auth.notification_settings": signed_in(parent=403, other_parent=403),  # parents choose on each request

    "parents.ask": only(PARENTS, parent=302, other_parent=302), "parents.check_answers": only(PARENTS),
    "parents.question": only(PARENTS), "parents.sent": only(PARENTS), "parents.home": only(PARENTS),
    "parents.your_data": only(PARENTS), "parents.download_data": only(PARENTS), "parents.read_data": only(PARENTS),
    "parents.delete_account": only(PARENTS),
    "parents.request_detail": only(PARENTS, other_parent=404), "parents.withdraw": only(PARENTS, other_parent=404),
    "parents.feedback": only(PARENTS, parent=404, other_parent=404),  # feedback only once the support has ended
    "parents.change_contact": only(PARENTS, other_parent=404),
    "parents.change_request": only(PARENTS, other_parent=404),  # slug "meeting": its question page
    "parents.send_message": only(PARENTS, other_parent=404),  # an empty message: the page again, with the error

    "volunteers.home": only(VOLUNTEERS), "volunteers.apply": only(VOLUNTEERS, advocate=302, other_advocate=302,
                                                                   applicant=302),
    # Each has applied: the application's pages send them home.
    "volunteers.application_question": only(VOLUNTEERS, advocate=302, other_advocate=302, applicant=302),
    "volunteers.check_application": only(VOLUNTEERS, advocate=302, other_advocate=302, applicant=302),
    "volunteers.details": only(VOLUNTEERS), "volunteers.availability": only(VOLUNTEERS),
    "volunteers.capacity": only(VOLUNTEERS), "volunteers.pauses": only(VOLUNTEERS),
    "volunteers.add_pause": only(VOLUNTEERS), "volunteers.offers": only(VOLUNTEERS),
    "volunteers.remove_pause": only(VOLUNTEERS, advocate=404, other_advocate=404, applicant=404),
    "volunteers.offer": only(VOLUNTEERS, advocate=302, other_advocate=404, applicant=404),  # accepted: its match
    "volunteers.accept_offer": only(VOLUNTEERS, other_advocate=404, applicant=404),
    "volunteers.decline_offer": only(VOLUNTEERS, other_advocate=404, applicant=404),
    "volunteers.match": only(VOLUNTEERS, other_advocate=404, applicant=404),
    "volunteers.log_contact": only(VOLUNTEERS, other_advocate=404, applicant=404),
    "volunteers.end_match": only(VOLUNTEERS, other_advocate=404, applicant=404),
    "volunteers.send_message": only(VOLUNTEERS, other_advocate=404, applicant=404),

    "organisers.home": only(ORGANISERS), "organisers.triage": only(ORGANISERS),
    "organisers.offers_page": only(ORGANISERS), "organisers.matches_page": only(ORGANISERS),
    "organisers.advocates_page": only(ORGANISERS), "organisers.applications": only(ORGANISERS),
    "organisers.batch": only(ORGANISERS), "organisers.send_batch": only(ORGANISERS, organiser=302,
                                                                          other_organiser=302),
    "organisers.request_detail": only(ORGANISERS, other_organiser=404),
    "organisers.candidates": only(ORGANISERS, other_organiser=404),
    "organisers.close_request": only(ORGANISERS, other_organiser=404),
    "organisers.record_conflict": only(ORGANISERS, organiser=400, other_organiser=404),  # an empty post
    "organisers.send_offer": only(ORGANISERS, organiser=302, other_organiser=404),
    "organisers.withdraw_offer": only(ORGANISERS, organiser=302, other_organiser=404),
    "organisers.introduce": only(ORGANISERS, other_organiser=404),
    "organisers.match_detail": only(ORGANISERS, other_organiser=404),
    "organisers.end_match": only(ORGANISERS, other_organiser=404),
    "organisers.match_messages": only(ORGANISERS, other_organiser=404),
    "organisers.advocate_detail": only(ORGANISERS, other_organiser=404),
    "organisers.vetting": only(ORGANISERS, other_organiser=404),
    "organisers.decide": only(ORGANISERS, other_organiser=404),
    "organisers.reports": only(ORGANISERS), "organisers.download_report": only(ORGANISERS),  # counts of their own

    "admin.home": only(("admin",)), "admin.organisers": only(("admin",)), "admin.batch": only(("admin",)),
    "admin.send_batch": only(("admin",), admin=302), "admin.scoring_models": only(("admin",)),
    "admin.activate_scoring_model": only(("admin",)), "admin.reset_two_factor": only(("admin",)),
    "admin.audit_log": only(("admin",)), "admin.retention_settings": only(("admin",)),
    "admin.organisations": only(("admin",)), "admin.add_organisation": only(("admin",)),
    "admin.organisation": only(("admin",)), "admin.add_area": only(("admin",)),
    "admin.remove_area": only(("admin",)), "admin.outcodes": only(("admin",)),
    "admin.organiser": only(("admin",)), "admin.deactivate_organiser": only(("admin",)),
    "admin.reinvite_organiser": only(("admin",)),
    "admin.issue_types": only(("admin",)), "admin.issue_type": only(("admin",)),
    "admin.retire_issue_type": only(("admin",)),
    "admin.reports": only(("admin",)), "admin.download_report": only(("admin",)),
}


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - set(MATRIX) == set(), "add these routes to MATRIX, with who may use them"
    assert set(MATRIX) - endpoints == set()


def test_each_kind_of_visitor_gets_what_the_matrix_says(app: Flask, session: Any, cast: Cast) -> None:
    from peermatch.extensions import limiter

    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)
    wrong = []
    for persona in PERSONAS:
        limiter.storage.reset()
        client = visitor(app, session, cast, persona)
        for rule in rules:
            got = status_of(client, app, rule, cast)
            if rule.endpoint in ("public.exit", "auth.sign_out"):
                client = visitor(app, session, cast, persona)  # those signed the visitor out
            if got != MATRIX[rule.endpoint][persona]:
                wrong.append(f"{rule.endpoint} as {persona}: {got}, expected {MATRIX[rule.endpoint][persona]}")
    assert wrong == []
