"""Keeping availability current: the weekly grid, dates away and how many parents at once."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from support import error_messages
from peermatch.models import VolunteerPause
from volunteers.conftest import NOW


def test_the_grid_shows_the_current_week_and_saves_a_new_one(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    page = browser.get("/volunteer/availability")
    html = page.get_data(as_text=True)
    assert "<title>When you are usually free" in html
    assert html.count("<fieldset") == 7 and html.count('type="checkbox"') == 21
    assert html.count("checked") == 9  # Monday to Wednesday, every part of the day
    response = browser.submit("/volunteer/availability", {"availability": ["1-2", "5-0", "5-1"]})
    assert response.headers["Location"] == "/volunteer/"
    session.refresh(profile)
    assert profile.availability_mask == (1 << 5) | (1 << 15) | (1 << 16)
    assert "New offers will use it straight away" in browser.get("/volunteer/").get_data(as_text=True)


def test_an_empty_week_is_refused_with_a_pointer_to_dates_away(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    response = browser.submit("/volunteer/availability", {})
    assert response.status_code == 200
    assert error_messages(response) == [
        "Select at least one time in the week when you are usually free. If you need a break, add the dates you "
        "are away instead"]
    assert '<a href="#availability">' in response.get_data(as_text=True)
    session.refresh(profile)
    assert profile.availability_mask == 0b111_111_111


def test_a_crafted_slot_is_refused(advocate_client: Any) -> None:
    browser, _, _ = advocate_client
    response = browser.submit("/volunteer/availability", {"availability": ["0-7"]})
    assert "Select times from the week shown" in error_messages(response)


def test_adding_and_removing_dates_away(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    assert "You have not told us about any dates you are away" in browser.get("/volunteer/away").get_data(as_text=True)
    response = browser.submit("/volunteer/away/add", {"starts_on": ["1", "8", "2026"], "ends_on": ["14", "8", "2026"],
                                                      "reason": "Holiday"})
    assert response.headers["Location"] == "/volunteer/away", error_messages(response)
    listing = browser.get("/volunteer/away").get_data(as_text=True)
    assert "1 August 2026 to 14 August 2026" in listing and "Holiday" in listing
    assert "We will not offer you a parent to support on those dates" in listing
    pause = session.scalar(sa.select(VolunteerPause).where(VolunteerPause.volunteer_id == profile.id))
    assert (pause.starts_on, pause.ends_on) == (date(2026, 8, 1), date(2026, 8, 14))
    removed = browser.submit(f"/volunteer/away/{pause.id}/remove", {}, form_url="/volunteer/away")
    assert removed.headers["Location"] == "/volunteer/away"
    assert "Removed: away from 1 August 2026 to 14 August 2026" in browser.get("/volunteer/away").get_data(as_text=True)
    assert session.scalar(sa.select(VolunteerPause).where(VolunteerPause.volunteer_id == profile.id)) is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Enter the first day you are away"),
        ({"starts_on": ["", "", ""], "ends_on": ["2", "8", "2026"]}, "Enter the first day you are away"),
        ({"starts_on": ["1", "", "2026"], "ends_on": ["2", "8", "2026"]}, "The first day you are away must include a month"),
        ({"starts_on": ["", "", "2026"], "ends_on": ["2", "8", "2026"]},
         "The first day you are away must include a day and month"),
        ({"starts_on": ["31", "2", "2026"], "ends_on": ["2", "8", "2026"]}, "The first day you are away must be a real date"),
        ({"starts_on": ["1", "8", "2026"], "ends_on": ["x", "8", "2026"]}, "The last day you are away must be a real date"),
        ({"starts_on": ["1", "8", "2026"]}, "Enter the last day you are away"),
        ({"starts_on": ["14", "8", "2026"], "ends_on": ["1", "8", "2026"]},
         "The last day you are away must be the same as or after the first day"),
        ({"starts_on": ["1", "1", "2026"], "ends_on": ["2", "1", "2026"]},
         "The last day you are away must be today or in the future"),
        ({"starts_on": ["1", "8", "2030"], "ends_on": ["2", "8", "2030"]},
         "The first day you are away must be within the next year"),
        ({"starts_on": ["1", "8", "2026"], "ends_on": ["2", "8", "2026"], "reason": "x" * 201},
         "Reason must be 200 characters or fewer"),
    ],
)
def test_each_mistake_with_dates_away_gets_its_own_message(advocate_client: Any, data: dict[str, Any],
                                                           message: str) -> None:
    browser, _, _ = advocate_client
    response = browser.submit("/volunteer/away/add", data)
    assert response.status_code == 200
    assert message in error_messages(response)
    html = response.get_data(as_text=True)
    assert "<title>Error: Add dates you are away" in html
    if data.get("starts_on") == ["1", "8", "2026"]:
        assert 'value="1"' in html and 'value="2026"' in html


def test_overlapping_dates_away_are_refused(advocate_client: Any, volunteering: Any) -> None:
    browser, user, profile = advocate_client
    from peermatch.services import advocates

    advocates.add_pause(volunteering.session, profile, date(2026, 8, 1), date(2026, 8, 14), "", user, NOW)
    response = browser.submit("/volunteer/away/add", {"starts_on": ["10", "8", "2026"], "ends_on": ["20", "8", "2026"]})
    assert ("These dates overlap a time you are already away (1 August to 14 August 2026). Remove that one first, "
            "or choose other dates") in error_messages(response)


def test_a_volunteer_cannot_remove_someone_elses_dates_away(advocate_client: Any, volunteering: Any) -> None:
    browser, _, _ = advocate_client
    _, other = volunteering.advocate(name="Other")
    other.pauses.append(VolunteerPause(starts_on=date(2026, 8, 1), ends_on=date(2026, 8, 2)))
    volunteering.session.flush()
    pause_id = other.pauses[0].id
    response = browser.submit(f"/volunteer/away/{pause_id}/remove", {}, form_url="/volunteer/away/add")
    assert response.status_code == 404
    assert volunteering.session.get(VolunteerPause, pause_id) is not None


def test_changing_how_many_parents_at_once(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    assert 'value="2" checked' in browser.get("/volunteer/capacity").get_data(as_text=True)
    response = browser.submit("/volunteer/capacity", {"capacity": "3"})
    assert response.headers["Location"] == "/volunteer/"
    session.refresh(profile)
    assert profile.capacity == 3


@pytest.mark.parametrize("value", [None, "0", "5", "two"])
def test_capacity_must_be_one_to_four(advocate_client: Any, value: str | None) -> None:
    browser, _, _ = advocate_client
    response = browser.submit("/volunteer/capacity", {"capacity": value} if value is not None else {})
    assert error_messages(response) == ["Select how many parents you could support at the same time"]


def test_capacity_cannot_go_below_the_parents_already_supported(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    profile.active_match_count = 2
    session.flush()
    response = browser.submit("/volunteer/capacity", {"capacity": "1"})
    assert error_messages(response) == [
        "You are supporting 2 parents at the moment, so choose 2 or more. You can choose fewer when a match ends"]
    session.refresh(profile)
    assert profile.capacity == 2
