"""The version of the matching data: how every process knows its copy of the advocates is current.

Each process keeps the advocates' matching data in memory (``services.matching``) so a page
ranks in milliseconds instead of rebuilding thousands of profiles. Any change to what
matching reads about an advocate (details, availability, dates away, capacity, standing,
vetting, and the matches that fill their places) calls :func:`changed` in the same
transaction. Just before that transaction commits, one ``UPDATE matching_state SET version =
version + 1`` takes the next version and stamps the changed advocates with it. That row is
locked until the commit, so versions are handed out in commit order: a process that has seen
version *v* and reads every advocate stamped after *v* has every change up to the newest
version it reads, on every worker, with nothing missed.

The version row is the last lock any transaction takes (the stamp happens at commit), so it
adds no deadlock to the order requests → offers/matches → advocates. A change that is rolled
back leaves nothing to do; at worst a later commit of the same session stamps an advocate
who did not change, which costs one needless reload.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch.models import MatchingState, VolunteerProfile

_PENDING = "peermatch.matching_changed"


def changed(session: Session, volunteer_ids: Iterable[uuid.UUID] = ()) -> None:
    """Matching data changed in this transaction (for these advocates, if any): raise the version at commit."""
    pending: set[uuid.UUID] = session.info.setdefault(_PENDING, set())
    pending.update(volunteer_ids)


def has_uncommitted_changes(session: Session) -> bool:
    """This session changed matching data it has not committed yet (only it can see those rows)."""
    return bool(session.info.get(_PENDING))


def current_version(session: Session) -> tuple[str, int]:
    """Which database (its generation) and the newest committed version of its matching data."""
    row = session.execute(sa.select(MatchingState.generation, MatchingState.version)
                          .where(MatchingState.id == 1)).one_or_none()
    return (row[0], row[1]) if row is not None else ("", 0)


@sa.event.listens_for(Session, "before_commit")
def _raise_version(session: Session) -> None:
    pending: set[uuid.UUID] | None = session.info.pop(_PENDING, None)
    if pending is None:
        return
    version = session.execute(
        sa.update(MatchingState).where(MatchingState.id == 1).values(version=MatchingState.version + 1)
        .returning(MatchingState.version)
    ).scalar_one()
    for chunk in _chunks(sorted(pending), 500):
        session.execute(sa.update(VolunteerProfile).where(VolunteerProfile.id.in_(chunk))
                        .values(matching_version=version).execution_options(synchronize_session=False))


def _chunks(items: list[uuid.UUID], size: int) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
