"""The audit log is append-only in the database itself: no code path, and no person with SQL, rewrites it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from peermatch import clock
from peermatch.models import AuditAction, AuditEvent, Role
from peermatch.services import audit, personal_data


@pytest.fixture()
def event(session: Any, people: Any) -> AuditEvent:
    organiser = people.user(Role.ORGANISER)
    recorded = audit.record(session, organiser, AuditAction.SIGNED_IN, "user", organiser.id,
                            organisation_id=organiser.organisation_id)
    session.flush()
    return recorded


@pytest.mark.parametrize("change", [
    {"action": AuditAction.ACCOUNT_CREATED.value}, {"subject_id": "someone else"}, {"details": {"x": 1}},
    {"occurred_dt": sa.func.current_timestamp()}, {"actor_role": "admin"},
])
def test_nothing_about_an_event_can_be_changed(session: Any, event: AuditEvent, change: dict[str, Any]) -> None:
    with pytest.raises(sa.exc.IntegrityError, match="append-only"), session.begin_nested():
        session.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id).values(**change))


def test_an_event_cannot_be_given_to_another_actor(session: Any, event: AuditEvent, people: Any) -> None:
    someone = people.user(Role.ADMIN)
    with pytest.raises(sa.exc.IntegrityError, match="append-only"), session.begin_nested():
        session.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id).values(actor_id=someone.id))


def test_no_event_can_be_deleted(session: Any, event: AuditEvent) -> None:
    with pytest.raises(sa.exc.IntegrityError, match="append-only"), session.begin_nested():
        session.execute(sa.delete(AuditEvent).where(AuditEvent.id == event.id))
    assert session.get(AuditEvent, event.id) is not None


def test_erasing_an_account_keeps_its_events_and_forgets_only_who_acted(session: Any, people: Any) -> None:
    parent = people.user(Role.PARENT)
    recorded = audit.record(session, parent, AuditAction.SIGNED_IN, "user", parent.id)
    session.flush()
    personal_data.erase_parent(session, parent, clock.now())
    session.flush()
    kept = session.execute(sa.select(AuditEvent.actor_id, AuditEvent.action).where(AuditEvent.id == recorded.id)).one()
    assert kept == (None, AuditAction.SIGNED_IN)
