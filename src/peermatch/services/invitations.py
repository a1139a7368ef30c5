"""Links that let someone set a password: staff invitations and forgotten passwords.

The link is signed and carries the account's session token, so it stops working once
used (setting a password rotates the token) and after ``INVITATION_MAX_AGE`` seconds
(an invitation) or ``RESET_MAX_AGE`` (a forgotten password: an hour).
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
RESET_SALT = "peermatch.reset-password"
INVITATION_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 3600


def _serializer(secret_key: str, reset: bool) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT if reset else SALT)


def make_token(secret_key: str, user: User, *, reset: bool = False) -> str:
    return _serializer(secret_key, reset).dumps({"u": str(user.id), "t": user.session_token})


def user_for_token(session: Session, secret_key: str, token: str, *, reset: bool = False) -> User:
    """The account a set-password link belongs to, or :class:`DomainError` saying what to do."""
    try:
        data = _serializer(secret_key, reset).loads(token, max_age=RESET_MAX_AGE if reset else INVITATION_MAX_AGE)
    except SignatureExpired as error:
        raise DomainError("This link has expired. Ask for a new one" if reset else
                          "This link has expired. Ask your network admin to send a new one") from error
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


def reset_body(display_name: str, link: str) -> str:
    return (
        f"Hello {display_name},\n\n"
        "Someone asked to change the password of your PeerMatch account.\n"
        f"If it was you, choose a new password here (the link works once, for 1 hour):\n\n{link}\n\n"
        "If it was not you, you can ignore this email: your password has not changed.\n"
    )



def confirm_body(display_name: str, link: str) -> str:
    return (
        f"Hello {display_name},\n\n"
        "To finish creating your PeerMatch account, open this link (it works once, for 24 hours):\n\n"
        f"{link}\n\n"
        "If it was not you, you can ignore this email: no account is made.\n"
    )


def already_registered_body(display_name: str, sign_in_link: str, reset_link: str) -> str:
    return (
        f"Hello {display_name},\n\n"
        "Someone tried to create a PeerMatch account with this email address, but you already have one.\n"
        f"If it was you, sign in here:\n\n{sign_in_link}\n\n"
        f"If you have forgotten your password, choose a new one here:\n\n{reset_link}\n\n"
        "If it was not you, you can ignore this email: nothing has changed.\n"
    )
