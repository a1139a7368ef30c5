"""Declarative base, constraint naming convention and shared column types."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from peermatch import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite drops the offset, so values are normalised to UTC on the way in and
    marked UTC on the way out; naive datetimes are refused rather than guessed at.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Every table has a random UUID primary key, so no URL carries a guessable id."""

    registry = sa.orm.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class UUIDPrimaryKey:
    """Mixin: a random (version 4) UUID as the primary key."""

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)


class Timestamped:
    """Mixin: when the row was created and last changed."""

    created_dt: Mapped[datetime] = mapped_column(default=clock.now)
    updated_dt: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


def one_of(column: str, values: type[enum.Enum] | tuple[str, ...], name: str | None = None) -> sa.CheckConstraint:
    """A CHECK constraint that keeps ``column`` to the allowed values."""
    allowed = [v.value for v in values] if isinstance(values, type) else list(values)
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in allowed)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_allowed")


def enum_column(values: type[enum.Enum], **kwargs: Any) -> Any:
    """A short string column for a StrEnum; the CHECK constraint goes in ``__table_args__``."""
    return mapped_column(sa.String(32), **kwargs)
