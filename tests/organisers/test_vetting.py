"""Vetting: the checks recorded, approving an application, and a DBS check that runs out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organisers.conftest import fitting_advocate
from peermatch import clock
from peermatch.models import AuditAction, AuditEvent, Vetting, VettingStatus, VolunteerProfile, VolunteerStatus
from peermatch.reads.organisers import _vetting_is
from peermatch.services.advocates import vetting_state
from support import error_messages


def day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def test_an_application_is_vetted_and_approved_through_the_pages(organiser: Any, volunteering: Any, furness: Any,
                                                                  session: Any) -> None:
    browser, _ = organiser
    user, profile = volunteering.advocate(organisation=furness, status=VolunteerStatus.APPLICATION_RECEIVED,
                                          name="Ash")
    for column in Vetting.__table__.columns:  # nothing recorded yet
        if column.name.endswith("_on") or column.name == "dbs_certificate_ref":
            setattr(profile.vetting, column.name, None)
    session.flush()
    applications = browser.get("/organiser/applications").get_data(as_text=True)
    assert "Ash" in applications and "Not started" in applications
    record = browser.get(f"/organiser/advocates/{profile.id}").get_data(as_text=True)
    assert "Before approving, record a DBS check with its expiry date and training and two verified references" in record
    assert f"/organiser/advocates/{profile.id}/approve" not in record

    today = clock.today()
    checks = {"dbs_checked_on": day(today - timedelta(days=3)), "dbs_expires_on": day(today.replace(year=today.year + 3)),
              "dbs_certificate_ref": "001234567890", "training_completed_on": day(today - timedelta(days=1))}
    for n in (1, 2):
        for i, step in enumerate(("requested", "received", "verified")):
            checks[f"reference_{n}_{step}_on"] = day(today - timedelta(days=10 - i))
    wrong = browser.submit(f"/organiser/advocates/{profile.id}/vetting",
                           {**checks, "reference_2_requested_on": ["", "", ""]})
    assert "Reference 2 cannot be received before it is requested" in error_messages(wrong)
    saved = browser.submit(f"/organiser/advocates/{profile.id}/vetting", checks)
    assert saved.headers["Location"] == f"/organiser/advocates/{profile.id}", error_messages(saved)
    session.refresh(profile)
    assert vetting_state(profile.vetting, today) == VettingStatus.COMPLETE

    confirm = browser.get(f"/organiser/advocates/{profile.id}/approve").get_data(as_text=True)
    assert "Approve this volunteer as an advocate?" in confirm
    approved = browser.submit(f"/organiser/advocates/{profile.id}/approve", {})
    assert approved.status_code == 302
    session.refresh(profile)
    assert profile.status == VolunteerStatus.APPROVED and profile.approved_dt is not None
    again = browser.submit(f"/organiser/advocates/{profile.id}/approve", {})  # a second click
    assert "This volunteer is approved, so they cannot be approved now" in again.get_data(as_text=True)
    actions = set(session.scalars(sa.select(AuditEvent.action).where(AuditEvent.subject_id == str(profile.id))))
    assert {AuditAction.VETTING_RECORDED, AuditAction.ADVOCATE_APPROVED, AuditAction.ADVOCATE_VIEWED} <= actions


def test_rejecting_and_suspending_need_a_reason_and_suspending_withdraws_offers_waiting(
        organiser: Any, volunteering: Any, furness: Any, session: Any) -> None:
    browser, _ = organiser
    _, profile = fitting_advocate(volunteering, furness)
    offer = volunteering.offer(profile, volunteering.request(organisation=furness))
    missing = browser.submit(f"/organiser/advocates/{profile.id}/suspend", {"reason": " "})
    assert "Enter the reason" in error_messages(missing)
    done = browser.submit(f"/organiser/advocates/{profile.id}/suspend", {"reason": "A concern was raised"})
    assert done.status_code == 302
    session.refresh(profile)
    session.refresh(offer)
    assert profile.status == VolunteerStatus.SUSPENDED and offer.status == "withdrawn"
    assert "A concern was raised" in browser.get(f"/organiser/advocates/{profile.id}").get_data(as_text=True)
    assert browser.submit(f"/organiser/advocates/{profile.id}/reinstate", {}).status_code == 302
    session.refresh(profile)
    assert profile.status == VolunteerStatus.APPROVED


def test_an_expired_dbs_check_removes_the_advocate_from_candidates_with_the_reason(
        organiser: Any, volunteering: Any, furness: Any, session: Any) -> None:
    browser, _ = organiser
    _, profile = fitting_advocate(volunteering, furness, name="Robin")
    request = volunteering.request(organisation=furness)
    assert "1. Robin" in browser.get(f"/organiser/requests/{request.id}/candidates").get_data(as_text=True)
    ran_out = clock.today() - timedelta(days=2)
    profile.vetting.dbs_expires_on = ran_out
    session.flush()
    from peermatch.services import matching_data

    matching_data.changed(session, [profile.id])
    session.commit()  # what a vetting change's request does; the page then ranks afresh
    page = browser.get(f"/organiser/requests/{request.id}/candidates").get_data(as_text=True)
    assert "1. Robin" not in page
    assert f"DBS check expired on {ran_out.day} {ran_out:%B %Y}" in page
    record = browser.get(f"/organiser/advocates/{profile.id}").get_data(as_text=True)
    assert f"Their DBS check ran out on {ran_out.day} {ran_out:%B %Y}" in record


def test_a_check_running_out_within_30_days_is_counted_and_warned_about(organiser: Any, volunteering: Any,
                                                                        furness: Any, session: Any) -> None:
    browser, _ = organiser
    _, profile = fitting_advocate(volunteering, furness)
    profile.vetting.dbs_expires_on = clock.today() + timedelta(days=20)
    session.flush()
    assert "1</span> DBS check runs out within 30 days" in browser.get("/organiser/").get_data(as_text=True)
    assert "Their DBS check runs out on" in browser.get(f"/organiser/advocates/{profile.id}").get_data(as_text=True)
    listed = browser.get("/organiser/advocates?vetting=expiring").get_data(as_text=True)
    assert "1 volunteer." in listed


def steps_in_order(draw: Any) -> tuple[Any, Any, Any]:
    """A reference's requested, received and verified dates: each may be missing, never out of order."""
    first = draw(st.one_of(st.none(), st.integers(-400, 10)))
    if first is None:
        return None, None, None
    gaps = draw(st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=2, max_size=2))
    days, current = [first], first
    for gap in gaps:
        current = None if gap is None or current is None else current + gap
        days.append(current)
    base = date(2026, 6, 1)
    return tuple(None if d is None else base + timedelta(days=d) for d in days)  # type: ignore[return-value]


@st.composite
def vetting_dates(draw: Any) -> dict[str, Any]:
    base = date(2026, 6, 1)
    checked = draw(st.one_of(st.none(), st.integers(-1200, 0)))
    values: dict[str, Any] = {
        "dbs_checked_on": None if checked is None else base + timedelta(days=checked),
        "dbs_expires_on": None if checked is None else base + timedelta(days=checked + draw(st.integers(1, 1200))),
        "training_completed_on": draw(st.one_of(st.none(), st.integers(-500, 0).map(lambda d: base + timedelta(days=d)))),
    }
    for n in (1, 2):
        for step, value in zip(("requested", "received", "verified"), steps_in_order(draw)):
            values[f"reference_{n}_{step}_on"] = value
    return values


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=vetting_dates())
def test_lists_filter_vetting_exactly_as_the_record_works_it_out(values: dict[str, Any], volunteering: Any,
                                                                 session: Any) -> None:
    _, profile = volunteering.advocate(name="Vera") if not getattr(volunteering, "vera", None) else volunteering.vera
    volunteering.vera = (_, profile)
    today = date(2026, 6, 1)
    for name, value in values.items():
        setattr(profile.vetting, name, value)
    session.flush()
    expected = vetting_state(profile.vetting, today)
    found = [state for state in VettingStatus if session.scalar(
        sa.select(sa.func.count()).select_from(VolunteerProfile)
        .outerjoin(Vetting, Vetting.volunteer_id == VolunteerProfile.id)
        .where(VolunteerProfile.id == profile.id, _vetting_is(state, today)))]
    assert found == [expected]
