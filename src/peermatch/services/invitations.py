"""Invitations for staff accounts: an admin creates an organiser, who sets their own password.

The link is signed and carries the account's session token, so it stops working once
used (setting a password rotates the token) and after ``INVITATION_MAX_AGE`` seconds.
"""

from __future__ import annotations

import secrets
import uuid

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from peermatch.models import Organisation, User
from peermatch.passwords import hash_password
from peermatch.services import accounts, audit

SALT = "peermatch.set-password"
INVITATION_MAX_AGE = 7 * 24 * 3600


class InvitationError(ValueError):
    """The link is wrong, used or too old; the message says what to do."""


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, user: User) -> str:
    return _serializer(secret_key).dumps({"u": str(user.id), "t": user.session_token})


def user_for_token(session: Session, secret_key: str, token: str) -> User:
    """The account a set-password link belongs to, or :class:`InvitationError`."""
    try:
        data = _serializer(secret_key).loads(token, max_age=INVITATION_MAX_AGE)
    except SignatureExpired as error:
        raise InvalidLink("This link has expired. Ask your network admin to send a new one") from error
    except BadSignature as error:
        raise InvalidLink("This link is not valid. Check you copied all of it") from error
    user = session.get(User, uuid.UUID(data["u"]))
    if user is None or user.session_token != data["t"]:
        raise InvalidLink("This link has already been used. Sign in, or ask for a new link")
    return user


class InvalidLink(InvitationError):
    pass


def invite_organiser(
    session: Session, *, email: str, display_name: str, organisation: Organisation, invited_by: User
) -> User:
    """Create an organiser account that cannot sign in until its owner sets a password."""
    return accounts.create_organiser(
        session, email=email, password=secrets.token_urlsafe(32), display_name=display_name,
        organisation=organisation, created_by=invited_by,
    )


def set_password(session: Session, user: User, password: str) -> None:
    """Set a new password and end every other session (and this invitation link)."""
    user.password_hash = hash_password(password)
    accounts.end_all_sessions(user)
    audit.record(session, user, "password.set", "user", user.id)


def invitation_body(display_name: str, link: str) -> str:
    return (
        f"Hello {display_name},\n\n"
        "An account has been created for you on PeerMatch.\n"
        f"Set your password here (the link works once, for 7 days):\n\n{link}\n\n"
        "If you were not expecting this, you can ignore this email.\n"
    )
