"""The service layer of matching: database rows in, the pure engine's plain data out.

``peermatch.matching`` knows nothing of the database; this module builds its
:class:`~peermatch.matching.RequestProfile` and :class:`~peermatch.matching.VolunteerProfile`
inputs with a fixed number of queries (never one per volunteer), keeps trained scoring
models as versioned rows, and decides which model scores offers: the one an admin
activated (``services.scoring_models``), or the hand-set default until someone does.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from peermatch import matching
from peermatch.errors import NotEligible
from peermatch.models import (
    OFFER_TURNED_DOWN,
    REQUEST_AWAITING_OFFER,
    Area,
    AreaOutcode,
    ConflictOfInterest,
    IssueType,
    Match,
    MatchStatus,
    Offer,
    SupportRequest,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.services.scoring_models import active_model


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
        Offer.request_id == request.id, Offer.status.in_(OFFER_TURNED_DOWN)))
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


def propose_scored_offer(session: Session, request: SupportRequest, volunteer: VolunteerProfile, by: User | None,
                         now: datetime) -> Offer:
    """Propose ``volunteer`` with the score, the explanation and the model version the organiser saw.

    Refuses (``NotEligible``) an advocate who breaks any hard rule: no proposal ever does.
    """
    from peermatch import clock
    from peermatch.services import offers

    today = clock.today(now)
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
    return offers.propose(session, request, volunteer, by, now, score=candidate.score,
                          explanation=explanation, model_version=model.version)


def open_requests(session: Session, organisation_id: uuid.UUID | None) -> list[SupportRequest]:
    """Requests still looking for an advocate, of one organisation or of the whole network."""
    query = (sa.select(SupportRequest)
             .where(SupportRequest.status.in_(REQUEST_AWAITING_OFFER))
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
