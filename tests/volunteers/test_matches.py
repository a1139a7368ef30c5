"""After the introduction: the contact log, ending the support, hours given, and whose match it is."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from peermatch.models import ContactLogEntry, Feedback, MatchStatus, RequestStatus
from support import error_messages
from volunteers.conftest import NOW, PARENT_NAME, TODAY


@pytest.fixture()
def introduced(advocate_client: Any, volunteering: Any) -> tuple[Any, Any, Any]:
    """A signed-in advocate who accepted an offer yesterday."""
    browser, user, profile = advocate_client
    match = volunteering.introduced(user, profile, now=NOW - timedelta(days=1))
    return browser, match, profile


def test_logging_a_contact_makes_the_match_active_and_counts_the_hours(introduced: Any, session: Any) -> None:
    browser, match, _ = introduced
    url = f"/volunteer/matches/{match.id}/contacts/new"
    assert "<title>Log a contact" in browser.get(url).get_data(as_text=True)
    response = browser.submit(url, {"occurred_on": ["10", "3", "2026"], "mode": "phone", "minutes": " 90 ",
                                    "note": "Talked through the conference report"})
    assert response.headers["Location"] == f"/volunteer/matches/{match.id}", error_messages(response)
    entry = session.scalar(sa.select(ContactLogEntry).where(ContactLogEntry.match_id == match.id))
    assert (entry.occurred_on, entry.mode, entry.minutes, entry.note) == (
        date(2026, 3, 10), "phone", 90, "Talked through the conference report")
    session.refresh(match)
    assert match.status == MatchStatus.ACTIVE
    page = browser.get(f"/volunteer/matches/{match.id}").get_data(as_text=True)
    assert "10 March 2026" in page and "Phone call, 1 hour 30 minutes" in page
    assert "Talked through the conference report" in page
    home = browser.get("/volunteer/").get_data(as_text=True)
    assert "Hours you have given this year: <strong>1 hour 30 minutes</strong>" in home
    assert PARENT_NAME in home and "You are supporting 1 of the 2 parents" in home


@pytest.mark.parametrize(
    "data, message",
    [
        ({"mode": "phone", "minutes": "30"}, "Enter the date of the contact"),
        ({"occurred_on": ["10", "", ""], "mode": "phone", "minutes": "30"},
         "The date of the contact must include a month and year"),
        ({"occurred_on": ["30", "2", "2026"], "mode": "phone", "minutes": "30"},
         "The date of the contact must be a real date"),
        ({"occurred_on": ["11", "3", "2026"], "mode": "phone", "minutes": "30"},
         "The date of the contact must be today or in the past"),
        ({"occurred_on": ["1", "3", "2026"], "mode": "phone", "minutes": "30"},
         "The date of the contact must be on or after the day you were introduced (9 March 2026)"),
        ({"occurred_on": ["10", "3", "2026"], "minutes": "30"}, "Select how you were in contact"),
        ({"occurred_on": ["10", "3", "2026"], "mode": "pigeon", "minutes": "30"}, "Select how you were in contact"),
        ({"occurred_on": ["10", "3", "2026"], "mode": "phone"}, "Enter how many minutes the contact took"),
        ({"occurred_on": ["10", "3", "2026"], "mode": "phone", "minutes": "1.5"},
         "Minutes must be a whole number, like 45"),
        ({"occurred_on": ["10", "3", "2026"], "mode": "phone", "minutes": "²"},  # a digit to str.isdigit, not to int
         "Minutes must be a whole number, like 45"),
        ({"occurred_on": ["10", "3", "2026"], "mode": "phone", "minutes": "٣٠"},  # Arabic-Indic thirty
         "Minutes must be a whole number, like 45"),
        ({"occurred_on": ["10", "3", "2026"], "mode": "phone", "minutes": "0"},
         "Minutes must be between 1 and 1440 (24 hours)"),
        ({"occurred_on": ["10", "3", "2026"], "mode": "phone", "minutes": "1441"},
         "Minutes must be between 1 and 1440 (24 hours)"),
        ({"occurred_on": ["10", "3", "2026"], "mode": "phone", "minutes": "30", "note": "x" * 501},
         "Note must be 500 characters or fewer"),
    ],
)
def test_each_contact_log_mistake_gets_its_own_message(introduced: Any, session: Any, data: dict[str, Any],
                                                       message: str) -> None:
    browser, match, _ = introduced
    response = browser.submit(f"/volunteer/matches/{match.id}/contacts/new", data)
    assert response.status_code == 200
    assert message in error_messages(response)
    html = response.get_data(as_text=True)
    assert "<title>Error: Log a contact" in html
    if data.get("minutes") == "1441":
        assert 'value="1441"' in html
    assert session.scalar(sa.select(ContactLogEntry).where(ContactLogEntry.match_id == match.id)) is None


def test_ending_the_support_frees_the_place_and_closes_the_request(introduced: Any, session: Any) -> None:
    browser, match, profile = introduced
    url = f"/volunteer/matches/{match.id}/end"
    assert "<title>End support" in browser.get(url).get_data(as_text=True)
    response = browser.submit(url, {"outcome": "supported_through_meeting", "outcome_note": "Plan agreed",
                                    "rating": "5", "comments": "Good support from the organisers"})
    assert response.headers["Location"] == "/volunteer/", error_messages(response)
    session.refresh(match)
    session.refresh(profile)
    assert (match.status, match.outcome, match.outcome_note, match.ended_dt) == (
        MatchStatus.ENDED, "supported_through_meeting", "Plan agreed", NOW)
    assert profile.active_match_count == 0
    assert match.request.status == RequestStatus.CLOSED and match.request.outcome == "supported_through_meeting"
    feedback = session.scalar(sa.select(Feedback).where(Feedback.match_id == match.id))
    assert (feedback.author, feedback.rating, feedback.comments) == ("volunteer", 5, "Good support from the organisers")
    page = browser.get(f"/volunteer/matches/{match.id}").get_data(as_text=True)
    assert PARENT_NAME not in page and "The parent's contact details are no longer shown" in page
    again = browser.submit(url, {"outcome": "other", "rating": "3"})
    assert "This support has already ended" in error_messages(again)
    session.refresh(profile)
    assert profile.active_match_count == 0
    late = browser.submit(f"/volunteer/matches/{match.id}/contacts/new",
                          {"occurred_on": ["10", "3", "2026"], "mode": "phone", "minutes": "30"})
    assert "This support has ended, so you cannot add contacts to it" in error_messages(late)


@pytest.mark.parametrize(
    "data, message",
    [({"rating": "4"}, "Select how the support ended"), ({"outcome": "other"}, "Select how well the support went"),
     ({"outcome": "other", "rating": "6"}, "Select how well the support went"),
     ({"outcome": "other", "rating": "4", "comments": "x" * 2001}, "Your feedback must be 2000 characters or fewer"),
     ({"outcome": "other", "rating": "4", "outcome_note": "x" * 1001}, "This must be 1000 characters or fewer")],
)
def test_each_mistake_ending_support_gets_its_own_message(introduced: Any, session: Any, data: dict[str, str],
                                                          message: str) -> None:
    browser, match, _ = introduced
    response = browser.submit(f"/volunteer/matches/{match.id}/end", data)
    assert response.status_code == 200 and message in error_messages(response)
    session.refresh(match)
    assert match.status == MatchStatus.INTRODUCED


@pytest.mark.parametrize("path", ["", "/contacts/new", "/end"])
def test_a_volunteer_gets_404_for_someone_elses_match(advocate_client: Any, volunteering: Any, path: str) -> None:
    browser, _, _ = advocate_client
    other_user, other = volunteering.advocate(name="Other")
    match = volunteering.introduced(other_user, other)
    response = browser.get(f"/volunteer/matches/{match.id}{path}")
    assert response.status_code == 404 and PARENT_NAME not in response.get_data(as_text=True)
    if path:
        posted = browser.submit(f"/volunteer/matches/{match.id}{path}",
                                {"outcome": "other", "rating": "3", "occurred_on": ["10", "3", "2026"],
                                 "mode": "phone", "minutes": "30"}, form_url="/volunteer/away/add")
        assert posted.status_code == 404
    volunteering.session.refresh(match)
    assert match.status == MatchStatus.INTRODUCED and match.contacts == []


def test_the_home_page_shows_what_is_missing_or_about_to_expire(advocate_client: Any, session: Any) -> None:
    browser, _, profile = advocate_client
    profile.vetting.dbs_expires_on = TODAY + timedelta(days=20)
    profile.vetting.training_completed_on = None
    profile.vetting.reference_2_received_on = profile.vetting.reference_2_verified_on = None
    session.flush()
    html = browser.get("/volunteer/").get_data(as_text=True)
    assert "Renew soon" in html and "Runs out on 30 March 2026" in html
    assert "Training" in html and "Not done yet" in html and "1 of 2 received" in html
    profile.vetting.dbs_expires_on = TODAY - timedelta(days=1)
    session.flush()
    assert "Ran out on 9 March 2026" in browser.get("/volunteer/").get_data(as_text=True)
