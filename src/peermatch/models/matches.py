"""Offers to volunteers, the matches they become, contact logs and feedback."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peermatch import clock
from peermatch.models.base import Base, Timestamped, UUIDPrimaryKey, enum_column, one_of
from peermatch.models.enums import ContactMode, DeclineReason, FeedbackAuthor, MatchOutcome, MatchStatus, OfferStatus
from peermatch.models.requests import SupportRequest
from peermatch.models.volunteers import VolunteerProfile


class Offer(UUIDPrimaryKey, Timestamped, Base):
    """A proposed match, with the score and explanation the organiser saw when approving it."""

    __tablename__ = "offers"
    __table_args__ = (
        one_of("status", OfferStatus),
        one_of("decline_reason", DeclineReason),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score_range"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("support_requests.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = enum_column(OfferStatus, default=OfferStatus.PROPOSED, index=True)
    score: Mapped[float | None]
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    model_version: Mapped[str | None] = mapped_column(sa.String(64))
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    proposed_dt: Mapped[datetime] = mapped_column(default=clock.now)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    approved_dt: Mapped[datetime | None]
    offered_dt: Mapped[datetime | None]
    expires_dt: Mapped[datetime | None]
    responded_dt: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = enum_column(DeclineReason)
    decline_note: Mapped[str] = mapped_column(sa.String(500), default="")

    request: Mapped[SupportRequest] = relationship()
    volunteer: Mapped[VolunteerProfile] = relationship()
    status_changes: Mapped[list[OfferStatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="OfferStatusChange.changed_dt"
    )
    match: Mapped[Match | None] = relationship(back_populates="offer", uselist=False)


class OfferStatusChange(UUIDPrimaryKey, Base):
    """The status history of an offer: who moved it, when, from what to what."""

    __tablename__ = "offer_status_changes"
    __table_args__ = (one_of("to_status", OfferStatus),)

    offer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str] = enum_column(OfferStatus)
    changed_dt: Mapped[datetime] = mapped_column(default=clock.now)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")


class Match(UUIDPrimaryKey, Timestamped, Base):
    """An accepted offer: the advocate holds a place from acceptance, is introduced by an organiser,
    and supports the parent until it ends."""

    __tablename__ = "matches"
    __table_args__ = (one_of("status", MatchStatus), one_of("outcome", MatchOutcome))

    offer_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("offers.id", ondelete="CASCADE"), unique=True)
    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("support_requests.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = enum_column(MatchStatus, default=MatchStatus.AWAITING_INTRODUCTION, index=True)
    accepted_dt: Mapped[datetime] = mapped_column(default=clock.now)
    introduced_dt: Mapped[datetime | None]
    introduced_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    activated_dt: Mapped[datetime | None]
    ended_dt: Mapped[datetime | None]
    outcome: Mapped[str | None] = enum_column(MatchOutcome)
    outcome_note: Mapped[str] = mapped_column(sa.String(1000), default="")

    offer: Mapped[Offer] = relationship(back_populates="match")
    request: Mapped[SupportRequest] = relationship()
    volunteer: Mapped[VolunteerProfile] = relationship()
    contacts: Mapped[list[ContactLogEntry]] = relationship(
        back_populates="match", cascade="all, delete-orphan", order_by="ContactLogEntry.occurred_on"
    )
    feedback: Mapped[list[Feedback]] = relationship(back_populates="match", cascade="all, delete-orphan")


class ContactLogEntry(UUIDPrimaryKey, Base):
    """One contact between an advocate and a parent: when, how, how long, a short note."""

    __tablename__ = "contact_log_entries"
    __table_args__ = (
        one_of("mode", ContactMode),
        sa.CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_range"),
    )

    match_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date]
    mode: Mapped[str] = enum_column(ContactMode)
    minutes: Mapped[int]
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_dt: Mapped[datetime] = mapped_column(default=clock.now)

    match: Mapped[Match] = relationship(back_populates="contacts")


class Feedback(UUIDPrimaryKey, Base):
    """Feedback at the end of a match, one from each side."""

    __tablename__ = "feedback"
    __table_args__ = (
        one_of("author", FeedbackAuthor),
        sa.CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),
        sa.UniqueConstraint("match_id", "author"),
    )

    match_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = enum_column(FeedbackAuthor)
    rating: Mapped[int]
    comments: Mapped[str] = mapped_column(sa.String(2000), default="")
    given_dt: Mapped[datetime] = mapped_column(default=clock.now)

    match: Mapped[Match] = relationship(back_populates="feedback")
