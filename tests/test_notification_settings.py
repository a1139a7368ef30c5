"""Volunteers and staff choose how they are told things: email, text or both, each time or in a daily digest."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from support import error_messages
from peermatch import clock
from peermatch.models import (
    AuditAction,
    AuditEvent,
    Notification,
    NotificationChannel,
    NotificationEvent,
    NotificationStatus,
    Role,
)
from peermatch.services import notifications

URL = "/account/notifications"


def test_a_volunteer_chooses_texts_and_a_daily_digest(sign_in_as: Any, session: Any) -> None:
    browser, user = sign_in_as(Role.VOLUNTEER)
    page = browser.get(URL).get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Your notification settings</h1>" in page
    assert 'value="email" checked' in page and 'value="each" checked' in page  # as they are: email, each time
    assert page.count("<legend") == 2 and "How should we tell you when something needs you?" in page
    assert f'href="{URL}"' in page  # in the navigation

    saved = browser.submit(URL, {"channels": ["email", "text"], "phone": " 07700 900 123 ", "how_often": "digest"})
    assert saved.headers["Location"] == "/volunteer/", error_messages(saved)
    session.refresh(user)
    assert (user.notify_by_email, user.notify_by_text, user.phone, user.daily_digest) == (
        True, True, "07700 900 123", True)
    assert notifications.user_channels(user) == [NotificationChannel.EMAIL, NotificationChannel.TEXT]
    [event] = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.NOTIFICATION_PREFERENCES_CHANGED))
    assert event.actor_id == user.id and event.details["changed"] == ["daily_digest", "notify_by_text", "phone"]
    assert "07700" not in str(event.details)

    # What they chose is what the outbox does: held for the digest, by both channels.
    notifications.tell_user(session, user, NotificationEvent.OFFER_SENT, "an-offer", clock.now())
    rows = session.scalars(sa.select(Notification).where(Notification.recipient_id == user.id)).all()
    assert sorted(r.channel for r in rows) == [NotificationChannel.EMAIL, NotificationChannel.TEXT]
    assert {r.status for r in rows} == {NotificationStatus.HELD_FOR_DIGEST}


@pytest.mark.parametrize("data, message", [
    ({"how_often": "each"}, "Select email, text message or both"),
    ({"channels": ["text"], "how_often": "each"}, "Enter the mobile phone number for texts"),
    ({"channels": ["text"], "phone": "ring me", "how_often": "each"}, "Enter a phone number, like 07700 900 982"),
    ({"channels": ["pigeon"], "how_often": "each"}, "Select email, text message or both"),
    ({"channels": ["email"]}, "Select how often you want to be told"),
])
def test_each_mistake_gets_its_message_and_saves_nothing(sign_in_as: Any, session: Any, data: dict[str, Any],
                                                         message: str) -> None:
    browser, user = sign_in_as(Role.VOLUNTEER)
    response = browser.submit(URL, data)
    assert response.status_code == 200 and message in error_messages(response)
    session.refresh(user)
    assert (user.notify_by_email, user.notify_by_text, user.phone, user.daily_digest) == (True, False, None, False)
    assert session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.NOTIFICATION_PREFERENCES_CHANGED)) is None


def test_an_organiser_switches_to_texts_only_and_back_and_the_number_is_forgotten(sign_in_as: Any,
                                                                                  session: Any) -> None:
    browser, user = sign_in_as(Role.ORGANISER)
    assert f'href="{URL}"' in browser.get("/organiser/").get_data(as_text=True)
    browser.submit(URL, {"channels": ["text"], "phone": "+44 7700 900123", "how_often": "each"})
    session.refresh(user)
    assert notifications.user_channels(user) == [NotificationChannel.TEXT]
    browser.submit(URL, {"channels": ["email"], "phone": "+44 7700 900123", "how_often": "each"})
    session.refresh(user)
    assert (user.notify_by_email, user.notify_by_text, user.phone) == (True, False, None)


def test_the_admin_has_settings_too_and_parents_choose_on_each_request_instead(sign_in_as: Any) -> None:
    admin, _ = sign_in_as(Role.ADMIN)
    assert admin.get(URL).status_code == 200
    parent, _ = sign_in_as(Role.PARENT)
    assert parent.get(URL).status_code == 403
    assert f'href="{URL}"' not in parent.get("/your-requests/").get_data(as_text=True)
