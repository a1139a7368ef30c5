"""Writing to the audit log: every read or change of a person's record by staff, and security events.

The action is always one of :class:`~peermatch.models.AuditAction`, the single list. The
details say *what kind* of thing happened (which fields changed, which outcome), never a
person's values: the log must itself be safe to show to an auditor.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.models import AuditAction, AuditEvent, User


def record(
    session: Session,
    actor: User | None,
    action: AuditAction,
    subject_type: str,
    subject_id: uuid.UUID | str | None = None,
    organisation_id: uuid.UUID | None = None,
    *,
    at: datetime | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session; it commits with the rest of the change.

    ``actor`` None means the service itself (an offer lapsing). ``at`` defaults to now; the
    demo's history passes the moment each step happened.
    """
    if not isinstance(action, AuditAction):
        raise TypeError(f"Audit actions come from AuditAction, not {action!r}")
    event = AuditEvent(
        occurred_dt=at or clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id) if subject_id is not None else None,
        organisation_id=organisation_id,
        details=details,
    )
    session.add(event)
    return event
