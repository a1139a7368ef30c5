"""Volunteer advocates: their profile, vetting and pauses."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from peermatch import clock
from peermatch.models.base import Base, Timestamped, UUIDPrimaryKey, enum_column, one_of
from peermatch.models.enums import Gender, VolunteerStatus
from peermatch.models.people import IssueType, Organisation, User

volunteer_lived_experience = sa.Table(
    "volunteer_lived_experience",
    Base.metadata,
    sa.Column("volunteer_id", sa.Uuid, sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("issue_type_id", sa.Uuid, sa.ForeignKey("issue_types.id", ondelete="CASCADE"), primary_key=True),
)

volunteer_opt_outs = sa.Table(
    "volunteer_opt_outs",
    Base.metadata,
    sa.Column("volunteer_id", sa.Uuid, sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("issue_type_id", sa.Uuid, sa.ForeignKey("issue_types.id", ondelete="CASCADE"), primary_key=True),
)


class VolunteerLanguage(Base):
    """A language a volunteer can support a parent in (code from ``peermatch.reference``)."""

    __tablename__ = "volunteer_languages"

    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(sa.String(16), primary_key=True)


class VolunteerProfile(UUIDPrimaryKey, Timestamped, Base):
    """What matching needs to know about a volunteer advocate."""

    __tablename__ = "volunteer_profiles"
    __table_args__ = (
        one_of("status", VolunteerStatus),
        one_of("gender", Gender),
        sa.CheckConstraint("capacity >= 1 AND capacity <= 4", name="capacity_range"),
        # The database itself refuses a match beyond capacity (see services.offers).
        sa.CheckConstraint(
            "active_match_count >= 0 AND active_match_count <= capacity", name="active_matches_within_capacity"
        ),
        sa.CheckConstraint("travel_km >= 0 AND travel_km <= 200", name="travel_km_range"),
        sa.CheckConstraint("availability_mask >= 0 AND availability_mask < 2097152", name="availability_21_slots"),
        sa.CheckConstraint("offers_in_person OR offers_phone OR offers_video", name="at_least_one_support_mode"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = enum_column(VolunteerStatus, default=VolunteerStatus.APPLICATION_RECEIVED)
    gender: Mapped[str | None] = enum_column(Gender)
    home_outcode: Mapped[str] = mapped_column(sa.String(8))
    # Denormalised from the outcode so matching needs no lookup per volunteer.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    area_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    travel_km: Mapped[float] = mapped_column(default=10.0)
    network_wide: Mapped[bool] = mapped_column(default=False)
    offers_in_person: Mapped[bool] = mapped_column(default=True)
    offers_phone: Mapped[bool] = mapped_column(default=True)
    offers_video: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int] = mapped_column(default=1)
    active_match_count: Mapped[int] = mapped_column(default=0)
    # 7 days × morning/afternoon/evening; bit day*3 + part, Monday morning = bit 0.
    availability_mask: Mapped[int] = mapped_column(default=0)
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    applied_dt: Mapped[datetime | None]
    approved_dt: Mapped[datetime | None]
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Which version of the matching data last changed this advocate (see services.matching_data).
    matching_version: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0", index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()
    lived_experience: Mapped[list[IssueType]] = relationship(secondary=volunteer_lived_experience)
    opt_outs: Mapped[list[IssueType]] = relationship(secondary=volunteer_opt_outs)
    language_rows: Mapped[list[VolunteerLanguage]] = relationship(cascade="all, delete-orphan")
    vetting: Mapped[Vetting | None] = relationship(back_populates="volunteer", cascade="all, delete-orphan")
    pauses: Mapped[list[VolunteerPause]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", order_by="VolunteerPause.starts_on"
    )
    status_changes: Mapped[list[VolunteerStatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="VolunteerStatusChange.changed_dt"
    )

    @property
    def languages(self) -> list[str]:
        return sorted(row.language for row in self.language_rows)

    @property
    def support_modes(self) -> set[str]:
        modes = {"in_person": self.offers_in_person, "phone": self.offers_phone, "video": self.offers_video}
        return {mode for mode, offered in modes.items() if offered}


class Vetting(UUIDPrimaryKey, Timestamped, Base):
    """Safer-recruitment checks an organiser records before approving a volunteer.

    How far they are (not started, in progress, complete, expired) is worked out from these
    dates, never stored, so a check that runs out shows as expired on that day.
    """

    __tablename__ = "vettings"
    __table_args__ = (
        sa.CheckConstraint(
            "dbs_expires_on IS NULL OR dbs_checked_on IS NULL OR dbs_expires_on > dbs_checked_on",
            name="dbs_expiry_after_check",
        ),
        *(sa.CheckConstraint(
            f"(reference_{n}_received_on IS NULL OR reference_{n}_requested_on IS NOT NULL) AND "
            f"(reference_{n}_verified_on IS NULL OR reference_{n}_received_on IS NOT NULL)",
            name=f"reference_{n}_in_order") for n in (1, 2)),
    )

    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), unique=True
    )
    dbs_checked_on: Mapped[date | None]
    dbs_expires_on: Mapped[date | None]
    dbs_certificate_ref: Mapped[str | None] = mapped_column(sa.String(32))
    training_completed_on: Mapped[date | None]
    # Two references, each requested, received and verified on a date (safer recruitment).
    reference_1_requested_on: Mapped[date | None]
    reference_1_received_on: Mapped[date | None]
    reference_1_verified_on: Mapped[date | None]
    reference_2_requested_on: Mapped[date | None]
    reference_2_received_on: Mapped[date | None]
    reference_2_verified_on: Mapped[date | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    volunteer: Mapped[VolunteerProfile] = relationship(back_populates="vetting")

    @property
    def references_verified(self) -> int:
        return sum(1 for day in (self.reference_1_verified_on, self.reference_2_verified_on) if day is not None)

    @property
    def references_received(self) -> int:
        return sum(1 for day in (self.reference_1_received_on, self.reference_2_received_on) if day is not None)


class VolunteerStatusChange(UUIDPrimaryKey, Base):
    """A step of a volunteer's standing: applied, approved, suspended, reinstated… with who, when and why."""

    __tablename__ = "volunteer_status_changes"
    __table_args__ = (one_of("to_status", VolunteerStatus),)

    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str] = enum_column(VolunteerStatus)
    changed_dt: Mapped[datetime] = mapped_column(default=clock.now)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")


class VolunteerPause(UUIDPrimaryKey, Base):
    """Dates a volunteer is away ("away 1–14 August"); inclusive at both ends."""

    __tablename__ = "volunteer_pauses"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    volunteer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")

    volunteer: Mapped[VolunteerProfile] = relationship(back_populates="pauses")


class VolunteerApplicationDraft(Base):
    """A volunteer's unfinished application, answer by answer, until they send it (``services.advocates``).

    Kept in the database, not the browser or the session, so the answers survive signing out,
    *Exit this page* and another device; deleted when the application is sent. Holds only
    what the application asks (the postcode already cut to its outward code).
    """

    __tablename__ = "volunteer_application_drafts"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    updated_dt: Mapped[datetime] = mapped_column(default=clock.now)
