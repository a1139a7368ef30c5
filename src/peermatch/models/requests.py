"""Requests for support from parents, how it is safe to contact them, and exclusions."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peermatch import clock
from peermatch.models.base import Base, Timestamped, UUIDPrimaryKey, enum_column, one_of
from peermatch.models.enums import Gender, MeetingType, RequestStatus
from peermatch.models.people import Area, IssueType, Organisation, User
from peermatch.matching.week import mask_from_slots

#: Weekday mornings and afternoons: when a message may go before a parent says otherwise.
WEEKDAY_DAYTIMES = mask_from_slots((day, part) for day in range(5) for part in (0, 1))

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a phone


def new_reference() -> str:
    """A short reference a parent can read out on the phone, e.g. ``PM-7KQ3-9DXA``."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"PM-{chars[:4]}-{chars[4:]}"


request_issue_types = sa.Table(
    "request_issue_types",
    Base.metadata,
    sa.Column("request_id", sa.Uuid, sa.ForeignKey("support_requests.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("issue_type_id", sa.Uuid, sa.ForeignKey("issue_types.id", ondelete="CASCADE"), primary_key=True),
)


class RequestLanguage(Base):
    """A language the parent would like support in."""

    __tablename__ = "request_languages"

    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("support_requests.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(sa.String(16), primary_key=True)


class SupportRequest(UUIDPrimaryKey, Timestamped, Base):
    """A parent's request for support. Holds only what matching needs: no child's name, ever."""

    __tablename__ = "support_requests"
    __table_args__ = (
        one_of("status", RequestStatus),
        one_of("meeting_type", MeetingType),
        one_of("advocate_gender", Gender),
        sa.CheckConstraint("meeting_part IS NULL OR meeting_part IN (0, 1, 2)", name="meeting_part_allowed"),
        sa.CheckConstraint("availability_mask >= 0 AND availability_mask < 2097152", name="availability_21_slots"),
        # An organisation's requests in a status: the triage list, its count and the home page's counts.
        sa.Index("ix_support_requests_organisation_id_status", "organisation_id", "status"),
    )

    reference: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_reference)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    area_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = enum_column(RequestStatus, default=RequestStatus.DRAFT, index=True)
    outcode: Mapped[str | None] = mapped_column(sa.String(8))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    main_issue_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("issue_types.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    meeting_type: Mapped[str | None] = enum_column(MeetingType)
    meeting_date: Mapped[date | None]
    meeting_part: Mapped[int | None]
    availability_mask: Mapped[int] = mapped_column(default=0)
    accepts_in_person: Mapped[bool] = mapped_column(default=True)
    accepts_phone: Mapped[bool] = mapped_column(default=True)
    accepts_video: Mapped[bool] = mapped_column(default=False)
    interpreter_ok: Mapped[bool] = mapped_column(default=False)
    advocate_gender: Mapped[str | None] = enum_column(Gender)
    # Answers of an unfinished request, so a parent who leaves mid-way loses nothing.
    draft_answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    submitted_dt: Mapped[datetime | None]
    opened_dt: Mapped[datetime | None]
    offered_dt: Mapped[datetime | None]
    matched_dt: Mapped[datetime | None]
    closed_dt: Mapped[datetime | None]
    withdrawn_dt: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(32))

    parent: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    area: Mapped[Area | None] = relationship()
    main_issue: Mapped[IssueType | None] = relationship(foreign_keys=[main_issue_id])
    issue_types: Mapped[list[IssueType]] = relationship(secondary=request_issue_types)
    language_rows: Mapped[list[RequestLanguage]] = relationship(cascade="all, delete-orphan")
    safe_contact: Mapped[SafeContact | None] = relationship(
        back_populates="request", cascade="all, delete-orphan", uselist=False
    )
    status_changes: Mapped[list[RequestStatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="RequestStatusChange.changed_dt"
    )

    @property
    def languages(self) -> list[str]:
        return sorted(row.language for row in self.language_rows)

    @property
    def is_urgent(self) -> bool:
        return self.meeting_date is not None


class SafeContact(UUIDPrimaryKey, Base):
    """How and when it is safe to contact a parent. Every notification honours it."""

    __tablename__ = "safe_contacts"

    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("support_requests.id", ondelete="CASCADE"), unique=True
    )
    name_to_ask_for: Mapped[str] = mapped_column(sa.String(100), default="")
    email_ok: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone_ok: Mapped[bool] = mapped_column(default=False)
    text_ok: Mapped[bool] = mapped_column(default=False)
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    voicemail_ok: Mapped[bool] = mapped_column(default=False)
    safe_times: Mapped[str] = mapped_column(sa.String(300), default="")
    # When a message may be sent: slots of the weekly grid (matching/week.py), read by
    # services/notifications.py. Until the parent answers, weekday daytimes only.
    message_times_mask: Mapped[int] = mapped_column(default=WEEKDAY_DAYTIMES,
                                                    server_default=sa.text(str(WEEKDAY_DAYTIMES)))

    request: Mapped[SupportRequest] = relationship(back_populates="safe_contact")


class RequestStatusChange(UUIDPrimaryKey, Base):
    """One step of a request's life, for the parent's timeline and for reports."""

    __tablename__ = "request_status_changes"
    __table_args__ = (one_of("to_status", RequestStatus),)

    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("support_requests.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str] = enum_column(RequestStatus)
    changed_dt: Mapped[datetime] = mapped_column(default=clock.now)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class ConflictOfInterest(UUIDPrimaryKey, Base):
    """An organiser's exclusion of a volunteer from a request (e.g. they know the family)."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (sa.UniqueConstraint("request_id", "volunteer_id"),)

    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("support_requests.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_dt: Mapped[datetime] = mapped_column(default=clock.now)
