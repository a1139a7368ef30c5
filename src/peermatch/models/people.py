"""Organisations, the areas they cover, issue types, user accounts and consent."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peermatch import clock
from peermatch.models.base import Base, Timestamped, UUIDPrimaryKey, enum_column, one_of
from peermatch.models.enums import Role


class Organisation(UUIDPrimaryKey, Timestamped, Base):
    """A member organisation of the network (a parent-led group)."""

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True)

    areas: Mapped[list[Area]] = relationship(back_populates="organisation", order_by="Area.name")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Area(UUIDPrimaryKey, Base):
    """A council area. A request goes to the organisation that covers its area."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    # Centre of the area, for phone/video "same area" and for parents who'd rather not give a postcode.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="areas")
    outcodes: Mapped[list[AreaOutcode]] = relationship(back_populates="area", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Area {self.code}>"


class AreaOutcode(Base):
    """An outward postcode (``LA14``) and the council area it belongs to."""

    __tablename__ = "area_outcodes"

    outcode: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    area_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("areas.id", ondelete="CASCADE"), index=True)

    area: Mapped[Area] = relationship(back_populates="outcodes")


class IssueType(UUIDPrimaryKey, Base):
    """Something a parent is going through; volunteers say which they have lived through."""

    __tablename__ = "issue_types"

    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Plain-English explanation shown to parents as a hint.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<IssueType {self.code}>"


class User(UUIDPrimaryKey, Timestamped, UserMixin, Base):
    """Anyone who signs in. One role each; organisers and volunteers belong to an organisation."""

    __tablename__ = "users"
    __table_args__ = (
        one_of("role", Role),
        sa.CheckConstraint(
            "role NOT IN ('organiser') OR organisation_id IS NOT NULL", name="organiser_has_organisation"
        ),
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = enum_column(Role)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    last_sign_in_dt: Mapped[datetime | None]
    # Changing this ends every session signed in with the old value (password change, exit).
    session_token: Mapped[str] = mapped_column(sa.String(64), default=lambda: uuid.uuid4().hex)
    # Two-factor (TOTP) for staff, set up at their first sign-in (services/two_factor.py). The
    # last time step used, so that a code seen over someone's shoulder cannot be used again.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_dt: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # How volunteers and staff are told things (services/notifications.py); parents are told
    # only as their request's safe-contact answers allow, never by these.
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    notify_by_email: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    notify_by_text: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    daily_digest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot sign in.
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.role} {self.id}>"


class PendingRegistration(UUIDPrimaryKey, Base):
    """An account asked for and not yet confirmed from its email (services/accounts.py says why).

    Nothing here can sign in; the row becomes an account when the emailed link is opened, and
    is deleted then or when it expires.
    """

    __tablename__ = "pending_registrations"

    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = enum_column(Role)
    created_dt: Mapped[datetime] = mapped_column(default=clock.now)
    expires_dt: Mapped[datetime]


class RecoveryCode(UUIDPrimaryKey, Base):
    """A single-use code that stands in for the authenticator app when it is lost (its SHA-256 only)."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_dt: Mapped[datetime | None]


class SignInSession(UUIDPrimaryKey, Base):
    """One browser's session, kept here so that signing out really ends it (``peermatch.sessions``).

    The cookie carries only a random value; this row holds its SHA-256, so a copy of the
    table cannot be replayed as cookies.
    """

    __tablename__ = "sign_in_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_dt: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_dt: Mapped[datetime] = mapped_column(default=clock.now)
    # The absolute end, however busy the session is (12 hours for staff, 24 for everyone else).
    ends_dt: Mapped[datetime] = mapped_column(index=True)


class ConsentRecord(UUIDPrimaryKey, Base):
    """A person's consent, with the version of the privacy notice they were shown."""

    __tablename__ = "consent_records"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(64))
    privacy_notice_version: Mapped[str] = mapped_column(sa.String(32))
    given_dt: Mapped[datetime] = mapped_column(default=clock.now)
    withdrawn_dt: Mapped[datetime | None]
