"""The matching engine fed from the database, with the advocates kept in memory.

``peermatch.matching`` knows nothing of the database. This module turns rows into its
:class:`~peermatch.matching.RequestProfile` and :class:`~peermatch.matching.VolunteerProfile`
inputs and hands back rankings and batches.

**The advocates are kept, not rebuilt.** Each process holds a snapshot of every approved
advocate's matching data (the engine's profiles, and per organisation the engine's column
arrays), built from a handful of plain-column queries. Before every ranking it reads one
number, the version of the matching data (``services.matching_data``); when another worker
has committed a change since, it reloads only the advocates stamped with a newer version and
rebuilds the arrays of the organisations they belong to. So a page ranks at close to the
engine's own speed, a change committed anywhere is seen by the next ranking everywhere, and
the number of statements per ranking or batch does not grow with the network.

Request-specific facts (conflicts of interest, previous declines, who supported the parent
before) are read per request. Nothing stale is ever offered: :func:`send_offer` checks the
advocate against the rules from fresh rows, under a lock, at the moment it is sent.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import clock, matching
from peermatch.errors import DomainError, NotEligible
from peermatch.models import (
    OFFER_OUTSTANDING,
    OFFER_TURNED_DOWN,
    REQUEST_AWAITING_OFFER,
    Area,
    AreaOutcode,
    ConflictOfInterest,
    IssueType,
    Match,
    MatchStatus,
    Offer,
    RequestLanguage,
    ScoringModelVersion,
    SupportRequest,
    User,
    Vetting,
    VolunteerLanguage,
    VolunteerPause,
    VolunteerProfile,
    VolunteerStatus,
    request_issue_types,
    volunteer_lived_experience,
    volunteer_opt_outs,
)
from peermatch.reference import LANGUAGES
from peermatch.services import matching_data

NETWORK = "network"  # the pool key of a whole-network batch


# -- advocates' profiles, from plain columns ------------------------------------------------------------

def _profiles(session: Session, where: Any) -> dict[str, matching.VolunteerProfile]:
    """Engine profiles of the advocates ``where`` selects, in seven queries whatever their number."""
    vp = VolunteerProfile
    rows = session.execute(
        sa.select(vp.id, vp.organisation_id, User.display_name, vp.network_wide, vp.status, User.active,
                  vp.capacity, vp.active_match_count, vp.gender, vp.offers_in_person, vp.offers_phone,
                  vp.offers_video, vp.home_outcode, vp.latitude, vp.longitude, vp.travel_km, vp.availability_mask,
                  Vetting.dbs_expires_on, Vetting.training_completed_on, Area.code)
        .join(User, vp.user_id == User.id)
        .outerjoin(Vetting, Vetting.volunteer_id == vp.id)
        .outerjoin(AreaOutcode, AreaOutcode.outcode == vp.home_outcode)
        .outerjoin(Area, Area.id == AreaOutcode.area_id)
        .where(where)
    ).all()
    if not rows:
        return {}
    chosen = sa.select(vp.id).where(where).scalar_subquery()

    def grouped(query: sa.Select[Any]) -> dict[uuid.UUID, list[Any]]:
        found: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for owner, *values in session.execute(query):
            found[owner].append(values[0] if len(values) == 1 else tuple(values))
        return found

    languages = grouped(sa.select(VolunteerLanguage.volunteer_id, VolunteerLanguage.language)
                        .where(VolunteerLanguage.volunteer_id.in_(chosen)))
    lived = grouped(sa.select(volunteer_lived_experience.c.volunteer_id, IssueType.code)
                    .join(IssueType, IssueType.id == volunteer_lived_experience.c.issue_type_id)
                    .where(volunteer_lived_experience.c.volunteer_id.in_(chosen)))
    opt_outs = grouped(sa.select(volunteer_opt_outs.c.volunteer_id, IssueType.code)
                       .join(IssueType, IssueType.id == volunteer_opt_outs.c.issue_type_id)
                       .where(volunteer_opt_outs.c.volunteer_id.in_(chosen)))
    pauses = grouped(sa.select(VolunteerPause.volunteer_id, VolunteerPause.starts_on, VolunteerPause.ends_on)
                     .where(VolunteerPause.volunteer_id.in_(chosen)))
    waiting = dict(session.execute(
        sa.select(Offer.volunteer_id, sa.func.count()).where(Offer.volunteer_id.in_(chosen),
                                                              Offer.status.in_(OFFER_OUTSTANDING))
        .group_by(Offer.volunteer_id)).all())
    completed = dict(session.execute(
        sa.select(Match.volunteer_id, sa.func.count())
        .where(Match.volunteer_id.in_(chosen), Match.status == MatchStatus.ENDED, Match.introduced_dt.is_not(None))
        .group_by(Match.volunteer_id)).all())
    profiles = {}
    for (id_, org, name, network_wide, status, active, capacity, taken, gender, in_person, phone, video, outcode,
         lat, lon, travel, mask, dbs_expires, trained, area) in rows:
        modes = frozenset(m for m, ok in ((matching.IN_PERSON, in_person), (matching.PHONE, phone),
                                          (matching.VIDEO, video)) if ok)
        profiles[str(id_)] = matching.VolunteerProfile(
            id=str(id_), organisation_id=str(org), display_name=name, network_wide=network_wide,
            approved=status == VolunteerStatus.APPROVED and active, dbs_expires_on=dbs_expires,
            training_completed=trained is not None, pauses=tuple(sorted(pauses.get(id_, []))), capacity=capacity,
            active_matches=taken, offers_waiting=waiting.get(id_, 0), languages=frozenset(languages.get(id_, [])),
            gender=gender, support_modes=modes, outcode=outcode, lat=lat, lon=lon, area_code=area,
            travel_km=travel, availability_mask=mask, lived_experience=frozenset(lived.get(id_, [])),
            opt_outs=frozenset(opt_outs.get(id_, [])), matches_completed=completed.get(id_, 0),
        )
    return profiles


def _ready(where: Any) -> Any:
    """Approved advocates with an open account: the only ones ranking ever offers a parent."""
    return sa.and_(where, VolunteerProfile.status == VolunteerStatus.APPROVED,
                   VolunteerProfile.user_id.in_(sa.select(User.id).where(User.active)))


def volunteer_profiles(session: Session, organisation_id: uuid.UUID | None = None, *,
                       approved_only: bool = True) -> list[matching.VolunteerProfile]:
    """Advocates' profiles read afresh: approved ones (of one organisation and everyone network-wide), or all.

    Rankings use the kept snapshot instead; this is for training, the demo and checks.
    """
    where: Any = sa.true()
    if organisation_id is not None:
        where = sa.or_(VolunteerProfile.organisation_id == organisation_id, VolunteerProfile.network_wide)
    profiles = _profiles(session, _ready(where) if approved_only else where)
    return [profiles[key] for key in sorted(profiles)]


def volunteer_profile(session: Session, volunteer_id: uuid.UUID) -> matching.VolunteerProfile | None:
    """One advocate's profile read afresh (whatever their standing), e.g. to re-check them at sending."""
    return _profiles(session, VolunteerProfile.id == volunteer_id).get(str(volunteer_id))


# -- the kept snapshot -------------------------------------------------------------------------------------

@dataclass
class _Snapshot:
    """One process's copy of the matching data, as of ``version``."""

    version: int = -1
    generation: str = ""
    profiles: dict[str, matching.VolunteerProfile] = field(default_factory=dict)
    pools: dict[str, matching.VolunteerPool] = field(default_factory=dict)
    model: matching.TrainedModel = field(default_factory=matching.default_model)
    labels: dict[str, str] = field(default_factory=dict)
    issue_codes: dict[uuid.UUID, str] = field(default_factory=dict)
    # Threads of one worker share the snapshot: catching up and building a pool take this lock, so a
    # pool is never built from profiles half caught up, nor kept after the catch-up that outdated it.
    lock: threading.RLock = field(default_factory=threading.RLock)

    def pool(self, key: str) -> matching.VolunteerPool:
        """The engine's arrays for one organisation (its own advocates and everyone network-wide), or NETWORK."""
        found = self.pools.get(key)
        if found is None:
            with self.lock:
                found = self.pools.get(key)
                if found is None:
                    people = (p for p in self.profiles.values()
                              if key == NETWORK or p.organisation_id == key or p.network_wide)
                    found = self.pools[key] = matching.VolunteerPool(people)
        return found


_SNAPSHOTS: dict[str, _Snapshot] = {}
_SNAPSHOTS_LOCK = threading.Lock()
_EXTENSION = "peermatch.matching_snapshots"


def _kept_snapshots() -> dict[str, _Snapshot]:
    """Snapshots belong to the app (each gunicorn worker has its own); outside an app, to the process."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.extensions.setdefault(_EXTENSION, {})  # type: ignore[no-any-return]
    return _SNAPSHOTS


def snapshot(session: Session) -> _Snapshot:
    """This process's matching data, brought up to the newest committed version (one statement when current)."""
    generation, version = matching_data.current_version(session)
    if matching_data.has_uncommitted_changes(session):
        # Ranking inside the transaction that changed something: only this session sees those rows,
        # so it reads everything afresh rather than trust (or spoil) the copy other requests share.
        own = _Snapshot(generation=generation)
        _catch_up(session, own, version)
        return own
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _SNAPSHOTS_LOCK:
        kept = _kept_snapshots().setdefault(key, _Snapshot())
    if (generation, version) == (kept.generation, kept.version):
        return kept
    with kept.lock:
        if generation != kept.generation or version < kept.version:  # another database, or rebuilt: start again
            kept.version, kept.generation, kept.profiles, kept.pools = -1, generation, {}, {}
        if version != kept.version:
            _catch_up(session, kept, version)
    return kept


def _catch_up(session: Session, kept: _Snapshot, version: int) -> None:
    """Reload the advocates changed since ``kept.version``, and everything that hangs on the version."""
    since = kept.version
    fresh = since < 0
    changed = _profiles(session, VolunteerProfile.matching_version > since) if not fresh else _profiles(
        session, _ready(sa.true()))
    touched: set[str] = set()
    for volunteer_id, profile in changed.items():
        before = kept.profiles.pop(volunteer_id, None)
        for old in (before, profile):
            if old is not None:
                touched.add(NETWORK if old.network_wide else old.organisation_id)
        if profile.approved:
            kept.profiles[volunteer_id] = profile
    if not fresh:
        # Advocates who left (erased) are not among the changed rows: keep only ids that still exist.
        ready = {str(i) for i in session.scalars(sa.select(VolunteerProfile.id).where(_ready(sa.true())))}
        for gone in set(kept.profiles) - ready:
            old = kept.profiles.pop(gone)
            touched.add(NETWORK if old.network_wide else old.organisation_id)
    if fresh or NETWORK in touched:
        kept.pools.clear()
    else:
        for key in touched | {NETWORK}:
            kept.pools.pop(key, None)
    row = session.scalar(sa.select(ScoringModelVersion).where(ScoringModelVersion.active))
    kept.model = matching.TrainedModel.from_dict(row.parameters) if row else matching.default_model()
    names = session.execute(sa.select(IssueType.id, IssueType.code, IssueType.name)).all()
    kept.issue_codes = {id_: code for id_, code, _ in names}
    kept.labels = {**LANGUAGES, **{code: name for _, code, name in names}}
    kept.version = version


def prepare(session: Session) -> int:
    """Load the snapshot and every organisation's pool now (a worker starting), not in someone's first page.

    Returns how many advocates it holds.
    """
    kept = snapshot(session)
    for organisation_id in sorted({p.organisation_id for p in kept.profiles.values()}):
        kept.pool(organisation_id)
    return len(kept.profiles)


def forget_snapshots(app: Any = None) -> None:
    """Drop the kept snapshots of ``app`` (or the current app) and of the process (tests use this)."""
    from flask import current_app, has_app_context

    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS.clear()
        target = app if app is not None else (current_app._get_current_object() if has_app_context() else None)
        if target is not None:
            target.extensions.pop(_EXTENSION, None)


def issue_labels(session: Session) -> dict[str, str]:
    """Issue-type and language names for the engine's plain-words reasons."""
    return snapshot(session).labels


# -- requests' profiles ----------------------------------------------------------------------------------

def request_profiles(session: Session, requests: Sequence[SupportRequest],
                     issue_codes: dict[uuid.UUID, str] | None = None) -> list[matching.RequestProfile]:
    """Everything matching needs to know about these requests, and nothing about the parents, in one query.

    The request-specific facts (issue types, languages, conflicts of interest, offers turned
    down, advocates who supported the parent before, the council area) come back as tagged
    rows of one ``UNION ALL``: a page that ranks one request waits for one round trip, not six.
    """
    if not requests:
        return []
    codes = issue_codes if issue_codes is not None else snapshot(session).issue_codes
    ids = [r.id for r in requests]
    parents = {r.parent_id for r in requests if r.parent_id is not None}
    area_ids = {r.area_id for r in requests if r.area_id is not None}
    no_id = sa.cast(sa.null(), sa.Uuid)
    no_text = sa.cast(sa.null(), sa.String)
    facts = [
        sa.select(sa.literal("issue").label("kind"), request_issue_types.c.request_id.label("owner"),
                  request_issue_types.c.issue_type_id.label("other"), no_id.label("extra"), no_text.label("value"))
        .where(request_issue_types.c.request_id.in_(ids)),
        sa.select(sa.literal("language"), RequestLanguage.request_id, no_id, no_id, RequestLanguage.language)
        .where(RequestLanguage.request_id.in_(ids)),
        sa.select(sa.literal("conflict"), ConflictOfInterest.request_id, ConflictOfInterest.volunteer_id, no_id,
                  no_text).where(ConflictOfInterest.request_id.in_(ids)),
        sa.select(sa.literal("declined"), Offer.request_id, Offer.volunteer_id, no_id, no_text)
        .where(Offer.request_id.in_(ids), Offer.status.in_(OFFER_TURNED_DOWN)),
    ]
    if parents:
        facts.append(sa.select(sa.literal("before"), SupportRequest.parent_id, Match.volunteer_id, SupportRequest.id,
                               no_text)
                     .join(Match, Match.request_id == SupportRequest.id)
                     .where(SupportRequest.parent_id.in_(parents), Match.introduced_dt.is_not(None)))
    if area_ids:
        facts.append(sa.select(sa.literal("area"), Area.id, no_id, no_id, Area.code).where(Area.id.in_(area_ids)))
    issues: dict[uuid.UUID, set[str]] = defaultdict(set)
    languages: dict[uuid.UUID, set[str]] = defaultdict(set)
    excluded: dict[uuid.UUID, set[str]] = defaultdict(set)
    declined: dict[uuid.UUID, set[str]] = defaultdict(set)
    before: dict[uuid.UUID, set[tuple[uuid.UUID, str]]] = defaultdict(set)  # parent -> (request, advocate)
    areas: dict[uuid.UUID, str] = {}
    for kind, owner, other, extra, value in session.execute(sa.union_all(*facts)):
        if kind == "issue":
            issues[owner].add(codes[other])
        elif kind == "language":
            languages[owner].add(value)
        elif kind == "conflict":
            excluded[owner].add(str(other))
        elif kind == "declined":
            declined[owner].add(str(other))
        elif kind == "before":
            before[owner].add((extra, str(other)))
        else:
            areas[owner] = value
    profiles = []
    for request in requests:
        modes = frozenset(m for m, ok in ((matching.IN_PERSON, request.accepts_in_person),
                                          (matching.PHONE, request.accepts_phone),
                                          (matching.VIDEO, request.accepts_video)) if ok)
        previous = frozenset(advocate for earlier, advocate in before.get(request.parent_id, ())  # type: ignore[arg-type]
                             if earlier != request.id)
        profiles.append(matching.RequestProfile(
            id=str(request.id),
            organisation_id=str(request.organisation_id) if request.organisation_id else "",
            issue_types=frozenset(issues.get(request.id, ())),
            main_issue=codes.get(request.main_issue_id) if request.main_issue_id else None,
            outcode=request.outcode, lat=request.latitude, lon=request.longitude,
            area_code=areas.get(request.area_id), availability_mask=request.availability_mask,
            meeting_date=request.meeting_date, meeting_part=request.meeting_part, support_modes=modes,
            languages=frozenset(languages.get(request.id, ())), interpreter_ok=request.interpreter_ok,
            advocate_gender=request.advocate_gender, excluded_volunteer_ids=frozenset(excluded.get(request.id, ())),
            declined_volunteer_ids=frozenset(declined.get(request.id, ())), previous_volunteer_ids=previous,
            submitted_at=request.submitted_dt,
        ))
    return profiles


def request_profile(session: Session, request: SupportRequest) -> matching.RequestProfile:
    """Everything matching needs to know about one request."""
    return request_profiles(session, [request])[0]


# -- ranking ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ranking:
    """A ranking and what pages need to show it: the pool it came from, the labels, the request's profile."""

    result: matching.RankingResult
    pool: matching.VolunteerPool
    request: matching.RequestProfile
    labels: dict[str, str]
    today: date

    def explain(self, volunteer_ids: Iterable[str]) -> tuple[matching.Exclusion, ...]:
        """Every rule these excluded advocates fail, in words (for the page of them shown)."""
        return matching.explain_exclusions_for(self.request, self.pool, self.today, volunteer_ids,
                                               labels=self.labels)

    @cached_property
    def excluded_in_name_order(self) -> list[str]:
        """Every excluded advocate's id, in the order pages list them (by name)."""
        return self.pool.in_name_order(self.result.excluded_ids)

    def excluded_page(self, offset: int, limit: int) -> tuple[matching.Exclusion, ...]:
        """The excluded advocates from ``offset`` (by name), at most ``limit``, with every rule each fails.

        Only the advocates a page shows are put into words: at 10,000 advocates a request
        excludes about 1,500, and writing all their reasons took four times as long as the
        ranking itself. The counts per rule (``result.failure_counts``) cover all of them.
        """
        return self.explain(self.excluded_in_name_order[offset:offset + limit])

    def profile(self, volunteer_id: str) -> matching.VolunteerProfile | None:
        position = self.pool.position_of(volunteer_id)
        return None if position is None else self.pool.volunteers[position]


def rank_request(session: Session, request: SupportRequest, today: date, k: int | None = 10,
                 explain_exclusions: bool = False) -> Ranking:
    """Ranked candidates for one request with reasons, everyone else counted by the rules they fail."""
    kept = snapshot(session)
    profile = request_profiles(session, [request], kept.issue_codes)[0]
    pool = kept.pool(profile.organisation_id)
    result = matching.rank(profile, pool, kept.model, today, k, explain_exclusions=explain_exclusions,
                           labels=kept.labels)
    return Ranking(result, pool, profile, kept.labels, today)


def why_not(session: Session, request: SupportRequest, volunteer_id: uuid.UUID,
            today: date) -> tuple[matching.RuleFailure, ...]:
    """Every rule one advocate fails for this request, from their rows as they are now (empty: eligible)."""
    profile = volunteer_profile(session, volunteer_id)
    if profile is None:
        return ()
    return matching.check_rules(request_profile(session, request), profile, today, labels=issue_labels(session))


# The rules a parent's own answers decide (support modes, free times, the meeting's day and part of day, an
# advocate away on it). Capacity is not among them: an offer out already holds one of the advocate's places.
PARENT_DECIDED_RULES = frozenset({matching.rules.SUPPORT_MODE, matching.rules.WEEKLY_SLOT,
                                  matching.rules.MEETING_TIME, matching.rules.PAUSED})


def no_longer_fits(session: Session, request: SupportRequest, volunteer_id: uuid.UUID, today: date) -> list[str]:
    """Why an advocate with an offer out no longer fits the request as the parent changed it (empty: still fits),
    in the organiser's words. Read from the rows as they are now, like :func:`why_not`."""
    return [failure.message for failure in why_not(session, request, volunteer_id, today)
            if failure.rule in PARENT_DECIDED_RULES]


# -- sending offers ------------------------------------------------------------------------------------------

def _explanation(candidate: matching.RankedCandidate) -> list[dict[str, Any]]:
    return [{"feature": c.feature, "label": c.label, "value": c.value, "weight": c.weight,
             "contribution": c.contribution, "bar": c.bar, "explanation": c.explanation}
            for c in candidate.contributions]


def propose_scored_offer(session: Session, request: SupportRequest, volunteer: VolunteerProfile, by: User | None,
                         now: datetime) -> Offer:
    """Propose ``volunteer`` with the score, the explanation and the model version the organiser saw.

    Checked against every hard rule from the advocate's rows as they are now, with their row
    locked: an advocate who became ineligible since the page was drawn is refused with the
    reasons (``NotEligible``), never offered.
    """
    from peermatch.services import offers, requests

    request = requests.lock(session, request)
    session.execute(sa.select(VolunteerProfile.id).where(VolunteerProfile.id == volunteer.id)
                    .with_for_update(key_share=True))
    today = clock.today(now)
    kept = snapshot(session)
    req = request_profiles(session, [request], kept.issue_codes)[0]
    profile = volunteer_profile(session, volunteer.id)
    if profile is None:
        raise DomainError("This advocate is no longer with the network")
    failures = matching.check_rules(req, profile, today, labels=kept.labels)
    if failures:
        raise NotEligible([f.message for f in failures])
    [candidate] = matching.rank(req, matching.VolunteerPool([profile]), kept.model, today, k=1).eligible
    return offers.propose(session, request, volunteer, by, now, score=candidate.score,
                          explanation=_explanation(candidate), model_version=kept.model.version)


def send_offer(session: Session, request: SupportRequest, volunteer: VolunteerProfile, organiser: User,
               now: datetime) -> Offer:
    """An organiser offers ``volunteer`` the request: proposed, approved by them and sent, in one step."""
    from peermatch.services import offers

    offer = propose_scored_offer(session, request, volunteer, organiser, now)
    offers.approve(session, offer, organiser, now)
    return offers.send(session, offer, organiser, now)


@dataclass(frozen=True)
class BatchSent:
    """What sending a batch did: the offers sent, and the pairs refused with why."""

    sent: list[Offer]
    refused: list[tuple[uuid.UUID, uuid.UUID, list[str]]]


def send_batch(session: Session, pairs: Sequence[tuple[uuid.UUID, uuid.UUID]], organiser: User,
               now: datetime, organisation_id: uuid.UUID | None) -> BatchSent:
    """Send the chosen (request, advocate) pairs of a batch in one transaction.

    Pairs go in request order (the order every change that locks several requests uses).
    Each is checked afresh; one that became ineligible, or a request that no longer needs an
    advocate, is reported with the reasons and not sent, and the rest still go.
    """
    sent, refused = [], []
    for request_id, volunteer_id in sorted(pairs):
        request = session.get(SupportRequest, request_id)
        volunteer = session.get(VolunteerProfile, volunteer_id)
        if request is None or volunteer is None or (
                organisation_id is not None and request.organisation_id != organisation_id):
            refused.append((request_id, volunteer_id, ["This request or advocate is not one you can offer"]))
            continue
        try:
            with session.begin_nested():
                sent.append(send_offer(session, request, volunteer, organiser, now))
        except NotEligible as error:
            refused.append((request_id, volunteer_id, error.reasons))
        except DomainError as error:
            refused.append((request_id, volunteer_id, [str(error)]))
    return BatchSent(sent, refused)


# -- batches ---------------------------------------------------------------------------------------------------

def open_requests(session: Session, organisation_id: uuid.UUID | None) -> list[SupportRequest]:
    """Requests waiting for an offer, of one organisation or of the whole network, most urgent first."""
    query = (sa.select(SupportRequest)
             .where(SupportRequest.status.in_(REQUEST_AWAITING_OFFER))
             .order_by(SupportRequest.meeting_date.is_(None), SupportRequest.meeting_date, SupportRequest.id))
    if organisation_id is not None:
        query = query.where(SupportRequest.organisation_id == organisation_id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Batch:
    """Proposals for many requests at once, and what pages need to show them."""

    result: matching.BatchResult
    requests: list[SupportRequest]
    profiles: list[matching.RequestProfile]
    pool: matching.VolunteerPool
    labels: dict[str, str]
    model: matching.TrainedModel
    today: date

    def blocking(self, request_ids: Iterable[str], most: int = 3) -> dict[str, list[tuple[str, int]]]:
        """For requests left unmatched, the rules that excluded the most advocates (worked out only for those shown)."""
        wanted = set(request_ids)
        return {profile.id: sorted(matching.rank(profile, self.pool, self.model, self.today, k=0).failure_counts,
                                   key=lambda item: -item[1])[:most]
                for profile in self.profiles if profile.id in wanted}


def propose_batch_for(session: Session, organisation_id: uuid.UUID | None, today: date, *,
                      maximise_matches: bool = False, progress: Any = None) -> Batch:
    """Proposals for every open request at once, best total score within everyone's capacity.

    Nothing is saved: organisers review the proposals and send those they choose (:func:`send_batch`).
    """
    kept = snapshot(session)
    requests = open_requests(session, organisation_id)
    profiles = request_profiles(session, requests, kept.issue_codes)
    pool = kept.pool(NETWORK if organisation_id is None else str(organisation_id))
    if progress is not None:
        progress(len(profiles), None)
    result = matching.propose_batch(profiles, pool, kept.model, today, maximise_matches=maximise_matches,
                                    progress=(lambda n: progress(None, n)) if progress is not None else None)
    return Batch(result, requests, profiles, pool, kept.labels, kept.model, today)

