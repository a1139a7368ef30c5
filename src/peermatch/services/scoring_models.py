"""Scoring models as versioned rows: train on history, evaluate, activate (and roll back).

A trained version is stored inactive; only an admin's activation makes it score new
offers. The hand-set defaults (``default-1``) score until one is.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch import matching
from peermatch.errors import DomainError
from peermatch.models import (
    OFFER_ANSWERED,
    AuditAction,
    MatchOutcome,
    MatchStatus,
    Offer,
    OfferStatus,
    ScoringModelVersion,
    SupportRequest,
    User,
)
from peermatch.services import audit, matching_data

GOOD_OUTCOMES = {MatchOutcome.SUPPORTED_THROUGH_MEETING, MatchOutcome.ONGOING_NEED_REFERRED}
BAD_OUTCOMES = {MatchOutcome.PARENT_STOPPED_CONTACT, MatchOutcome.ADVOCATE_COULD_NOT_CONTINUE,
                MatchOutcome.CONCERN_RAISED}


def active_model(session: Session) -> matching.TrainedModel:
    """The model an admin activated; the hand-set default until one is."""
    row = session.scalar(sa.select(ScoringModelVersion).where(ScoringModelVersion.active))
    return matching.TrainedModel.from_dict(row.parameters) if row else matching.default_model()


def list_models(session: Session) -> list[ScoringModelVersion]:
    """Every stored version, newest first."""
    return list(session.scalars(sa.select(ScoringModelVersion).order_by(ScoringModelVersion.trained_dt.desc())))


def training_examples(session: Session, today: date) -> list[matching.TrainingExample]:
    """Organisers' and volunteers' decisions and outcomes, as labelled feature vectors.

    Each offer is learnt from with the feature values the organiser saw when it was proposed
    (kept in its explanation); offers made without one (imported or older history) have
    their features recomputed from today's profiles, so that history still counts.
    """
    from peermatch.services import matching as matching_service

    offers = session.scalars(
        sa.select(Offer).where(Offer.status.in_(OFFER_ANSWERED))
        .options(selectinload(Offer.request).selectinload(SupportRequest.issue_types),
                 selectinload(Offer.request).selectinload(SupportRequest.language_rows),
                 selectinload(Offer.request).selectinload(SupportRequest.area),
                 selectinload(Offer.match))
    ).all()
    volunteers: dict[str, matching.VolunteerProfile] | None = None
    profiles: dict[uuid.UUID, matching.RequestProfile] = {}
    examples = []
    for offer in offers:
        outcome = offer.match.outcome if offer.match and offer.match.status == MatchStatus.ENDED else None
        label = matching.label_from_history(
            offer_response={OfferStatus.ACCEPTED: "accepted", OfferStatus.DECLINED: "declined",
                            OfferStatus.LAPSED: "lapsed"}[OfferStatus(offer.status)],
            ended_well=(True if outcome in GOOD_OUTCOMES else False if outcome in BAD_OUTCOMES else None),
        )
        if label is None:
            continue
        features = _features_when_proposed(offer)
        if features is None:
            if volunteers is None:
                volunteers = {v.id: v for v in matching_service.volunteer_profiles(session, approved_only=False)}
            volunteer = volunteers.get(str(offer.volunteer_id))
            if volunteer is None:
                continue
            if offer.request_id not in profiles:
                profiles[offer.request_id] = matching_service.request_profile(session, offer.request)
            features = tuple(matching.feature_vector(profiles[offer.request_id], volunteer, today))
        at = offer.responded_dt or offer.offered_dt or offer.proposed_dt
        examples.append(matching.TrainingExample(str(offer.request_id), features, label, at))
    return examples


def _features_when_proposed(offer: Offer) -> tuple[float, ...] | None:
    values = {item.get("feature"): item.get("value") for item in offer.explanation or [] if isinstance(item, dict)}
    if any(not isinstance(values.get(name), (int, float)) for name in matching.FEATURE_NAMES):
        return None
    return tuple(float(values[name]) for name in matching.FEATURE_NAMES)


def train_model(session: Session, now: datetime, by: User | None = None,
                min_examples: int = matching.MIN_TRAINING_EXAMPLES) -> ScoringModelVersion:
    """Train on the history so far and store the result as a new, inactive version."""
    from peermatch import clock

    examples = training_examples(session, clock.today(now))
    model = matching.train(examples, now=now, min_examples=min_examples)
    row = ScoringModelVersion(version=model.version, trained_dt=model.trained_at or now,
                              parameters=model.to_dict(), metrics=dict(model.metrics), active=False)
    session.add(row)
    session.flush()
    audit.record(session, by, AuditAction.SCORING_MODEL_TRAINED, "scoring_model", row.version, at=now)
    return row


def evaluate_version(session: Session, version: str, today: date) -> dict[str, float | int | None]:
    """How a stored version (or ``default-1``) ranks today's history."""
    model = _model_for(session, version)
    return matching.evaluate(model, training_examples(session, today))


def _model_for(session: Session, version: str) -> matching.TrainedModel:
    if version == matching.default_model().version:
        return matching.default_model()
    row = session.scalar(sa.select(ScoringModelVersion).where(ScoringModelVersion.version == version))
    if row is None:
        raise DomainError(f"There is no scoring model version {version!r}")
    return matching.TrainedModel.from_dict(row.parameters)


def activate_model(session: Session, version: str, by: User | None, now: datetime) -> None:
    """Make ``version`` the one that scores new offers (``default-1`` goes back to the defaults).

    Activating an older version is how a network rolls back.
    """
    target = None
    if version != matching.default_model().version:
        target = session.scalar(sa.select(ScoringModelVersion).where(ScoringModelVersion.version == version))
        if target is None:
            raise DomainError(f"There is no scoring model version {version!r}")
    session.execute(sa.update(ScoringModelVersion).values(active=False))
    if target is not None:
        target.active = True
        target.activated_dt = now
        target.activated_by_id = by.id if by else None
    audit.record(session, by, AuditAction.SCORING_MODEL_ACTIVATED, "scoring_model", version, at=now)
    matching_data.changed(session)  # every process scores with the new model from its next ranking
    session.flush()


def model_weights(row: ScoringModelVersion | None) -> list[tuple[str, float]]:
    """The weight of each feature, labelled for people."""
    model = matching.TrainedModel.from_dict(row.parameters) if row else matching.default_model()
    return [(matching.FEATURE_LABELS.get(name, name), weight)
            for name, weight in zip(model.feature_names, model.weights)]
