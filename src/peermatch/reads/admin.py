"""What the network admin's pages show: the whole network."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.models import (
    REQUEST_LOOKING,
    AuditAction,
    AuditEvent,
    Organisation,
    Role,
    ScoringModelVersion,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.services import audit, scoring_models

if TYPE_CHECKING:
    from peermatch.reads.organisers import Pages


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    organisers: int
    volunteers: int
    open_requests: int


def network_overview(session: Session) -> list[OrganisationRow]:
    """One row per member organisation."""
    organisations = session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()

    def counts(query: sa.Select[tuple[object, int]]) -> dict[object, int]:
        return {key: n for key, n in session.execute(query)}

    organisers = counts(
        sa.select(User.organisation_id, sa.func.count()).where(User.role == Role.ORGANISER).group_by(User.organisation_id)
    )
    volunteers = counts(
        sa.select(VolunteerProfile.organisation_id, sa.func.count())
        .where(VolunteerProfile.status == VolunteerStatus.APPROVED)
        .group_by(VolunteerProfile.organisation_id)
    )
    requests = counts(
        sa.select(SupportRequest.organisation_id, sa.func.count())
        .where(SupportRequest.status.in_(REQUEST_LOOKING))
        .group_by(SupportRequest.organisation_id)
    )
    return [
        OrganisationRow(o, organisers.get(o.id, 0), volunteers.get(o.id, 0), requests.get(o.id, 0))
        for o in organisations
    ]


def organisations(session: Session) -> list[Organisation]:
    """Member organisations by name, e.g. to invite an organiser to one."""
    return list(session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def organiser_accounts(session: Session) -> list[tuple[User, str]]:
    """Every organiser with their organisation's name, by organisation then name."""
    return [(user, name) for user, name in session.execute(
        sa.select(User, Organisation.name)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(User.role == Role.ORGANISER)
        .order_by(Organisation.name, User.display_name)
    )]


def staff_account(session: Session, user_id: str) -> User:
    """An organiser's or admin's account, or NotFound."""
    from peermatch.errors import NotFound

    try:
        user = session.get(User, uuid.UUID(user_id))
    except ValueError:
        user = None
    if user is None or user.role not in (Role.ORGANISER, Role.ADMIN):
        raise NotFound("No such staff account")
    return user


@dataclass(frozen=True)
class ScoringModelsPage:
    rows: list[ScoringModelVersion]
    active: ScoringModelVersion | None
    weights: dict[str, list[tuple[str, float]]]
    default_weights: list[tuple[str, float]]


def scoring_models_page(session: Session) -> ScoringModelsPage:
    """Every model version with its weights and held-out figures; the active one marked."""
    rows = scoring_models.list_models(session)
    return ScoringModelsPage(rows, next((row for row in rows if row.active), None),
                             {row.version: scoring_models.model_weights(row) for row in rows},
                             scoring_models.model_weights(None))


def scoring_model(session: Session, version: str) -> ScoringModelVersion | None:
    """One stored version, or None (``default-1`` is never stored)."""
    return session.scalar(sa.select(ScoringModelVersion).where(ScoringModelVersion.version == version))


# -- the audit log -------------------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""  # an email address: events by that person, or about them
    organisation: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1


@dataclass(frozen=True)
class AuditRow:
    occurred_dt: datetime
    action: str
    actor: str
    subject_type: str
    subject_id: str | None
    organisation: str
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    pages: Pages
    unknown_person: bool
    organisations: list[tuple[str, str]]


def audit_log(session: Session, admin: User, filters: AuditFilters, now: datetime) -> AuditPage:
    """Audit events, newest first, filtered; reading the log is itself an audit event."""
    from peermatch.reads.organisers import Pages

    where: list[Any] = []
    unknown_person = False
    if filters.person.strip():
        person = session.scalar(sa.select(User.id).where(User.email == filters.person.strip().lower()))
        if person is None:
            unknown_person = True
            where.append(sa.false())
        else:
            where.append(sa.or_(AuditEvent.actor_id == person, AuditEvent.subject_id == str(person)))
    if filters.organisation:
        try:
            where.append(AuditEvent.organisation_id == uuid.UUID(filters.organisation))
        except ValueError:
            where.append(sa.false())
    if filters.action:
        where.append(AuditEvent.action == filters.action)
    if filters.since:
        where.append(AuditEvent.occurred_dt >= clock.local_time(filters.since, time(0)))
    if filters.until:
        where.append(AuditEvent.occurred_dt < clock.local_time(filters.until + timedelta(days=1), time(0)))
    total = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(*where)) or 0
    pages = Pages.of(total, filters.page, AUDIT_PAGE_SIZE)
    actor = sa.orm.aliased(User)
    rows = session.execute(
        sa.select(AuditEvent, actor.display_name, actor.email, Organisation.name)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .where(*where).order_by(AuditEvent.occurred_dt.desc(), AuditEvent.id)
        .offset((pages.number - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)
    ).all()
    audit.record(session, admin, AuditAction.AUDIT_LOG_READ, "audit_log", None, at=now,
                 filtered=bool(where), page=pages.number)
    return AuditPage(
        rows=[AuditRow(event.occurred_dt, event.action,
                       f"{name} ({email}, {event.actor_role})" if email else ("The service" if event.actor_role is None
                                                                              else "An erased account"),
                       event.subject_type, event.subject_id, org_name or "", event.details or {})
              for event, name, email, org_name in rows],
        pages=pages, unknown_person=unknown_person,
        organisations=[(str(o.id), o.name) for o in organisations(session)])


# -- retention ------------------------------------------------------------------------------------------------

def requests_by_month(session: Session) -> dict[tuple[date, str], int]:
    """Requests sent, by the month they were sent and where they ended up: live ones and purged ones alike.

    The figures a report of past months stands on: a purge turns requests into anonymised
    counts with the same month and status, so these never change when one runs.
    """
    from peermatch.models import AnonymisedRequestCount, RequestStatus

    counts: dict[tuple[date, str], int] = {}
    sent = sa.func.coalesce(SupportRequest.submitted_dt, SupportRequest.created_dt)
    for when, status in session.execute(sa.select(sent, SupportRequest.status)
                                        .where(SupportRequest.status != RequestStatus.DRAFT)):
        key = (date(when.year, when.month, 1), status)
        counts[key] = counts.get(key, 0) + 1
    for month, status, count in session.execute(
            sa.select(AnonymisedRequestCount.month, AnonymisedRequestCount.final_status,
                      sa.func.sum(AnonymisedRequestCount.count))
            .group_by(AnonymisedRequestCount.month, AnonymisedRequestCount.final_status)):
        counts[(month, status)] = counts.get((month, status), 0) + int(count)
    return counts


@dataclass(frozen=True)
class PurgeRun:
    ran_dt: datetime
    requests: int
    drafts: int
    volunteers: int
    accounts: int
    retention_days: int


@dataclass(frozen=True)
class RetentionPage:
    days: int
    changed_dt: datetime | None
    runs: list[PurgeRun]
    tonight: Any  # services.retention.Purge, counted without erasing


def retention_page(session: Session, config: Any, now: datetime) -> RetentionPage:
    """The retention period, what the next purge would erase (counts only) and the last runs (never who)."""
    from peermatch.models import Setting
    from peermatch.services import retention

    events = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.RETENTION_PURGE)
                             .order_by(AuditEvent.occurred_dt.desc()).limit(10))
    runs = [PurgeRun(ran_dt=e.occurred_dt, **{k: int(e.details.get(k, 0)) for k in
                                              ("requests", "drafts", "volunteers", "accounts", "retention_days")})
            for e in events]
    saved = session.get(Setting, retention.SETTING)
    return RetentionPage(days=retention.retention_days(session, config), changed_dt=saved.updated_dt if saved else None,
                         runs=runs, tonight=retention.purge_now(session, config, now, dry_run=True))
