"""Answering offers: the anonymised summary, accepting, declining, lapsing, and whose offer it is."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from peermatch.errors import DomainError
from peermatch.models import AuditAction, AuditEvent, Match, Offer, OfferStatus, RequestStatus, RequestStatusChange, Role
from peermatch.services import matches, offers, requests
from support import error_messages
from volunteers.conftest import NOW, PARENT_EMAIL, PARENT_NAME, PARENT_PHONE


def history(offer: Offer) -> list[tuple[str | None, str]]:
    return [(change.from_status, change.to_status) for change in offer.status_changes]


def test_offers_waiting_show_an_anonymised_summary(advocate_client: Any, volunteering: Any) -> None:
    browser, _, profile = advocate_client
    request = volunteering.request(meeting_date=date(2026, 3, 16), meeting_part=0)
    volunteering.offer(profile, request)
    html = browser.get("/volunteer/offers").get_data(as_text=True)
    assert "<title>Offers waiting for your answer" in html
    for words in ("Child protection conference", "Domestic abuse", "Cumbria", "miles", "Monday: morning, evening",
                  "Child protection conference on 16 March 2026, in the morning", "In person, Phone", "English"):
        assert words in html, words
    assert "&lt;" not in html  # line breaks are markup, never shown as text
    home = browser.get("/volunteer/").get_data(as_text=True)
    assert "Offers waiting for your answer" in home and "Answer by" in home


def test_accepting_takes_a_place_and_the_introduction_shows_the_contact_details(
        advocate_client: Any, volunteering: Any, session: Any, people: Any, clock: Any) -> None:
    browser, user, profile = advocate_client
    offer = volunteering.offer(profile, now=NOW - timedelta(hours=1))
    response = browser.submit(f"/volunteer/offers/{offer.id}/accept", {}, form_url=f"/volunteer/offers/{offer.id}")
    match = session.scalar(sa.select(Match).where(Match.offer_id == offer.id))
    assert match is not None and response.headers["Location"] == f"/volunteer/matches/{match.id}"
    session.refresh(offer)
    session.refresh(profile)
    assert offer.status == OfferStatus.ACCEPTED and offer.responded_dt == NOW
    assert history(offer) == [(None, "proposed"), ("proposed", "approved"), ("approved", "offered"),
                              ("offered", "accepted")]
    assert profile.active_match_count == 1 and match.status == "awaiting_introduction"
    assert offer.request.status == RequestStatus.OFFERED  # the parent is told once they are introduced
    waiting = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "An organiser will introduce you to the parent soon" in waiting
    assert PARENT_NAME not in waiting and PARENT_EMAIL not in waiting and PARENT_PHONE not in waiting

    clock.move_to(NOW + timedelta(minutes=30))
    matches.introduce(session, match, people.user(Role.ORGANISER, profile.organisation), NOW + timedelta(minutes=30))
    assert offer.request.status == RequestStatus.MATCHED and match.status == "introduced"
    assert [c.to_status for c in session.scalars(sa.select(RequestStatusChange).where(
        RequestStatusChange.request_id == offer.request_id).order_by(RequestStatusChange.changed_dt))] == [
        "offered", "matched"]
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert PARENT_NAME in page and PARENT_EMAIL in page and PARENT_PHONE in page
    assert "Do not send texts" in page and "Do not leave a voicemail" in page and "Weekdays 9:30am to 2:30pm" in page
    viewed = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.CONTACT_DETAILS_VIEWED)).all()
    assert [(e.actor_id, e.subject_id) for e in viewed] == [(user.id, str(offer.request_id))]
    # The offer page now leads to the match.
    assert browser.get(f"/volunteer/offers/{offer.id}").headers["Location"] == f"/volunteer/matches/{match.id}"


def test_only_the_channels_the_parent_allowed_are_shown(advocate_client: Any, volunteering: Any) -> None:
    browser, user, profile = advocate_client
    request = volunteering.request(email_ok=False, phone_ok=False, text_ok=True, voicemail_ok=True)
    match = volunteering.introduced(user, profile, request)
    page = browser.get(f"/volunteer/matches/{match.id}").get_data(as_text=True)
    assert "Do not email" in page and PARENT_EMAIL not in page
    assert "Do not phone" in page and PARENT_PHONE in page  # for texts only
    assert "Do not leave a voicemail" in page  # voicemail needs calls


def test_a_parents_details_never_appear_before_the_introduction(advocate_client: Any, volunteering: Any) -> None:
    browser, user, profile = advocate_client
    offer = volunteering.offer(profile)
    secrets = [PARENT_NAME, PARENT_EMAIL, PARENT_PHONE, offer.request.parent.email, "Parent account name",
               "My own words about my family"]
    pages = ["/volunteer/", "/volunteer/offers", f"/volunteer/offers/{offer.id}", f"/volunteer/offers/{offer.id}/decline",
             "/volunteer/availability", "/volunteer/capacity", "/volunteer/away", "/volunteer/away/add",
             "/volunteer/apply"]
    responses = [browser.get(page) for page in pages]
    responses.append(browser.submit(f"/volunteer/offers/{offer.id}/decline", {"note": "x" * 501}))
    volunteering.session.execute(sa.update(type(profile)).where(type(profile).id == profile.id)
                                 .values(capacity=1, active_match_count=1))
    responses.append(browser.submit(f"/volunteer/offers/{offer.id}/accept", {}, form_url=f"/volunteer/offers/{offer.id}"))
    for response in responses:
        html = response.get_data(as_text=True) + str(response.headers)
        for secret in secrets:
            assert secret not in html, (response.request.path, secret)
    assert responses[-1].status_code == 200  # refused: no free place
    volunteering.session.execute(sa.update(type(profile)).where(type(profile).id == profile.id)
                                 .values(capacity=2, active_match_count=1))
    match = offers.accept(volunteering.session, offer, user, NOW)
    assert PARENT_NAME not in browser.get(f"/volunteer/matches/{match.id}").get_data(as_text=True)  # accepted...
    matches.introduce(volunteering.session, match, volunteering.people.user(Role.ORGANISER, profile.organisation), NOW)
    assert PARENT_NAME in browser.get(f"/volunteer/matches/{match.id}").get_data(as_text=True)  # ...introduced


def test_declining_with_a_reason_sends_the_request_back_to_the_organisers(advocate_client: Any, volunteering: Any,
                                                                          session: Any) -> None:
    browser, _, profile = advocate_client
    offer = volunteering.offer(profile)
    response = browser.submit(f"/volunteer/offers/{offer.id}/decline", {"reason": "too_far", "note": "No buses"})
    assert response.headers["Location"] == "/volunteer/"
    session.refresh(offer)
    assert (offer.status, offer.decline_reason, offer.decline_note) == ("declined", "too_far", "No buses")
    assert history(offer)[-1] == ("offered", "declined")
    assert offer.request.status == RequestStatus.OPEN
    assert "No offers are waiting for you" in browser.get("/volunteer/offers").get_data(as_text=True)
    again = browser.submit(f"/volunteer/offers/{offer.id}/decline", {"reason": "too_far"})
    assert "You have already declined this offer" in error_messages(again)


@pytest.mark.parametrize(
    "data, message",
    [({}, "Select why you cannot take this on"), ({"reason": "bored"}, "Select why you cannot take this on"),
     ({"reason": "other", "note": "x" * 501}, "Anything else must be 500 characters or fewer")],
)
def test_declining_mistakes_get_their_own_message(advocate_client: Any, volunteering: Any, data: dict[str, str],
                                                  message: str) -> None:
    browser, _, profile = advocate_client
    offer = volunteering.offer(profile)
    response = browser.submit(f"/volunteer/offers/{offer.id}/decline", data)
    assert response.status_code == 200 and message in error_messages(response)
    assert "<title>Error: Decline this offer" in response.get_data(as_text=True)
    volunteering.session.refresh(offer)
    assert offer.status == OfferStatus.OFFERED


def test_an_offer_lapses_after_48_hours_and_goes_back(advocate_client: Any, volunteering: Any, session: Any,
                                                      clock: Any, sign_in_as: Any) -> None:
    _, user, profile = advocate_client
    offer = volunteering.offer(profile)
    assert offer.expires_dt == NOW + timedelta(hours=48)
    assert offers.lapse_due(session, NOW + timedelta(hours=47, minutes=59)) == []
    clock.move_to(NOW + timedelta(hours=48))
    browser, _ = sign_in_as(Role.VOLUNTEER, user)  # two days later: yesterday's session has ended
    # Before the lapse job has run, the page already treats it as too late.
    assert "No offers are waiting for you" in browser.get("/volunteer/offers").get_data(as_text=True)
    late = browser.submit(f"/volunteer/offers/{offer.id}/accept", {}, form_url="/volunteer/away/add")
    assert "The time to answer this offer has passed, so it has gone back to the organisers" in late.get_data(as_text=True)
    assert session.scalar(sa.select(Match).where(Match.offer_id == offer.id)) is None
    assert offers.lapse_due(session, NOW + timedelta(hours=48)) == [offer]
    session.refresh(offer)
    assert offer.status == OfferStatus.LAPSED and history(offer)[-1] == ("offered", "lapsed")
    assert offer.request.status == RequestStatus.OPEN
    assert offers.lapse_due(session, NOW + timedelta(hours=72)) == []
    with pytest.raises(DomainError, match="The time to answer this offer has passed"):
        offers.accept(session, offer, user, NOW + timedelta(hours=1))


def test_the_lapse_time_is_configurable_and_sooner_when_the_meeting_is_sooner(app: Any, volunteering: Any) -> None:
    _, profile = volunteering.advocate()
    app.config["OFFER_LAPSE_HOURS"] = 24
    try:
        assert volunteering.offer(profile).expires_dt == NOW + timedelta(hours=24)
    finally:
        app.config["OFFER_LAPSE_HOURS"] = 48
    assert volunteering.offer(profile).expires_dt == NOW + timedelta(hours=48)
    # Meeting on Wednesday morning (9am UK time, 23 hours away): answer within half of that.
    assert offers.offer_deadline(NOW, 48, date(2026, 3, 11), 0) == NOW + timedelta(hours=11, minutes=30)
    # A meeting next month changes nothing; a meeting in an hour still leaves an hour.
    assert offers.offer_deadline(NOW, 48, date(2026, 4, 20), 2) == NOW + timedelta(hours=48)
    assert offers.offer_deadline(NOW, 48, date(2026, 3, 10), 0) == NOW + timedelta(hours=1)
    request = volunteering.request(meeting_date=date(2026, 3, 11), meeting_part=0)
    assert volunteering.offer(profile, request).expires_dt == NOW + timedelta(hours=11, minutes=30)


def test_the_lapse_command_lapses_overdue_offers(app: Any, volunteering: Any, session: Any) -> None:
    _, profile = volunteering.advocate()
    sent = datetime.now(timezone.utc) - timedelta(hours=50)
    overdue = volunteering.offer(profile, now=sent)
    fresh = volunteering.offer(profile, now=datetime.now(timezone.utc))
    result = app.test_cli_runner().invoke(args=["lapse-offers"])
    assert result.exit_code == 0, result.output
    assert "Offers lapsed: 1" in result.output
    session.refresh(overdue)
    session.refresh(fresh)
    assert (overdue.status, fresh.status) == (OfferStatus.LAPSED, OfferStatus.OFFERED)


def test_accepting_when_full_changes_nothing(advocate_client: Any, volunteering: Any, session: Any) -> None:
    browser, user, profile = advocate_client
    first, second, third = (volunteering.offer(profile) for _ in range(3))
    offers.accept(session, first, user, NOW)
    offers.accept(session, second, user, NOW)
    response = browser.submit(f"/volunteer/offers/{third.id}/accept", {}, form_url=f"/volunteer/offers/{third.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: An offer to support a parent" in html
    assert "You are already supporting as many parents as you said you can at once" in html
    session.refresh(third)
    session.refresh(profile)
    assert third.status == OfferStatus.OFFERED and third.status_changes[-1].to_status == "offered"
    assert profile.active_match_count == 2
    assert third.request.status == RequestStatus.OFFERED


def test_a_request_withdrawn_meanwhile_cannot_be_accepted(advocate_client: Any, volunteering: Any,
                                                          session: Any) -> None:
    browser, user, profile = advocate_client
    offer = volunteering.offer(profile)
    requests.withdraw(session, offer.request, offer.request.parent, NOW)
    response = browser.submit(f"/volunteer/offers/{offer.id}/accept", {}, form_url="/volunteer/away/add")
    assert "This offer has been withdrawn: the parent no longer needs an advocate" in response.get_data(as_text=True)
    session.refresh(offer)
    session.refresh(profile)
    assert offer.status == OfferStatus.WITHDRAWN and profile.active_match_count == 0
    assert history(offer)[-1] == ("offered", "withdrawn")


def test_one_offer_at_a_time_and_accepting_twice_is_refused(volunteering: Any, session: Any, people: Any) -> None:
    user, profile = volunteering.advocate()
    _, other = volunteering.advocate(organisation=profile.organisation)
    organiser = people.user(Role.ORGANISER, profile.organisation)
    request = volunteering.request(organisation=profile.organisation)
    mine = volunteering.offer(profile, request)
    with pytest.raises(DomainError, match="An offer for this request is already waiting for an answer"):
        offers.propose(session, request, other, organiser, NOW)
    offers.accept(session, mine, user, NOW)
    with pytest.raises(DomainError, match="You have already accepted this offer"):
        offers.accept(session, mine, user, NOW)
    with pytest.raises(DomainError, match="An advocate has already accepted this request"):
        offers.propose(session, request, other, organiser, NOW)
    session.refresh(profile)
    assert profile.active_match_count == 1


@pytest.mark.parametrize("path", ["", "/decline"])
def test_a_volunteer_gets_404_for_someone_elses_offer(advocate_client: Any, volunteering: Any, path: str) -> None:
    browser, _, _ = advocate_client
    _, other = volunteering.advocate(name="Other")
    offer = volunteering.offer(other)
    assert browser.get(f"/volunteer/offers/{offer.id}{path}").status_code == 404
    form_url = "/volunteer/away/add"
    assert browser.submit(f"/volunteer/offers/{offer.id}{path or '/accept'}", {"reason": "too_far"},
                          form_url=form_url).status_code == 404
    volunteering.session.refresh(offer)
    assert offer.status == OfferStatus.OFFERED
    assert browser.get("/volunteer/offers/not-a-uuid").status_code == 404


def test_the_guard_is_also_a_database_constraint(volunteering: Any, session: Any) -> None:
    _, profile = volunteering.advocate(capacity=1)
    with pytest.raises(sa.exc.IntegrityError, match="active_matches_within_capacity"), session.begin_nested():
        session.execute(sa.update(type(profile)).where(type(profile).id == profile.id).values(active_match_count=2))
