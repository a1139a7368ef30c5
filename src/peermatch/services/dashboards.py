"""What each role sees first on their home page. Read-only queries, scoped to the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch.models import (
    Organisation,
    RequestStatus,
    Role,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)

OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.OPEN, RequestStatus.OFFERED)


def parent_requests(session: Session, parent: User) -> list[SupportRequest]:
    """A parent's own requests, newest first (drafts included, so they can carry on)."""
    return list(
        session.scalars(
            sa.select(SupportRequest)
            .where(SupportRequest.parent_id == parent.id)
            .options(selectinload(SupportRequest.main_issue))
            .order_by(SupportRequest.created_dt.desc())
        )
    )


@dataclass(frozen=True)
class OrganiserSummary:
    organisation: Organisation
    open_requests: int
    urgent_requests: list[SupportRequest]
    applications_waiting: int
    approved_volunteers: int


def organiser_summary(session: Session, organiser: User, today: date) -> OrganiserSummary:
    """Counts for the organiser's own organisation only; the most urgent requests first."""
    org_id = organiser.organisation_id
    organisation = session.get(Organisation, org_id)
    assert organisation is not None
    open_filter = sa.and_(SupportRequest.organisation_id == org_id, SupportRequest.status.in_(OPEN_STATUSES))
    open_count = session.scalar(sa.select(sa.func.count()).select_from(SupportRequest).where(open_filter)) or 0
    urgent = list(
        session.scalars(
            sa.select(SupportRequest)
            .where(open_filter, SupportRequest.meeting_date.is_not(None), SupportRequest.meeting_date >= today)
            .options(selectinload(SupportRequest.main_issue), selectinload(SupportRequest.area))
            .order_by(SupportRequest.meeting_date, SupportRequest.submitted_dt)
            .limit(10)
        )
    )

    def volunteers(status: VolunteerStatus) -> int:
        return session.scalar(
            sa.select(sa.func.count()).select_from(VolunteerProfile).where(
                VolunteerProfile.organisation_id == org_id, VolunteerProfile.status == status
            )
        ) or 0

    return OrganiserSummary(
        organisation, open_count, urgent, volunteers(VolunteerStatus.APPLICATION_RECEIVED),
        volunteers(VolunteerStatus.APPROVED),
    )


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    organisers: int
    volunteers: int
    open_requests: int


def network_overview(session: Session) -> list[OrganisationRow]:
    """One row per member organisation, for the network admin."""
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
        .where(SupportRequest.status.in_(OPEN_STATUSES))
        .group_by(SupportRequest.organisation_id)
    )
    return [
        OrganisationRow(o, organisers.get(o.id, 0), volunteers.get(o.id, 0), requests.get(o.id, 0))
        for o in organisations
    ]
