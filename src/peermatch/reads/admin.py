"""What the network admin's pages show: the whole network."""

from __future__ import annotations

import uuid

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch.models import (
    REQUEST_LOOKING,
    Organisation,
    Role,
    ScoringModelVersion,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.services import scoring_models


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
