"""Staff sign in with a password and a code from their authenticator app; sensitive actions need a recent sign-in."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from support import TEST_PASSWORD, TEST_TOTP_SECRET, FormClient, code_for, error_messages
from peermatch import clock
from peermatch.models import AuditAction, AuditEvent, RecoveryCode, Role, User


def password_only(app: Any, user: User) -> FormClient:
    client: FormClient = app.test_client()  # type: ignore[assignment]
    client.submit("/sign-in", {"email": user.email, "password": TEST_PASSWORD})
    return client


@pytest.mark.parametrize("role, home", [(Role.ORGANISER, "/organiser/"), (Role.ADMIN, "/admin/")])
def test_a_password_alone_does_not_let_staff_in(app: Any, people: Any, role: Role, home: str) -> None:
    staff = people.user(role)
    client: FormClient = app.test_client()  # type: ignore[assignment]
    response = client.submit("/sign-in", {"email": staff.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/sign-in/code"
    assert client.get(home).status_code == 302  # not signed in yet
    assert client.submit("/sign-in/code", {"code": code_for(TEST_TOTP_SECRET)}).headers["Location"] == home
    assert client.get(home).status_code == 200


def test_parents_and_volunteers_sign_in_with_a_password_only(app: Any, people: Any) -> None:
    parent = people.user(Role.PARENT)
    client: FormClient = app.test_client()  # type: ignore[assignment]
    assert client.submit("/sign-in", {"email": parent.email, "password": TEST_PASSWORD}).headers["Location"] == \
        "/your-requests/"


def test_a_wrong_or_used_code_is_refused(app: Any, people: Any, session: Any) -> None:
    staff = people.user(Role.ORGANISER)
    client = password_only(app, staff)
    wrong = client.submit("/sign-in/code", {"code": "000000" if code_for(TEST_TOTP_SECRET) != "000000" else "111111"})
    assert "Enter the 6-digit code from your authenticator app" in " ".join(error_messages(wrong))
    code = code_for(TEST_TOTP_SECRET)
    assert client.submit("/sign-in/code", {"code": code}).status_code == 302
    again = password_only(app, staff)
    replayed = again.submit("/sign-in/code", {"code": code})  # seen over a shoulder: worth nothing now
    assert replayed.status_code == 200 and "Enter the 6-digit code" in " ".join(error_messages(replayed))
    failed = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == AuditAction.TWO_FACTOR_FAILED, AuditEvent.subject_id == str(staff.id)))
    assert failed == 2


def test_the_code_step_lasts_ten_minutes(app: Any, people: Any) -> None:
    staff = people.user(Role.ORGANISER)
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = password_only(app, staff)
        traveller.move_to(start + timedelta(minutes=11))
        late = client.get("/sign-in/code")
    assert late.headers["Location"] == "/sign-in"
    assert "Sign in again" in client.get("/sign-in").get_data(as_text=True)


def test_a_new_organiser_sets_up_the_app_and_gets_recovery_codes_that_work_once(
        app: Any, people: Any, session: Any) -> None:
    organiser = people.user(Role.ORGANISER)
    organiser.totp_secret = organiser.totp_enabled_dt = None
    session.flush()
    client = password_only(app, organiser)
    page = client.get("/sign-in/set-up-code")
    html = page.get_data(as_text=True)
    assert "<svg" in html and "Set up two-factor sign-in" in html
    secret = re.search(r'<code class="app-secret">([A-Z2-7]+)</code>', html).group(1)
    assert "Enter the 6-digit code your authenticator app shows" in " ".join(error_messages(
        client.submit("/sign-in/set-up-code", {"code": "12345"})))
    done = client.submit("/sign-in/set-up-code", {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code>", done.get_data(as_text=True))
    assert len(codes) == 10 and client.get("/organiser/").status_code == 200
    stored = session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == organiser.id)).all()
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in codes for h in stored)

    lost_phone = password_only(app, organiser)
    assert lost_phone.submit("/sign-in/code", {"code": codes[0].upper()}).headers["Location"] == "/organiser/"
    reused = password_only(app, organiser)
    assert reused.submit("/sign-in/code", {"code": codes[0]}).status_code == 200


def test_an_admin_resets_a_lost_device_and_the_organiser_sets_up_again(
        app: Any, people: Any, sign_in_as: Any, session: Any) -> None:
    organiser = people.user(Role.ORGANISER)
    organiser_browser, _ = sign_in_as(Role.ORGANISER, organiser)
    admin, admin_user = sign_in_as(Role.ADMIN)
    url = f"/admin/organisers/{organiser.id}/reset-two-factor"
    assert "Reset two-factor sign-in?" in admin.get(url).get_data(as_text=True)
    assert admin.submit(url, {}).headers["Location"] == "/admin/organisers"
    session.refresh(organiser)
    assert organiser.totp_secret is None
    assert organiser_browser.get("/organiser/").status_code == 302  # signed out everywhere
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.TWO_FACTOR_RESET))
    assert event.actor_id == admin_user.id and event.subject_id == str(organiser.id)
    client = password_only(app, organiser)
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert client.get("/sign-in/set-up-code").status_code == 200


def test_sensitive_actions_need_a_sign_in_within_15_minutes_then_return(
        sign_in_as: Any, people: Any, session: Any) -> None:
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        admin, admin_user = sign_in_as(Role.ADMIN)
        assert admin.get("/admin/scoring-models/default-1/activate").status_code == 200
        traveller.move_to(start + timedelta(minutes=16))
        asked = admin.get("/admin/scoring-models/default-1/activate")
        assert asked.headers["Location"] == "/confirm-it-is-you?next=/admin/scoring-models/default-1/activate"
        posted = admin.post("/admin/organisers/" + str(admin_user.id) + "/reset-two-factor",
                            data={"csrf_token": admin.csrf_token("/admin/organisers")})
        assert posted.headers["Location"].startswith("/confirm-it-is-you")
        session.refresh(admin_user)
        assert admin_user.totp_secret == TEST_TOTP_SECRET  # nothing was done
        page = asked.headers["Location"]
        refused = admin.submit(page, {"password": TEST_PASSWORD, "code": "999999"})
        assert "Enter the 6-digit code" in " ".join(error_messages(refused))
        session.refresh(admin_user)
        confirmed = admin.submit(page, {"password": TEST_PASSWORD,
                                        "code": code_for(TEST_TOTP_SECRET, admin_user.totp_last_step)})
        assert confirmed.headers["Location"] == "/admin/scoring-models/default-1/activate"
        assert admin.get("/admin/scoring-models/default-1/activate").status_code == 200


def test_an_offer_sent_long_after_signing_in_asks_first_and_returns_to_the_candidates(
        sign_in_as: Any, people: Any) -> None:
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        organiser, _ = sign_in_as(Role.ORGANISER)
        traveller.move_to(start + timedelta(minutes=20))
        request_id = "00000000-0000-4000-8000-000000000000"
        response = organiser.post(f"/organiser/requests/{request_id}/offers",
                                  data={"csrf_token": organiser.csrf_token("/sign-out")})
    assert response.headers["Location"] == (f"/confirm-it-is-you?next=/organiser/requests/{request_id}/candidates")
