"""The organiser's working day: triage, one request's actions, offers, matches and what is stalled."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import time_machine

from organisers.conftest import fitting_advocate
from peermatch import clock
from peermatch.models import (
    ConflictOfInterest,
    Match,
    MatchStatus,
    Offer,
    OfferStatus,
    RequestStatus,
    SupportRequest,
)
from peermatch.services import matches, offers
from support import error_messages


def card_order(html: str) -> list[str]:
    return re.findall(r"Request (PM-[A-Z0-9]{4}-[A-Z0-9]{4})\s*</h2>", html)


def test_triage_puts_the_soonest_meeting_first_then_the_longest_waiting_and_filters(
        organiser: Any, volunteering: Any, furness: Any, session: Any) -> None:
    browser, _ = organiser
    today = clock.today()
    later = volunteering.request(organisation=furness, meeting_date=today + timedelta(days=12))
    soon = volunteering.request(organisation=furness, meeting_date=today + timedelta(days=2))
    older = volunteering.request(organisation=furness)
    newer = volunteering.request(organisation=furness)
    older.submitted_dt = clock.now() - timedelta(days=9)
    newer.submitted_dt = clock.now() - timedelta(days=1)
    newer.language_rows[0].language = "pl"
    session.flush()
    html = browser.get("/organiser/requests").get_data(as_text=True)
    assert card_order(html) == [soon.reference, later.reference, older.reference, newer.reference]
    assert "9 days since it was sent" in html
    assert card_order(browser.get("/organiser/requests?soon=1").get_data(as_text=True)) == [soon.reference]
    assert card_order(browser.get("/organiser/requests?language=pl").get_data(as_text=True)) == [newer.reference]
    assert card_order(browser.get("/organiser/requests?status=offered").get_data(as_text=True)) == []
    assert "No request matches" in browser.get("/organiser/requests?status=offered").get_data(as_text=True)


def test_the_triage_list_pages_through_many_requests(organiser: Any, volunteering: Any, furness: Any) -> None:
    browser, _ = organiser
    made = [volunteering.request(organisation=furness) for _ in range(27)]
    first = browser.get("/organiser/requests").get_data(as_text=True)
    second = browser.get("/organiser/requests?page=2").get_data(as_text=True)
    assert len(card_order(first)) == 25 and len(card_order(second)) == 2
    assert "Page 1 of 2" in first and 'rel="next"' in first and "27 requests" in first
    assert set(card_order(first) + card_order(second)) == {r.reference for r in made}


def test_opening_a_new_request_marks_it_seen(organiser: Any, volunteering: Any, furness: Any, session: Any) -> None:
    browser, _ = organiser
    request = volunteering.request(organisation=furness)
    request.status = RequestStatus.SUBMITTED  # as a parent leaves it (set directly: nobody has seen it yet)
    session.flush()
    page = browser.get(f"/organiser/requests/{request.id}").get_data(as_text=True)
    session.refresh(request)
    assert request.status == RequestStatus.OPEN and "Open</strong>" in page and "by Olu" in page


def test_a_conflict_of_interest_excludes_the_advocate_and_withdraws_their_offer(
        organiser: Any, volunteering: Any, furness: Any, session: Any) -> None:
    browser, _ = organiser
    _, profile = fitting_advocate(volunteering, furness, name="Robin")
    request = volunteering.request(organisation=furness)
    offer = volunteering.offer(profile, request, now=clock.now())
    page = f"/organiser/requests/{request.id}"
    missing = browser.submit(page + "/conflicts", {"volunteer_id": str(profile.id), "reason": ""}, form_url=page)
    assert "Enter the reason" in error_messages(missing)
    done = browser.submit(page + "/conflicts", {"volunteer_id": str(profile.id), "reason": "Knows the family"},
                          form_url=page)
    assert done.status_code == 302
    session.refresh(offer)
    assert offer.status == OfferStatus.WITHDRAWN
    assert session.scalar(sa.select(ConflictOfInterest.reason)) == "Knows the family"
    candidates = browser.get(page + "/candidates").get_data(as_text=True)
    assert "Conflict of interest recorded by an organiser" in candidates and "1. Robin" not in candidates


def test_closing_without_a_match_asks_for_the_reason_and_withdraws_offers(
        organiser: Any, volunteering: Any, furness: Any, session: Any) -> None:
    browser, _ = organiser
    _, profile = fitting_advocate(volunteering, furness)
    request = volunteering.request(organisation=furness)
    offer = volunteering.offer(profile, request, now=clock.now())
    url = f"/organiser/requests/{request.id}/close"
    assert "Why are you closing this request without a match?" in browser.get(url).get_data(as_text=True)
    assert "Select why you are closing this request" in error_messages(browser.submit(url, {}))
    assert browser.submit(url, {"reason": "support_found_elsewhere"}).status_code == 302
    session.refresh(request)
    session.refresh(offer)
    assert (request.status, request.outcome, offer.status) == (
        RequestStatus.CLOSED_UNMATCHED, "support_found_elsewhere", OfferStatus.WITHDRAWN)
    again = browser.submit(url, {"reason": "duplicate"})
    assert "This request has been closed" in error_messages(again)


def test_withdrawing_an_offer_sends_the_request_back(organiser: Any, volunteering: Any, furness: Any,
                                                     session: Any) -> None:
    browser, _ = organiser
    _, profile = fitting_advocate(volunteering, furness)
    request = volunteering.request(organisation=furness)
    offer = volunteering.offer(profile, request, now=clock.now())
    page = f"/organiser/requests/{request.id}"
    assert "Withdraw the offer" in browser.get(page).get_data(as_text=True)
    browser.submit(f"/organiser/offers/{offer.id}/withdraw", {}, form_url=page)
    session.refresh(request)
    session.refresh(offer)
    assert offer.status == OfferStatus.WITHDRAWN and request.status == RequestStatus.OPEN
    second = browser.submit(f"/organiser/offers/{offer.id}/withdraw", {}, form_url=page)
    assert "This offer has already been answered, so it cannot be withdrawn" in \
        browser.get(second.headers["Location"]).get_data(as_text=True)


def test_an_advocate_who_stopped_fitting_is_refused_with_the_reasons(organiser: Any, volunteering: Any,
                                                                     furness: Any, session: Any) -> None:
    browser, _ = organiser
    _, profile = fitting_advocate(volunteering, furness, name="Robin")
    request = volunteering.request(organisation=furness)
    candidates = f"/organiser/requests/{request.id}/candidates"
    token_page = browser.get(candidates).get_data(as_text=True)
    assert "1. Robin" in token_page
    profile.capacity = 1
    profile.active_match_count = 1  # took another parent meanwhile
    session.flush()
    response = browser.submit(f"/organiser/requests/{request.id}/offers", {"volunteer_id": str(profile.id)},
                              form_url=candidates)
    assert response.status_code == 409
    assert "Robin no longer fits: No free place: supporting 1 of 1" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Offer)) == 0


def test_sending_twice_makes_one_offer(organiser: Any, volunteering: Any, furness: Any, session: Any) -> None:
    browser, _ = organiser
    _, robin = fitting_advocate(volunteering, furness, name="Robin")
    _, sasha = fitting_advocate(volunteering, furness, name="Sasha")
    request = volunteering.request(organisation=furness)
    candidates = f"/organiser/requests/{request.id}/candidates"
    first = browser.submit(f"/organiser/requests/{request.id}/offers", {"volunteer_id": str(robin.id)},
                           form_url=candidates)
    assert first.status_code == 302
    for advocate in (robin, sasha):  # the same click again, or another organiser choosing someone else
        again = browser.submit(f"/organiser/requests/{request.id}/offers", {"volunteer_id": str(advocate.id)},
                               form_url=f"/organiser/requests/{request.id}")
        assert again.status_code == 409
        assert "This offer was not sent: An offer for this request is already waiting for an answer" in \
            again.get_data(as_text=True) or "already has an offer" in again.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(Offer)) == 1


def test_ending_a_match_before_the_introduction_sends_the_request_back(organiser: Any, volunteering: Any,
                                                                      furness: Any, session: Any) -> None:
    browser, _ = organiser
    user, profile = fitting_advocate(volunteering, furness)
    request = volunteering.request(organisation=furness)
    match = offers.accept(session, volunteering.offer(profile, request, now=clock.now()), user, clock.now())
    url = f"/organiser/matches/{match.id}/end"
    assert browser.submit(url, {"outcome": "advocate_could_not_continue"}).status_code == 302
    session.refresh(request)
    session.refresh(profile)
    assert request.status == RequestStatus.OPEN and profile.active_match_count == 0
    assert "This match has already ended" in error_messages(browser.submit(url, {"outcome": "other"}))


def test_matches_with_no_contact_for_two_weeks_are_followed_up(organiser: Any, volunteering: Any, furness: Any,
                                                               session: Any, people: Any) -> None:
    browser, staff = organiser
    user, profile = fitting_advocate(volunteering, furness)
    request = volunteering.request(organisation=furness)
    start = clock.now() - timedelta(days=20)
    with time_machine.travel(start, tick=False):
        match = offers.accept(session, volunteering.offer(profile, request, now=start), user, start)
        matches.introduce(session, match, staff, start)
    session.flush()
    assert "1</span> match has no contact logged for 14 days" in browser.get("/organiser/").get_data(as_text=True)
    listed = browser.get("/organiser/matches?stalled=1").get_data(as_text=True)
    assert f"Request {request.reference}" in listed and "None logged yet" in listed
    matches.log_contact(session, match, user, clock.today() - timedelta(days=1), "phone", 30, "", clock.now())
    assert "Every match has had a contact in the last 14 days" in \
        browser.get("/organiser/matches?stalled=1").get_data(as_text=True)
    record = browser.get(f"/organiser/matches/{match.id}").get_data(as_text=True)
    assert "30 minutes" in record and "None given" in record


def test_empty_lists_say_so(organiser: Any) -> None:
    browser, _ = organiser
    for url, words in (("/organiser/offers", "No offer is waiting for an answer"),
                       ("/organiser/matches", "No match is going on"),
                       ("/organiser/applications", "No application is waiting"),
                       ("/organiser/requests", "Every request has an advocate or an offer waiting"),
                       ("/organiser/advocates", "No volunteer matches")):
        assert words in browser.get(url).get_data(as_text=True), url
    assert MatchStatus and SupportRequest and Match
