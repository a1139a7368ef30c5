"""What an organiser's pages show. Everything is scoped to the organiser's own organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch.models import REQUEST_LOOKING, Organisation, SupportRequest, User, VolunteerProfile, VolunteerStatus


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
    open_filter = sa.and_(SupportRequest.organisation_id == org_id, SupportRequest.status.in_(REQUEST_LOOKING))
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
