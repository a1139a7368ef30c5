"""The service layer of matching: database rows in, the pure engine's plain data out.

``peermatch.matching`` knows nothing of the database; this module builds its
:class:`~peermatch.matching.RequestProfile` and :class:`~peermatch.matching.VolunteerProfile`
inputs with a fixed number of queries (never one per volunteer), keeps trained scoring
models as versioned rows, and decides which model scores offers: the one an admin
activated, or the hand-set default until someone does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch import matching
from peermatch.models import (
    AreaOutcode,
    ConflictOfInterest,
    IssueType,
    Match,
    MatchOutcome,
    MatchStatus,
    Offer,
    OfferStatus,
    ScoringModelVersion,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
    now_utc,
)
from peermatch.services import audit

GOOD_OUTCOMES = {MatchOutcome.SUPPORTED_THROUGH_MEETING, MatchOutcome.ONGOING_NEED_REFERRED}
BAD_OUTCOMES = {MatchOutcome.PARENT_STOPPED_CONTACT, MatchOutcome.ADVOCATE_COULD_NOT_CONTINUE,
                MatchOutcome.CONCERN_RAISED}


class ModelError(ValueError):
    """A model command cannot be carried out; the message says why."""


# -- profiles -----------------------------------------------------------------------------------------

def _issue_codes(session: Session) -> dict[uuid.UUID, str]:
    return dict(session.execute(sa.select(IssueType.id, IssueType.code)).all())


def issue_labels(session: Session) -> dict[str, str]:
    """Issue-type and language names for the engine's plain-words reasons."""
    from peermatch.reference import LANGUAGES

    return {**LANGUAGES, **dict(session.execute(sa.select(IssueType.code, IssueType.name)).all())}


def request_profile(session: Session, request: SupportRequest) -> matching.RequestProfile:
    """Everything matching needs to know about one request, and nothing about the parent."""
    codes = _issue_codes(session)
    conflicts = session.scalars(
        sa.select(ConflictOfInterest.volunteer_id).where(ConflictOfInterest.request_id == request.id))
    declined = session.scalars(sa.select(Offer.volunteer_id).where(
        Offer.request_id == request.id, Offer.status.in_([OfferStatus.DECLINED, OfferStatus.LAPSED])))
    previous: set[uuid.UUID] = set()
    if request.parent_id is not None:
        previous = set(session.scalars(
            sa.select(Match.volunteer_id).join(SupportRequest, Match.request_id == SupportRequest.id)
            .where(SupportRequest.parent_id == request.parent_id, SupportRequest.id != request.id)))
    modes = frozenset(m for m, ok in ((matching.IN_PERSON, request.accepts_in_person),
                                      (matching.PHONE, request.accepts_phone),
                                      (matching.VIDEO, request.accepts_video)) if ok)
    return matching.RequestProfile(
        id=str(request.id),
        organisation_id=str(request.organisation_id) if request.organisation_id else "",
        issue_types=frozenset(codes[t.id] for t in request.issue_types),
        main_issue=codes.get(request.main_issue_id) if request.main_issue_id else None,
        outcode=request.outcode, lat=request.latitude, lon=request.longitude,
        area_code=request.area.code if request.area else None,
        availability_mask=request.availability_mask, meeting_date=request.meeting_date,
        meeting_part=request.meeting_part, support_modes=modes, languages=frozenset(request.languages),
        interpreter_ok=request.interpreter_ok, advocate_gender=request.advocate_gender,
        excluded_volunteer_ids=frozenset(str(v) for v in conflicts),
        declined_volunteer_ids=frozenset(str(v) for v in declined),
        previous_volunteer_ids=frozenset(str(v) for v in previous),
        submitted_at=request.submitted_dt,
    )


def volunteer_profiles(session: Session, organisation_id: uuid.UUID | None = None, *,
                       approved_only: bool = True) -> list[matching.VolunteerProfile]:
    """Approved volunteers (of one organisation plus those who opted in network-wide, or all of them).

    Unapproved applicants are left out by default: the engine would exclude them anyway, and
    an organiser's list of exclusions should not be flooded with people still applying.
    Training asks for everyone, since history includes people who have since left.
    """
    query = (
        sa.select(VolunteerProfile)
        .join(User, VolunteerProfile.user_id == User.id)
        .options(selectinload(VolunteerProfile.lived_experience), selectinload(VolunteerProfile.opt_outs),
                 selectinload(VolunteerProfile.language_rows), selectinload(VolunteerProfile.vetting),
                 selectinload(VolunteerProfile.pauses), selectinload(VolunteerProfile.user))
        .order_by(VolunteerProfile.id)
    )
    if approved_only:
        query = query.where(VolunteerProfile.status == VolunteerStatus.APPROVED, User.active)
    if organisation_id is not None:
        query = query.where(sa.or_(VolunteerProfile.organisation_id == organisation_id, VolunteerProfile.network_wide))
    volunteers = session.scalars(query).all()
    completed = dict(session.execute(
        sa.select(Match.volunteer_id, sa.func.count()).where(Match.status == MatchStatus.ENDED)
        .group_by(Match.volunteer_id)).all())
    outcodes = {v.home_outcode for v in volunteers}
    area_codes = {}
    if outcodes:
        from peermatch.models import Area

        area_codes = dict(session.execute(
            sa.select(AreaOutcode.outcode, Area.code).join(Area, AreaOutcode.area_id == Area.id)
            .where(AreaOutcode.outcode.in_(outcodes))).all())
    return [_volunteer_profile(v, completed.get(v.id, 0), area_codes.get(v.home_outcode)) for v in volunteers]


def _volunteer_profile(v: VolunteerProfile, completed: int, area_code: str | None) -> matching.VolunteerProfile:
    vetting = v.vetting
    return matching.VolunteerProfile(
        id=str(v.id), organisation_id=str(v.organisation_id), display_name=v.user.display_name,
        network_wide=v.network_wide, approved=v.status == VolunteerStatus.APPROVED and v.user.active,
        dbs_expires_on=vetting.dbs_expires_on if vetting else None,
        training_completed=bool(vetting and vetting.training_completed_on),
        pauses=tuple((p.starts_on, p.ends_on) for p in v.pauses),
        capacity=v.capacity, active_matches=v.active_match_count, languages=frozenset(v.languages),
        gender=v.gender, support_modes=frozenset(v.support_modes), outcode=v.home_outcode,
        lat=v.latitude, lon=v.longitude, area_code=area_code, travel_km=v.travel_km,
        availability_mask=v.availability_mask,
        lived_experience=frozenset(t.code for t in v.lived_experience),
        opt_outs=frozenset(t.code for t in v.opt_outs), matches_completed=completed,
    )


# -- ranking ---------------------------------------------------------------------------------------------

def rank_request(session: Session, request: SupportRequest, today: date, k: int = 10,
                 explain_exclusions: bool = True) -> matching.RankingResult:
    """Ranked candidates for one request, with reasons, scored by the active model."""
    pool = matching.VolunteerPool(volunteer_profiles(session, request.organisation_id))
    return matching.rank(request_profile(session, request), pool, active_model(session), today, k,
                         explain_exclusions=explain_exclusions, labels=issue_labels(session))


class NotEligible(ValueError):
    """The advocate breaks a hard rule for this request; ``reasons`` say which, in plain words."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


def propose_scored_offer(session: Session, request: SupportRequest, volunteer: VolunteerProfile, by: User | None,
                         today: date, now: datetime | None = None) -> Offer:
    """Propose ``volunteer`` with the score, the explanation and the model version the organiser saw.

    Refuses (``NotEligible``) an advocate who breaks any hard rule: no proposal ever does.
    """
    from peermatch.services import offers

    model = active_model(session)
    req = request_profile(session, request)
    [profile] = [p for p in volunteer_profiles(session, approved_only=False) if p.id == str(volunteer.id)]
    failures = matching.check_rules(req, profile, today, labels=issue_labels(session))
    if failures:
        raise NotEligible([f.message for f in failures])
    [candidate] = matching.rank(req, matching.VolunteerPool([profile]), model, today, k=1).eligible
    explanation = [
        {"feature": c.feature, "label": c.label, "value": c.value, "weight": c.weight,
         "contribution": c.contribution, "bar": c.bar, "explanation": c.explanation}
        for c in candidate.contributions
    ]
    return offers.propose_offer(session, request, volunteer, by, now or now_utc(), score=candidate.score,
                                explanation=explanation, model_version=model.version)


def open_requests(session: Session, organisation_id: uuid.UUID | None) -> list[SupportRequest]:
    """Requests still looking for an advocate, of one organisation or of the whole network."""
    from peermatch.models import RequestStatus

    query = (sa.select(SupportRequest)
             .where(SupportRequest.status.in_([RequestStatus.SUBMITTED, RequestStatus.OPEN]))
             .options(selectinload(SupportRequest.issue_types), selectinload(SupportRequest.language_rows),
                      selectinload(SupportRequest.area))
             .order_by(SupportRequest.meeting_date.is_(None), SupportRequest.meeting_date, SupportRequest.id))
    if organisation_id is not None:
        query = query.where(SupportRequest.organisation_id == organisation_id)
    return list(session.scalars(query))


def propose_batch_for(session: Session, organisation_id: uuid.UUID | None, today: date, *,
                      maximise_matches: bool = False) -> matching.BatchResult:
    """Proposals for every open request at once, best total score within everyone's capacity.

    Nothing is saved: organisers review the proposals and approve them (alone or together).
    """
    requests = [request_profile(session, r) for r in open_requests(session, organisation_id)]
    pool = matching.VolunteerPool(volunteer_profiles(session, organisation_id))
    return matching.propose_batch(requests, pool, active_model(session), today, maximise_matches=maximise_matches)


# -- scoring models ---------------------------------------------------------------------------------------

def active_model(session: Session) -> matching.TrainedModel:
    """The model an admin activated; the hand-set default until one is."""
    row = session.scalar(sa.select(ScoringModelVersion).where(ScoringModelVersion.active))
    return matching.TrainedModel.from_dict(row.parameters) if row else matching.default_model()


def list_models(session: Session) -> list[ScoringModelVersion]:
    return list(session.scalars(sa.select(ScoringModelVersion).order_by(ScoringModelVersion.trained_dt.desc())))


def training_examples(session: Session, today: date) -> list[matching.TrainingExample]:
    """Organisers' and volunteers' decisions and outcomes, as labelled feature vectors.

    Each offer is learnt from with the feature values the organiser saw when it was proposed
    (kept in its explanation); offers made without one (imported or older history) have
    their features recomputed from today's profiles, so that history still counts.
    """
    offers = session.scalars(
        sa.select(Offer).where(Offer.status.in_([OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.LAPSED]))
        .options(selectinload(Offer.request).selectinload(SupportRequest.issue_types),
                 selectinload(Offer.request).selectinload(SupportRequest.language_rows),
                 selectinload(Offer.request).selectinload(SupportRequest.area),
                 selectinload(Offer.match))
    ).all()
    volunteers = {v.id: v for v in volunteer_profiles(session, approved_only=False)}
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
            volunteer = volunteers.get(str(offer.volunteer_id))
            if volunteer is None:
                continue
            if offer.request_id not in profiles:
                profiles[offer.request_id] = request_profile(session, offer.request)
            features = tuple(matching.feature_vector(profiles[offer.request_id], volunteer, today))
        at = offer.responded_dt or offer.offered_dt or offer.proposed_dt
        examples.append(matching.TrainingExample(str(offer.request_id), features, label, at))
    return examples


def _features_when_proposed(offer: Offer) -> tuple[float, ...] | None:
    values = {item.get("feature"): item.get("value") for item in offer.explanation or [] if isinstance(item, dict)}
    if any(not isinstance(values.get(name), (int, float)) for name in matching.FEATURE_NAMES):
        return None
    return tuple(float(values[name]) for name in matching.FEATURE_NAMES)


def train_model(session: Session, today: date, now: datetime | None = None,
                min_examples: int = matching.MIN_TRAINING_EXAMPLES) -> ScoringModelVersion:
    """Train on the history so far and store the result as a new, inactive version."""
    examples = training_examples(session, today)
    model = matching.train(examples, now=now or now_utc(), min_examples=min_examples)
    row = ScoringModelVersion(version=model.version, trained_dt=model.trained_at or now_utc(),
                              parameters=model.to_dict(), metrics=dict(model.metrics), active=False)
    session.add(row)
    session.flush()
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
        raise ModelError(f"There is no scoring model version {version!r}")
    return matching.TrainedModel.from_dict(row.parameters)


def activate_model(session: Session, version: str, by: User | None, now: datetime | None = None) -> None:
    """Make ``version`` the one that scores new offers (``default-1`` goes back to the defaults).

    Activating an older version is how a network rolls back.
    """
    target = None
    if version != matching.default_model().version:
        target = session.scalar(sa.select(ScoringModelVersion).where(ScoringModelVersion.version == version))
        if target is None:
            raise ModelError(f"There is no scoring model version {version!r}")
    session.execute(sa.update(ScoringModelVersion).values(active=False))
    if target is not None:
        target.active = True
        target.activated_dt = now or now_utc()
        target.activated_by_id = by.id if by else None
    audit.record(session, by, "scoring_model.activated", "scoring_model", version)
    session.flush()


def model_weights(row: ScoringModelVersion | None) -> list[tuple[str, float]]:
    """The weight of each feature, labelled for people."""
    model = matching.TrainedModel.from_dict(row.parameters) if row else matching.default_model()
    return [(matching.FEATURE_LABELS.get(name, name), weight)
            for name, weight in zip(model.feature_names, model.weights)]


