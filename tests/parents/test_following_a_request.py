"""After sending: the timeline, the advocate's introduction, cancelling, and feedback."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from journey import answer_everything, introduce_advocate
from support import error_messages
from peermatch.models import MatchStatus, Offer, OfferStatus, RequestStatus, SupportRequest, VolunteerProfile


def sent_request(browser: Any, session: Any, user: Any) -> SupportRequest:
    answer_everything(browser)
    browser.submit("/ask/check-answers", {})
    session.expire_all()
    return session.scalars(sa.select(SupportRequest).where(SupportRequest.parent_id == user.id)).one()


def test_a_sent_request_shows_in_plain_words_with_its_timeline(parent: Any, session: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    home = browser.get("/your-requests/").get_data(as_text=True)
    assert f"Request {request.reference}" in home and "Received" in home
    page = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    assert "We are looking for an advocate" in page
    assert "What has happened so far" in page and "Received" in page
    assert "Cancel this request" in page


def test_after_the_introduction_the_parent_sees_the_advocates_first_name_and_how_they_will_get_in_touch(
        parent: Any, session: Any, people: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    introduce_advocate(session, request, people, name="Morgan")
    page = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    assert "Advocate found" in page
    assert "Your advocate is <strong>Morgan</strong>" in page
    assert "They will contact you by text message or email, only at the times you said are safe." in page
    assert "will not leave a voicemail" not in page  # they will not call at all


def test_cancelling_asks_first_and_then_withdraws_pending_offers(parent: Any, session: Any, people: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    page = browser.get(f"/your-requests/{request.id}/cancel").get_data(as_text=True)
    assert "Are you sure you want to cancel this request?" in page
    missing = browser.submit(f"/your-requests/{request.id}/cancel", {})
    assert error_messages(missing) == ["Select yes if you want to cancel this request"]
    kept = browser.submit(f"/your-requests/{request.id}/cancel", {"confirm": "no"})
    assert kept.status_code == 302
    session.expire_all()
    assert session.get(SupportRequest, request.id).status == RequestStatus.SUBMITTED

    browser.submit(f"/your-requests/{request.id}/cancel", {"confirm": "yes"})
    session.expire_all()
    assert session.get(SupportRequest, request.id).status == RequestStatus.WITHDRAWN
    page = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    assert "You cancelled this request" in page and "Cancel this request" not in page


def test_cancelling_a_matched_request_ends_the_match_and_frees_the_advocate(parent: Any, session: Any,
                                                                           people: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    match = introduce_advocate(session, request, people)
    browser.submit(f"/your-requests/{request.id}/cancel", {"confirm": "yes"})
    session.expire_all()
    assert match.status == MatchStatus.ENDED
    assert session.get(VolunteerProfile, match.volunteer_id).active_match_count == 0


def test_cancelling_withdraws_offers_still_waiting_for_an_answer(parent: Any, session: Any, people: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    match = introduce_advocate(session, request, people)
    waiting = Offer(request_id=request.id, volunteer_id=match.volunteer_id, status=OfferStatus.OFFERED)
    session.add(waiting)
    session.flush()
    browser.submit(f"/your-requests/{request.id}/cancel", {"confirm": "yes"})
    session.expire_all()
    assert session.get(Offer, waiting.id).status == OfferStatus.WITHDRAWN


def test_feedback_at_the_end(parent: Any, session: Any, people: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    match = introduce_advocate(session, request, people)
    assert browser.get(f"/your-requests/{request.id}/feedback").status_code == 404  # not ended yet
    match.status = MatchStatus.ENDED
    session.flush()
    assert "Tell us how your advocate helped" in browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    empty = browser.submit(f"/your-requests/{request.id}/feedback", {})
    assert error_messages(empty) == ["Select how helpful your advocate was"]
    too_long = browser.submit(f"/your-requests/{request.id}/feedback", {"rating": "5", "comments": "x" * 2001})
    assert error_messages(too_long) == ["Your feedback must be 2000 characters or fewer"]
    sent = browser.submit(f"/your-requests/{request.id}/feedback", {"rating": "5", "comments": "Morgan was brilliant"})
    assert sent.status_code == 302
    session.expire_all()
    [feedback] = match.feedback
    assert feedback.rating == 5 and feedback.author == "parent" and feedback.comments == "Morgan was brilliant"
    assert browser.get(f"/your-requests/{request.id}/feedback").status_code == 404  # only once
