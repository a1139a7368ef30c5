"""A parent downloads everything held about them, or deletes it all."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from journey import answer_everything, introduce_advocate
from support import error_messages, personal_values_left
from peermatch.models import AnonymisedRequestCount, SupportRequest, User, VolunteerProfile


def test_a_parent_downloads_everything_held_about_them_as_readable_json(parent: Any, session: Any) -> None:
    browser, user = parent
    answer_everything(browser)
    browser.submit("/ask/check-answers", {})
    response = browser.get("/your-data/download")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == user.email
    [request] = data["requests"]
    assert request["outward_postcode"] == "LA14" and request["what_matters_most"] == "Domestic abuse"
    assert request["safe_contact"]["name_to_ask_for"] == "Jolene"
    assert request["safe_contact"]["phone"] == "07700 900982"
    assert data["consents"][0]["privacy_notice_version"]


def test_deleting_the_account_erases_every_personal_value_and_keeps_anonymous_counts(
        parent: Any, session: Any, people: Any) -> None:
    browser, user = parent
    answer_everything(browser)
    browser.submit("/ask/check-answers", {})
    request = session.scalars(sa.select(SupportRequest).where(SupportRequest.parent_id == user.id)).one()
    match = introduce_advocate(session, request, people)
    user_id, volunteer_id = user.id, match.volunteer_id
    personal = [user.email, user.display_name if len(user.display_name) > 3 else user.email, "Jolene",
                "07700 900982", "safe.jolene@example.org", "Weekdays after 6pm", request.reference]
    assert personal_values_left(session, personal)  # the check can see them before

    page = browser.get("/your-data/delete").get_data(as_text=True)
    assert "Are you sure you want to delete your account" in page
    assert error_messages(browser.submit("/your-data/delete", {})) == ["Select yes if you want to delete your account"]
    assert browser.submit("/your-data/delete", {"confirm": "no"}).headers["Location"] == "/your-data"
    assert session.get(User, user.id) is not None

    deleted = browser.submit("/your-data/delete", {"confirm": "yes"})
    assert deleted.headers["Location"] == "/your-data/deleted"
    assert "Your account has been deleted" in browser.get("/your-data/deleted").get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user_id) is None
    assert personal_values_left(session, personal) == []
    assert session.get(VolunteerProfile, volunteer_id).active_match_count == 0  # the advocate is freed
    [count] = session.scalars(sa.select(AnonymisedRequestCount)).all()
    assert count.count == 1 and count.final_status == "matched" and count.main_issue_code == "domestic_abuse"
    assert browser.get("/your-requests/").status_code == 302  # signed out


def test_a_parent_reads_their_data_in_words_to_print_or_save_beside_the_json(parent: Any, session: Any,
                                                                             people: Any) -> None:
    import re
    from datetime import timedelta

    from peermatch import clock
    from peermatch.models import AuditAction, AuditEvent

    browser, user = parent
    answer_everything(browser)
    browser.submit("/ask/check-answers", {})
    session.expire_all()
    request = session.scalars(sa.select(SupportRequest).where(SupportRequest.parent_id == user.id)).one()
    introduce_advocate(session, request, people, name="Morgan")
    assert 'href="/your-data/to-read"' in browser.get("/your-data").get_data(as_text=True)
    page = browser.get("/your-data/to-read")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Your data in words</h1>" in html and 'href="/your-data/download"' in html
    meeting = clock.today() + timedelta(days=6)
    for words in [user.email, f"Request {request.reference}", "Advocate found", "Morgan", "Furness Parents Together",
                  "Child protection conference", f"{meeting:%A} {meeting.day} {meeting:%B %Y}, in the afternoon",
                  "By phone", "Polish", "A woman", "Monday morning", "Thursday evening", "Jolene", "07700 900982",
                  "Text message", "Monday evening, Tuesday evening", "can see your answers",
                  "What has happened so far", "Received"]:
        assert words in html, words
    # Labels, never the codes or numbers the JSON keeps.
    for code in ("child_protection_conference", "availability_mask", "in_person", "share_with_organisers",
                 str(request.availability_mask)):
        assert code not in re.sub(r"<[^>]+>", " ", html), code
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == AuditAction.PARENT_DATA_EXPORTED, AuditEvent.actor_id == user.id)) == 1
