"""Two-factor sign-in for staff: a code from an authenticator app (TOTP, RFC 6238), or a recovery code.

Organisers and admins see parents' special-category data, so a password alone does not
let them in: at their first sign-in they scan a QR code (drawn here by segno, no outside
service) into an authenticator app, and from then on give its 6-digit code after their
password. Codes are accepted one 30-second step early or late (clocks drift), and never
twice: the last step used is kept, so a code read over a shoulder is worth nothing.
Ten single-use recovery codes are shown once at set-up (only their SHA-256 is kept); an
admin can reset a lost device, which also ends the person's sessions.

The only code that changes ``User.totp_*`` and ``RecoveryCode``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import sessions
from peermatch.errors import DomainError
from peermatch.models import AuditAction, RecoveryCode, Role, User
from peermatch.services import audit

STAFF = (Role.ORGANISER, Role.ADMIN)
ISSUER = "PeerMatch"
RECOVERY_CODES = 10
WRONG_CODE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes"


def required(user: User) -> bool:
    return user.role in STAFF


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code_svg(user: User, secret: str) -> str:
    """The QR code an authenticator app scans, as inline SVG (no script, no outside service)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator app")


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (now, one before or one after), or None."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def set_up(session: Session, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Turn two-factor on with the code the app shows for ``secret``; returns the recovery codes, once."""
    code = _normal(code)
    step = _matching_step(secret, code, now) if code.isascii() and code.isdigit() and len(code) == 6 else None
    if step is None:
        raise DomainError("Enter the 6-digit code your authenticator app shows for PeerMatch", field="code")
    user.totp_secret, user.totp_enabled_dt, user.totp_last_step = secret, now, step
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    audit.record(session, user, AuditAction.TWO_FACTOR_SET_UP, "user", user.id, at=now,
                 organisation_id=user.organisation_id)
    session.flush()
    return codes


def check(session: Session, user: User, code: str, now: datetime) -> None:
    """Accept a current authenticator code (each at most once) or an unused recovery code, else DomainError.

    The account's row is locked first, so two sign-ins racing with one code cannot both win.
    """
    session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    session.refresh(user)
    code = _normal(code)
    if user.totp_secret and code.isascii() and code.isdigit() and len(code) == 6:
        step = _matching_step(user.totp_secret, code, now)
        if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
            user.totp_last_step = step
            return
    elif len(code) == 12:
        recovery = session.scalar(sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_dt.is_(None)))
        if recovery is not None:
            recovery.used_dt = now
            audit.record(session, user, AuditAction.RECOVERY_CODE_USED, "user", user.id, at=now,
                         organisation_id=user.organisation_id)
            return
    audit.record(session, user, AuditAction.TWO_FACTOR_FAILED, "user", user.id, at=now,
                 organisation_id=user.organisation_id)
    raise DomainError(WRONG_CODE, field="code")


def recovery_codes_left(session: Session, user: User) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_dt.is_(None))) or 0


def reset(session: Session, user: User, admin: User, now: datetime) -> None:
    """An admin resets a lost device: the person sets up a new one at their next sign-in, and every session ends."""
    if not required(user):
        raise DomainError("Only staff accounts have two-factor sign-in")
    user.totp_secret = user.totp_enabled_dt = user.totp_last_step = None
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_every_session(session, user.id)
    audit.record(session, admin, AuditAction.TWO_FACTOR_RESET, "user", user.id, at=now,
                 organisation_id=user.organisation_id)
