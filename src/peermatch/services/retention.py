"""Keeping nothing longer than it is needed: the retention period, and the purge that applies it.

After the retention period (an admin's setting, ``RETENTION_DAYS`` until one is saved; 365
days by default) counted from the moment something finished, the purge erases:

- **requests that finished** (closed, withdrawn, closed without a match), with everything
  that hangs on them: offers, matches, contacts logged, messages, feedback, safe-contact
  answers. Each is first folded into the anonymised monthly counts, so figures for past
  months never change (``reads/reports.monthly_counts``);
- **requests never sent** (drafts) untouched for the period;
- **volunteers who left** (withdrawn, or not approved) that long ago, with their account,
  once no request still kept holds an offer or a match of theirs;
- **accounts nobody uses**: a parent's with no request left, or a volunteer's that never sent an
  application (its unfinished answers go with it), not signed in to for the period.

What stays is counts with no person in them, and the audit log (which never holds personal
values, and whose actors become unknown). Each run is recorded in the audit log with how
many of each went, never who, and the admin sees the last runs. The purge runs nightly on
the worker (``peermatch.jobs``); ``peermatch purge --dry-run`` shows what would go.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch.errors import DomainError
from peermatch.models import (
    REQUEST_FINISHED,
    AuditAction,
    Match,
    Offer,
    RequestStatus,
    Role,
    Setting,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
    VolunteerStatusChange,
)
from peermatch.services import audit, matching_data

SETTING = "retention_days"
SHORTEST, LONGEST = 30, 3650  # a month at least (a request just closed may still be asked about), ten years at most
LEFT = (VolunteerStatus.WITHDRAWN, VolunteerStatus.REJECTED)


def retention_days(session: Session, config: Mapping[str, Any]) -> int:
    """The retention period in force: the admin's setting, else the configured default."""
    saved = session.get(Setting, SETTING)
    return int(saved.value) if saved is not None else int(config["RETENTION_DAYS"])


def set_retention_days(session: Session, days: int, by: User, now: datetime) -> None:
    """An admin sets the retention period (a month to ten years); audited with the old and new values."""
    if not SHORTEST <= days <= LONGEST:
        raise DomainError(f"The retention period must be between {SHORTEST} and {LONGEST} days", "days")
    saved = session.get(Setting, SETTING)
    old = saved.value if saved is not None else None
    if saved is None:
        saved = Setting(key=SETTING, value=days, updated_dt=now, updated_by_id=by.id)
        session.add(saved)
    else:
        saved.value, saved.updated_dt, saved.updated_by_id = days, now, by.id
    session.flush()
    audit.record(session, by, AuditAction.SETTING_CHANGED, "setting", SETTING, at=now, old=old, new=days)


@dataclass(frozen=True)
class Purge:
    """What a purge erased (or, dry, would erase): how many, never who."""

    cutoff: datetime
    requests: int
    drafts: int
    volunteers: int
    accounts: int


def _finished_before(cutoff: datetime) -> Any:
    finished = sa.func.coalesce(SupportRequest.closed_dt, SupportRequest.withdrawn_dt, SupportRequest.updated_dt)
    return sa.and_(SupportRequest.status.in_(REQUEST_FINISHED), finished < cutoff)


def _volunteers_who_left(session: Session, cutoff: datetime, kept_requests: Any) -> list[uuid.UUID]:
    left_dt = (sa.select(sa.func.max(VolunteerStatusChange.changed_dt))
               .where(VolunteerStatusChange.volunteer_id == VolunteerProfile.id,
                      VolunteerStatusChange.to_status.in_(LEFT)).scalar_subquery())
    still_needed = sa.or_(
        sa.exists().where(Offer.volunteer_id == VolunteerProfile.id, Offer.request_id.in_(kept_requests)),
        sa.exists().where(Match.volunteer_id == VolunteerProfile.id, Match.request_id.in_(kept_requests)))
    return list(session.scalars(sa.select(VolunteerProfile.id).where(
        VolunteerProfile.status.in_(LEFT), sa.func.coalesce(left_dt, VolunteerProfile.updated_dt) < cutoff,
        ~still_needed).order_by(VolunteerProfile.id)))


def purge(session: Session, now: datetime, days: int, *, dry_run: bool = False) -> Purge:
    """Erase what has been kept for longer than ``days`` (see the module docstring); ``dry_run`` only counts."""
    from peermatch.services.personal_data import count_anonymously

    cutoff = now - timedelta(days=days)
    finished = list(session.scalars(sa.select(SupportRequest.id).where(_finished_before(cutoff))
                                    .order_by(SupportRequest.id)))
    drafts = list(session.scalars(sa.select(SupportRequest.id).where(
        SupportRequest.status == RequestStatus.DRAFT, SupportRequest.updated_dt < cutoff)))
    gone = set(finished) | set(drafts)
    kept = sa.select(SupportRequest.id).where(SupportRequest.id.notin_(gone) if gone else sa.true())
    volunteers = _volunteers_who_left(session, cutoff, kept)
    last_seen = sa.func.coalesce(User.last_sign_in_dt, User.created_dt)
    unused = sa.select(User.id).where(last_seen < cutoff, sa.or_(
        sa.and_(User.role == Role.PARENT, ~sa.exists().where(
            SupportRequest.parent_id == User.id, SupportRequest.id.notin_(gone) if gone else sa.true())),
        sa.and_(User.role == Role.VOLUNTEER, ~sa.exists().where(VolunteerProfile.user_id == User.id))))
    accounts = list(session.scalars(unused.order_by(User.id)))
    result = Purge(cutoff=cutoff, requests=len(finished), drafts=len(drafts), volunteers=len(volunteers),
                   accounts=len(accounts))
    if dry_run:
        return result

    for request in session.scalars(sa.select(SupportRequest).where(SupportRequest.id.in_(finished))
                                   .options(selectinload(SupportRequest.issue_types),
                                            selectinload(SupportRequest.area))
                                   .order_by(SupportRequest.id)):
        count_anonymously(session, request)
    session.flush()
    if gone:
        session.execute(sa.delete(SupportRequest).where(SupportRequest.id.in_(gone))
                        .execution_options(synchronize_session=False))
    if volunteers:
        users = list(session.scalars(sa.select(VolunteerProfile.user_id).where(VolunteerProfile.id.in_(volunteers))))
        session.execute(sa.delete(VolunteerProfile).where(VolunteerProfile.id.in_(volunteers))
                        .execution_options(synchronize_session=False))
        session.execute(sa.delete(User).where(User.id.in_(users)).execution_options(synchronize_session=False))
        matching_data.changed(session, volunteers)
    if accounts:
        session.execute(sa.delete(User).where(User.id.in_(accounts)).execution_options(synchronize_session=False))
    session.expire_all()
    audit.record(session, None, AuditAction.RETENTION_PURGE, "network", None, at=now, retention_days=days,
                 requests=result.requests, drafts=result.drafts, volunteers=result.volunteers, accounts=result.accounts)
    session.flush()
    return result


def purge_now(session: Session, config: Mapping[str, Any], now: datetime, *, dry_run: bool = False) -> Purge:
    """The purge with the retention period in force (the nightly job and ``peermatch purge``)."""
    return purge(session, now, retention_days(session, config), dry_run=dry_run)
