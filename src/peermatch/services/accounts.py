"""Accounts: registering parents and volunteer applicants, signing in, creating staff, passwords and sessions.

The only code that changes a user's password, session token or sign-in record.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import sessions
from peermatch.errors import DomainError
from peermatch.models import AuditAction, Organisation, Role, User
from peermatch.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from peermatch.services import audit


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively; we store them lower-case."""
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role,
    display_name: str,
    organisation: Organisation | None = None,
    created_by: User | None = None,
) -> User:
    """Create an account. Raises :class:`DomainError` if the email is already registered."""
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        raise DomainError("There is already an account with this email address" if created_by is not None
                          else "An account with this email address already exists. Sign in instead", field="email")
    if role == Role.ORGANISER and organisation is None:
        raise DomainError("Choose the organisation this organiser works for", field="organisation")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name.strip(),
        organisation_id=organisation.id if organisation is not None else None,
    )
    session.add(user)
    session.flush()
    audit.record(session, created_by, AuditAction.ACCOUNT_CREATED, "user", user.id,
                 organisation_id=user.organisation_id, role=str(role))
    return user


# -- registering without saying who is registered ----------------------------------------------------
#
# Registering answers "Check your email" whatever the address: a new one gets a link that makes
# the account and signs the person in; one that already has an account gets an email saying so,
# with links to sign in or choose a new password. So nobody learns from the form who has an account
# (someone checking whether a parent uses PeerMatch, say), and the address is proved to be the
# parent's before anything about them is ever sent to it. It costs the parent one email, and we
# chose it over the alternatives because it stays simplest for them: the form stays three short
# questions, the link lands them straight on the first question, and a parent who already had an
# account is told how to get back in rather than refused. Nothing is an account until the link is
# opened (a PendingRegistration cannot sign in), so signing in cannot tell them apart either.

REGISTRATION_HOURS = 24


def start_registration(session: Session, config: Mapping[str, Any], *, role: Role, email: str, display_name: str,
                       password: str, links: Callable[[str | None], dict[str, str]], now: datetime) -> None:
    """Email a link that finishes making the account, or, if the address has one, say so by email.

    ``links(token)`` gives the URLs for the email: ``confirm`` (with ``token``), ``sign_in``, ``reset``.
    """
    from peermatch.models import PendingRegistration
    from peermatch.services import invitations, mail

    if role not in (Role.PARENT, Role.VOLUNTEER):
        raise DomainError("Only parents and volunteers register themselves")
    email = normalise_email(email)
    existing = find_user_by_email(session, email)
    if existing is not None:
        urls = links(None)
        mail.send_after_commit(session, config, mail.Mail(to=email, body=invitations.already_registered_body(
            existing.display_name, urls["sign_in"], urls["reset"])))
        return
    token = secrets.token_urlsafe(32)
    session.execute(sa.delete(PendingRegistration).where(PendingRegistration.email == email))
    session.add(PendingRegistration(
        token_hash=hashlib.sha256(token.encode()).hexdigest(), email=email, display_name=display_name.strip(),
        password_hash=hash_password(password), role=role, created_dt=now,
        expires_dt=now + timedelta(hours=REGISTRATION_HOURS)))
    mail.send_after_commit(session, config, mail.Mail(to=email, body=invitations.confirm_body(
        display_name.strip(), links(token)["confirm"])))


def finish_registration(session: Session, token: str, now: datetime) -> User:
    """The emailed link was opened: make the account (once) and return it, or DomainError saying what to do."""
    from peermatch.models import PendingRegistration

    pending = session.scalar(sa.select(PendingRegistration).where(
        PendingRegistration.token_hash == hashlib.sha256(token.encode()).hexdigest()))
    if pending is None:
        raise DomainError("This link has already been used, or is not complete. Sign in, or register again")
    if pending.expires_dt <= now:
        session.delete(pending)
        raise DomainError("This link has expired. Register again to get a new one")
    if find_user_by_email(session, pending.email) is not None:
        session.delete(pending)
        raise DomainError("This link has already been used. Sign in instead")
    user = User(email=pending.email, password_hash=pending.password_hash, role=pending.role,
                display_name=pending.display_name)
    session.add(user)
    session.delete(pending)
    session.flush()
    audit.record(session, None, AuditAction.ACCOUNT_CREATED, "user", user.id, at=now, role=str(user.role))
    return user


def create_organiser(
    session: Session, *, email: str, password: str, display_name: str, organisation: Organisation, created_by: User
) -> User:
    """Only an admin creates organiser accounts."""
    return create_user(
        session, email=email, password=password, role=Role.ORGANISER, display_name=display_name,
        organisation=organisation, created_by=created_by,
    )


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None


def authenticate(session: Session, email: str, password: str, now: datetime) -> SignInResult:
    """Check an email and password; the same error for an unknown email or a wrong password."""
    user = find_user_by_email(session, email)
    if user is None:
        verify_password(DUMMY_HASH, password)  # same time either way: do not reveal who has an account
        return SignInResult(None, "Enter a correct email address and password")
    if not verify_password(user.password_hash, password):
        audit.record(session, None, AuditAction.SIGN_IN_FAILED, "user", user.id, at=now)
        return SignInResult(None, "Enter a correct email address and password")
    if not user.active:
        return SignInResult(None, "This account has been closed. Contact your organisation if this is wrong")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_dt = now
    audit.record(session, user, AuditAction.SIGNED_IN, "user", user.id, at=now)
    return SignInResult(user)


def end_all_sessions(session: Session, user: User, now: datetime) -> None:
    """Invalidate every signed-in session of this user (after the quick exit or a password change)."""
    user.session_token = uuid.uuid4().hex
    sessions.end_every_session(session, user.id)
    audit.record(session, user, AuditAction.SESSIONS_ENDED, "user", user.id, at=now)


def set_password(session: Session, user: User, password: str, now: datetime) -> None:
    """Set a new password and end every session (and any set-password link) of the account."""
    user.password_hash = hash_password(password)
    user.session_token = uuid.uuid4().hex
    sessions.end_every_session(session, user.id)
    audit.record(session, user, AuditAction.PASSWORD_SET, "user", user.id, at=now)


def ask_to_reset_password(session: Session, config: Mapping[str, Any], email: str,
                          link_for: Callable[[User], str], now: datetime) -> None:
    """Email a one-hour link to choose a new password, if an active account has this address.

    The caller answers the same whether or not there is one, so nobody learns who has an account.
    """
    from peermatch.services import invitations, mail

    user = find_user_by_email(session, email)
    if user is None or not user.active:
        return
    audit.record(session, None, AuditAction.PASSWORD_RESET_ASKED, "user", user.id, at=now)
    mail.send_after_commit(session, config, mail.Mail(to=user.email, body=invitations.reset_body(
        user.display_name, link_for(user))))


def active_user(session: Session, user_id: uuid.UUID) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


def confirm_password(session: Session, user: User, password: str, now: datetime) -> None:
    """A signed-in person gives their password again before a sensitive action (audited)."""
    if not verify_password(user.password_hash, password):
        audit.record(session, user, AuditAction.SIGN_IN_FAILED, "user", user.id, at=now)
        raise DomainError("Your password is not right", field="password")
    audit.record(session, user, AuditAction.SIGN_IN_CONFIRMED, "user", user.id, at=now)


def change_password(session: Session, user: User, current: str, new: str, now: datetime) -> None:
    """Change a signed-in person's password, given the current one; every session of theirs ends."""
    if not verify_password(user.password_hash, current):
        audit.record(session, user, AuditAction.SIGN_IN_FAILED, "user", user.id, at=now)
        raise DomainError("Your current password is not right", field="current_password")
    if verify_password(user.password_hash, new):
        raise DomainError("Choose a password different from your current one", field="password")
    set_password(session, user, new, now)


def load_user(session: Session, user_key: str) -> User | None:
    """Flask-Login's loader: the id and the session token must both match."""
    user_id, _, token = user_key.partition(":")
    try:
        uid = uuid.UUID(user_id)
    except ValueError:
        return None
    user = session.get(User, uid)
    if user is None or not token or user.session_token != token:
        return None
    return user


def set_notification_preferences(session: Session, user: User, *, by_email: bool, by_text: bool, phone: str | None,
                                 daily_digest: bool, now: datetime) -> None:
    """How a volunteer or a member of staff is told things: email, text or both, each time or in a daily digest.

    At least one channel, and a phone number for texts; a number is kept only while texts are
    wanted. Audited with the names of the settings that changed, never the number.
    (Parents are told only as each request's safe-contact answers allow: ``services/drafts.py``.)
    """
    if user.role == Role.PARENT:
        raise DomainError("Parents choose how they are contacted on each request", "channels")
    if not (by_email or by_text):
        raise DomainError("Select email, text message or both", "channels")
    number = (phone or "").strip() or None
    if by_text and number is None:
        raise DomainError("Enter the mobile phone number for texts", "phone")
    values = {"notify_by_email": by_email, "notify_by_text": by_text, "phone": number if by_text else None,
              "daily_digest": daily_digest}
    changed = sorted(name for name, value in values.items() if getattr(user, name) != value)
    for name, value in values.items():
        setattr(user, name, value)
    audit.record(session, user, AuditAction.NOTIFICATION_PREFERENCES_CHANGED, "user", user.id,
                 organisation_id=user.organisation_id, at=now, changed=changed)
    session.flush()
