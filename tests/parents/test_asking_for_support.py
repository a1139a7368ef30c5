"""A parent asks for support: one question a page, check answers, send, and nothing is ever lost."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from journey import answer_everything, answers
from support import TEST_PASSWORD, error_messages
from peermatch.models import ConsentRecord, RequestStatus, SupportRequest


def the_request(session: Any, parent_user: Any) -> SupportRequest:
    session.expire_all()
    return session.scalars(sa.select(SupportRequest).where(SupportRequest.parent_id == parent_user.id)).one()


def test_the_whole_journey_from_first_question_to_reference(parent: Any, session: Any, app: Any) -> None:
    browser, user = parent
    assert browser.get("/ask/").headers["Location"] == "/ask/what-is-happening"
    expected_next = [slug for slug, _ in answers()][1:] + ["check-answers"]
    for (slug, data), following in zip(answers(), expected_next):
        page = browser.get(f"/ask/{slug}")
        assert page.status_code == 200, slug
        html = page.get_data(as_text=True)
        assert 'data-module="govuk-exit-this-page"' in html
        assert page.headers["Cache-Control"] == "no-store"
        # The question itself, and where the parent is; never what they answered.
        assert re.search(r"<title>[^<–]+ – Your request, question \d+ of \d+ – PeerMatch</title>", html), slug
        response = browser.submit(f"/ask/{slug}", data)
        assert response.headers["Location"] == f"/ask/{following}", slug

    check = browser.get("/ask/check-answers").get_data(as_text=True)
    for shown in ["Child protection conference", "Domestic abuse", "LA14 (Cumbria)", "By phone", "In person",
                  "English", "Polish", "An interpreter is OK", "A woman", "Monday morning", "Thursday evening",
                  "Jolene", "07700 900982", "safe.jolene@example.org",
                  "Weekdays after 6pm"]:
        assert shown in check, shown
    assert check.count(">Change<") >= 10

    sent = browser.submit("/ask/check-answers", {})
    assert sent.headers["Location"] == "/ask/sent"
    request = the_request(session, user)
    assert request.status == RequestStatus.SUBMITTED
    assert request.outcode == "LA14" and request.organisation.name == "Furness Parents Together"
    assert request.main_issue.code == "domestic_abuse" and request.meeting_part == 1
    assert request.availability_mask == (1 << 0) | (1 << 11)
    assert request.safe_contact.text_ok and not request.safe_contact.phone_ok and not request.safe_contact.voicemail_ok
    consent = session.scalars(sa.select(ConsentRecord).where(ConsentRecord.user_id == user.id)).one()
    assert consent.privacy_notice_version == app.config["PRIVACY_NOTICE_VERSION"]
    confirmation = browser.get("/ask/sent").get_data(as_text=True)
    assert request.reference in confirmation and "Furness Parents Together" in confirmation


def test_sending_twice_makes_one_request(parent: Any, session: Any) -> None:
    browser, user = parent
    answer_everything(browser)
    token = browser.csrf_token("/ask/check-answers")
    first = browser.post("/ask/check-answers", data={"csrf_token": token})
    second = browser.post("/ask/check-answers", data={"csrf_token": token})
    assert first.headers["Location"] == "/ask/sent"
    assert second.status_code in (200, 302)
    requests = session.scalars(sa.select(SupportRequest).where(SupportRequest.parent_id == user.id)).all()
    assert [r.status for r in requests if r.status != RequestStatus.DRAFT] == [RequestStatus.SUBMITTED]


def test_answers_are_kept_when_a_parent_leaves_and_comes_back(parent: Any, app: Any, session: Any) -> None:
    browser, user = parent
    for slug, data in answers()[:5]:
        browser.submit(f"/ask/{slug}", data)
    browser.get("/exit")  # leaves in a hurry
    later = app.test_client()
    later.submit("/sign-in", {"email": user.email, "password": TEST_PASSWORD})
    home = later.get("/your-requests/").get_data(as_text=True)
    assert "You have a request you have not sent yet" in home
    assert later.get("/ask/").headers["Location"] == "/ask/how"
    assert 'value="LA14"' in later.get("/ask/where").get_data(as_text=True)
    assert 'value="domestic_abuse" checked' in later.get("/ask/what-is-happening").get_data(as_text=True)


def test_check_answers_does_not_send_an_unfinished_request(parent: Any, session: Any) -> None:
    browser, user = parent
    answer_everything(browser, skip=("contact",))
    page = browser.get("/ask/check-answers").get_data(as_text=True)
    assert "There are questions you have not answered yet" in page and "Send request" not in page
    crafted = browser.submit("/ask/check-answers", {}, form_url="/ask/where")  # no button, but a crafted POST
    assert crafted.status_code == 200
    assert the_request(session, user).status == RequestStatus.DRAFT


def test_changing_an_answer_returns_to_check_answers(parent: Any) -> None:
    browser, _ = parent
    answer_everything(browser)
    changed = browser.submit("/ask/how?change=1", {"support_modes": ["video"]}, form_url="/ask/how?change=1")
    assert changed.headers["Location"] == "/ask/check-answers"
    assert "By video call" in browser.get("/ask/check-answers").get_data(as_text=True)


def test_changing_to_a_meeting_asks_for_its_date_before_checking_again(parent: Any) -> None:
    browser, _ = parent
    answer_everything(browser, skip=("meeting", "meeting-date"))
    browser.submit("/ask/meeting", {"meeting_type": "none"})
    changed = browser.submit("/ask/meeting?change=1", {"meeting_type": "court_hearing"}, form_url="/ask/meeting")
    assert changed.headers["Location"] == "/ask/meeting-date?change=1"


def test_a_parent_who_would_rather_not_give_a_postcode_chooses_their_council(parent: Any, cumbria: Any,
                                                                            session: Any) -> None:
    browser, user = parent
    page = browser.get("/ask/where").get_data(as_text=True)
    assert "I would rather not give my postcode" in page
    area_id = str(cumbria.areas[0].id)
    response = browser.submit("/ask/council-area", {"area": area_id})
    assert response.headers["Location"] == "/ask/how"
    request = the_request(session, user)
    assert request.outcode is None and request.area.name == "Cumbria"
    assert request.organisation_id == cumbria.id and request.latitude is not None


@pytest.mark.parametrize(
    "slug, data, message",
    [
        ("what-is-happening", {}, "Select what is happening"),
        ("what-is-happening", {"issue_types": ["made_up"]}, "'made_up' is not a valid choice for this field."),
        ("meeting", {}, "Select the meeting you have coming up, or no meeting planned"),
        ("meeting-date", {}, "Enter the date of the meeting"),
        ("meeting-date", {"meeting_date": ["", "3", "2027"]}, "The date of the meeting must include a day"),
        ("meeting-date", {"meeting_date": ["31", "2", "2027"]}, "The date of the meeting must be a real date"),
        ("meeting-date", {"meeting_date": ["aa", "bb", "cc"]}, "The date of the meeting must be a real date"),
        ("meeting-date", {"meeting_date": ["1", "1", "2020"]}, "The date of the meeting must be today or in the future"),
        ("where", {"postcode": ""}, "Enter a postcode, like LA14 2AB, or just the first part, like LA14"),
        ("where", {"postcode": "nonsense"}, "Enter a real postcode, like LA14 2AB, or just the first part, like LA14"),
        ("where", {"postcode": "ZZ9 9ZZ"}, "We do not recognise the postcode area ZZ9. Check it and try again"),
        ("where", {"postcode": "LA14 2AB LA14 2AB"}, "Postcode must be 10 characters or fewer"),
        ("council-area", {"area": ""}, "Select your council area"),
        ("how", {}, "Select how support could happen"),
        ("language", {"interpreter_ok": "yes"}, "Select the languages you speak"),
        ("language", {"languages": ["en"]}, "Select yes if an interpreter would be OK"),
        ("advocate", {}, "Select if you have a preference"),
        ("when-free", {}, "Select at least one time you are usually free"),
        ("contact", {"channels": ["text"], "voicemail_ok": "no", "safe_times": "any"}, "Enter the name we should ask for"),
        ("contact", {"name_to_ask_for": "Jo", "voicemail_ok": "no", "safe_times": "any"},
         "Select at least one way it is safe to contact you"),
        ("contact", {"name_to_ask_for": "Jo", "channels": ["text"], "voicemail_ok": "no", "safe_times": "any"},
         "Enter the phone number it is safe to use"),
        ("contact", {"name_to_ask_for": "Jo", "channels": ["email"], "voicemail_ok": "no", "safe_times": "any"},
         "Enter the email address it is safe to use"),
        ("contact", {"name_to_ask_for": "Jo", "channels": ["text"], "phone": "call me", "voicemail_ok": "no",
                     "safe_times": "any"}, "Enter a phone number, like 07700 900 982"),
        ("contact", {"name_to_ask_for": "Jo", "channels": ["email"], "email": "nope", "voicemail_ok": "no",
                     "safe_times": "any"}, "Enter an email address in the correct format, like name@example.com"),
        ("contact", {"name_to_ask_for": "Jo", "channels": ["phone"], "phone": "07700 900982", "safe_times": "any"},
         "Select if it is OK to leave a voicemail"),
        ("contact", {"name_to_ask_for": "Jo", "channels": ["text"], "phone": "07700 900982", "voicemail_ok": "no"},
         "Tell us when it is safe to contact you"),
        ("contact", {"name_to_ask_for": "Jo", "channels": ["text"], "phone": "07700 900982", "voicemail_ok": "no",
                     "safe_times": "x" * 301}, "When it is safe to contact you must be 300 characters or fewer"),
        ("contact", {"name_to_ask_for": "J" * 101, "channels": ["text"], "phone": "07700 900982",
                     "voicemail_ok": "no", "safe_times": "any"}, "Name must be 100 characters or fewer"),
        ("consent", {}, "You must agree before we can look for an advocate"),
    ],
)
def test_every_mistake_gets_its_own_message_and_keeps_what_was_typed(parent: Any, slug: str, data: dict[str, Any],
                                                                    message: str) -> None:
    browser, _ = parent
    if slug == "meeting-date":
        browser.submit("/ask/meeting", {"meeting_type": "child_protection_conference"})
    response = browser.submit(f"/ask/{slug}", data)
    assert response.status_code == 200
    assert message in error_messages(response)
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "<title>Error: " in html
    for value in data.values():
        if isinstance(value, str) and value and len(value) < 50 and slug not in ("council-area",):
            assert value in html or value.replace("'", "&#39;") in html, value


def test_html_typed_into_an_answer_is_shown_as_text(parent: Any) -> None:
    browser, _ = parent
    answer_everything(browser, skip=("contact",))
    browser.submit("/ask/contact", {"name_to_ask_for": "<script>alert(1)</script>", "channels": ["text"],
                                    "phone": "07700 900982", "voicemail_ok": "no", "safe_times": "<b>evenings</b>"})
    html = browser.get("/ask/check-answers").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>evenings</b>" not in html and "&lt;b&gt;evenings&lt;/b&gt;" in html


def test_an_expired_page_keeps_the_answer_and_explains(parent: Any, session: Any) -> None:
    browser, user = parent
    response = browser.post("/ask/where", data={"postcode": "LA14 2AB", "csrf_token": "expired-or-forged"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "for your security your answer was not saved yet" in html
    assert 'value="LA14 2AB"' in html
    assert the_request(session, user).outcode is None
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    again = browser.post("/ask/where", data={"postcode": "LA14 2AB", "csrf_token": fresh})
    assert again.status_code == 302


def test_no_personal_data_in_urls_or_titles(parent: Any) -> None:
    browser, _ = parent
    answer_everything(browser)
    browser.submit("/ask/check-answers", {})
    home = browser.get("/your-requests/").get_data(as_text=True)
    links = re.findall(r'href="([^"]+)"', home) + re.findall(r'action="([^"]+)"', home)
    for link in links:
        for personal in ("Jolene", "07700", "safe.jolene", "LA14", "domestic", "protection"):
            assert personal.lower() not in link.lower(), link
    for page in ["/your-requests/", "/ask/check-answers", "/ask/sent", "/your-data"]:
        title = re.search(r"<title>(.*?)</title>", browser.get(page).get_data(as_text=True), re.S).group(1)
        assert not re.search(r"abuse|protection|court|social|care|Jolene", title, re.I), title


def test_another_parents_request_is_not_found(parent: Any, sign_in_as: Any, session: Any) -> None:
    from peermatch.models import Role

    browser, user = parent
    answer_everything(browser)
    browser.submit("/ask/check-answers", {})
    request = the_request(session, user)
    other, _ = sign_in_as(Role.PARENT)
    for path in [f"/your-requests/{request.id}", f"/your-requests/{request.id}/cancel",
                 f"/your-requests/{request.id}/feedback", "/your-requests/not-a-uuid"]:
        assert other.get(path).status_code == 404, path
    assert other.post(f"/your-requests/{request.id}/cancel", data={"confirm": "yes"}).status_code == 404
    assert the_request(session, user).status == RequestStatus.SUBMITTED


def test_urgent_meetings_must_be_within_a_year(parent: Any) -> None:
    browser, _ = parent
    browser.submit("/ask/meeting", {"meeting_type": "court_hearing"})
    far = date.today() + timedelta(days=400)
    response = browser.submit("/ask/meeting-date", {"meeting_date": [str(far.day), str(far.month), str(far.year)]})
    assert "The date of the meeting must be within the next year" in error_messages(response)
