"""The network admin creates organiser accounts; organisers set their own password from an email."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
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
    # Said to the admin about someone else: not "sign in instead", as if it were their own address.
    assert error_messages(response) == ["There is already an account with this email address"]
    assert inbox.messages == []


def test_an_invitation_without_an_email_address_asks_for_the_organisers(sign_in_as: Any, people: Any) -> None:
    organisation = people.organisation()
    admin, _ = sign_in_as(Role.ADMIN)
    response = invite(admin, organisation, email="")
    assert error_messages(response) == ["Enter the organiser's work email address"]


def test_the_admin_home_lists_member_organisations(sign_in_as: Any, people: Any) -> None:
    people.organisation("Walney Family Voices")
    admin, _ = sign_in_as(Role.ADMIN)
    assert "Walney Family Voices" in admin.get("/admin/").get_data(as_text=True)


def test_the_admin_reads_the_audit_log_filtered_by_person_action_and_date_in_pages(
        sign_in_as: Any, people: Any, session: Any) -> None:
    from peermatch import clock
    from peermatch.services import audit

    admin, admin_user = sign_in_as(Role.ADMIN)
    organisation = people.organisation("Audit Parents Together")
    organiser = people.user(Role.ORGANISER, organisation, email="audited.organiser@example.org")
    for _ in range(55):
        audit.record(session, organiser, AuditAction.REQUEST_VIEWED, "request", uuid.uuid4(),
                     organisation_id=organisation.id)
    session.flush()
    asked = admin.submit("/admin/audit", {"person": "Audited.Organiser@example.org", "action": "request.viewed"})
    assert asked.headers["Location"] == "/admin/audit?action=request.viewed&search=1"  # no email in the address
    page = admin.get(asked.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "55 entries" in html and "Page 1 of 2" in html
    assert html.count("<td class=\"govuk-table__cell\">request.viewed</td>") == 50
    assert "55 entries" in admin.get(f"/admin/audit?organisation={organisation.id}&action=request.viewed"
                                     ).get_data(as_text=True)
    second = admin.get("/admin/audit?action=request.viewed&search=1&page=2")
    assert second.get_data(as_text=True).count("<td class=\"govuk-table__cell\">request.viewed</td>") == 5
    today = clock.today()
    tomorrow = today + timedelta(days=1)
    later = admin.get(f"/admin/audit?search=1&since={tomorrow.day}&since={tomorrow.month}&since={tomorrow.year}"
                      ).get_data(as_text=True)
    assert "0 entries" in later and "Nothing matches these filters" in later
    wrong = admin.get("/admin/audit?since=31&since=2&since=2026").get_data(as_text=True)
    assert "The first day must be a real date" in wrong
    nobody = admin.submit("/admin/audit", {"person": "nobody@example.org"})
    assert "No account has the email address nobody@example.org" in admin.get(
        nobody.headers["Location"]).get_data(as_text=True)
    assert "0 entries" not in admin.get("/admin/audit").get_data(as_text=True)  # without search=1: everyone
    read = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == AuditAction.AUDIT_LOG_READ, AuditEvent.actor_id == admin_user.id))
    assert read == 9  # reading the log is itself recorded (submit() opens the form first)


def test_only_the_admin_reads_the_audit_log(sign_in_as: Any) -> None:
    organiser, _ = sign_in_as(Role.ORGANISER)
    assert organiser.get("/admin/audit").status_code == 403
