"""After sending, the request stays the parent's: they see all they sent, change the meeting, its date, how support
could happen and their free times, reach the group looking after it, and an offer that no longer fits is withdrawn."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from journey import answer_everything
from support import error_messages
from peermatch import clock
from peermatch.models import (
    AuditAction,
    AuditEvent,
    Offer,
    OfferStatus,
    OfferStatusChange,
    RequestStatus,
    Role,
    SupportRequest,
    VolunteerProfile,
)
from peermatch.reference import ALL_SLOTS_MASK
from peermatch.services import offers


def sent_request(browser: Any, session: Any, user: Any) -> SupportRequest:
    answer_everything(browser)
    assert browser.submit("/ask/check-answers", {}).headers["Location"] == "/ask/sent"
    session.expire_all()
    return session.scalars(sa.select(SupportRequest).where(SupportRequest.parent_id == user.id)).one()


def offer_out(session: Any, people: Any, request: SupportRequest, **details: Any) -> Offer:
    """An advocate who fits today's request (phone, every time of the week) is offered it, as organisers do."""
    organisation = request.organisation
    user = people.user(Role.VOLUNTEER, organisation=organisation, name="Morgan")
    volunteer = VolunteerProfile(user_id=user.id, organisation_id=organisation.id, status="approved",
                                 home_outcode="LA14", capacity=2, availability_mask=ALL_SLOTS_MASK,
                                 offers_in_person=True, offers_phone=True, offers_video=False, **details)
    session.add(volunteer)
    session.flush()
    organiser = people.user(Role.ORGANISER, organisation=organisation)
    now = clock.now()
    offer = offers.propose(session, request, volunteer, organiser, now, score=0.8)
    offers.approve(session, offer, organiser, now)
    return offers.send(session, offer, organiser, now)


def test_the_parent_sees_everything_they_sent_and_who_is_looking_after_it(parent: Any, session: Any,
                                                                          cumbria: Any) -> None:
    browser, user = parent
    cumbria.contact_email = "hello@furness.example.org"
    session.flush()
    request = sent_request(browser, session, user)
    page = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    meeting = clock.today() + timedelta(days=6)
    for sent in ["Child protection conference", "Domestic abuse", f"{meeting:%A} {meeting.day} {meeting:%B %Y}, "
                 "in the afternoon", "LA14 (Cumbria)", "By phone", "In person", "English", "Polish",
                 "An interpreter is OK", "A woman", "Monday morning", "Thursday evening", "Jolene", "07700 900982",
                 "safe.jolene@example.org", "Weekdays after 6pm"]:
        assert sent in page, sent
    assert "Furness Parents Together" in page
    assert 'href="mailto:hello@furness.example.org"' in page
    for slug in ("meeting", "meeting-date", "how", "when-free"):
        assert f'href="/your-requests/{request.id}/change/{slug}"' in page, slug
    assert f'href="/your-requests/{request.id}/contact"' in page


def test_the_timeline_says_looking_for_an_advocate_once_however_often_an_offer_comes_back(
        parent: Any, session: Any, people: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    from peermatch.services import requests

    requests.acknowledge(session, request, None, clock.now())  # open: looking for an advocate
    offer = offer_out(session, people, request)  # offered: still looking, in the parent's words
    offers.withdraw(session, offer, people.user(Role.ORGANISER, organisation=request.organisation), clock.now())
    html = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    timeline = html[html.index("What has happened so far"):]
    timeline = timeline[:timeline.index("</ol>")]
    assert timeline.count("Looking for an advocate") == 1 and timeline.count("Received") == 1


def test_changing_the_meeting_date_is_checked_like_the_question_audited_and_seen_by_the_organisers(
        parent: Any, session: Any, sign_in_as: Any, people: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    page = browser.get(f"/your-requests/{request.id}/change/meeting-date").get_data(as_text=True)
    assert f"Request {request.reference}" in page and "Question" not in page
    assert f'href="/your-requests/{request.id}"' in page  # back to the request, not into the questions
    past = browser.submit(f"/your-requests/{request.id}/change/meeting-date",
                          {"meeting_date": ["1", "1", "2020"], "meeting_part": "0"})
    assert error_messages(past) == ["The date of the meeting must be today or in the future"]
    new = clock.today() + timedelta(days=3)
    changed = browser.submit(f"/your-requests/{request.id}/change/meeting-date",
                             {"meeting_date": [str(new.day), str(new.month), str(new.year)], "meeting_part": "2"})
    assert changed.headers["Location"] == f"/your-requests/{request.id}"
    session.expire_all()
    request = session.get(SupportRequest, request.id)
    assert request.meeting_date == new and request.meeting_part == 2
    event = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.REQUEST_CHANGED,
                                                        AuditEvent.subject_id == str(request.id))).one()
    assert event.actor_id == user.id and event.details["changed"] == ["meeting_date", "meeting_part"]
    assert str(new) not in str(event.details)  # the names of what changed, never the values
    assert f"{new:%A} {new.day} {new:%B %Y}, in the evening" in browser.get(
        f"/your-requests/{request.id}").get_data(as_text=True)
    organiser, _ = sign_in_as(Role.ORGANISER, people.user(Role.ORGANISER, organisation=request.organisation))
    assert f"{new.day} {new:%B %Y}" in organiser.get(f"/organiser/requests/{request.id}").get_data(as_text=True)


def test_choosing_a_meeting_asks_its_date_and_no_meeting_clears_it(parent: Any, session: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    none = browser.submit(f"/your-requests/{request.id}/change/meeting", {"meeting_type": "none"})
    assert none.headers["Location"] == f"/your-requests/{request.id}"
    session.expire_all()
    assert session.get(SupportRequest, request.id).meeting_date is None
    chosen = browser.submit(f"/your-requests/{request.id}/change/meeting", {"meeting_type": "core_group"})
    assert chosen.headers["Location"] == f"/your-requests/{request.id}/change/meeting-date"
    free = browser.submit(f"/your-requests/{request.id}/change/when-free", {"availability": ["6-2"]})
    assert free.status_code == 302
    session.expire_all()
    assert session.get(SupportRequest, request.id).availability_mask == 1 << 20


def test_an_offer_whose_advocate_no_longer_fits_is_withdrawn_with_the_reason(parent: Any, session: Any,
                                                                            people: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    offer = offer_out(session, people, request)
    assert request.status == RequestStatus.OFFERED
    # Free times still in common: the offer stays.
    browser.submit(f"/your-requests/{request.id}/change/when-free", {"availability": ["0-0", "3-2", "4-1"]})
    session.expire_all()
    assert session.get(Offer, offer.id).status == OfferStatus.OFFERED
    # Video only: this advocate does not do video, so the offer is withdrawn and the request is looked at again.
    changed = browser.submit(f"/your-requests/{request.id}/change/how", {"support_modes": ["video"]})
    assert changed.status_code == 302
    session.expire_all()
    assert session.get(Offer, offer.id).status == OfferStatus.WITHDRAWN
    assert session.get(SupportRequest, request.id).status == RequestStatus.OPEN
    note = session.scalars(sa.select(OfferStatusChange.note).where(
        OfferStatusChange.offer_id == offer.id, OfferStatusChange.to_status == OfferStatus.WITHDRAWN)).one()
    assert note.startswith("The parent changed their request, so this advocate no longer fits:")
    assert re.search(r"support|video|phone", note, re.I), note
    assert "another advocate who fits your new answers" in browser.get(
        f"/your-requests/{request.id}").get_data(as_text=True)


def test_a_finished_request_no_longer_changes(parent: Any, session: Any) -> None:
    browser, user = parent
    request = sent_request(browser, session, user)
    browser.submit(f"/your-requests/{request.id}/cancel", {"confirm": "yes"})
    page = browser.get(f"/your-requests/{request.id}").get_data(as_text=True)
    assert "/change/" not in page
    refused = browser.get(f"/your-requests/{request.id}/change/how")
    assert refused.headers["Location"] == f"/your-requests/{request.id}"
    assert browser.get(f"/your-requests/{request.id}/change/what-is-happening").status_code == 404
