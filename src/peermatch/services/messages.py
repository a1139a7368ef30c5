"""Messages between a parent and their advocate, inside PeerMatch: the only code that writes them.

Neither side has to share a personal number: they write here, and the other side is told
that there is news (``services/notifications.py``; a parent only by the channels and at the
times they allowed, and never with the words of the message). Either side can ask the
organisers for help with a message, and the organisers of the request's organisation may
read the thread (``reads/organisers.py``, audited).

A thread is open from the introduction until the match ends: before, the parent is not yet
known to the advocate; after, nobody is supporting anyone. Sending takes the request's lock
(``requests.lock``, the order every change of a request follows), so a message and the end
of the match are served one after the other and no message lands in an ended thread.

Messages are plain text, at most :data:`MESSAGE_MAX_LENGTH` characters, kept as written and
shown escaped; the audit log records that one was sent, never its words.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch.errors import DomainError, NotFound
from peermatch.models import (
    MATCH_INTRODUCED,
    MESSAGE_MAX_LENGTH,
    AuditAction,
    Match,
    Message,
    MessageSender,
    NotificationEvent,
    User,
)
from peermatch.services import audit, notifications, requests

CLOSED = "This conversation has closed because the support has ended, so no more messages can be sent"
NOT_YET = "You can write to each other once an organiser has introduced you"


def thread_open(match: Match | None) -> bool:
    """Whether messages can be written now: from the introduction until the match ends."""
    return match is not None and match.status in MATCH_INTRODUCED


def thread(session: Session, match: Match) -> list[Message]:
    """The messages of a match, oldest first (callers have checked that the reader may see them)."""
    return list(session.scalars(sa.select(Message).where(Message.match_id == match.id)
                                .order_by(Message.sent_dt, Message.id)))


def send(session: Session, match: Match, author: User, sender: MessageSender, body: str, asks_for_help: bool,
         now: datetime) -> Message:
    """Write a message in the match's thread and tell the other side (and the organisers, when help is asked).

    ``author`` must be the parent of the request (``sender`` parent) or the match's advocate
    (``sender`` advocate); anyone else is :class:`NotFound`. Refused with a message when the
    text is empty or too long, or the thread is not open.
    """
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise DomainError("Enter your message", "body")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise DomainError(f"Your message must be {MESSAGE_MAX_LENGTH} characters or fewer", "body")
    request = requests.lock(session, match.request)
    session.refresh(match)
    own = request.parent_id == author.id if sender == MessageSender.PARENT else (
        sender == MessageSender.ADVOCATE and match.volunteer.user_id == author.id)
    if not own:
        raise NotFound(match.id)
    if not thread_open(match):
        raise DomainError(CLOSED if match.ended_dt is not None else NOT_YET, "body")
    message = Message(match_id=match.id, sender=sender, author_id=author.id, body=text,
                      asks_for_help=bool(asks_for_help), sent_dt=now)
    session.add(message)
    session.flush()
    audit.record(session, author, AuditAction.MESSAGE_SENT, "match", match.id,
                 organisation_id=request.organisation_id, at=now, sender=str(sender), asks_for_help=bool(asks_for_help))
    if sender == MessageSender.PARENT:
        notifications.tell_advocate(session, match.volunteer, NotificationEvent.NEW_MESSAGE, message.id, now,
                                    request_id=request.id)
    else:
        notifications.tell_parent(session, request, NotificationEvent.NEW_MESSAGE, message.id, now)
    if asks_for_help:
        audit.record(session, author, AuditAction.HELP_ASKED, "match", match.id,
                     organisation_id=request.organisation_id, at=now, sender=str(sender))
        notifications.tell_organisers(session, request.organisation_id, NotificationEvent.HELP_ASKED, message.id,
                                      now, request_id=request.id, volunteer_id=match.volunteer_id)
    return message
