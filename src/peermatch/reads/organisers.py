"""What an organiser's pages show. Everything is scoped to the organiser's own organisation.

Organisers are staff of one member organisation: they see its parents' requests, its
volunteers and the matches between them, and, as candidates only, other organisations'
advocates who opted in to support parents anywhere (with only what matching needs). Any id
of another organisation is :class:`NotFound` (the views answer 404). Every page that shows
a parent's or a volunteer's record writes an audit event: who, what and when, never the
values shown.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, selectinload

from peermatch import clock
from peermatch.errors import NotFound
from peermatch.models import (
    MATCH_INTRODUCED,
    MATCH_OPEN,
    OFFER_OUTSTANDING,
    OFFER_TURNED_DOWN,
    REQUEST_AWAITING_OFFER,
    REQUEST_LOOKING,
    Area,
    AuditAction,
    ConflictOfInterest,
    ContactLogEntry,
    IssueType,
    Match,
    MatchStatus,
    Message,
    Offer,
    OfferStatus,
    Organisation,
    RequestLanguage,
    RequestStatus,
    SupportRequest,
    User,
    Vetting,
    VettingStatus,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerStatus,
    VolunteerStatusChange,
    request_issue_types,
)
from peermatch.reference import LANGUAGES
from peermatch.services import audit
from peermatch.services import matching as matching_service
from peermatch.services import messages as messages_service
from peermatch.services.notifications import SentRow, sent_about
from peermatch.services.advocates import vetting_state, what_vetting_lacks

PAGE_SIZE = 25
URGENT_DAYS = 7
MEETING_SOON = timedelta(hours=72)
STALLED = timedelta(days=14)
EXPIRY_WARNING = timedelta(days=30)


@dataclass(frozen=True)
class Pages:
    """Where a list is: the page shown, how many pages, how many rows in all."""

    number: int
    count: int
    total: int

    @classmethod
    def of(cls, total: int, number: int, size: int = PAGE_SIZE) -> Pages:
        count = max(1, math.ceil(total / size))
        return cls(min(max(number, 1), count), count, total)

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE


def _org(organiser: User) -> uuid.UUID:
    assert organiser.organisation_id is not None  # a CHECK constraint makes every organiser belong to one
    return organiser.organisation_id


def _uuid(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(value) from None


def _audit_list(session: Session, organiser: User, page: str, now: datetime, shown: int) -> None:
    audit.record(session, organiser, AuditAction.LIST_VIEWED, "organisation", _org(organiser),
                 organisation_id=_org(organiser), at=now, page=page, rows=shown)


# -- looking things up, only ever within the organisation --------------------------------------------

def own_request(session: Session, organiser: User, request_id: object) -> SupportRequest:
    """One of the organisation's sent requests, or :class:`NotFound`."""
    request = session.scalar(sa.select(SupportRequest).where(
        SupportRequest.id == _uuid(request_id), SupportRequest.organisation_id == _org(organiser),
        SupportRequest.status != RequestStatus.DRAFT))
    if request is None:
        raise NotFound(request_id)
    return request


def own_advocate(session: Session, organiser: User, volunteer_id: object) -> VolunteerProfile:
    """One of the organisation's volunteers (any standing), or :class:`NotFound`."""
    profile = session.scalar(sa.select(VolunteerProfile).where(
        VolunteerProfile.id == _uuid(volunteer_id), VolunteerProfile.organisation_id == _org(organiser))
        .options(selectinload(VolunteerProfile.user), selectinload(VolunteerProfile.vetting),
                 selectinload(VolunteerProfile.pauses)))
    if profile is None:
        raise NotFound(volunteer_id)
    return profile


def candidate_advocate(session: Session, organiser: User, volunteer_id: object) -> VolunteerProfile:
    """An advocate this organisation may offer a request to: its own, or another's who opted in network-wide."""
    profile = session.scalar(sa.select(VolunteerProfile).where(
        VolunteerProfile.id == _uuid(volunteer_id),
        sa.or_(VolunteerProfile.organisation_id == _org(organiser), VolunteerProfile.network_wide)))
    if profile is None:
        raise NotFound(volunteer_id)
    return profile


def own_match(session: Session, organiser: User, match_id: object) -> Match:
    """A match on one of the organisation's requests, or :class:`NotFound`."""
    match = session.scalar(sa.select(Match).join(SupportRequest, Match.request_id == SupportRequest.id).where(
        Match.id == _uuid(match_id), SupportRequest.organisation_id == _org(organiser)))
    if match is None:
        raise NotFound(match_id)
    return match


def own_offer(session: Session, organiser: User, offer_id: object) -> Offer:
    """An offer on one of the organisation's requests, or :class:`NotFound`."""
    offer = session.scalar(sa.select(Offer).join(SupportRequest, Offer.request_id == SupportRequest.id).where(
        Offer.id == _uuid(offer_id), SupportRequest.organisation_id == _org(organiser)))
    if offer is None:
        raise NotFound(offer_id)
    return offer


# -- today's work ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TodaysWork:
    """Each count on the organiser's home page; each links to the list it counts."""

    organisation: Organisation
    needing_an_advocate: int
    urgent: int
    came_back: int
    waiting_for_introduction: int
    applications: int
    checks_expiring: int
    stalled_matches: int
    meetings_soon_nobody_accepted: int


def _came_back(org: uuid.UUID) -> Any:
    """Requests open again after an offer was declined or lapsed, and not offered to anyone since."""
    last = aliased(Offer)
    latest = (sa.select(last.status).where(last.request_id == SupportRequest.id)
              .order_by(last.proposed_dt.desc(), last.id.desc()).limit(1).correlate(SupportRequest).scalar_subquery())
    return sa.and_(SupportRequest.organisation_id == org, SupportRequest.status.in_(REQUEST_AWAITING_OFFER),
                   latest.in_(OFFER_TURNED_DOWN))


def _last_contact() -> Any:
    return (sa.select(sa.func.max(ContactLogEntry.occurred_on)).where(ContactLogEntry.match_id == Match.id)
            .scalar_subquery())


def _stalled(org: uuid.UUID, today: date) -> Any:
    """Matches introduced, with no contact logged for two weeks (or none at all two weeks after the introduction)."""
    since = today - STALLED
    last = _last_contact()
    return sa.and_(
        SupportRequest.organisation_id == org, Match.status.in_(MATCH_INTRODUCED),
        Match.introduced_dt <= clock.local_time(since, datetime.min.time()),
        sa.or_(last.is_(None), last <= since),
    )


def _meetings_soon(org: uuid.UUID, now: datetime) -> Any:
    """Requests whose meeting is within 72 hours and nobody has accepted."""
    today = clock.today(now)
    last_day = clock.today(now + MEETING_SOON)
    accepted = sa.exists().where(Match.request_id == SupportRequest.id, Match.status.in_(MATCH_OPEN))
    return sa.and_(SupportRequest.organisation_id == org, SupportRequest.status.in_(REQUEST_LOOKING),
                   SupportRequest.meeting_date >= today, SupportRequest.meeting_date <= last_day, ~accepted)


def _expiring(org: uuid.UUID, today: date) -> Any:
    return sa.and_(VolunteerProfile.organisation_id == org, VolunteerProfile.status == VolunteerStatus.APPROVED,
                   Vetting.dbs_expires_on >= today, Vetting.dbs_expires_on <= today + EXPIRY_WARNING)


def todays_work(session: Session, organiser: User, now: datetime) -> TodaysWork:
    """The counts of everything waiting for the organisation, each a link to its list."""
    org, today = _org(organiser), clock.today(now)

    def count(query: sa.Select[Any]) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0

    looking = sa.select(SupportRequest.id).where(SupportRequest.organisation_id == org,
                                                 SupportRequest.status.in_(REQUEST_AWAITING_OFFER))
    return TodaysWork(
        organisation=session.get(Organisation, org),  # type: ignore[arg-type]
        needing_an_advocate=count(looking),
        urgent=count(looking.where(SupportRequest.meeting_date >= today,
                                   SupportRequest.meeting_date <= today + timedelta(days=URGENT_DAYS))),
        came_back=count(sa.select(SupportRequest.id).where(_came_back(org))),
        waiting_for_introduction=count(sa.select(Match.id).join(SupportRequest, Match.request_id == SupportRequest.id)
                                       .where(SupportRequest.organisation_id == org,
                                              Match.status == MatchStatus.AWAITING_INTRODUCTION)),
        applications=count(sa.select(VolunteerProfile.id).where(
            VolunteerProfile.organisation_id == org, VolunteerProfile.status == VolunteerStatus.APPLICATION_RECEIVED)),
        checks_expiring=count(sa.select(VolunteerProfile.id).join(Vetting, Vetting.volunteer_id == VolunteerProfile.id)
                              .where(_expiring(org, today))),
        stalled_matches=count(sa.select(Match.id).join(SupportRequest, Match.request_id == SupportRequest.id)
                              .where(_stalled(org, today))),
        meetings_soon_nobody_accepted=count(sa.select(SupportRequest.id).where(_meetings_soon(org, now))),
    )


# -- the triage list ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TriageFilters:
    status: str = ""
    issue: str = ""
    area: str = ""
    language: str = ""
    soon: bool = False
    meeting_72h: bool = False
    came_back: bool = False
    page: int = 1


@dataclass(frozen=True)
class TriageRequest:
    """What a triage card shows of a request: plain columns, not the whole record (a page of 25 loaded
    as ORM objects, with their issue, area and languages, cost more than the rest of the page)."""

    id: uuid.UUID
    reference: str
    status: RequestStatus
    meeting_date: date | None
    meeting_type: str | None
    meeting_part: int | None
    interpreter_ok: bool


@dataclass(frozen=True)
class RequestRow:
    request: TriageRequest
    main_issue: str
    area: str
    languages: list[str]
    days_waiting: int
    offer: LatestOffer | None
    offered_to: str
    accepted: bool


@dataclass(frozen=True)
class Triage:
    rows: list[RequestRow]
    pages: Pages
    filters: TriageFilters
    issue_choices: list[tuple[str, str]]
    area_choices: list[tuple[str, str]]
    language_choices: list[str]


def triage(session: Session, organiser: User, filters: TriageFilters, now: datetime) -> Triage:
    """Requests still looking for an advocate: soonest meeting first, then longest waiting."""
    org, today = _org(organiser), clock.today(now)
    where = [SupportRequest.organisation_id == org, SupportRequest.status.in_(REQUEST_LOOKING)]
    if filters.status in {s.value for s in REQUEST_LOOKING}:
        where.append(SupportRequest.status == filters.status)
    elif filters.status == "waiting":  # nobody offered it yet: what "needs an advocate" on the home page counts
        where.append(SupportRequest.status.in_(REQUEST_AWAITING_OFFER))
    if filters.issue:
        where.append(SupportRequest.id.in_(
            sa.select(request_issue_types.c.request_id).join(IssueType, IssueType.id == request_issue_types.c.issue_type_id)
            .where(IssueType.code == filters.issue)))
    if filters.area:
        where.append(SupportRequest.area_id == _uuid_or_none(filters.area))
    if filters.language:
        where.append(SupportRequest.id.in_(sa.select(RequestLanguage.request_id)
                                           .where(RequestLanguage.language == filters.language)))
    if filters.soon:
        where += [SupportRequest.meeting_date >= today, SupportRequest.meeting_date <= today + timedelta(days=URGENT_DAYS)]
    if filters.meeting_72h:
        where.append(_meetings_soon(org, now))
    if filters.came_back:
        where.append(_came_back(org))
    r = SupportRequest
    spoken = (sa.select(sa.func.aggregate_strings(RequestLanguage.language, ","))
              .where(RequestLanguage.request_id == r.id).scalar_subquery())
    page_of = (sa.select(r.id, r.reference, r.status, r.meeting_date, r.meeting_type, r.meeting_part,
                         r.interpreter_ok, r.submitted_dt, r.outcode, IssueType.name, Area.name, spoken,
                         sa.func.count().over())  # how many in all, in the same statement
               .outerjoin(IssueType, IssueType.id == r.main_issue_id).outerjoin(Area, Area.id == r.area_id)
               .where(*where).order_by(r.meeting_date.is_(None), r.meeting_date, r.submitted_dt, r.id)
               .limit(PAGE_SIZE))
    pages = Pages.of(0, filters.page)
    found = session.execute(page_of.offset((max(filters.page, 1) - 1) * PAGE_SIZE)).all()
    if found:
        pages = Pages.of(found[0][-1], filters.page)
    elif filters.page > 1:  # past the last page: show the last one
        total = session.scalar(sa.select(sa.func.count()).select_from(SupportRequest).where(*where)) or 0
        pages = Pages.of(total, filters.page)
        found = session.execute(page_of.offset(pages.offset)).all() if total else []
    latest = _latest_offers(session, [row[0] for row in found])
    rows = []
    for id_, reference, status, meeting_date, meeting_type, meeting_part, interpreter_ok, submitted, outcode, \
            issue, area, languages, _ in found:
        offer = latest.get(id_)
        waiting = offer is not None and offer.status in OFFER_OUTSTANDING | {OfferStatus.ACCEPTED}
        rows.append(RequestRow(
            request=TriageRequest(id_, reference, status, meeting_date, meeting_type, meeting_part, interpreter_ok),
            main_issue=issue or "", area=area or outcode or "", languages=sorted(languages.split(",")) if languages else [],
            days_waiting=(today - clock.today(submitted)).days if submitted else 0,
            offer=offer if waiting else None,
            offered_to=offer.advocate if waiting and offer is not None else "",
            accepted=waiting and offer is not None and offer.status == OfferStatus.ACCEPTED,
        ))
    _audit_list(session, organiser, "requests", now, len(rows))
    choices = session.execute(sa.union_all(  # the filters' areas and issue types, in one round trip
        sa.select(sa.literal("area").label("kind"), sa.cast(Area.id, sa.String).label("key"), Area.name.label("name"),
                  sa.literal(0).label("position")).where(Area.organisation_id == org),
        sa.select(sa.literal("issue"), IssueType.code, IssueType.name, IssueType.position),
    ).subquery().select().order_by(sa.text("kind"), sa.text("position"), sa.text("name"))).all()
    areas = [(str(uuid.UUID(key)), name) for kind, key, name, _ in choices if kind == "area"]  # SQLite: 32 hex digits
    issues = [(key, name) for kind, key, name, _ in choices if kind == "issue"]
    # Every language the service knows (19), not only those of open requests: asking the database
    # which languages open requests use took longer than the rest of the page's queries together.
    languages = sorted(LANGUAGES, key=LANGUAGES.__getitem__)
    return Triage(rows, pages, filters, issues, areas, languages)


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class LatestOffer:
    """What the triage list says about a request's latest offer."""

    status: OfferStatus
    expires_dt: datetime | None
    advocate: str


def _latest_offers(session: Session, request_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, LatestOffer]:
    """The latest offer of each request with the advocate's name, in one query of plain columns."""
    if not request_ids:
        return {}
    rows = session.execute(
        sa.select(Offer.request_id, Offer.status, Offer.expires_dt, User.display_name)
        .join(VolunteerProfile, VolunteerProfile.id == Offer.volunteer_id).join(User, User.id == VolunteerProfile.user_id)
        .where(Offer.request_id.in_(request_ids)).order_by(Offer.proposed_dt, Offer.id)).all()
    return {request_id: LatestOffer(status, expires, name)  # the last one of each request wins
            for request_id, status, expires, name in rows}


# -- one request ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfferHistory:
    offer: Offer
    advocate: str
    organisation: str
    changes: list[tuple[str | None, str, datetime, str, str]]  # from, to, when, by whom, note


@dataclass(frozen=True)
class RequestRecord:
    request: SupportRequest
    issues: list[tuple[str, bool]]  # name, main
    languages: list[str]
    timeline: list[tuple[str, datetime, str]]  # status, when, by whom
    offers: list[OfferHistory]
    match: Match | None
    advocate_name: str
    conflicts: list[tuple[str, str, datetime]]  # advocate, reason, when
    conflict_choices: list[tuple[str, str]]
    waiting_offer: Offer | None
    sent: list[SentRow] = field(default_factory=list)  # notifications about it, never their words


def request_record(session: Session, organiser: User, request_id: object, now: datetime) -> RequestRecord:
    """The request in full: what the parent asked for, their safe-contact rules, its story and its offers."""
    request = own_request(session, organiser, request_id)
    request = session.scalars(sa.select(SupportRequest).where(SupportRequest.id == request.id).options(
        selectinload(SupportRequest.issue_types), selectinload(SupportRequest.safe_contact),
        selectinload(SupportRequest.area), selectinload(SupportRequest.language_rows),
        selectinload(SupportRequest.status_changes))).one()
    names = _user_names(session)
    issues = sorted(((t.name, t.id == request.main_issue_id) for t in request.issue_types), key=lambda i: not i[1])
    offers = session.scalars(sa.select(Offer).where(Offer.request_id == request.id)
                             .options(selectinload(Offer.status_changes),
                                      selectinload(Offer.volunteer).selectinload(VolunteerProfile.user),
                                      selectinload(Offer.volunteer).selectinload(VolunteerProfile.organisation))
                             .order_by(Offer.proposed_dt, Offer.id)).all()
    histories = [OfferHistory(
        offer, offer.volunteer.user.display_name,
        offer.volunteer.organisation.name if offer.volunteer.organisation_id != request.organisation_id else "",
        [(c.from_status, c.to_status, c.changed_dt, names.get(c.changed_by_id, "PeerMatch"), c.note)
         for c in offer.status_changes]) for offer in offers]
    match = session.scalar(sa.select(Match).where(Match.request_id == request.id)
                           .options(selectinload(Match.volunteer).selectinload(VolunteerProfile.user))
                           .order_by(Match.accepted_dt.desc()).limit(1))
    conflicts = session.execute(
        sa.select(User.display_name, ConflictOfInterest.reason, ConflictOfInterest.recorded_dt)
        .join(VolunteerProfile, VolunteerProfile.id == ConflictOfInterest.volunteer_id)
        .join(User, User.id == VolunteerProfile.user_id)
        .where(ConflictOfInterest.request_id == request.id).order_by(ConflictOfInterest.recorded_dt)).all()
    excluded = set(session.scalars(sa.select(ConflictOfInterest.volunteer_id)
                                   .where(ConflictOfInterest.request_id == request.id)))
    choices = [(str(i), name) for i, name in session.execute(
        sa.select(VolunteerProfile.id, User.display_name).join(User, User.id == VolunteerProfile.user_id)
        .where(VolunteerProfile.organisation_id == request.organisation_id,
               VolunteerProfile.status == VolunteerStatus.APPROVED)
        .order_by(User.display_name)) if i not in excluded]
    sent = sent_about(session, request_id=request.id)
    audit.record(session, organiser, AuditAction.REQUEST_VIEWED, "support_request", request.id,
                 organisation_id=request.organisation_id, at=now, notifications_shown=len(sent))
    waiting = next((h.offer for h in reversed(histories) if h.offer.status in OFFER_OUTSTANDING), None)
    return RequestRecord(
        request=request, issues=issues, languages=request.languages,
        timeline=[(c.to_status, c.changed_dt, names.get(c.changed_by_id, "PeerMatch")) for c in request.status_changes],
        offers=histories, match=match, advocate_name=match.volunteer.user.display_name if match else "",
        conflicts=[(n, r, d) for n, r, d in conflicts], conflict_choices=choices, waiting_offer=waiting, sent=sent,
    )


def _user_names(session: Session) -> dict[uuid.UUID | None, str]:
    """Display names of staff and volunteers, for "who did this" in histories."""
    return dict(session.execute(sa.select(User.id, User.display_name).where(User.role != "parent")).all())


# -- ranked advocates -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    volunteer_id: str
    name: str
    organisation: str
    score: float
    contributions: list[Any]
    distance_km: float | None
    load: str
    support_modes: list[str]
    readiness: str


@dataclass(frozen=True)
class Excluded:
    volunteer_id: str
    name: str
    organisation: str
    reasons: list[str]


@dataclass(frozen=True)
class Search:
    query: str
    found: list[tuple[str, str, str, list[str]]]  # id, name, organisation, reasons (empty: eligible)


@dataclass(frozen=True)
class CandidatesPage:
    request: SupportRequest
    candidates: list[Candidate]
    eligible_count: int
    considered_count: int
    failure_counts: list[tuple[str, str, int]]  # rule, title, how many
    excluded: list[Excluded]
    pages: Pages
    model_version: str
    search: Search | None
    waiting_offer: Offer | None
    accepted: bool
    today: date = field(default_factory=clock.today)


def _load(profile: Any) -> str:
    waiting = f", {profile.offers_waiting} offer{'s' if profile.offers_waiting != 1 else ''} waiting" \
        if profile.offers_waiting else ""
    return f"{profile.active_matches} of {profile.capacity}{waiting}"


def candidates(session: Session, organiser: User, request_id: object, now: datetime, *, page: int = 1,
               query: str = "", shown: int = 10) -> CandidatesPage:
    """Ranked advocates with the reasons, every excluded advocate with every rule they fail, and a search."""
    from peermatch import matching

    request = own_request(session, organiser, request_id)
    today = clock.today(now)
    ranking = matching_service.rank_request(session, request, today, k=shown)
    result = ranking.result
    organisations = dict(session.execute(sa.select(Organisation.id, Organisation.name)).all())

    def organisation_of(profile: Any) -> str:
        return "" if profile.organisation_id == str(request.organisation_id) else \
            organisations.get(uuid.UUID(profile.organisation_id), "")

    rows = []
    for candidate in result.eligible:
        profile = ranking.profile(candidate.volunteer_id)
        readiness = next((c.explanation for c in candidate.contributions if c.feature == "readiness"), "")
        rows.append(Candidate(candidate.volunteer_id, candidate.display_name, organisation_of(profile),
                              candidate.score, list(candidate.contributions), candidate.distance_km, _load(profile),
                              sorted(candidate.support_modes), readiness))
    pages = Pages.of(len(result.excluded_ids), page)
    excluded = []
    for exclusion in ranking.excluded_page(pages.offset, PAGE_SIZE):
        profile = ranking.profile(exclusion.volunteer_id)
        excluded.append(Excluded(exclusion.volunteer_id, profile.name, organisation_of(profile),  # type: ignore[union-attr]
                                 [r.message for r in exclusion.reasons]))
    counts = [(rule, matching.RULES[rule], n) for rule, n in sorted(result.failure_counts, key=lambda c: -c[1])]
    search = _search(session, organiser, request, query, today) if query.strip() else None
    waiting = session.scalar(sa.select(Offer).where(Offer.request_id == request.id,
                                                     Offer.status.in_(OFFER_OUTSTANDING)).limit(1))
    accepted = bool(session.scalar(sa.select(sa.func.count()).select_from(Match).where(
        Match.request_id == request.id, Match.status.in_(MATCH_OPEN))))
    audit.record(session, organiser, AuditAction.CANDIDATES_VIEWED, "support_request", request.id,
                 organisation_id=request.organisation_id, at=now, shown=len(rows) + len(excluded))
    return CandidatesPage(request, rows, result.eligible_count, result.considered_count, counts, excluded, pages,
                          result.model_version, search, waiting, accepted, today)


SEARCH_LIMIT = 10


def _search(session: Session, organiser: User, request: SupportRequest, query: str, today: date) -> Search:
    """"Why not this person?": any advocate of the organisation (any standing), or another's who opted in."""
    text = query.strip()[:100]
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = session.execute(
        sa.select(VolunteerProfile.id, User.display_name, VolunteerProfile.organisation_id, Organisation.name)
        .join(User, User.id == VolunteerProfile.user_id)
        .join(Organisation, Organisation.id == VolunteerProfile.organisation_id)
        .where(sa.or_(VolunteerProfile.organisation_id == request.organisation_id,
                      sa.and_(VolunteerProfile.network_wide, VolunteerProfile.status == VolunteerStatus.APPROVED)),
               User.display_name.ilike(pattern, escape="\\"))
        .order_by(User.display_name).limit(SEARCH_LIMIT)).all()
    results = []
    for volunteer_id, name, org, org_name in found:
        reasons = [f.message for f in matching_service.why_not(session, request, volunteer_id, today)]
        results.append((str(volunteer_id), name, "" if org == request.organisation_id else org_name, reasons))
    return Search(text, results)


# -- offers --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OffersPage:
    waiting: list[Offer]
    came_back: list[Offer]
    accepted: list[Match]


def offers_page(session: Session, organiser: User, now: datetime) -> OffersPage:
    """Offers waiting for an answer; those declined or lapsed and not offered again; those accepted."""
    org = _org(organiser)
    options = (selectinload(Offer.request).selectinload(SupportRequest.main_issue),
               selectinload(Offer.volunteer).selectinload(VolunteerProfile.user))
    waiting = list(session.scalars(
        sa.select(Offer).join(SupportRequest, Offer.request_id == SupportRequest.id)
        .where(SupportRequest.organisation_id == org, Offer.status == OfferStatus.OFFERED)
        .options(*options).order_by(Offer.expires_dt)))
    last = aliased(Offer)
    latest = (sa.select(last.id).where(last.request_id == SupportRequest.id)
              .order_by(last.proposed_dt.desc(), last.id.desc()).limit(1).correlate(SupportRequest).scalar_subquery())
    came_back = list(session.scalars(
        sa.select(Offer).join(SupportRequest, Offer.request_id == SupportRequest.id)
        .where(_came_back(org), Offer.id == latest).options(*options).order_by(Offer.responded_dt.desc())))
    accepted = list(session.scalars(
        sa.select(Match).join(SupportRequest, Match.request_id == SupportRequest.id)
        .where(SupportRequest.organisation_id == org, Match.status == MatchStatus.AWAITING_INTRODUCTION)
        .options(selectinload(Match.request).selectinload(SupportRequest.main_issue),
                 selectinload(Match.volunteer).selectinload(VolunteerProfile.user))
        .order_by(Match.accepted_dt)))
    _audit_list(session, organiser, "offers", now, len(waiting) + len(came_back) + len(accepted))
    return OffersPage(waiting, came_back, accepted)


# -- matches ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MatchRow:
    match: Match
    parent_name: str
    advocate: str
    last_contact: date | None
    days_since_contact: int | None
    minutes: int


def matches_page(session: Session, organiser: User, now: datetime, *, stalled: bool = False,
                 page: int = 1) -> tuple[list[MatchRow], Pages]:
    """Matches going on (introduced or active), with days since the last contact and hours given."""
    org, today = _org(organiser), clock.today(now)
    where = [SupportRequest.organisation_id == org, Match.status.in_(MATCH_INTRODUCED)]
    if stalled:
        where.append(_stalled(org, today))
    total = session.scalar(sa.select(sa.func.count()).select_from(Match)
                           .join(SupportRequest, Match.request_id == SupportRequest.id).where(*where)) or 0
    pages = Pages.of(total, page)
    last = _last_contact().label("last")
    minutes = (sa.select(sa.func.coalesce(sa.func.sum(ContactLogEntry.minutes), 0))
               .where(ContactLogEntry.match_id == Match.id).scalar_subquery().label("minutes"))
    found = session.execute(
        sa.select(Match, last, minutes).join(SupportRequest, Match.request_id == SupportRequest.id).where(*where)
        .options(selectinload(Match.request).selectinload(SupportRequest.safe_contact),
                 selectinload(Match.volunteer).selectinload(VolunteerProfile.user))
        .order_by(last.is_not(None), last, Match.introduced_dt, Match.id)
        .offset(pages.offset).limit(PAGE_SIZE)).all()
    rows = [MatchRow(m, m.request.safe_contact.name_to_ask_for if m.request.safe_contact else "",
                     m.volunteer.user.display_name, last_on, (today - last_on).days if last_on else None, spent)
            for m, last_on, spent in found]
    _audit_list(session, organiser, "matches", now, len(rows))
    return rows, pages


@dataclass(frozen=True)
class MatchRecord:
    match: Match
    parent_name: str
    advocate: str
    contacts: list[ContactLogEntry]
    minutes: int
    feedback: dict[str, Any]
    messages: int = 0  # how many the parent and the advocate wrote (read on their own page, audited)
    help_asked: datetime | None = None  # the last time either asked the organisers for help


def match_record(session: Session, organiser: User, match_id: object, now: datetime) -> MatchRecord:
    """A match in full: the contact log, the outcome and both sides' feedback."""
    match = own_match(session, organiser, match_id)
    match = session.scalars(sa.select(Match).where(Match.id == match.id).options(
        selectinload(Match.contacts), selectinload(Match.feedback),
        selectinload(Match.request).selectinload(SupportRequest.safe_contact),
        selectinload(Match.volunteer).selectinload(VolunteerProfile.user))).one()
    audit.record(session, organiser, AuditAction.MATCH_VIEWED, "match", match.id,
                 organisation_id=_org(organiser), at=now, request_id=str(match.request_id))
    count = session.scalar(sa.select(sa.func.count(Message.id)).where(Message.match_id == match.id)) or 0
    help_asked = session.scalar(sa.select(Message.sent_dt).where(Message.match_id == match.id, Message.asks_for_help)
                                .order_by(Message.sent_dt.desc()).limit(1))
    return MatchRecord(match, match.request.safe_contact.name_to_ask_for if match.request.safe_contact else "",
                       match.volunteer.user.display_name, sorted(match.contacts, key=lambda c: c.occurred_on),
                       sum(c.minutes for c in match.contacts), {f.author: f for f in match.feedback},
                       count, help_asked)


@dataclass(frozen=True)
class MessagesPage:
    match: Match
    parent_name: str
    advocate: str
    messages: list[Message]


def match_messages(session: Session, organiser: User, match_id: object, now: datetime) -> MessagesPage:
    """The messages between the parent and the advocate of one of the organisation's matches (the read is audited)."""
    match = own_match(session, organiser, match_id)
    thread = messages_service.thread(session, match)
    audit.record(session, organiser, AuditAction.MESSAGES_READ, "match", match.id,
                 organisation_id=_org(organiser), at=now, request_id=str(match.request_id), messages=len(thread))
    contact = match.request.safe_contact
    return MessagesPage(match, contact.name_to_ask_for if contact else "", match.volunteer.user.display_name, thread)


# -- advocates ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdvocateFilters:
    standing: str = ""
    vetting: str = ""
    language: str = ""
    mode: str = ""
    network_wide: bool = False
    name: str = ""
    page: int = 1


@dataclass(frozen=True)
class AdvocateRow:
    profile: VolunteerProfile
    name: str
    vetting: VettingStatus
    expires_soon: bool
    languages: list[str]


def _vetting_is(state: VettingStatus, today: date) -> Any:
    """``services.advocates.vetting_state`` as SQL, so lists can be filtered and paged in the database."""
    started = sa.or_(Vetting.dbs_checked_on.is_not(None), Vetting.training_completed_on.is_not(None),
                     Vetting.reference_1_requested_on.is_not(None), Vetting.reference_2_requested_on.is_not(None))
    expired = Vetting.dbs_expires_on < today
    complete = sa.and_(Vetting.dbs_checked_on.is_not(None), Vetting.dbs_expires_on >= today,
                       Vetting.training_completed_on.is_not(None), Vetting.reference_1_verified_on.is_not(None),
                       Vetting.reference_2_verified_on.is_not(None))
    if state == VettingStatus.NOT_STARTED:
        return sa.or_(Vetting.id.is_(None), ~started)
    if state == VettingStatus.EXPIRED:
        return sa.and_(started, expired)
    if state == VettingStatus.COMPLETE:
        return complete
    return sa.and_(started, sa.not_(sa.func.coalesce(expired, False)), sa.not_(sa.func.coalesce(complete, False)))


def advocates_page(session: Session, organiser: User, filters: AdvocateFilters,
                   now: datetime) -> tuple[list[AdvocateRow], Pages]:
    """The organisation's volunteers with standing, vetting, load against capacity, languages and modes."""
    org, today = _org(organiser), clock.today(now)
    where: list[Any] = [VolunteerProfile.organisation_id == org]
    if filters.standing in {s.value for s in VolunteerStatus}:
        where.append(VolunteerProfile.status == filters.standing)
    if filters.language:
        where.append(VolunteerProfile.id.in_(sa.select(VolunteerLanguage.volunteer_id)
                                             .where(VolunteerLanguage.language == filters.language)))
    if filters.mode in ("in_person", "phone", "video"):
        where.append(getattr(VolunteerProfile, f"offers_{filters.mode}").is_(True))
    if filters.network_wide:
        where.append(VolunteerProfile.network_wide.is_(True))
    if filters.name.strip():
        where.append(User.display_name.ilike("%" + filters.name.strip()[:100].replace("%", "") + "%"))
    if filters.vetting == "expiring":
        where.append(_expiring(org, today))
    elif filters.vetting in {s.value for s in VettingStatus}:
        where.append(_vetting_is(VettingStatus(filters.vetting), today))
    query = (sa.select(VolunteerProfile).join(User, User.id == VolunteerProfile.user_id)
             .outerjoin(Vetting, Vetting.volunteer_id == VolunteerProfile.id).where(*where))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = Pages.of(total, filters.page)
    shown = list(session.scalars(query.options(selectinload(VolunteerProfile.user),
                                               selectinload(VolunteerProfile.vetting),
                                               selectinload(VolunteerProfile.language_rows))
                                 .order_by(User.display_name, VolunteerProfile.id)
                                 .offset(pages.offset).limit(PAGE_SIZE)))
    rows = [AdvocateRow(p, p.user.display_name, vetting_state(p.vetting, today),
                        bool(p.vetting and p.vetting.dbs_expires_on and
                             today <= p.vetting.dbs_expires_on <= today + EXPIRY_WARNING), p.languages)
            for p in shown]
    _audit_list(session, organiser, "advocates", now, len(rows))
    return rows, pages


@dataclass(frozen=True)
class AdvocateRecord:
    profile: VolunteerProfile
    name: str
    vetting: VettingStatus
    lacking: list[str]
    expires_soon: bool
    history: list[tuple[str | None, str, datetime, str, str]]
    open_matches: list[Match]
    offers_waiting: list[Offer]
    sent: list[SentRow] = field(default_factory=list)  # notifications about them, never their words


def advocate_record(session: Session, organiser: User, volunteer_id: object, now: datetime) -> AdvocateRecord:
    """A volunteer's record: the application, availability and dates away, vetting and standing."""
    profile = own_advocate(session, organiser, volunteer_id)
    today = clock.today(now)
    names = _user_names(session)
    history = [(c.from_status, c.to_status, c.changed_dt, names.get(c.changed_by_id, "PeerMatch"), c.reason)
               for c in session.scalars(sa.select(VolunteerStatusChange)
                                        .where(VolunteerStatusChange.volunteer_id == profile.id)
                                        .order_by(VolunteerStatusChange.changed_dt))]
    open_matches = list(session.scalars(sa.select(Match).where(Match.volunteer_id == profile.id,
                                                               Match.status.in_(MATCH_OPEN))
                                        .options(selectinload(Match.request)).order_by(Match.accepted_dt)))
    waiting = list(session.scalars(sa.select(Offer).where(Offer.volunteer_id == profile.id,
                                                          Offer.status.in_(OFFER_OUTSTANDING))
                                   .options(selectinload(Offer.request))))
    sent = sent_about(session, volunteer_id=profile.id)
    audit.record(session, organiser, AuditAction.ADVOCATE_VIEWED, "volunteer_profile", profile.id,
                 organisation_id=profile.organisation_id, at=now, notifications_shown=len(sent))
    vetting = profile.vetting
    return AdvocateRecord(
        profile, profile.user.display_name, vetting_state(vetting, today), what_vetting_lacks(vetting, today),
        bool(vetting and vetting.dbs_expires_on and today <= vetting.dbs_expires_on <= today + EXPIRY_WARNING),
        history, open_matches, waiting, sent)


def applications(session: Session, organiser: User, now: datetime) -> list[AdvocateRow]:
    """Applications waiting for vetting and a decision, oldest first."""
    today = clock.today(now)
    found = list(session.scalars(
        sa.select(VolunteerProfile).where(VolunteerProfile.organisation_id == _org(organiser),
                                          VolunteerProfile.status == VolunteerStatus.APPLICATION_RECEIVED)
        .options(selectinload(VolunteerProfile.user), selectinload(VolunteerProfile.vetting),
                 selectinload(VolunteerProfile.language_rows))
        .order_by(VolunteerProfile.applied_dt, VolunteerProfile.id)))
    _audit_list(session, organiser, "applications", now, len(found))
    return [AdvocateRow(p, p.user.display_name, vetting_state(p.vetting, today), False, p.languages) for p in found]


def introduction(session: Session, organiser: User, match_id: object) -> Match:
    """An accepted match waiting to be introduced (what each side will see is worked out by the page)."""
    match = own_match(session, organiser, match_id)
    return session.scalars(sa.select(Match).where(Match.id == match.id).options(
        selectinload(Match.request).selectinload(SupportRequest.safe_contact),
        selectinload(Match.volunteer).selectinload(VolunteerProfile.user))).one()


# -- batches ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProposalRow:
    value: str  # "request id:advocate id", what the organiser ticks
    request: SupportRequest
    advocate: str
    organisation: str
    score: float


@dataclass(frozen=True)
class UnmatchedRow:
    request: SupportRequest
    blocking: list[tuple[str, int]]


@dataclass(frozen=True)
class BatchRows:
    proposals: list[ProposalRow]
    unmatched: list[UnmatchedRow]


UNMATCHED_EXPLAINED = 50


def batch_rows(session: Session, proposals: Any) -> BatchRows:
    """The proposals of a batch as rows to tick, and the requests left unmatched with what blocked them."""
    from peermatch import matching

    by_id = {str(r.id): r for r in proposals.requests}
    pool = proposals.pool
    organisations = dict(session.execute(sa.select(Organisation.id, Organisation.name)).all())
    rows = []
    for assignment in proposals.result.assignments:
        request = by_id[assignment.request_id]
        profile = pool.volunteers[pool.position_of(assignment.volunteer_id)]
        other = uuid.UUID(profile.organisation_id) != request.organisation_id
        rows.append(ProposalRow(f"{assignment.request_id}:{assignment.volunteer_id}", request, profile.name,
                                organisations.get(uuid.UUID(profile.organisation_id), "") if other else "",
                                assignment.score))
    unmatched_ids = list(proposals.result.unmatched_request_ids)
    blocking = proposals.blocking(unmatched_ids[:UNMATCHED_EXPLAINED])
    unmatched = [UnmatchedRow(by_id[i], [(matching.RULES.get(rule, rule), n) for rule, n in blocking.get(i, [])])
                 for i in unmatched_ids]
    return BatchRows(rows, unmatched)


def batch_proposed(session: Session, user: User, organisation_id: uuid.UUID | None, proposals: Any,
                   now: datetime) -> None:
    """Proposing a batch shows many requests and advocates at once: one audit event says so."""
    audit.record(session, user, AuditAction.BATCH_PROPOSED, "organisation", organisation_id or "network",
                 organisation_id=organisation_id, at=now, requests=len(proposals.requests),
                 proposed=len(proposals.result.assignments))


def refused_rows(session: Session, refused: Sequence[tuple[uuid.UUID, uuid.UUID, list[str]]]
                 ) -> list[tuple[str, str, list[str]]]:
    """Pairs of a batch that were not sent: the request's reference, the advocate's name and why."""
    references = dict(session.execute(sa.select(SupportRequest.id, SupportRequest.reference).where(
        SupportRequest.id.in_([r for r, _, _ in refused]))).all()) if refused else {}
    names = dict(session.execute(sa.select(VolunteerProfile.id, User.display_name)
                                 .join(User, User.id == VolunteerProfile.user_id)
                                 .where(VolunteerProfile.id.in_([v for _, v, _ in refused]))).all()) if refused else {}
    return [(references.get(r, "A request"), names.get(v, "an advocate"), reasons) for r, v, reasons in refused]
