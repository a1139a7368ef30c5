"""Notifications waiting to be sent or sent (the outbox), and messages between a parent and their advocate."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from peermatch import clock
from peermatch.models.base import Base, UUIDPrimaryKey, enum_column, one_of
from peermatch.models.enums import MessageSender, NotificationChannel, NotificationEvent, NotificationStatus

MESSAGE_MAX_LENGTH = 2000


class Notification(UUIDPrimaryKey, Base):
    """One message to one person by one channel, written in the transaction of the change behind it.

    It keeps no words: what is sent is drawn at delivery from the event and the person's
    preferences as they are then, so a parent who stops allowing texts is never texted by a
    notification queued before. ``idempotency_key`` (event, subject, person, channel) is
    unique, so a scheduled job run by two workers, or twice, writes it once.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        one_of("event", NotificationEvent),
        one_of("channel", NotificationChannel),
        one_of("status", NotificationStatus),
        sa.Index("ix_notifications_status_not_before_dt", "status", "not_before_dt"),
    )

    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    event: Mapped[str] = enum_column(NotificationEvent)
    channel: Mapped[str] = enum_column(NotificationChannel)
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                           index=True)
    # What it is about, for the organisers' "what was sent" lists.
    request_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("support_requests.id", ondelete="SET NULL"), index=True)
    volunteer_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    to_parent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = enum_column(NotificationStatus, default=NotificationStatus.WAITING)
    created_dt: Mapped[datetime] = mapped_column(default=clock.now)
    # Not before this moment: a parent's next safe time, or the next try after a failure.
    not_before_dt: Mapped[datetime] = mapped_column(default=clock.now)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_dt: Mapped[datetime | None]
    sent_dt: Mapped[datetime | None]
    # Why it failed or was cancelled, in words without content ("no text provider answered").
    problem: Mapped[str] = mapped_column(sa.String(300), default="")
    provider_reference: Mapped[str | None] = mapped_column(sa.String(100))
    digest_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("notifications.id", ondelete="SET NULL"))


class Message(UUIDPrimaryKey, Base):
    """A message between a parent and their advocate, inside PeerMatch (plain text, never a phone number swap)."""

    __tablename__ = "messages"
    __table_args__ = (
        one_of("sender", MessageSender),
        sa.CheckConstraint(f"length(body) > 0 AND length(body) <= {MESSAGE_MAX_LENGTH}", name="body_length"),
    )

    match_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = enum_column(MessageSender)
    author_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    asks_for_help: Mapped[bool] = mapped_column(default=False)
    sent_dt: Mapped[datetime] = mapped_column(default=clock.now, index=True)
