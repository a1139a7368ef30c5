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
    Area,
    AuditAction,
    AuditEvent,
    IssueType,
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


# -- the network's settings: organisations and what they cover, organisers, issue types -------------------

@dataclass(frozen=True)
class CoverageRow:
    organisation: Organisation
    areas: list[str]
    outcodes: int  # every outward code it covers, through its areas or on their own
    given: list[str]  # outward codes given to it on their own


def coverage(session: Session) -> list[CoverageRow]:
    """Which organisation covers which council areas, and how many outward codes: one row per organisation."""
    from peermatch.services.network import given_outcodes
    from peermatch.services.reference_data import outcode_coverage

    counted: dict[uuid.UUID, int] = {}
    for organisation_id in outcode_coverage(session).values():
        counted[organisation_id] = counted.get(organisation_id, 0) + 1
    areas: dict[uuid.UUID, list[str]] = {}
    for organisation_id, name in session.execute(sa.select(Area.organisation_id, Area.name)
                                                 .where(Area.organisation_id.is_not(None)).order_by(Area.name)):
        areas.setdefault(organisation_id, []).append(name)
    return [CoverageRow(o, areas.get(o.id, []), counted.get(o.id, 0), given_outcodes(session, o))
            for o in organisations(session)]


def given_outcodes(session: Session, organisation: Organisation) -> list[str]:
    """The outward codes an organisation covers on their own, sorted."""
    from peermatch.services.network import given_outcodes as given

    return given(session, organisation)


def organisation(session: Session, organisation_id: str) -> Organisation:
    """A member organisation, or NotFound."""
    from peermatch.errors import NotFound

    try:
        found = session.get(Organisation, uuid.UUID(organisation_id))
    except ValueError:
        found = None
    if found is None:
        raise NotFound("No such organisation")
    return found


def covered_area(session: Session, organisation: Organisation, area_id: str) -> Area:
    """One of the areas this organisation covers, or NotFound."""
    from peermatch.errors import NotFound

    try:
        area = session.get(Area, uuid.UUID(area_id))
    except ValueError:
        area = None
    if area is None or area.organisation_id != organisation.id:
        raise NotFound("This organisation does not cover that area")
    return area


def council_areas_to_add(session: Session) -> list[tuple[str, str]]:
    """(county, label) of every council area of the outcode table; those covered say by whom."""
    from peermatch.services.reference_data import counties, slugify

    covering = {code: name for code, name in session.execute(
        sa.select(Area.code, Organisation.name).join(Organisation, Organisation.id == Area.organisation_id))}
    return [(county, f"{county} (covered by {covering[slugify(county)]})" if slugify(county) in covering
             else county) for county in sorted(counties())]


def organiser_account(session: Session, user_id: str) -> User:
    """An organiser's account (active or not), or NotFound."""
    from peermatch.errors import NotFound

    user = staff_account(session, user_id)
    if user.role != Role.ORGANISER:
        raise NotFound("No such organiser")
    return user


@dataclass(frozen=True)
class IssueTypeRow:
    issue_type: IssueType
    requests: int  # requests that name it (any status)
    volunteers: int  # volunteers who lived through it or asked not to take it


def issue_types(session: Session) -> list[IssueTypeRow]:
    """Every issue type, offered ones first in their order, then retired ones, with how much uses each."""
    from peermatch.models import request_issue_types, volunteer_lived_experience, volunteer_opt_outs

    def counts(table: sa.Table, column: str) -> dict[uuid.UUID, int]:
        return {key: n for key, n in session.execute(
            sa.select(table.c.issue_type_id, sa.func.count(sa.distinct(table.c[column]))).group_by(table.c.issue_type_id))}

    requests = counts(request_issue_types, "request_id")
    lived, opted = counts(volunteer_lived_experience, "volunteer_id"), counts(volunteer_opt_outs, "volunteer_id")
    rows = session.scalars(sa.select(IssueType).order_by(IssueType.active.desc(), IssueType.position, IssueType.name))
    return [IssueTypeRow(t, requests.get(t.id, 0), lived.get(t.id, 0) + opted.get(t.id, 0)) for t in rows]


def issue_type(session: Session, issue_type_id: str) -> IssueType:
    """One issue type, or NotFound."""
    from peermatch.errors import NotFound

    try:
        found = session.get(IssueType, uuid.UUID(issue_type_id))
    except ValueError:
        found = None
    if found is None:
        raise NotFound("No such issue type")
    return found
