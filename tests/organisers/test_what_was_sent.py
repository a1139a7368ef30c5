"""Organisers see what PeerMatch told people about a request and about an advocate: what, to whom, by which
channel, when, and whether it failed. Never the words."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from organisers.conftest import fitting_advocate
from peermatch.models import AuditAction, AuditEvent, Notification, NotificationEvent
from peermatch.services import notifications
from volunteers.conftest import NOW, PARENT_EMAIL


def test_the_request_and_advocate_pages_list_the_notifications_sent_without_their_words(
        organiser: Any, furness: Any, volunteering: Any, session: Any) -> None:
    browser, organiser_user = organiser
    _, profile = fitting_advocate(volunteering, furness)
    request = volunteering.request(organisation=furness, text_ok=True)
    notifications.tell_parent(session, request, NotificationEvent.REQUEST_RECEIVED, request.id, NOW)
    volunteering.offer(profile, request)  # the advocate is told of the offer
    to_advocate = session.scalar(sa.select(Notification).where(Notification.event == NotificationEvent.OFFER_SENT,
                                                                Notification.request_id == request.id))
    notifications.claim(session, to_advocate.id, NOW)
    notifications.not_delivered(session, to_advocate.id, NOW, "The mail server refused it", retry=False)
    session.flush()

    page = browser.get(f"/organiser/requests/{request.id}").get_data(as_text=True)
    section = page[page.index('id="notifications"'):]
    assert "Request received" in section and "The parent" in section
    assert "Email" in section and "Text message" in section and "Waiting for a safe time" in section
    assert "Offer sent" in section and "The advocate" in section
    assert "Failed: The mail server refused it" in section
    assert notifications.PARENT_WORDS not in page and PARENT_EMAIL not in section
    [viewed] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.REQUEST_VIEWED,
                                                           AuditEvent.subject_id == str(request.id)))
    assert viewed.details["notifications_shown"] == 3

    advocate_page = browser.get(f"/organiser/advocates/{profile.id}").get_data(as_text=True)
    section = advocate_page[advocate_page.index('id="notifications"'):]
    assert "Offer sent" in section and "Failed: The mail server refused it" in section
    assert "Request received" not in section  # that one was about the request, to the parent


def test_nothing_sent_yet_is_said_plainly(organiser: Any, furness: Any, volunteering: Any) -> None:
    browser, _ = organiser
    request = volunteering.request(organisation=furness)
    page = browser.get(f"/organiser/requests/{request.id}").get_data(as_text=True)
    assert "Nobody has been told anything about this request outside PeerMatch yet" in page
