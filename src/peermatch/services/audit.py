"""Writing to the audit log: every read or change of a person's record by staff."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from peermatch.models import AuditEvent, User


def record(
    session: Session,
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID | str | None = None,
    organisation_id: uuid.UUID | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session; it commits with the rest of the request."""
    event = AuditEvent(
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
