"""Reports: how the network is doing, for an organisation or the whole network, over a chosen period.

Every figure is a count or a statistic of counts: no report holds a person, a postcode or a
free-text answer, so a table can be shared with a funder or a council as it is. Small numbers
can still point at a family in a small area, so **every count from 1 to 4 is suppressed**
(shown as "fewer than 5", written ``<5`` in a download), and so is every median, 90th
percentile, share or average worked out from fewer than 5 requests, offers or people. Zero is
shown: "nobody asked" is not disclosive, and "no advocate" is the gap the report is for. There
are no total rows beside suppressed cells, so a hidden count cannot be worked out by subtraction
within a table.

Which requests a period holds: those **sent** in it (``submitted_dt``, network time). Coverage
adds the requests still waiting today, whenever they were sent ("open and recent"). Advocates
are counted as they are today (approved, DBS check in date, training done), because
that is who can be offered now. Times are measured from the moment a request was sent to its
first offer, its first accepted offer and the introduction.

Retention: requests that finished longer ago than the retention period are erased to anonymous
monthly counts (``services.retention``). "Requests by month" adds those counts, so its figures
never change when a purge runs; the other tables need each request's dates and cover only what
is still kept, which the page says when the period reaches back that far.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from peermatch import clock
from peermatch.models import (
    REQUEST_LOOKING,
    AnonymisedRequestCount,
    Area,
    AuditAction,
    ContactLogEntry,
    DeclineReason,
    Feedback,
    FeedbackAuthor,
    IssueType,
    Match,
    MatchOutcome,
    Offer,
    OfferStatus,
    Organisation,
    RequestLanguage,
    RequestStatus,
    SupportRequest,
    User,
    Vetting,
    VolunteerLanguage,
    VolunteerPause,
    VolunteerProfile,
    VolunteerStatus,
)
from peermatch.models.requests import request_issue_types
from peermatch.models.volunteers import volunteer_lived_experience, volunteer_opt_outs
from peermatch.reference import LANGUAGES
from peermatch.services import audit

SMALLEST = 5  # counts under this are suppressed everywhere
URGENT_DAYS = 7  # a meeting within a week of sending the request makes it urgent, for the reports
# "Markedly longer": a group's median wait at least half as long again as everyone else's and 12 hours more,
# or a match rate 15 points lower; each side counted on at least SMALLEST requests.
MARKEDLY_LONGER, MARKEDLY_HOURS, MARKEDLY_FEWER = 1.5, 12.0, 15.0

DECLINE_REASONS = {
    DeclineReason.NOT_AVAILABLE: "Not free at the times needed",
    DeclineReason.TOO_FAR: "Too far to travel",
    DeclineReason.TOO_CLOSE_TO_HOME: "Too close to home",
    DeclineReason.NOT_RIGHT_EXPERIENCE: "Not the right experience",
    DeclineReason.PERSONAL: "Personal reasons",
    DeclineReason.OTHER: "Something else",
}
OUTCOMES = {
    MatchOutcome.SUPPORTED_THROUGH_MEETING: "Supported through the meeting or process",
    MatchOutcome.ONGOING_NEED_REFERRED: "Needed more help and was referred on",
    MatchOutcome.PARENT_STOPPED_CONTACT: "The parent stopped being in touch",
    MatchOutcome.ADVOCATE_COULD_NOT_CONTINUE: "The advocate could not carry on",
    MatchOutcome.CONCERN_RAISED: "A concern was raised",
    MatchOutcome.OTHER: "Something else",
}
GENDER_PREFERENCES = {None: "No preference", "woman": "Asked for a woman", "man": "Asked for a man",
                      "non_binary": "Asked for a non-binary advocate"}
MODES = {"in_person": "In person", "phone": "Phone", "video": "Video"}


class _Suppressed:
    """A figure hidden because it counts, or stands on, fewer than 5."""

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED: Any = _Suppressed()


# -- tables --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, count, days (a wait), hours (time given), percent, rating


@dataclass(frozen=True)
class Table:
    """One report table: what the page shows beside its chart and what its CSV download holds."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    note: str = ""

    def column(self, name: str) -> list[Any]:
        index = [c.name for c in self.columns].index(name)
        return [row[index] for row in self.rows]


def count(n: int) -> Any:
    """A count as it may be shown: 0, or 5 and over; 1 to 4 suppressed."""
    return n if n == 0 or n >= SMALLEST else SUPPRESSED


def share(part: int, whole: int) -> Any:
    """A percentage, unless it stands on fewer than 5 or would give away a count under 5."""
    if whole < SMALLEST or 0 < part < SMALLEST:
        return SUPPRESSED
    return round(100.0 * part / whole, 1)


def _statistic(values: Sequence[float], q: float) -> Any:
    if len(values) < SMALLEST:
        return SUPPRESSED
    return round(float(np.percentile(np.asarray(values, dtype=float), q)), 1)


def median(values: Sequence[float]) -> Any:
    return _statistic(values, 50)


def p90(values: Sequence[float]) -> Any:
    return _statistic(values, 90)


def mean(values: Sequence[float]) -> Any:
    return round(float(np.mean(values)), 1) if len(values) >= SMALLEST else SUPPRESSED


# -- what a report covers --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """Whose requests (one organisation, or None for the network) sent between two days, both included."""

    organisation_id: uuid.UUID | None
    start: date
    end: date

    @property
    def start_dt(self) -> datetime:
        return clock.local_time(self.start, time(0, 0))

    @property
    def end_dt(self) -> datetime:
        return clock.local_time(self.end + timedelta(days=1), time(0, 0))


def last_twelve_months(today: date) -> tuple[date, date]:
    """The default period: the year up to and including today."""
    return months_before(today, 12) + timedelta(days=1), today


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the 28th at most, so every month has it)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28))


@dataclass(slots=True)
class _Request:
    """One request as the reports see it; each wait is worked out once, in days (None: it did not get there)."""

    id: uuid.UUID
    organisation_id: uuid.UUID | None
    status: str
    submitted: datetime
    in_period: bool
    area: str
    main_issue: str
    gender: str | None
    meeting_date: date | None
    modes: list[str]
    to_offer: float | None
    to_accepted: float | None
    to_introduced: float | None
    urgent: bool
    matched_before_meeting: bool
    languages: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


def _days(submitted: datetime, moment: datetime | None) -> float | None:
    return None if moment is None else max(0.0, (moment - submitted).total_seconds() / 86400)


def _in_scope(column: Any, scope: Scope) -> Any:
    return column == scope.organisation_id if scope.organisation_id is not None else sa.true()


def _requests(session: Session, scope: Scope) -> list[_Request]:
    """The requests a report stands on: sent in the period, and (for coverage) any still waiting now.

    Three statements whatever the size (requests with their first offer and match joined, then
    languages, then issues), read as plain rows: at 50,000 requests the ORM's per-row work was
    most of the page's time.
    """
    sent = SupportRequest.submitted_dt
    start_dt, end_dt = scope.start_dt, scope.end_dt
    chosen = sa.and_(
        _in_scope(SupportRequest.organisation_id, scope), SupportRequest.status != RequestStatus.DRAFT,
        sent.is_not(None), sa.or_(sa.and_(sent >= start_dt, sent < end_dt), SupportRequest.status.in_(REQUEST_LOOKING)))
    ids = sa.select(SupportRequest.id).where(chosen)
    connection = session.connection()
    areas = dict(connection.execute(sa.select(Area.id, Area.name)).all())
    issues = dict(connection.execute(sa.select(IssueType.id, IssueType.name)).all())
    first_offer = (sa.select(Offer.request_id, sa.func.min(Offer.offered_dt).label("at"))
                   .where(Offer.offered_dt.is_not(None)).group_by(Offer.request_id).subquery())
    first_match = (sa.select(Match.request_id, sa.func.min(Match.accepted_dt).label("accepted"),
                             sa.func.min(Match.introduced_dt).label("introduced"))
                   .group_by(Match.request_id).subquery())
    rows: dict[uuid.UUID, _Request] = {}
    london = clock.NETWORK_TIMEZONE
    for (request_id, organisation_id, status, submitted, area_id, main_issue_id, gender, meeting_date,
         in_person, phone, video, offered, accepted, introduced) in connection.execute(sa.select(
            SupportRequest.id, SupportRequest.organisation_id, SupportRequest.status, sent, SupportRequest.area_id,
            SupportRequest.main_issue_id, SupportRequest.advocate_gender, SupportRequest.meeting_date,
            SupportRequest.accepts_in_person, SupportRequest.accepts_phone, SupportRequest.accepts_video,
            first_offer.c.at, first_match.c.accepted, first_match.c.introduced)
            .outerjoin(first_offer, first_offer.c.request_id == SupportRequest.id)
            .outerjoin(first_match, first_match.c.request_id == SupportRequest.id)
            .where(chosen)):
        urgent = meeting_date is not None and (meeting_date - submitted.astimezone(london).date()).days <= URGENT_DAYS
        rows[request_id] = _Request(
            id=request_id, organisation_id=organisation_id, status=status, submitted=submitted,
            in_period=start_dt <= submitted < end_dt, area=areas.get(area_id, "No council area"),
            main_issue=issues.get(main_issue_id, "Not given"), gender=gender, meeting_date=meeting_date,
            modes=[mode for mode, yes in (("in_person", in_person), ("phone", phone), ("video", video)) if yes],
            to_offer=_days(submitted, offered), to_accepted=_days(submitted, accepted),
            to_introduced=_days(submitted, introduced), urgent=urgent,
            matched_before_meeting=(urgent and introduced is not None
                                    and introduced.astimezone(london).date() < meeting_date))
    for request_id, language in connection.execute(
            sa.select(RequestLanguage.request_id, RequestLanguage.language)
            .where(RequestLanguage.request_id.in_(ids))):
        rows[request_id].languages.append(language)
    for request_id, issue_id in connection.execute(
            sa.select(request_issue_types.c.request_id, request_issue_types.c.issue_type_id)
            .where(request_issue_types.c.request_id.in_(ids))):
        if issue_id in issues:
            rows[request_id].issues.append(issues[issue_id])
    return list(rows.values())


@dataclass(frozen=True)
class _Advocate:
    organisation_id: uuid.UUID
    area: str
    languages: frozenset[str]
    issues: frozenset[str]
    capacity: int
    active: int
    free_now: bool


def _advocates(session: Session, scope: Scope, today: date) -> list[_Advocate]:
    """Advocates who could be offered today: approved, DBS check in date, training done."""
    chosen = sa.and_(
        _in_scope(VolunteerProfile.organisation_id, scope), VolunteerProfile.status == VolunteerStatus.APPROVED,
        Vetting.dbs_expires_on >= today, Vetting.training_completed_on.is_not(None))
    ids = sa.select(VolunteerProfile.id).join(Vetting, Vetting.volunteer_id == VolunteerProfile.id).where(chosen)
    connection = session.connection()
    areas = dict(connection.execute(sa.select(Area.id, Area.name)).all())
    issues = dict(connection.execute(sa.select(IssueType.id, IssueType.name)).all())
    languages: dict[uuid.UUID, set[str]] = defaultdict(set)
    for volunteer_id, language in connection.execute(
            sa.select(VolunteerLanguage.volunteer_id, VolunteerLanguage.language)
            .where(VolunteerLanguage.volunteer_id.in_(ids))):
        languages[volunteer_id].add(language)
    experience: dict[uuid.UUID, set[str]] = defaultdict(set)
    for volunteer_id, issue_id in connection.execute(
            sa.select(volunteer_lived_experience.c.volunteer_id, volunteer_lived_experience.c.issue_type_id)
            .where(volunteer_lived_experience.c.volunteer_id.in_(ids))):
        experience[volunteer_id].add(issues.get(issue_id, ""))
    for volunteer_id, issue_id in connection.execute(
            sa.select(volunteer_opt_outs.c.volunteer_id, volunteer_opt_outs.c.issue_type_id)
            .where(volunteer_opt_outs.c.volunteer_id.in_(ids))):
        experience[volunteer_id].discard(issues.get(issue_id, ""))
    away = set(connection.scalars(sa.select(VolunteerPause.volunteer_id).where(
        VolunteerPause.volunteer_id.in_(ids), VolunteerPause.starts_on <= today, VolunteerPause.ends_on >= today)))
    return [
        _Advocate(organisation_id=organisation_id, area=areas.get(area_id, "No council area"),
                  languages=frozenset(languages[volunteer_id]), issues=frozenset(experience[volunteer_id]),
                  capacity=capacity, active=active, free_now=active < capacity and volunteer_id not in away)
        for volunteer_id, organisation_id, area_id, capacity, active in connection.execute(
            sa.select(VolunteerProfile.id, VolunteerProfile.organisation_id, VolunteerProfile.area_id,
                      VolunteerProfile.capacity, VolunteerProfile.active_match_count)
            .join(Vetting, Vetting.volunteer_id == VolunteerProfile.id).where(chosen))
    ]


# -- the report ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """A plain sentence about a group that waits markedly longer, or is matched markedly less often."""

    sentence: str


@dataclass(frozen=True)
class Report:
    scope: Scope
    requests_sent: int
    tables: dict[str, Table]
    findings: list[Finding]
    urgent_before_meeting: Any  # share of urgent requests introduced to an advocate before their meeting
    urgent_count: Any
    kept_since: datetime  # requests that finished before this are kept only as monthly counts

    def table(self, key: str) -> Table:
        return self.tables[key]


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


SECTIONS = {"coverage": ("coverage-",), "time": ("time-to-match-",), "fairness": ("fairness-",),
            "offers": ("offers",), "load": ("load",), "given": ("hours", "outcomes", "feedback"),
            "months": ("requests-by-month",), "organisations": ("organisations",)}


def section_of(key: str) -> str | None:
    """Which part of the report holds the table ``key`` (a download works out only that part)."""
    return next((name for name, starts in SECTIONS.items() if any(key.startswith(s) for s in starts)), None)


def report(session: Session, scope: Scope, now: datetime, retention_days: int,
           organisations: Mapping[uuid.UUID, str] | None = None, *, only: str | None = None) -> Report:
    """Every table of the reports page for ``scope``; ``organisations`` adds the side-by-side table (admin).

    ``only`` names one section (``SECTIONS``): the rest is not worked out, and the findings are left empty.
    """
    def wanted(*names: str) -> bool:
        return only is None or only in names

    today = clock.today(now)
    everything = _requests(session, scope) if wanted("coverage", "time", "fairness", "months", "organisations") \
        else []
    period = [r for r in everything if r.in_period]
    advocates = _advocates(session, scope, today) if wanted("coverage", "load", "organisations") else []
    tables = [
        *(_coverage(everything, advocates, now) if wanted("coverage") else []),
        *(_time_to_match(period) if wanted("time") else []),
        *(_fairness(period) if wanted("fairness") else []),
        *(_offers(session, scope) if wanted("offers") else []),
        *([_load(advocates)] if wanted("load") else []),
        *(_hours_outcomes_feedback(session, scope) if wanted("given") else []),
        *([_by_month(session, scope, period)] if wanted("months") else []),
    ]
    if organisations is not None and wanted("organisations"):
        tables.insert(0, _side_by_side(session, scope, period, advocates, organisations))
    urgent = [r for r in period if r.urgent]  # worked out once per request, in _requests
    return Report(
        scope=scope, requests_sent=len(period), tables={t.key: t for t in tables},
        findings=_findings(period) if only is None else [],
        urgent_before_meeting=share(sum(r.matched_before_meeting for r in urgent), len(urgent)),
        urgent_count=count(len(urgent)), kept_since=now - timedelta(days=retention_days))


# -- coverage gaps ---------------------------------------------------------------------------------------------

GAPS = ("no advocate", "demand outruns advocates", "enough advocates", "no open or recent requests")  # of open or recent ones


def gap(requests: int, advocates: int) -> str:
    """How demand stands against supply in one cell: worked out on the true counts, shown as words."""
    if requests == 0:
        return "no open or recent requests"
    if advocates == 0:
        return "no advocate"
    return "demand outruns advocates" if requests > advocates else "enough advocates"


RECENT_DAYS = 30  # "open and recent": still waiting, or sent in the last 30 days


def _coverage(requests: list[_Request], advocates: list[_Advocate], now: datetime) -> list[Table]:
    """Demand against supply: one pass over the requests and one over the advocates (tens of thousands of each).

    The gap compares what is asked **now** (requests still waiting, or sent in the last 30 days)
    with advocates who have a free place today: a year's requests against today's advocates
    would show every area short. The period's requests are shown beside it, for scale.
    """
    recent_since = now - timedelta(days=RECENT_DAYS)
    asked: Counter[Any] = Counter()
    for r in requests:
        recent = r.status in REQUEST_LOOKING or r.submitted >= recent_since
        asked[("area", r.area)] += r.in_period
        asked[("area recent", r.area)] += recent
        for issue in r.issues:
            asked[("cell", r.area, issue)] += recent
        for code in r.languages:
            asked[("language", code)] += r.in_period
            asked[("language recent", code)] += recent
    able: Counter[Any] = Counter()
    for a in advocates:
        able[("area", a.area)] += 1
        able[("area free", a.area)] += a.free_now
        for issue in a.issues:
            able[("cell", a.area, issue)] += 1
            able[("cell free", a.area, issue)] += a.free_now
        for code in a.languages:
            able[("language", code)] += 1
            able[("language free", code)] += a.free_now
    areas = sorted({r.area for r in requests} | {a.area for a in advocates})
    issue_names = sorted({i for r in requests for i in r.issues})

    def row(name: str, key: tuple[str, ...]) -> tuple[Any, ...]:
        kind, rest = key[0], key[1:]
        recent, free = asked[(f"{kind} recent", *rest)], able[(f"{kind} free", *rest)]
        return (name, count(asked[(kind, *rest)]), count(recent), count(able[(kind, *rest)]), count(free),
                gap(recent, free))

    by_area = [row(area, ("area", area)) for area in areas]
    cells = [(area, issue, count(asked[("cell", area, issue)]), count(able[("cell", area, issue)]),
              count(able[("cell free", area, issue)]), gap(asked[("cell", area, issue)], able[("cell free", area, issue)]))
             for area in areas for issue in issue_names]
    languages = sorted({code for r in requests for code in r.languages}, key=lambda c: (c != "en", language_name(c)))
    by_language = [row(language_name(code), ("language", code)) for code in languages]
    columns = (Column("Requests in the period", "count"), Column("Open or recent requests", "count"),
               Column("Advocates", "count"), Column("With a free place", "count"), Column("Coverage"))
    note = (f"Coverage compares the open or recent requests (still waiting, or sent in the last {RECENT_DAYS} days) "
            "with advocates who have a free place today. Advocates: those who could be offered today (approved, "
            "DBS check in date, training done) and live in the area.")
    return [
        Table("coverage-by-area", "Coverage by council area", (Column("Council area"), *columns), by_area, note),
        Table("coverage-area-issue", "Coverage by council area and issue",
              (Column("Council area"), Column("Issue"), Column("Open or recent requests", "count"),
               Column("Advocates with lived experience", "count"), Column("With a free place", "count"),
               Column("Coverage")), cells,
              f"Open or recent requests (still waiting, or sent in the last {RECENT_DAYS} days) count under every "
              "issue they name; an advocate under every issue they have lived experience of and did not opt out of."),
        Table("coverage-by-language", "Coverage by language", (Column("Language"), *columns), by_language,
              "Requests in each language the parent asked for, against advocates who speak it. Open or recent: still "
              f"waiting, or sent in the last {RECENT_DAYS} days."),
    ]


# -- time to match ---------------------------------------------------------------------------------------------

STAGES = (("first offer", "to_offer"), ("accepted offer", "to_accepted"), ("introduction", "to_introduced"))


def _groups(requests: list[_Request], key: Callable[[_Request], Iterable[str]]) -> dict[str, list[_Request]]:
    groups: dict[str, list[_Request]] = defaultdict(list)
    for r in requests:
        for name in key(r):
            groups[name].append(r)
    return dict(sorted(groups.items()))


DIMENSIONS: tuple[tuple[str, str, Callable[[_Request], Iterable[str]]], ...] = (
    ("area", "Council area", lambda r: [r.area]),
    ("issue", "Main issue", lambda r: [r.main_issue]),
    ("language", "Language", lambda r: [language_name(c) for c in r.languages] or ["Not given"]),
    ("mode", "Support mode", lambda r: [MODES[m] for m in r.modes]),
    ("urgency", "Urgency", lambda r: [f"Meeting within {URGENT_DAYS} days" if r.urgent else "No meeting that soon"]),
)


def _time_row(name: str, group: list[_Request]) -> tuple[Any, ...]:
    cells: list[Any] = [name, count(len(group))]
    for _, attribute in STAGES:
        days = [d for r in group if (d := getattr(r, attribute)) is not None]
        cells += [median(days), p90(days)]
    return tuple(cells)


def _time_to_match(period: list[_Request]) -> list[Table]:
    columns = [Column("Requests", "count")]
    for stage, _ in STAGES:
        columns += [Column(f"Median days to {stage}", "days"), Column(f"90th percentile days to {stage}", "days")]
    note = ("Days from sending the request, for the requests that got there; each figure stands on at least "
            f"{SMALLEST} requests.")
    tables = [Table("time-to-match-all", "Time to match: every request", (Column("Requests sent"), *columns),
                    [_time_row("All requests sent in the period", period)], note)]
    for key, label, grouping in DIMENSIONS:
        rows = [_time_row(name, group) for name, group in _groups(period, grouping).items()]
        tables.append(Table(f"time-to-match-by-{key}", f"Time to match by {label.lower()}",
                            (Column(label), *columns), rows, note))
    return tables


# -- fairness --------------------------------------------------------------------------------------------------

FAIRNESS = (
    ("language", "Language", DIMENSIONS[2][2]),
    ("area", "Council area", DIMENSIONS[0][2]),
    ("gender", "Advocate gender preference", lambda r: [GENDER_PREFERENCES.get(r.gender, "No preference")]),
)


def _fairness(period: list[_Request]) -> list[Table]:
    tables = []
    for key, label, grouping in FAIRNESS:
        rows = []
        for name, group in _groups(period, grouping).items():
            matched = [r for r in group if r.to_accepted is not None]
            days = [r.to_accepted for r in matched]
            rows.append((name, count(len(group)), count(len(matched)), share(len(matched), len(group)),
                         median(days), p90(days)))
        tables.append(Table(
            f"fairness-by-{key}", f"Fairness by {label.lower()}",
            (Column(label), Column("Requests", "count"), Column("Matched", "count"), Column("Match rate", "percent"),
             Column("Median days to accepted offer", "days"), Column("90th percentile days", "days")), rows,
            "Matched: an advocate accepted. Requests sent late in the period may still be waiting."))
    return tables


def _findings(period: list[_Request]) -> list[Finding]:
    """Plain sentences for each group that waits markedly longer than the rest, or is matched markedly less often."""
    waits = np.array([np.nan if r.to_accepted is None else r.to_accepted for r in period], dtype=float)
    matched = ~np.isnan(waits)
    found = []
    for _, label, grouping in FAIRNESS:
        members: dict[str, list[int]] = defaultdict(list)
        for index, r in enumerate(period):
            for name in grouping(r):
                members[name].append(index)
        if len(members) < 2:
            continue
        for name, indices in sorted(members.items()):
            mask = np.zeros(len(period), dtype=bool)
            mask[indices] = True
            if mask.sum() < SMALLEST or (~mask).sum() < SMALLEST:
                continue
            mine, theirs = waits[mask & matched], waits[~mask & matched]
            if len(mine) >= SMALLEST and len(theirs) >= SMALLEST:
                a, b = 24 * float(np.median(mine)), 24 * float(np.median(theirs))  # in hours
                if a >= MARKEDLY_LONGER * b and a - b >= MARKEDLY_HOURS:
                    found.append(Finding(
                        f"{_who(label, name)} waited markedly longer: a median of {hours_words(a)} to an accepted "
                        f"offer, against {hours_words(b)} for everyone else ({len(mine)} and {len(theirs)} "
                        "requests matched)."))
            rate, others = 100.0 * len(mine) / mask.sum(), 100.0 * len(theirs) / (~mask).sum()
            if others - rate >= MARKEDLY_FEWER and (len(mine) == 0 or len(mine) >= SMALLEST):
                found.append(Finding(
                    f"{_who(label, name)} were matched markedly less often: {rate:.0f}% of {mask.sum()} requests, "
                    f"against {others:.0f}% for everyone else."))
    return found


def _who(label: str, name: str) -> str:
    if label == "Language":
        return f"Requests in {name}"
    if label == "Council area":
        return f"Requests from {name}"
    return f"Requests from parents who {name[0].lower()}{name[1:]}" if name != "No preference" else \
        "Requests with no advocate gender preference"


def hours_words(hours: float) -> str:
    """A wait in words: hours under two days, days after."""
    if hours < 48:
        return f"{hours:.0f} hours" if round(hours) != 1 else "1 hour"
    return f"{hours / 24:.1f} days"


# -- offers, load, hours, outcomes, feedback -------------------------------------------------------------------

def _offers(session: Session, scope: Scope) -> list[Table]:
    in_scope = sa.and_(Offer.offered_dt >= scope.start_dt, Offer.offered_dt < scope.end_dt,
                       _in_scope(SupportRequest.organisation_id, scope))
    statuses = dict(session.execute(
        sa.select(Offer.status, sa.func.count()).join(SupportRequest, SupportRequest.id == Offer.request_id)
        .where(in_scope).group_by(Offer.status)).all())
    sent = sum(statuses.values())
    labels = ((OfferStatus.ACCEPTED, "Accepted"), (OfferStatus.DECLINED, "Declined"), (OfferStatus.LAPSED, "Lapsed"),
              (OfferStatus.WITHDRAWN, "Withdrawn by an organiser"), (OfferStatus.OFFERED, "Still waiting for an answer"))
    rows = [("Sent", count(sent), share(sent, sent) if sent else 0)]
    rows += [(label, count(statuses.get(status, 0)), share(statuses.get(status, 0), sent)) for status, label in labels]
    reasons = dict(session.execute(
        sa.select(Offer.decline_reason, sa.func.count()).join(SupportRequest, SupportRequest.id == Offer.request_id)
        .where(in_scope, Offer.status == OfferStatus.DECLINED).group_by(Offer.decline_reason)).all())
    declined = sum(reasons.values())
    by_reason = [(label, count(reasons.get(reason, 0)), share(reasons.get(reason, 0), declined))
                 for reason, label in DECLINE_REASONS.items()]
    return [
        Table("offers", "Offers sent and what became of them",
              (Column("Offers"), Column("Number", "count"), Column("Share of offers sent", "percent")), rows,
              "Offers sent to advocates in the period."),
        Table("offers-declined", "Why advocates declined",
              (Column("Reason"), Column("Offers", "count"), Column("Share of declined", "percent")), by_reason),
    ]


def _load(advocates: list[_Advocate]) -> Table:
    places = sum(a.capacity for a in advocates)
    taken = sum(min(a.active, a.capacity) for a in advocates)
    row = (count(len(advocates)), count(places), count(taken), share(taken, places),
           count(sum(a.active >= a.capacity for a in advocates)), count(sum(a.active == 0 for a in advocates)))
    return Table("load", "Advocates' load against their capacity",
                 (Column("Advocates who could be offered", "count"), Column("Places they offer", "count"),
                  Column("Places taken by a match", "count"), Column("Share of places taken", "percent"),
                  Column("Advocates with every place taken", "count"), Column("Advocates supporting nobody now", "count")),
                 [row], "As it is today. Places: how many parents each advocate said they can support at once.")


def _hours(contacts: int, minutes: int | None) -> Any:
    """Hours given over ``contacts`` logged contacts; hidden when they are 1 to 4 (it would tell one person's)."""
    return round((minutes or 0) / 60, 1) if contacts == 0 or contacts >= SMALLEST else SUPPRESSED


def _hours_outcomes_feedback(session: Session, scope: Scope) -> list[Table]:
    in_scope = _in_scope(SupportRequest.organisation_id, scope)
    contacts = session.execute(
        sa.select(ContactLogEntry.mode, sa.func.count(), sa.func.sum(ContactLogEntry.minutes))
        .join(Match, Match.id == ContactLogEntry.match_id).join(SupportRequest, SupportRequest.id == Match.request_id)
        .where(in_scope, ContactLogEntry.occurred_on >= scope.start, ContactLogEntry.occurred_on <= scope.end)
        .group_by(ContactLogEntry.mode)).all()
    labels = {"in_person": "In person", "phone": "Phone", "video": "Video", "text": "Text messages",
              "email": "Email", "meeting": "At a meeting"}
    minutes = {mode: (n, int(total or 0)) for mode, n, total in contacts}
    hours_rows = [(label, count(minutes.get(mode, (0, 0))[0]), _hours(*minutes.get(mode, (0, 0))))
                  for mode, label in labels.items()]
    hours_rows.append(("Every kind", count(sum(n for n, _ in minutes.values())),
                       _hours(sum(n for n, _ in minutes.values()), sum(m for _, m in minutes.values()))))
    ended = dict(session.execute(
        sa.select(Match.outcome, sa.func.count()).join(SupportRequest, SupportRequest.id == Match.request_id)
        .where(in_scope, Match.ended_dt >= scope.start_dt, Match.ended_dt < scope.end_dt).group_by(Match.outcome))
        .all())
    finished = sum(ended.values())
    outcome_rows = [(label, count(ended.get(outcome, 0)), share(ended.get(outcome, 0), finished))
                    for outcome, label in OUTCOMES.items()]
    ratings: dict[str, list[int]] = {FeedbackAuthor.PARENT: [], FeedbackAuthor.VOLUNTEER: []}
    for author, rating in session.execute(
            sa.select(Feedback.author, Feedback.rating).join(Match, Match.id == Feedback.match_id)
            .join(SupportRequest, SupportRequest.id == Match.request_id)
            .where(in_scope, Feedback.given_dt >= scope.start_dt, Feedback.given_dt < scope.end_dt)):
        ratings[author].append(rating)
    feedback_rows = []
    for author, label in ((FeedbackAuthor.PARENT, "Parents"), (FeedbackAuthor.VOLUNTEER, "Advocates")):
        given = ratings[author]
        feedback_rows.append((label, count(len(given)), mean(given),
                              *(share(sum(r == stars for r in given), len(given)) for stars in (5, 4, 3, 2, 1))))
    return [
        Table("hours", "Hours advocates gave", (Column("Kind of contact"), Column("Contacts logged", "count"),
                                               Column("Hours", "hours")), hours_rows,
              "Contacts advocates logged in the period, and the time each took."),
        Table("outcomes", "How support ended", (Column("Outcome"), Column("Matches", "count"),
                                                Column("Share", "percent")), outcome_rows,
              "Matches that ended in the period."),
        Table("feedback", "Feedback from both sides",
              (Column("From"), Column("Ratings", "count"), Column("Average rating out of 5", "rating"),
               *(Column(f"Share rating {stars}", "percent") for stars in (5, 4, 3, 2, 1))), feedback_rows,
              "Ratings given in the period, from 1 (poor) to 5 (very good). What people wrote stays on the match."),
    ]


# -- past months, kept through purges --------------------------------------------------------------------------

FINAL = {RequestStatus.CLOSED: "Closed after support", RequestStatus.MATCHED: "Matched",
         RequestStatus.CLOSED_UNMATCHED: "Closed unmatched", RequestStatus.WITHDRAWN: "Withdrawn"}


def months_between(start: date, end: date) -> list[date]:
    months, month = [], date(start.year, start.month, 1)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


KINDS = ("Matched", "Closed after support", "Closed unmatched", "Withdrawn", "Still waiting")


def monthly_counts(session: Session, scope: Scope, period: list[_Request] | None = None) -> dict[tuple[date, str], int]:
    """Requests sent each month of the period by where they stand: kept ones and purged ones' anonymous counts.

    A purge moves a request from the first kind of count to the second with the same month and
    final status, so these numbers never change when one runs.
    """
    if period is None:
        period = [r for r in _requests(session, scope) if r.in_period]
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for r in period:
        local = r.submitted.astimezone(clock.NETWORK_TIMEZONE)
        counts[(date(local.year, local.month, 1), FINAL.get(r.status, "Still waiting"))] += 1
    for month, status, n in session.execute(
            sa.select(AnonymisedRequestCount.month, AnonymisedRequestCount.final_status,
                      sa.func.sum(AnonymisedRequestCount.count))
            .where(_in_scope(AnonymisedRequestCount.organisation_id, scope),
                   AnonymisedRequestCount.month >= date(scope.start.year, scope.start.month, 1),
                   AnonymisedRequestCount.month <= scope.end)
            .group_by(AnonymisedRequestCount.month, AnonymisedRequestCount.final_status)):
        counts[(month, FINAL.get(status, "Still waiting"))] += int(n)
    return dict(counts)


def _by_month(session: Session, scope: Scope, period: list[_Request]) -> Table:
    counts = monthly_counts(session, scope, period)
    rows = []
    for month in months_between(scope.start, scope.end):
        figures = [counts.get((month, kind), 0) for kind in KINDS]
        rows.append((month.strftime("%B %Y"), count(sum(figures)), *(count(n) for n in figures)))
    return Table("requests-by-month", "Requests sent each month",
                 (Column("Month"), Column("Requests sent", "count"), *(Column(kind, "count") for kind in KINDS)), rows,
                 "Where each request stands now. Requests erased after the retention period still count here, in "
                 "the month they were sent. The first and last months may be part months.")


# -- the network, organisation by organisation -----------------------------------------------------------------

def _side_by_side(session: Session, scope: Scope, period: list[_Request], advocates: list[_Advocate],
                  organisations: Mapping[uuid.UUID, str]) -> Table:
    offers = defaultdict(lambda: [0, 0])
    for organisation_id, status, n in session.execute(
            sa.select(SupportRequest.organisation_id, Offer.status, sa.func.count())
            .join(SupportRequest, SupportRequest.id == Offer.request_id)
            .where(Offer.offered_dt >= scope.start_dt, Offer.offered_dt < scope.end_dt)
            .group_by(SupportRequest.organisation_id, Offer.status)):
        offers[organisation_id][0] += n
        offers[organisation_id][1] += n if status == OfferStatus.ACCEPTED else 0
    hours = {organisation_id: (n, minutes) for organisation_id, n, minutes in session.execute(
        sa.select(SupportRequest.organisation_id, sa.func.count(), sa.func.sum(ContactLogEntry.minutes))
        .join(Match, Match.id == ContactLogEntry.match_id).join(SupportRequest, SupportRequest.id == Match.request_id)
        .where(ContactLogEntry.occurred_on >= scope.start, ContactLogEntry.occurred_on <= scope.end)
        .group_by(SupportRequest.organisation_id))}
    by_organisation: dict[Any, list[_Request]] = defaultdict(list)
    for r in period:
        by_organisation[r.organisation_id].append(r)
    by_advocates: dict[Any, list[_Advocate]] = defaultdict(list)
    for a in advocates:
        by_advocates[a.organisation_id].append(a)
    rows = []
    for organisation_id, name in organisations.items():
        mine = by_organisation.get(organisation_id, [])
        theirs = by_advocates.get(organisation_id, [])
        waits = [r.to_accepted for r in mine if r.to_accepted is not None]
        sent, accepted = offers[organisation_id]
        places = sum(a.capacity for a in theirs)
        rows.append((name, count(len(mine)), share(len(waits), len(mine)), median(waits), p90(waits),
                     count(sent), share(accepted, sent), count(len(theirs)),
                     share(sum(min(a.active, a.capacity) for a in theirs), places),
                     _hours(*hours.get(organisation_id, (0, 0)))))
    return Table("organisations", "Each organisation side by side",
                 (Column("Organisation"), Column("Requests sent", "count"), Column("Match rate", "percent"),
                  Column("Median days to accepted offer", "days"), Column("90th percentile days", "days"),
                  Column("Offers sent", "count"), Column("Offers accepted", "percent"),
                  Column("Advocates who could be offered", "count"), Column("Share of places taken", "percent"),
                  Column("Hours advocates gave", "hours")), rows,
                 "Requests and offers of the period; advocates and places as they are today.")


def download(session: Session, by: User, scope: Scope, key: str, now: datetime, retention_days: int,
             organisations: Mapping[uuid.UUID, str] | None = None) -> Table | None:
    """One table of the report, to download; recorded in the audit log (which table, whose, which period)."""
    section = section_of(key)
    if section is None:
        return None
    table = report(session, scope, now, retention_days, organisations, only=section).tables.get(key)
    if table is not None:
        audit.record(session, by, AuditAction.REPORT_DOWNLOADED, "report", key, scope.organisation_id, at=now,
                     start=scope.start.isoformat(), end=scope.end.isoformat())
    return table


def organisation_names(session: Session) -> dict[uuid.UUID, str]:
    return dict(session.execute(sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)).all())
