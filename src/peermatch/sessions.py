"""Sessions kept in the database: the cookie carries only a random value, and signing out ends it.

Flask's own session is a signed cookie: whoever holds a copy (a phone shared with the
person a parent fears, a browser history export) can use it until it expires, whatever
the parent did since. Here every session is a row of ``sign_in_sessions``; the cookie is
a random 256-bit value whose SHA-256 names the row. So:

- **signing out deletes the row**, and a copy of the cookie taken before opens nothing;
  *Exit this page*, a password change or reset delete every row of that person
  (:func:`end_every_session`);
- a session ends after ``SESSION_IDLE_MINUTES`` without a request (60) and, however busy,
  ``SESSION_HOURS_STAFF`` (12) or ``SESSION_HOURS`` (24) after it began;
- signing in starts a new row with a new value and a new CSRF secret, so a value planted
  before sign-in (session fixation) is worth nothing after it;
- the cookie is a browser-session cookie (no expiry date), so Flask-Login's
  ``session_protection = "strong"`` stays strong: a cookie replayed from another address
  or browser is signed out. (A "permanent" Flask session quietly turns it to "basic".)

Why our own table rather than Flask-Session: its SQLAlchemy backend creates its table
outside the migrations and commits on the application's session in the middle of the
response, and it keeps an opaque blob per session, so "end every session of this person"
would mean reading every session there is. Here the row knows its person, the migrations
own the table, and each write is one small statement.

Static files never open a session. A request that reads a session writes it back only if
it changed or the last write is more than a minute old (for the idle timeout). A session
ended while one of its requests was in flight is never written back to life.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, Request, Response
from flask import session as flask_session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from flask_login import login_user, logout_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from peermatch import clock
from peermatch.models import Role, SignInSession, User

STAFF = (Role.ORGANISER, Role.ADMIN)
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):  # type: ignore[type-arg]
    """The session's values; where they are kept is the interface's business."""

    def __init__(self, initial: dict[str, Any] | None = None, *, row_id: uuid.UUID | None = None,
                 last_seen: datetime | None = None, cookie_sent: bool = False) -> None:
        def on_update(self: ServerSession) -> None:
            self.modified = True

        super().__init__(initial, on_update)
        self.row_id = row_id
        self.last_seen = last_seen
        self.cookie_sent = cookie_sent
        self.person: Any = None  # the account the row names, loaded with it (see open_session)
        self.modified = False
        # Set by renew(): at the end of the request the old row goes and a new one is made,
        # for this user (signed in) or for nobody (True).
        self.renew_for: Any = False

    def renew(self, user: Any | None) -> None:
        """Start again under a new value (sign-in, sign-out)."""
        self.renew_for = user if user is not None else True
        self.modified = True


class DatabaseSessionInterface(SessionInterface):
    serializer = TaggedJSONSerializer()

    def __init__(self, database: Any) -> None:
        self.db = database

    def _session(self) -> Session:
        return self.db.session  # type: ignore[no-any-return]

    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        if app.static_url_path and request.path.startswith(app.static_url_path + "/"):
            return None  # a null session: static files never read or write one
        token = request.cookies.get(self.get_cookie_name(app))
        if not token:
            return ServerSession()
        now = clock.now()
        # The signed-in person comes in the same statement: held by the session object for the
        # request (the identity map keeps only weak references), Flask-Login's user loader finds
        # them there and sends no query of its own (it still checks the id and the account's token).
        row = self._session().execute(
            sa.select(SignInSession.id, SignInSession.data, SignInSession.last_seen_dt, User)
            .outerjoin(User, User.id == SignInSession.user_id)
            .where(SignInSession.token_hash == _hash(token),
                   SignInSession.last_seen_dt > now - idle_limit(app), SignInSession.ends_dt > now)
        ).first()
        if row is None:
            return ServerSession(cookie_sent=True)  # unknown, signed out or expired: a fresh, empty one
        try:
            values = self.serializer.loads(row.data)
        except ValueError:
            values = {}
        found = ServerSession(values, row_id=row.id, last_seen=row.last_seen_dt, cookie_sent=True)
        found.person = row.User
        return found

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        database = self._session()
        now = clock.now()
        if session.renew_for is not False or not session:
            if session.row_id is not None:
                database.execute(sa.delete(SignInSession).where(SignInSession.id == session.row_id))
                session.row_id = None
        if not session:
            database.commit()
            if session.cookie_sent:
                self._forget_cookie(app, response)
            return
        if session.row_id is None:
            token = secrets.token_urlsafe(32)
            user = session.renew_for if session.renew_for not in (True, False) else None
            hours = app.config["SESSION_HOURS_STAFF"] if user is not None and user.role in STAFF else \
                app.config["SESSION_HOURS"]
            database.execute(sa.insert(SignInSession).values(
                id=uuid.uuid4(), token_hash=_hash(token), user_id=user.id if user is not None else None,
                data=self.serializer.dumps(dict(session)), created_dt=now, last_seen_dt=now,
                ends_dt=now + timedelta(hours=hours)))
            database.commit()
            self._set_cookie(app, response, token)
            return
        if session.modified or session.last_seen is None or now - session.last_seen >= TOUCH_EVERY:
            kept = database.execute(
                sa.update(SignInSession).where(SignInSession.id == session.row_id, SignInSession.ends_dt > now)
                .values(data=self.serializer.dumps(dict(session)), last_seen_dt=now))
            database.commit()
            if kept.rowcount != 1:  # type: ignore[attr-defined]
                self._forget_cookie(app, response)  # ended meanwhile (signed out elsewhere): stays ended

    def _set_cookie(self, app: Flask, response: Response, token: str) -> None:
        response.set_cookie(
            self.get_cookie_name(app), token, httponly=True, path="/",
            secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app),
            domain=self.get_cookie_domain(app), partitioned=self.get_cookie_partitioned(app))
        response.vary.add("Cookie")

    def _forget_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(self.get_cookie_name(app), path="/", domain=self.get_cookie_domain(app),
                               secure=self.get_cookie_secure(app), httponly=True,
                               samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")


SECOND_STEP_MINUTES = 10
RECENT_MINUTES = 15


def sign_in(user: Any) -> None:
    """Sign ``user`` in under a new session value and a new CSRF secret."""
    flask_session.clear()
    login_user(user)
    flask_session["signed_in_at"] = clock.now().timestamp()
    flask_session.renew(user)  # type: ignore[attr-defined]


def begin_second_step(user: Any, next_path: str | None) -> None:
    """The password was right; the person is not signed in until the second step (staff's code)."""
    flask_session.clear()
    flask_session.update(second_step_for=str(user.id), second_step_since=clock.now().timestamp(),
                         second_step_next=next_path or "")
    flask_session.renew(None)  # type: ignore[attr-defined]


def second_step_user_id() -> tuple[uuid.UUID, str] | None:
    """Whose password was just given here (and where they were going), if it was in the last ten minutes."""
    since = flask_session.get("second_step_since")
    if not since or clock.now().timestamp() - since > SECOND_STEP_MINUTES * 60:
        return None
    try:
        return uuid.UUID(flask_session["second_step_for"]), flask_session.get("second_step_next", "")
    except (KeyError, ValueError):
        return None


def confirm() -> None:
    """The signed-in person has just given their password (and code) again."""
    flask_session["signed_in_at"] = clock.now().timestamp()


def recently_signed_in() -> bool:
    """Signed in or confirmed within the last 15 minutes (needed for sending offers, vetting, admin changes)."""
    at = flask_session.get("signed_in_at")
    return bool(at) and clock.now().timestamp() - at <= RECENT_MINUTES * 60


def sign_out() -> None:
    """End this browser's session: its row is deleted, a copy of its cookie opens nothing."""
    logout_user()
    flask_session.clear()
    flask_session.renew(None)  # type: ignore[attr-defined]


def idle_limit(app: Flask) -> timedelta:
    return timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])


def end_every_session(session: Session, user_id: uuid.UUID) -> None:
    """Delete every session of this person (exit, password change or reset, an account closed)."""
    session.execute(sa.delete(SignInSession).where(SignInSession.user_id == user_id))


def purge_expired(session: Session, app: Flask, now: datetime) -> int:
    """Delete sessions that can no longer be used; returns how many."""
    gone = session.execute(sa.delete(SignInSession).where(
        sa.or_(SignInSession.ends_dt <= now, SignInSession.last_seen_dt <= now - idle_limit(app))))
    return gone.rowcount or 0  # type: ignore[attr-defined]
