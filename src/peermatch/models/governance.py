"""Audit log, scoring-model versions, network settings and anonymised statistics."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from peermatch import clock
from peermatch.models.base import Base, UUIDPrimaryKey


class AuditEvent(UUIDPrimaryKey, Base):
    """A read or change of a person's record by staff, or a security event. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    occurred_dt: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_role: Mapped[str | None] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(64))
    subject_id: Mapped[str | None] = mapped_column(sa.String(64))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class ScoringModelVersion(UUIDPrimaryKey, Base):
    """A trained scoring model. Never used for offers until an admin activates it."""

    __tablename__ = "scoring_model_versions"

    version: Mapped[str] = mapped_column(sa.String(64), unique=True)
    trained_dt: Mapped[datetime] = mapped_column(default=clock.now)
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    metrics: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=False)
    activated_dt: Mapped[datetime | None]
    activated_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class MatchingState(Base):
    """One row: the version of the matching data, raised by every committed change to it.

    Each process keeps the advocates' matching data in memory and reloads only the advocates
    whose ``matching_version`` is newer than what it holds (``services.matching_data``).
    """

    __tablename__ = "matching_state"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Random, set when the database is made: a process's copy from another database is never taken as current.
    generation: Mapped[str] = mapped_column(sa.String(32), default="")


class Setting(Base):
    """A network-wide setting an admin can change (e.g. retention period in days)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_dt: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class AnonymisedRequestCount(UUIDPrimaryKey, Base):
    """What survives of purged or erased requests: counts with no person in them."""

    __tablename__ = "anonymised_request_counts"
    __table_args__ = (
        sa.UniqueConstraint("month", "organisation_id", "area_code", "main_issue_code", "final_status", "outcome"),
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
    )

    month: Mapped[date]  # first day of the month the request was submitted
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    area_code: Mapped[str] = mapped_column(sa.String(80), default="")
    main_issue_code: Mapped[str] = mapped_column(sa.String(64), default="")
    final_status: Mapped[str] = mapped_column(sa.String(32))
    outcome: Mapped[str] = mapped_column(sa.String(32), default="")
    count: Mapped[int] = mapped_column(default=0)
