"""The network admin creates organiser accounts; organisers set their own password from an email."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from support import code_for, error_messages
from peermatch.models import AuditAction, AuditEvent, Role, User


def invite(admin: Any, organisation_: Any, **overrides: str) -> Any:
    data = {"display_name": "Priya Shah", "email": "priya@example.org", "organisation": str(organisation_.id),
            **overrides}
    return admin.submit("/admin/organisers", data)


def test_an_admin_invites_an_organiser_who_sets_a_password_and_signs_in(
    sign_in_as: Any, people: Any, session: Any, inbox: Any, client: Any
) -> None:
    organisation = people.organisation("Barrow Parents Together")
    admin, admin_user = sign_in_as(Role.ADMIN)
    response = invite(admin, organisation)
    assert response.status_code == 302
    assert "Invitation sent to priya@example.org" in admin.get("/admin/organisers").get_data(as_text=True)

    [message] = inbox.messages
    assert message["To"] == "priya@example.org"
    assert message["Subject"] == "A message from PeerMatch"
    link = re.search(r"http://localhost(/set-password/\S+)", message.get_content()).group(1)

    organiser = session.scalar(sa.select(User).where(User.email == "priya@example.org"))
    assert organiser.role == Role.ORGANISER and organiser.organisation_id == organisation.id
    created = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.ACCOUNT_CREATED,
                                                         AuditEvent.subject_id == str(organiser.id)))
    assert created.actor_id == admin_user.id

    set_password = client.submit(link, {"password": "a brand new password", "confirm_password": "a brand new password"})
    assert set_password.headers["Location"] == "/sign-in"
    signed_in = client.submit("/sign-in", {"email": "priya@example.org", "password": "a brand new password"})
    assert signed_in.headers["Location"] == "/sign-in/set-up-code"  # staff: two-factor at the first sign-in
    set_up = client.get("/sign-in/set-up-code").get_data(as_text=True)
    secret = re.search(r'<code class="app-secret">([A-Z2-7]+)</code>', set_up).group(1)
    codes = client.submit("/sign-in/set-up-code", {"code": code_for(secret)}).get_data(as_text=True)
    assert "Save your recovery codes" in codes and 'href="/organiser/"' in codes
    assert "Barrow Parents Together" in client.get("/organiser/").get_data(as_text=True)

    reused = client.get(link)
    assert reused.status_code == 400
    assert "This link has already been used" in reused.get_data(as_text=True)


def test_a_tampered_invitation_link_is_refused(client: Any) -> None:
    response = client.get("/set-password/not-a-real-token")
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)


def test_inviting_needs_a_name_an_email_and_an_organisation(sign_in_as: Any, people: Any, inbox: Any) -> None:
    organisation = people.organisation()
    admin, _ = sign_in_as(Role.ADMIN)
    response = invite(admin, organisation, display_name="", email="nope", organisation="")
    assert error_messages(response) == [
        "Enter the organiser's name",
        "Enter an email address in the correct format, like name@example.com",
        "Choose an organisation",
    ]
    assert inbox.messages == []


def test_an_email_already_in_use_is_refused(sign_in_as: Any, people: Any, inbox: Any) -> None:
    organisation = people.organisation()
    people.user(Role.PARENT, email="priya@example.org")
    admin, _ = sign_in_as(Role.ADMIN)
    response = invite(admin, organisation)
    assert "An account with this email address already exists. Sign in instead" in error_messages(response)
    assert inbox.messages == []


def test_the_admin_home_lists_member_organisations(sign_in_as: Any, people: Any) -> None:
    people.organisation("Walney Family Voices")
    admin, _ = sign_in_as(Role.ADMIN)
    assert "Walney Family Voices" in admin.get("/admin/").get_data(as_text=True)
