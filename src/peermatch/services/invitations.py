"""Invitations for staff accounts: an admin creates an organiser, who sets their own password.

The link is signed and carries the account's session token, so it stops working once
used (setting a password rotates the token) and after ``INVITATION_MAX_AGE`` seconds.
"""

from __future__ import annotations

import secrets
import uuid

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from peermatch.errors import DomainError
from peermatch.models import Organisation, User
from peermatch.services import accounts

SALT = "peermatch.set-password"
INVITATION_MAX_AGE = 7 * 24 * 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, user: User) -> str:
    return _serializer(secret_key).dumps({"u": str(user.id), "t": user.session_token})


def user_for_token(session: Session, secret_key: str, token: str) -> User:
    """The account a set-password link belongs to, or :class:`DomainError` saying what to do."""
    try:
        data = _serializer(secret_key).loads(token, max_age=INVITATION_MAX_AGE)
    except SignatureExpired as error:
        raise DomainError("This link has expired. Ask your network admin to send a new one") from error
    except BadSignature as error:
        raise DomainError("This link is not valid. Check you copied all of it") from error
    try:
        user = session.get(User, uuid.UUID(str(data.get("u"))))
    except (ValueError, AttributeError) as error:
        raise DomainError("This link is not valid. Check you copied all of it") from error
    if user is None or user.session_token != data.get("t"):
        raise DomainError("This link has already been used. Sign in, or ask for a new link")
    return user


def invite_organiser(
    session: Session, *, email: str, display_name: str, organisation: Organisation, invited_by: User
) -> User:
    """Create an organiser account that cannot sign in until its owner sets a password."""
    return accounts.create_organiser(
        session, email=email, password=secrets.token_urlsafe(32), display_name=display_name,
        organisation=organisation, created_by=invited_by,
    )


def invitation_body(display_name: str, link: str) -> str:
    return (
        f"Hello {display_name},\n\n"
        "An account has been created for you on PeerMatch.\n"
        f"Set your password here (the link works once, for 7 days):\n\n{link}\n\n"
        "If you were not expecting this, you can ignore this email.\n"
    )
