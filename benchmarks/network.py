"""A realistic PeerMatch network in a fresh database, for benchmarks at network scale.

    python benchmarks/network.py --advocates 10000 --requests 50000
    PEERMATCH_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        python benchmarks/network.py --advocates 10000 --requests 50000

or, from another benchmark, ``build_network(url, advocates=..., requests=...) -> NetworkInfo``.

The database is PostgreSQL when ``--url`` or ``PEERMATCH_BENCH_DATABASE_URL`` names one (it
is created if missing, and its ``public`` schema is dropped and rebuilt), otherwise SQLite
at ``benchmarks/.data/bench.sqlite3`` (deleted and rebuilt). The schema comes from the
project's own migrations; issue types and the five member organisations' council areas
from ``services.reference_data``. Everything else is written with bulk inserts straight
into the tables, not through the services (a life-cycle call per row would take hours),
so this module keeps the services' invariants itself:

- an advocate's ``active_match_count`` is the number of their matches not ended, never
  above capacity; every current offer and match went to someone the engine's hard rules
  allowed on the day it was made (``matching.check_rules``);
- a request's status agrees with its offers and match: *offered* has an offer out,
  *matched* a match introduced or active, *closed* an ended match with the request's
  outcome, *closed_unmatched* an unmatched reason, *withdrawn* no offer left outstanding;
- timelines (``request_status_changes``, ``offer_status_changes``) follow the moves the
  services allow, at the moments they happened, all in UTC.

About 85% of advocates are approved with a complete, in-date vetting; 96% of requests are
history from the last twelve months and about 4% are still looking for an advocate. The
network is the same for the same seed (the ids of people, requests, offers and matches
included; dates move with today), so figures compare across runs.
Every account shares one password, hashed once: ``BENCH_PASSWORD``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

if importlib.util.find_spec("peermatch") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import sqlalchemy as sa
from flask import Flask

from peermatch import clock, matching, models
from peermatch.config import Defaults
from peermatch.geo import outcode_table
from peermatch.models import (
    Area,
    ConflictOfInterest,
    ConsentRecord,
    ContactLogEntry,
    ContactMode,
    DeclineReason,
    Feedback,
    FeedbackAuthor,
    Gender,
    IssueType,
    Match,
    MatchOutcome,
    MatchStatus,
    MeetingType,
    Offer,
    OfferStatus,
    OfferStatusChange,
    Organisation,
    RequestLanguage,
    RequestStatus,
    RequestStatusChange,
    Role,
    SafeContact,
    SupportRequest,
    UnmatchedReason,
    User,
    Vetting,
    VettingStatus,
    VolunteerLanguage,
    VolunteerPause,
    VolunteerProfile,
    VolunteerStatus,
    request_issue_types,
    volunteer_lived_experience,
    volunteer_opt_outs,
)
from peermatch.models.requests import REFERENCE_ALPHABET
from peermatch.services.demo import ORGANISATIONS, SECOND_LANGUAGES
from peermatch.services.drafts import CONSENT_PURPOSE
from peermatch.services.offers import offer_deadline

BENCH_PASSWORD = "peermatch-bench"
BENCH_TOTP_SECRET = "PEERMATCHBENCHKEYPEERMATCHBENCHK"  # staff's authenticator key (benchmark accounts only)
BENCH_DOMAIN = "bench.example.org"  # example.org is reserved (RFC 2606): never a real inbox
URL_VARIABLE = "PEERMATCH_BENCH_DATABASE_URL"
DATA_DIRECTORY = Path(__file__).resolve().parent / ".data"
SQLITE_PATH = DATA_DIRECTORY / "bench.sqlite3"
CHUNK = 5_000
PRIVACY_NOTICE_VERSION = Defaults.PRIVACY_NOTICE_VERSION
OFFER_LAPSE_HOURS = float(Defaults.OFFER_LAPSE_HOURS)
MODEL_VERSION = "default-1"
SAMPLE_SIZE = 100

# The schema is changing as matching grows up; these follow whichever one the migrations build.
VolunteerStatusChange = getattr(models, "VolunteerStatusChange", None)  # a volunteer's standing over time
DATED_REFERENCES = "reference_1_requested_on" in Vetting.__table__.c  # else a count, references_received
WAITS_FOR_INTRODUCTION = "accepted_dt" in Match.__table__.c  # accepted, then introduced by an organiser
SUSPENDED = getattr(VolunteerStatus, "SUSPENDED", None)
OFFERS_HOLD_PLACES = "offers_waiting" in {f.name for f in fields(matching.VolunteerProfile)}  # waiting offers count

# Advocates' standing, in percent: approved ones all have a complete, in-date vetting.
ADVOCATE_MIX = {VolunteerStatus.APPROVED: 85, VolunteerStatus.APPLICATION_RECEIVED: 8, VolunteerStatus.INACTIVE: 4,
                VolunteerStatus.REJECTED: 2, **({SUSPENDED: 1} if SUSPENDED else {VolunteerStatus.INACTIVE: 5})}
# Share of advocates and of requests in each organisation of demo.ORGANISATIONS (London is busiest).
ORGANISATION_WEIGHTS = (12, 20, 20, 30, 18)
# How often each issue type comes up (the order of reference.ISSUE_TYPES).
ISSUE_WEIGHTS = {
    "early_help": 4, "child_in_need": 8, "section_47": 8, "child_protection_conference": 12, "core_group": 6,
    "pre_proceedings": 7, "care_proceedings": 9, "family_group_conference": 4, "family_time": 5, "reunification": 2,
    "kinship_care": 3, "adoption": 2, "domestic_abuse": 10, "mental_health": 8, "substance_use": 5,
    "disabled_child": 4, "housing": 4, "debt_poverty": 4, "exploitation": 2, "youth_justice": 2,
}  # fmt: skip
# Final (or current) status of a request, in percent: 94.5 finished, 1.5 matched, 4 looking.
REQUEST_MIX = {
    RequestStatus.CLOSED: 66.5, RequestStatus.WITHDRAWN: 11.0, RequestStatus.CLOSED_UNMATCHED: 17.0,
    RequestStatus.MATCHED: 1.5, RequestStatus.SUBMITTED: 1.0, RequestStatus.OPEN: 2.0, RequestStatus.OFFERED: 1.0,
}  # fmt: skip
UNMATCHED_WEIGHTS = {
    UnmatchedReason.NO_ADVOCATE_AVAILABLE: 40, UnmatchedReason.PARENT_NOT_REACHABLE: 20,
    UnmatchedReason.SUPPORT_FOUND_ELSEWHERE: 15, UnmatchedReason.NO_LONGER_NEEDED: 15,
    UnmatchedReason.OUTSIDE_WHAT_WE_OFFER: 7, UnmatchedReason.DUPLICATE: 3,
}  # fmt: skip
OUTCOME_WEIGHTS = {
    MatchOutcome.SUPPORTED_THROUGH_MEETING: 50, MatchOutcome.ONGOING_NEED_REFERRED: 20,
    MatchOutcome.PARENT_STOPPED_CONTACT: 12, MatchOutcome.ADVOCATE_COULD_NOT_CONTINUE: 8,
    MatchOutcome.CONCERN_RAISED: 3, MatchOutcome.OTHER: 7,
}  # fmt: skip
DECLINE_WEIGHTS = {
    DeclineReason.NOT_AVAILABLE: 45, DeclineReason.TOO_FAR: 12, DeclineReason.TOO_CLOSE_TO_HOME: 8,
    DeclineReason.NOT_RIGHT_EXPERIENCE: 12, DeclineReason.PERSONAL: 15, DeclineReason.OTHER: 8,
}  # fmt: skip
CONTACT_NOTES = ("Talked through the conference report", "Went to the meeting together",
                 "Phone call to prepare questions", "Checked in after the meeting")
SAFE_TIMES = ("Weekdays 9:30am to 2:30pm", "After 6pm", "Any time", "Mornings only")


@dataclass(frozen=True)
class SignIn:
    """An account a web benchmark can sign in with."""

    email: str
    password: str
    role: str


@dataclass(frozen=True)
class OrganisationInfo:
    id: uuid.UUID
    name: str
    slug: str
    organiser: SignIn
    open_request_id: uuid.UUID | None  # awaiting an offer (submitted or open), a meeting date if any has one


@dataclass(frozen=True)
class NetworkInfo:
    """What was built, and the handles later benchmarks need."""

    url: str
    seed: int
    built_at: datetime
    seconds: float
    counts: dict[str, int]  # rows per table
    advocate_statuses: dict[str, int]
    request_statuses: dict[str, int]
    organisations: tuple[OrganisationInfo, ...]
    sample_request_ids: tuple[uuid.UUID, ...]  # awaiting an offer, taken in turn from each organisation
    admin: SignIn
    advocate: SignIn  # approved, with offers waiting for an answer
    parent: SignIn  # with a request open
    parent_request_id: uuid.UUID

    @property
    def organisation_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(o.id for o in self.organisations)

    @property
    def open_request_ids(self) -> dict[uuid.UUID, uuid.UUID | None]:
        """One request awaiting an offer per organisation."""
        return {o.id: o.open_request_id for o in self.organisations}

    @property
    def dialect(self) -> str:
        return sa.make_url(self.url).get_backend_name()


# -- the database ----------------------------------------------------------------------------------

def database_url(url: str | None = None) -> str:
    """``url``, else ``PEERMATCH_BENCH_DATABASE_URL``, else SQLite in ``benchmarks/.data``."""
    return url or os.environ.get(URL_VARIABLE) or f"sqlite:///{SQLITE_PATH}"


def make_app(url: str) -> Flask:
    """A PeerMatch app on the benchmark database (the factory only wires: no query yet)."""
    from peermatch import create_app

    DATA_DIRECTORY.mkdir(exist_ok=True)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "x" * 40, "INSTANCE_PATH": str(DATA_DIRECTORY),
                       "ENV": "development"})


def _refuse_shared_database(url: sa.URL) -> None:
    """Never wipe the test suite's database, nor the one the app itself is configured with."""
    protected = {os.environ.get(name, "") for name in ("PEERMATCH_TEST_DATABASE_URL", "PEERMATCH_DATABASE_URL")}
    same = any(other and sa.make_url(other).database == url.database and sa.make_url(other).host == url.host
               for other in protected)
    if url.database in (None, "", "test", "postgres", "template0", "template1") or same:
        raise SystemExit(f"Refusing to wipe database {url.database!r}: use a database of its own, e.g. 'bench'")


def reset_database(url: str) -> None:
    """An empty database: the SQLite file deleted, or PostgreSQL's public schema dropped (database created if missing)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("Give the SQLite benchmark database a file")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit(f"Benchmarks run on SQLite or PostgreSQL, not {parsed.get_backend_name()}")
    _refuse_shared_database(parsed)
    maintenance = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": parsed.database})
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    maintenance.dispose()
    engine = sa.create_engine(parsed)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


# -- what the generator keeps about people while it builds -----------------------------------------

@dataclass
class _Org:
    index: int
    id: uuid.UUID
    name: str
    slug: str
    areas: dict[str, tuple[uuid.UUID, str, float, float]]  # outcode -> area id, area code, area centre
    area_list: list[tuple[uuid.UUID, str, float, float]]
    outcodes: list[str]
    organisers: list[dict[str, Any]] = field(default_factory=list)  # user rows


@dataclass
class _Advocate:
    index: int
    org: _Org
    user: dict[str, Any]
    row: dict[str, Any]  # volunteer_profiles row
    status: str
    approved_dt: datetime | None
    lived: frozenset[str]
    profile: matching.VolunteerProfile | None = None  # for the hard rules, approved advocates only
    active: int = 0
    waiting: int = 0  # offers out for an answer


@dataclass
class _Story:
    """One request with everything that happened to it, before its parent is known."""

    org: _Org
    status: str
    row: dict[str, Any]
    consent: dict[str, Any]
    contact: dict[str, Any]
    profile: matching.RequestProfile  # for the hard rules
    by_parent: list[dict[str, Any]] = field(default_factory=list)  # timeline rows the parent made
    declined: set[uuid.UUID] = field(default_factory=set)  # advocates who said no, or let an offer lapse
    finished: datetime | None = None
    parent: dict[str, Any] | None = None


class _Builder:
    """Makes every row in memory; ``insert`` writes them table by table."""

    def __init__(self, session: Any, now: datetime, seed: int, n_organisations: int) -> None:
        from faker import Faker

        from peermatch.passwords import hash_password

        self.now = now
        self.today = clock.today(now)
        self.rng = random.Random(seed)
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.women = sorted({fake.first_name_female() for _ in range(600)})
        self.men = sorted({fake.first_name_male() for _ in range(300)})
        self.password_hash = hash_password(BENCH_PASSWORD)  # once: argon2 takes ~0.1 s a hash
        self.rows: dict[sa.Table, list[dict[str, Any]]] = defaultdict(list)
        self.references: set[str] = set()
        self.emails: set[str] = set()
        issue_rows = session.execute(sa.select(IssueType.code, IssueType.id, IssueType.name)).all()
        self.issue_id = {code: id_ for code, id_, _ in issue_rows}
        self.issue_name = {code: name for code, _, name in issue_rows}
        self.issue_codes = sorted(self.issue_id, key=lambda c: -ISSUE_WEIGHTS.get(c, 1))
        self.issue_weights = [ISSUE_WEIGHTS.get(c, 1) for c in self.issue_codes]
        self.orgs = self._organisations(session, ORGANISATIONS[:n_organisations])
        self.org_weights = list(ORGANISATION_WEIGHTS[:n_organisations])
        self.advocates: list[_Advocate] = []
        self.stories: list[_Story] = []

    # -- small helpers ------------------------------------------------------------------------------
    def uuid(self) -> uuid.UUID:
        """A random version-4 UUID drawn from the seeded generator, so the same seed gives the same ids."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def between(self, low: timedelta, high: timedelta) -> timedelta:
        return timedelta(seconds=self.rng.uniform(low.total_seconds(), high.total_seconds()))

    def pick(self, weights: dict[Any, float]) -> Any:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def issues(self, count: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < count:
            code = self.rng.choices(self.issue_codes, self.issue_weights)[0]
            if code not in chosen:
                chosen.append(code)
        return chosen

    def mask(self, density: float) -> int:
        mask = sum(1 << bit for bit in range(21) if self.rng.random() < density)
        return mask or 1 << self.rng.randrange(21)

    def reference(self) -> str:
        while True:
            chars = "".join(self.rng.choice(REFERENCE_ALPHABET) for _ in range(8))
            reference = f"PM-{chars[:4]}-{chars[4:]}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def add(self, table: sa.Table, **row: Any) -> dict[str, Any]:
        self.rows[table].append(row)
        return row

    def user(self, role: str, email: str, name: str, organisation: _Org | None, created: datetime) -> dict[str, Any]:
        assert email not in self.emails, email
        self.emails.add(email)
        staff = role in (Role.ORGANISER, Role.ADMIN)  # two-factor set up, with the benchmark's published key
        return self.add(User.__table__, id=self.uuid(), email=email, password_hash=self.password_hash, role=role,
                        display_name=name, organisation_id=organisation.id if organisation else None, active=True,
                        last_sign_in_dt=None, created_dt=created, updated_dt=created,
                        totp_secret=BENCH_TOTP_SECRET if staff else None, totp_enabled_dt=created if staff else None,
                        totp_last_step=None)

    def first_name(self, gender: str | None) -> str:
        if gender == Gender.MAN or (gender is None and self.rng.random() < 0.3):
            return self.rng.choice(self.men)
        return self.rng.choice(self.women)

    # -- organisations, through the reference-data service (few rows, and the real area logic) ------
    def _organisations(self, session: Any, chosen: Sequence[tuple[str, Sequence[str]]]) -> list[_Org]:
        from peermatch.services.reference_data import ensure_area, slugify

        table = outcode_table()
        orgs = []
        for index, (name, counties) in enumerate(chosen):
            organisation = Organisation(id=self.uuid(), name=name, slug=slugify(name),
                                        contact_email=f"hello.{index + 1}@{BENCH_DOMAIN}")
            session.add(organisation)
            session.flush()
            areas: dict[str, tuple[uuid.UUID, str, float, float]] = {}
            area_list = []
            for county in counties:
                area: Area = ensure_area(session, county, organisation)
                entry = (area.id, area.code, area.latitude, area.longitude)
                area_list.append(entry)
                for row in area.outcodes:
                    if row.outcode in table:
                        areas[row.outcode] = entry
            orgs.append(_Org(index, organisation.id, name, organisation.slug, areas, area_list, sorted(areas)))
        session.flush()
        return orgs

    def staff(self) -> None:
        created = self.now - timedelta(days=800)
        self.admin = self.user(Role.ADMIN, f"admin@{BENCH_DOMAIN}", "Network Admin", None, created)
        for org in self.orgs:
            for j in range(1 + self.rng.randint(1, 2)):
                local = f"organiser{org.index + 1}" if j == 0 else f"organiser{org.index + 1}.{j + 1}"
                name = f"{self.first_name(None)} {self.rng.choice(('Shaw', 'Khan', 'Patel', 'Jones', 'Okafor'))}"
                org.organisers.append(self.user(Role.ORGANISER, f"{local}@{BENCH_DOMAIN}", name, org,
                                                created + self.between(timedelta(0), timedelta(days=300))))

    def organiser(self, org: _Org) -> uuid.UUID:
        return self.rng.choice(org.organisers)["id"]

    # -- advocates ------------------------------------------------------------------------------------
    def advocate(self, i: int) -> _Advocate:
        rng, now, today = self.rng, self.now, self.today
        special = i == 0  # the account with offers waiting: free all week, room for three, network-wide
        org = self.orgs[0] if special else rng.choices(self.orgs, self.org_weights)[0]
        status = VolunteerStatus.APPROVED if special else self.pick(ADVOCATE_MIX)
        gender = Gender.WOMAN if special else self.pick({Gender.WOMAN: 70, Gender.MAN: 24, Gender.NON_BINARY: 2,
                                                         None: 4})
        if status == VolunteerStatus.APPLICATION_RECEIVED:
            applied = now - self.between(timedelta(days=1), timedelta(days=90))
        else:
            applied = now - self.between(timedelta(days=120), timedelta(days=1200))
        approved = applied + self.between(timedelta(days=14), timedelta(days=60))
        ever_approved = status not in (VolunteerStatus.APPLICATION_RECEIVED, VolunteerStatus.REJECTED)
        user = self.user(Role.VOLUNTEER, f"advocate{i:06d}@{BENCH_DOMAIN}", self.first_name(gender), org,
                         applied - timedelta(minutes=30))
        outcode = rng.choice(org.outcodes)
        centre = outcode_table()[outcode]
        in_person, phone, video = rng.random() < 0.8, rng.random() < 0.9, rng.random() < 0.6
        if not (in_person or phone or video):
            phone = True
        capacity = rng.choices([1, 2, 3, 4], [45, 35, 13, 7])[0]
        lived = self.issues(rng.choices([1, 2, 3, 4], [20, 35, 30, 15])[0])
        if special:
            in_person = phone = video = True
            capacity, lived = 3, self.issue_codes[:4]
        organiser = self.organiser(org)
        row = self.add(
            VolunteerProfile.__table__, id=self.uuid(), user_id=user["id"], organisation_id=org.id, status=status,
            gender=gender, home_outcode=outcode, latitude=centre.latitude, longitude=centre.longitude,
            area_id=org.areas[outcode][0], travel_km=50.0 if special else float(rng.choices(
                [5, 10, 15, 20, 30, 50], [10, 25, 25, 20, 12, 8])[0]),
            network_wide=special or rng.random() < 0.15, offers_in_person=in_person, offers_phone=phone,
            offers_video=video, capacity=capacity, active_match_count=0,
            availability_mask=(1 << 21) - 1 if special else self.mask(rng.choice([0.2, 0.35, 0.5])),
            introduction=f"I have been through {self.issue_name[lived[0]].lower()} myself and want other parents "
                         "to feel less alone.",
            applied_dt=applied, approved_dt=approved if ever_approved else None,
            approved_by_id=organiser if ever_approved else None, created_dt=applied,
            updated_dt=approved if ever_approved else applied,
        )
        vid = row["id"]
        for code in lived:
            self.add(volunteer_lived_experience, volunteer_id=vid, issue_type_id=self.issue_id[code])
        opt_outs = [] if special else rng.sample([c for c in self.issue_codes if c not in lived],
                                                 rng.choices([0, 1, 2], [75, 20, 5])[0])
        for code in opt_outs:
            self.add(volunteer_opt_outs, volunteer_id=vid, issue_type_id=self.issue_id[code])
        languages = {"en"}
        if not special and rng.random() < (0.12 if org.index in (0, 4) else 0.3):
            languages.add(rng.choice(SECOND_LANGUAGES))
        for code in sorted(languages):
            self.add(VolunteerLanguage.__table__, volunteer_id=vid, language=code)
        vetting = self.vetting(status, applied, organiser)
        self.add(Vetting.__table__, id=self.uuid(), volunteer_id=vid, **vetting)
        pauses = []
        roll = rng.random()
        if status == VolunteerStatus.APPROVED and not special and roll < 0.18:
            if roll < 0.12:  # away now or soon
                start = today + timedelta(days=rng.randint(-10, 45))
            else:  # was away, and came back
                start = today - timedelta(days=rng.randint(30, 200))
            pauses.append((start, start + timedelta(days=rng.randint(3, 21))))
        for start, end in pauses:
            self.add(VolunteerPause.__table__, id=self.uuid(), volunteer_id=vid, starts_on=start, ends_on=end,
                     reason=rng.choice(("Away", "Holiday", "Family commitments", "")))
        self.standing(row, user, status, organiser)
        advocate = _Advocate(i, org, user, row, status, approved if ever_approved else None, frozenset(lived))
        if status == VolunteerStatus.APPROVED:
            advocate.profile = matching.VolunteerProfile(
                id=str(vid), organisation_id=str(org.id), display_name=user["display_name"],
                network_wide=row["network_wide"], approved=True, dbs_expires_on=vetting["dbs_expires_on"],
                training_completed=vetting["training_completed_on"] is not None, pauses=tuple(pauses),
                capacity=capacity, active_matches=0, languages=frozenset(languages), gender=gender,
                support_modes=frozenset(m for m, ok in ((matching.IN_PERSON, in_person), (matching.PHONE, phone),
                                                        (matching.VIDEO, video)) if ok),
                outcode=outcode, lat=centre.latitude, lon=centre.longitude, area_code=org.areas[outcode][1],
                travel_km=row["travel_km"], availability_mask=row["availability_mask"], lived_experience=frozenset(lived),
                opt_outs=frozenset(opt_outs),
            )
        return advocate

    def standing(self, row: dict[str, Any], user: dict[str, Any], status: str, organiser: uuid.UUID) -> None:
        """The history of a volunteer's standing, where the schema keeps one: applied, approved, then any step back."""
        if VolunteerStatusChange is None:
            return
        steps = [(None, VolunteerStatus.APPLICATION_RECEIVED, row["applied_dt"], user["id"], "")]
        if row["approved_dt"] is not None:
            steps.append((VolunteerStatus.APPLICATION_RECEIVED, VolunteerStatus.APPROVED, row["approved_dt"], organiser,
                          ""))
        if status not in (VolunteerStatus.APPLICATION_RECEIVED, VolunteerStatus.APPROVED):
            before, since = steps[-1][1], steps[-1][2]
            at = since + (self.now - since) * self.rng.uniform(0.3, 0.95)
            reason = {VolunteerStatus.REJECTED: "Not taken forward", VolunteerStatus.INACTIVE: "Stepping back for now"}
            steps.append((before, status, at, organiser, reason.get(status, "Paused while a concern is looked into")))
            row["updated_dt"] = at
        for old, new, at, by, reason_text in steps:
            self.add(VolunteerStatusChange.__table__, id=self.uuid(), volunteer_id=row["id"], from_status=old,
                     to_status=new, changed_dt=at, changed_by_id=by, reason=reason_text)

    def vetting(self, status: str, applied: datetime, organiser: uuid.UUID) -> dict[str, Any]:
        """The vetting row: in date and complete for everyone approved; partial for applicants."""
        rng, today = self.rng, self.today
        applied_on = clock.today(applied)
        checked = expires = training = None
        references: list[tuple[date | None, date | None, date | None]] = [(None, None, None)] * 2
        notes = ""
        if status in (VolunteerStatus.APPLICATION_RECEIVED, VolunteerStatus.REJECTED):
            if rng.random() < 0.5 or status == VolunteerStatus.REJECTED:  # under way: references asked for
                asked = min(applied_on + timedelta(days=rng.randint(0, 5)), today)
                back = asked + timedelta(days=rng.randint(2, 10))
                references = [(asked, back if back <= today and rng.random() < 0.5 else None, None), (asked, None, None)]
                if rng.random() < 0.5:
                    checked = min(applied_on + timedelta(days=rng.randint(0, 20)), today)
                    expires = checked + timedelta(days=3 * 365)
            notes = "Not taken forward" if status == VolunteerStatus.REJECTED else ""
        else:  # approved (all in date: renewed every three years); some who stepped back have run out
            checked = today - timedelta(days=rng.randint(30, 1000))
            if status != VolunteerStatus.APPROVED and rng.random() < 0.5:
                checked = today - timedelta(days=3 * 365 + rng.randint(1, 300))
            expires = checked + timedelta(days=3 * 365)
            training = min(checked + timedelta(days=rng.randint(1, 30)), today)
            references = []
            for _ in range(2):
                asked = checked - timedelta(days=rng.randint(5, 30))
                back = asked + timedelta(days=rng.randint(2, 10))
                references.append((asked, back, min(back + timedelta(days=rng.randint(0, 3)), today)))
        row: dict[str, Any] = {
            "dbs_checked_on": checked, "dbs_expires_on": expires,
            "dbs_certificate_ref": f"{rng.randrange(10**12):012d}" if checked else None,
            "training_completed_on": training, "notes": notes, "recorded_by_id": organiser, "created_dt": applied,
            "updated_dt": applied,
        }
        if DATED_REFERENCES:
            for n, steps in enumerate(references, start=1):
                row.update({f"reference_{n}_{step}_on": day for step, day in zip(("requested", "received", "verified"),
                                                                                steps)})
        if "references_received" in Vetting.__table__.c:  # the schema before references were dated
            row["references_received"] = sum(1 for _, received, _ in references if received)
        if "status" in Vetting.__table__.c:
            started = checked or training or any(asked for asked, _, _ in references)
            row["status"] = (VettingStatus.NOT_STARTED if not started else VettingStatus.EXPIRED
                             if expires and expires < today else VettingStatus.COMPLETE
                             if checked and training and all(v for _, _, v in references) else VettingStatus.IN_PROGRESS)
        return row

    def index_advocates(self) -> None:
        """Who could have been offered a request: by organisation, by lived experience, network-wide."""
        self.ever_by_org: dict[int, list[_Advocate]] = defaultdict(list)
        self.ever_by_issue: dict[tuple[int, str], list[_Advocate]] = defaultdict(list)
        self.approved_by_org: dict[int, list[_Advocate]] = defaultdict(list)
        self.network_wide: list[_Advocate] = []
        for a in self.advocates:
            if a.approved_dt is None:
                continue
            self.ever_by_org[a.org.index].append(a)
            for code in a.lived:
                self.ever_by_issue[a.org.index, code].append(a)
            if a.profile is not None:
                self.approved_by_org[a.org.index].append(a)
                if a.profile.network_wide:
                    self.network_wide.append(a)

    # -- requests --------------------------------------------------------------------------------------
    def story(self, status: str) -> _Story:
        """A request's own rows, with times placed for its final status; offers and match come after."""
        rng, now, today = self.rng, self.now, self.today
        org = rng.choices(self.orgs, self.org_weights)[0]
        if status == RequestStatus.SUBMITTED:
            submitted = now - self.between(timedelta(minutes=10), timedelta(days=3))
        elif status in (RequestStatus.OPEN, RequestStatus.OFFERED):
            submitted = now - self.between(timedelta(days=2), timedelta(days=21))
        elif status == RequestStatus.MATCHED:
            submitted = now - self.between(timedelta(days=6), timedelta(days=70))
        else:  # finished within about the last twelve months
            submitted = now - self.between(timedelta(days=25), timedelta(days=390))
        looking = status in (RequestStatus.SUBMITTED, RequestStatus.OPEN, RequestStatus.OFFERED)
        meeting = meeting_part = meeting_type = None
        if looking and rng.random() < 0.5:  # about half the open ones have a meeting within three weeks
            meeting = today + timedelta(days=rng.randint(1, 21))
        elif not looking and rng.random() < 0.55:
            meeting = clock.today(submitted) + timedelta(days=rng.randint(5, 25))
        if meeting is not None:
            meeting_part = rng.choice((0, 0, 1, 1, 2, None))
            meeting_type = rng.choice(list(MeetingType))
        issues = self.issues(rng.choices([1, 2, 3], [40, 40, 20])[0])
        by_postcode = rng.random() < 0.9
        outcode = rng.choice(org.outcodes)
        area_id, area_code, area_lat, area_lon = org.areas[outcode]
        if by_postcode:
            centre = outcode_table()[outcode]
            lat, lon = centre.latitude, centre.longitude
        else:  # the parent chose their council area instead of giving a postcode
            area_id, area_code, area_lat, area_lon = rng.choice(org.area_list)
            outcode, lat, lon = None, area_lat, area_lon
        languages = ["en"] if rng.random() < 0.85 else [rng.choice(SECOND_LANGUAGES)]
        if languages != ["en"] and rng.random() < 0.3:
            languages.insert(0, "en")
        interpreter = rng.random() < (0.6 if "en" not in languages else 0.2)
        in_person, phone, video = rng.random() < 0.7, rng.random() < 0.85, rng.random() < 0.4
        if not (in_person or phone or video):
            phone = True
        request_id = self.uuid()
        row = self.add(
            SupportRequest.__table__, id=request_id, reference=self.reference(), parent_id=None,
            organisation_id=org.id, area_id=area_id, status=status, outcode=outcode, latitude=lat, longitude=lon,
            main_issue_id=self.issue_id[issues[0]],
            description=f"Looking for someone who has been through {self.issue_name[issues[0]].lower()}.",
            meeting_type=meeting_type, meeting_date=meeting, meeting_part=meeting_part,
            availability_mask=self.mask(0.4), accepts_in_person=in_person, accepts_phone=phone,
            accepts_video=video, interpreter_ok=interpreter,
            advocate_gender=self.pick({None: 75, Gender.WOMAN: 22, Gender.MAN: 3}),
            draft_answers={"issue_types": issues, "meeting_answered": True, "languages_answered": True,
                           "gender_answered": True, "location": "postcode" if by_postcode else "area",
                           "consent_version": PRIVACY_NOTICE_VERSION},
            submitted_dt=submitted, opened_dt=None, offered_dt=None, matched_dt=None, closed_dt=None,
            withdrawn_dt=None, outcome=None, created_dt=submitted - timedelta(minutes=15), updated_dt=submitted,
        )
        for code in issues:
            self.add(request_issue_types, request_id=request_id, issue_type_id=self.issue_id[code])
        for code in languages:
            self.add(RequestLanguage.__table__, request_id=request_id, language=code)
        email_ok, phone_ok = rng.random() < 0.6, rng.random() < 0.7
        text_ok = rng.random() < 0.8
        contact = self.add(
            SafeContact.__table__, id=self.uuid(), request_id=request_id, name_to_ask_for="", email_ok=email_ok,
            email=None, phone_ok=phone_ok, text_ok=text_ok,
            phone=f"07700 900{rng.randrange(1000):03d}" if phone_ok or text_ok else None,  # Ofcom's drama range
            voicemail_ok=phone_ok and rng.random() < 0.3, safe_times=rng.choice(SAFE_TIMES),
        )
        consent = self.add(ConsentRecord.__table__, id=self.uuid(), user_id=None,
                           purpose=CONSENT_PURPOSE,
                           privacy_notice_version=PRIVACY_NOTICE_VERSION, given_dt=submitted - timedelta(minutes=1),
                           withdrawn_dt=None)
        profile = matching.RequestProfile(
            id=str(request_id), organisation_id=str(org.id), issue_types=frozenset(issues), main_issue=issues[0],
            outcode=outcode, lat=lat, lon=lon, area_code=area_code, availability_mask=row["availability_mask"],
            meeting_date=meeting, meeting_part=meeting_part,
            support_modes=frozenset(m for m, ok in ((matching.IN_PERSON, in_person), (matching.PHONE, phone),
                                                    (matching.VIDEO, video)) if ok),
            languages=frozenset(languages), interpreter_ok=interpreter, advocate_gender=row["advocate_gender"],
            submitted_at=submitted,
        )
        story = _Story(org, status, row, consent, contact, profile)
        self.move(story, None, RequestStatus.SUBMITTED, submitted, by_parent=True)
        return story

    def move(self, story: _Story, old: str | None, new: str, at: datetime, *, by: uuid.UUID | None = None,
             by_parent: bool = False, **values: Any) -> None:
        """The request moves: status, its time stamp, a timeline row (as ``services.requests._move``)."""
        row = story.row
        stamp = {RequestStatus.SUBMITTED: "submitted_dt", RequestStatus.OFFERED: "offered_dt",
                 RequestStatus.MATCHED: "matched_dt", RequestStatus.CLOSED: "closed_dt",
                 RequestStatus.CLOSED_UNMATCHED: "closed_dt", RequestStatus.WITHDRAWN: "withdrawn_dt"}.get(new)
        if stamp:
            row[stamp] = at
        if new == RequestStatus.OPEN and row["opened_dt"] is None:
            row["opened_dt"] = at
        row.update(status=new, updated_dt=at, **values)
        change = self.add(RequestStatusChange.__table__, id=self.uuid(), request_id=row["id"],
                          from_status=old or RequestStatus.DRAFT, to_status=new, changed_dt=at, changed_by_id=by)
        if by_parent:
            story.by_parent.append(change)

    def offer(self, story: _Story, advocate: _Advocate, after: datetime, sent: datetime, final: str,
              answered: datetime | None, reason: str | None = None) -> dict[str, Any]:
        """An offer proposed and approved after ``after``, sent at ``sent``, then ``final`` at ``answered``."""
        row = story.row
        organiser = self.organiser(story.org)
        proposed = after + (sent - after) * self.rng.uniform(0.2, 0.8)
        approved = proposed + (sent - proposed) * self.rng.uniform(0.3, 0.9)
        expires = _offer_deadline(sent, row["meeting_date"], row["meeting_part"])
        score = round(self.rng.uniform(0.45, 0.95), 3)
        offer = self.add(
            Offer.__table__, id=self.uuid(), request_id=row["id"], volunteer_id=advocate.row["id"], status=final,
            score=score, explanation=[{"feature": "lived_experience", "label": "Lived experience of the main issue",
                                       "contribution": round(score * 0.5, 3)}],
            model_version=MODEL_VERSION, proposed_by_id=organiser, proposed_dt=proposed, approved_by_id=organiser,
            approved_dt=approved, offered_dt=sent, expires_dt=expires,
            responded_dt=answered if final in (OfferStatus.ACCEPTED, OfferStatus.DECLINED) else None,
            decline_reason=reason, decline_note="", created_dt=proposed, updated_dt=answered or sent,
        )
        steps = [(None, OfferStatus.PROPOSED, proposed, organiser, ""), (OfferStatus.PROPOSED, OfferStatus.APPROVED,
                 approved, organiser, ""), (OfferStatus.APPROVED, OfferStatus.OFFERED, sent, organiser, "")]
        if final != OfferStatus.OFFERED:
            assert answered is not None
            by = {OfferStatus.ACCEPTED: advocate.user["id"], OfferStatus.DECLINED: advocate.user["id"]}.get(final)
            note = {OfferStatus.LAPSED: "No answer in time"}.get(final, "")
            steps.append((OfferStatus.OFFERED, final, answered, by, note))
        for old, new, at, by_id, note in steps:
            self.add(OfferStatusChange.__table__, id=self.uuid(), offer_id=offer["id"], from_status=old,
                     to_status=new, changed_dt=at, changed_by_id=by_id, note=note)
        if story.row["status"] != RequestStatus.OFFERED:
            self.move(story, story.row["status"], RequestStatus.OFFERED, sent, by=organiser)
        return offer

    def turned_down(self, story: _Story, advocate: _Advocate, after: datetime, latest: datetime) -> datetime | None:
        """An offer the advocate declined or let lapse; the request goes back to the organisers. When it came back."""
        sent = after + self.between(timedelta(minutes=30), timedelta(hours=30))
        expires = _offer_deadline(sent, story.row["meeting_date"], story.row["meeting_part"])
        if self.rng.random() < 0.7:
            final, reason = OfferStatus.DECLINED, self.pick(DECLINE_WEIGHTS)
            answered = min(sent + self.between(timedelta(minutes=20), timedelta(hours=30)),
                           expires - timedelta(minutes=5))
        else:
            final, reason = OfferStatus.LAPSED, None
            answered = expires + self.between(timedelta(0), timedelta(minutes=15))  # the next lapse-offers run
        if answered >= latest or answered <= sent:
            return None
        self.offer(story, advocate, after, sent, final, answered, reason)
        by = advocate.user["id"] if final == OfferStatus.DECLINED else None
        self.move(story, RequestStatus.OFFERED, RequestStatus.OPEN, answered, by=by)
        story.declined.add(advocate.row["id"])
        return answered

    def history_advocate(self, story: _Story, sent: datetime) -> _Advocate | None:
        """Someone an organiser plausibly offered this request back then: mostly lived experience of the main issue."""
        org, main, declined = story.org.index, story.profile.main_issue, story.declined
        for _ in range(20):
            roll = self.rng.random()
            if roll < 0.7 and self.ever_by_issue.get((org, main)):
                pool = self.ever_by_issue[org, main]
            elif roll < 0.8 and self.network_wide:
                pool = self.network_wide
            else:
                pool = self.ever_by_org[org]
            if not pool:
                continue
            advocate = self.rng.choice(pool)
            if advocate.approved_dt is not None and advocate.approved_dt < sent and advocate.row["id"] not in declined:
                return advocate
        return None

    def eligible_advocate(self, story: _Story, day: date, first: _Advocate | None = None) -> _Advocate | None:
        """Someone the hard rules allow for this request on ``day``, with their places taken as they are now."""
        request = replace(story.profile, declined_volunteer_ids=frozenset(str(v) for v in story.declined))
        own = self.approved_by_org[story.org.index]
        candidates = [first] if first is not None else []
        candidates += self.rng.sample(own, min(len(own), 300))
        candidates += self.rng.sample(self.network_wide, min(len(self.network_wide), 100))
        for advocate in candidates:
            assert advocate.profile is not None
            taken: dict[str, int] = {"active_matches": advocate.active}
            if OFFERS_HOLD_PLACES:
                taken["offers_waiting"] = advocate.waiting
            if not matching.check_rules(request, replace(advocate.profile, **taken), day):
                return advocate
        return None

    def contacts(self, match: dict[str, Any], advocate: _Advocate, introduced: datetime, last: datetime,
                 count: int) -> datetime | None:
        """Contacts logged during a match, every few days; the first makes it active. When the first was."""
        first = None
        for n in range(count):
            day = clock.today(introduced) + timedelta(days=2 + 4 * n + self.rng.randint(0, 2))
            moment = max(clock.local_time(day, clock_time(18, 0)), introduced + timedelta(minutes=5))
            if moment >= last:
                break
            self.add(ContactLogEntry.__table__, id=self.uuid(), match_id=match["id"], occurred_on=clock.today(moment),
                     mode=self.rng.choice(list(ContactMode)), minutes=self.rng.choice([15, 30, 45, 60, 90, 120]),
                     note=self.rng.choice(CONTACT_NOTES), recorded_by_id=advocate.user["id"], recorded_dt=moment)
            if first is None:
                first = moment
                match.update(status=MatchStatus.ACTIVE,
                             activated_dt=max(clock.local_time(clock.today(moment), clock_time(0, 0)), introduced))
        return first

    def match(self, story: _Story, advocate: _Advocate, offer: dict[str, Any], accepted: datetime, *,
              introduce: bool = True) -> tuple[dict[str, Any], datetime]:
        """The match an accepted offer begins; an organiser introduces them (when the schema has that step).

        Returns the match and when the support began (the introduction), from which contacts are logged.
        """
        row = self.add(Match.__table__, id=self.uuid(), offer_id=offer["id"], request_id=story.row["id"],
                       volunteer_id=advocate.row["id"], status=MatchStatus.INTRODUCED, introduced_dt=accepted,
                       activated_dt=None, ended_dt=None, outcome=None, outcome_note="", created_dt=accepted,
                       updated_dt=accepted)
        if not WAITS_FOR_INTRODUCTION:
            self.move(story, RequestStatus.OFFERED, RequestStatus.MATCHED, accepted, by=advocate.user["id"])
            return row, accepted
        row.update(accepted_dt=accepted, introduced_by_id=None)
        if not introduce:
            row.update(status=MatchStatus.AWAITING_INTRODUCTION, introduced_dt=None)
            return row, accepted
        introduced = min(accepted + self.between(timedelta(minutes=10), timedelta(hours=30)),
                         self.now - timedelta(minutes=10))
        organiser = self.organiser(story.org)
        row.update(introduced_dt=introduced, introduced_by_id=organiser, updated_dt=introduced)
        self.move(story, RequestStatus.OFFERED, RequestStatus.MATCHED, introduced, by=organiser)
        return row, introduced

    def accept(self, story: _Story, advocate: _Advocate, after: datetime) -> tuple[dict[str, Any], datetime]:
        """An offer sent and accepted after ``after``, and the match it began (introduced)."""
        sent = after + self.between(timedelta(hours=1), timedelta(hours=48))
        expires = _offer_deadline(sent, story.row["meeting_date"], story.row["meeting_part"])
        accepted = min(sent + self.between(timedelta(minutes=20), timedelta(hours=20)), expires - timedelta(minutes=5))
        offer = self.offer(story, advocate, after, sent, OfferStatus.ACCEPTED, accepted)
        return self.match(story, advocate, offer, accepted)

    def end(self, match: dict[str, Any], at: datetime, outcome: str, note: str = "") -> None:
        match.update(status=MatchStatus.ENDED, ended_dt=at, outcome=outcome, outcome_note=note, updated_dt=at)

    def finish_history(self, story: _Story) -> None:
        """Offers, match and end of a request that has finished."""
        rng, row = self.rng, story.row
        final = story.status
        organiser = self.organiser(story.org)
        opened = row["submitted_dt"] + self.between(timedelta(hours=1), timedelta(hours=30))
        self.move(story, RequestStatus.SUBMITTED, RequestStatus.OPEN, opened, by=organiser)
        latest = self.now - timedelta(hours=1)
        cursor = opened
        if final == RequestStatus.WITHDRAWN:
            stage = self.pick({"open": 55, "offered": 20, "matched": 25})
        else:
            stage = "matched" if final == RequestStatus.CLOSED else "open"
        declines = rng.choices([0, 1, 2], [65, 27, 8] if final == RequestStatus.CLOSED else [70, 22, 8])[0]
        for _ in range(declines):
            advocate = self.history_advocate(story, cursor)
            came_back = advocate and self.turned_down(story, advocate, cursor, latest - timedelta(days=5))
            if came_back:
                cursor = came_back + self.between(timedelta(hours=1), timedelta(hours=24))
        if stage == "open":
            ends = min(cursor + self.between(timedelta(days=1), timedelta(days=25)), latest)
            if final == RequestStatus.WITHDRAWN:
                self.move(story, row["status"], RequestStatus.WITHDRAWN, ends, by_parent=True)
            else:
                self.move(story, row["status"], RequestStatus.CLOSED_UNMATCHED, ends, by=organiser,
                          outcome=self.pick(UNMATCHED_WEIGHTS))
            story.finished = ends
            return
        advocate = self.history_advocate(story, cursor)
        if advocate is None:  # nobody suitable had joined yet: closed without a match
            ends = min(cursor + timedelta(days=rng.randint(3, 20)), latest)
            self.move(story, row["status"], RequestStatus.CLOSED_UNMATCHED, ends, by=organiser,
                      outcome=UnmatchedReason.NO_ADVOCATE_AVAILABLE)
            story.finished = ends
            return
        if stage == "offered":  # the parent cancelled while an offer was out: it is withdrawn
            sent = cursor + self.between(timedelta(hours=1), timedelta(hours=24))
            ends = sent + self.between(timedelta(minutes=30), timedelta(hours=20))
            self.offer(story, advocate, cursor, sent, OfferStatus.WITHDRAWN, ends)
            withdrawn = self.rows[OfferStatusChange.__table__][-1]
            withdrawn["note"] = "The parent cancelled the request"
            story.by_parent.append(withdrawn)
            self.move(story, RequestStatus.OFFERED, RequestStatus.WITHDRAWN, ends, by_parent=True)
            story.finished = ends
            return
        match, began = self.accept(story, advocate, cursor)
        ends = min(began + self.between(timedelta(days=10), timedelta(days=70)), latest)
        if final == RequestStatus.WITHDRAWN:
            self.contacts(match, advocate, began, ends, rng.randint(0, 2))
            self.end(match, ends, MatchOutcome.PARENT_STOPPED_CONTACT, "The parent cancelled the request")
            self.move(story, RequestStatus.MATCHED, RequestStatus.WITHDRAWN, ends, by_parent=True)
        else:
            self.contacts(match, advocate, began, ends, rng.choices([0, 1, 2, 3, 4], [15, 25, 30, 20, 10])[0])
            outcome = self.pick(OUTCOME_WEIGHTS)
            self.end(match, ends, outcome)
            self.move(story, RequestStatus.MATCHED, RequestStatus.CLOSED, ends, by=advocate.user["id"],
                      outcome=outcome)
            self.add(Feedback.__table__, id=self.uuid(), match_id=match["id"], author=FeedbackAuthor.VOLUNTEER,
                     rating=rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0], comments="", given_dt=ends)
            if rng.random() < 0.5:
                self.add(Feedback.__table__, id=self.uuid(), match_id=match["id"], author=FeedbackAuthor.PARENT,
                         rating=rng.choices([5, 4, 3, 2, 1], [55, 28, 10, 4, 3])[0], comments="",
                         given_dt=ends + timedelta(minutes=30))
        story.finished = ends

    def finish_current(self, story: _Story, special: _Advocate) -> None:
        """A request still looking for an advocate, or matched now: offers only to people the rules allow today."""
        rng, row, now = self.rng, story.row, self.now
        if story.status == RequestStatus.SUBMITTED:
            return
        organiser = self.organiser(story.org)
        opened = min(row["submitted_dt"] + self.between(timedelta(hours=1), timedelta(hours=24)),
                     now - timedelta(hours=22))
        self.move(story, RequestStatus.SUBMITTED, RequestStatus.OPEN, opened, by=organiser)
        if story.status == RequestStatus.MATCHED:
            cursor = opened
            if rng.random() < 0.25:
                advocate = self.history_advocate(story, cursor)
                came_back = advocate and self.turned_down(story, advocate, cursor, now - timedelta(days=4))
                cursor = came_back or cursor
            advocate = self.eligible_advocate(story, clock.today(cursor))
            if advocate is None:  # nobody fits: still waiting, as real requests sometimes are
                story.status = RequestStatus.OPEN
                if row["meeting_date"] is not None and row["meeting_date"] <= self.today:  # it went by meanwhile
                    row.update(meeting_date=None, meeting_part=None, meeting_type=None)
                    story.profile = replace(story.profile, meeting_date=None, meeting_part=None)
                return
            match, began = self.accept(story, advocate, cursor)
            advocate.active += 1
            if rng.random() < 0.6:
                self.contacts(match, advocate, began, now - timedelta(minutes=5), rng.randint(1, 4))
            return
        # open or offered: sometimes an earlier offer came back, so the organisers must ask someone else
        cursor = opened
        if rng.random() < 0.2:
            advocate = self.history_advocate(story, opened)
            if advocate is not None:
                cursor = self.turned_down(story, advocate, opened, now - timedelta(hours=22)) or cursor
        if story.status == RequestStatus.OPEN:
            if rng.random() < 0.05:  # an organiser recorded that one advocate knows the family
                advocate = rng.choice(self.approved_by_org[story.org.index] or [special])
                self.add(ConflictOfInterest.__table__, id=self.uuid(), request_id=row["id"],
                         volunteer_id=advocate.row["id"], reason="Knows the family", recorded_by_id=organiser,
                         recorded_dt=opened + timedelta(minutes=20))
            return
        first = special if special.waiting < 3 else None
        advocate = self.eligible_advocate(story, self.today, first)
        if advocate is None:
            story.status = RequestStatus.OPEN
            return
        sent = now - self.between(timedelta(hours=1), timedelta(hours=20))
        if _offer_deadline(sent, row["meeting_date"], row["meeting_part"]) <= now + timedelta(minutes=30):
            sent = now - self.between(timedelta(minutes=5), timedelta(minutes=30))  # the meeting is close
        if WAITS_FOR_INTRODUCTION and advocate is not special and rng.random() < 0.3:
            # accepted a moment ago, waiting for an organiser to introduce them: it holds a place already
            accepted = sent + (min(now, _offer_deadline(sent, row["meeting_date"], row["meeting_part"])) - sent) * \
                rng.uniform(0.2, 0.9)
            offer = self.offer(story, advocate, cursor, sent, OfferStatus.ACCEPTED, accepted)
            self.match(story, advocate, offer, accepted, introduce=False)
            advocate.active += 1
            return
        self.offer(story, advocate, cursor, sent, OfferStatus.OFFERED, None)
        advocate.waiting += 1

    def parents(self, stories: list[_Story]) -> None:
        """A parent for every request; about one in twelve comes back with a new request after an earlier one ended."""
        rng = self.rng
        returning: dict[int, list[tuple[dict[str, Any], datetime]]] = defaultdict(list)
        n = 0
        for story in sorted(stories, key=lambda s: s.row["submitted_dt"]):
            submitted = story.row["submitted_dt"]
            parent = None
            earlier = returning[story.org.index]
            if earlier and rng.random() < 0.08:
                for _ in range(3):
                    k = rng.randrange(len(earlier))
                    candidate, free_from = earlier[k]
                    if free_from < submitted:
                        parent = candidate
                        earlier.pop(k)
                        break
            if parent is None:
                n += 1
                parent = self.user(Role.PARENT, f"parent{n:06d}@{BENCH_DOMAIN}", self.first_name(None), None,
                                   submitted - timedelta(minutes=20))
            story.row["parent_id"] = parent["id"]
            story.parent = parent
            story.consent["user_id"] = parent["id"]
            story.contact["name_to_ask_for"] = parent["display_name"]
            for change in story.by_parent:
                change["changed_by_id"] = parent["id"]
            if story.finished is not None:
                earlier.append((parent, story.finished))

    def build(self, n_advocates: int, n_requests: int) -> None:
        self.staff()
        self.advocates = [self.advocate(i) for i in range(n_advocates)]
        self.index_advocates()
        special = self.advocates[0]
        statuses = self.rng.choices(list(REQUEST_MIX), list(REQUEST_MIX.values()), k=n_requests)
        # Current ones last and matched first among them: places are taken before offers are sent.
        order = {RequestStatus.MATCHED: 1, RequestStatus.OFFERED: 2, RequestStatus.OPEN: 3, RequestStatus.SUBMITTED: 4}
        statuses.sort(key=lambda s: order.get(s, 0))
        for status in statuses:
            story = self.story(status)
            if order.get(status):
                self.finish_current(story, special)
            else:
                self.finish_history(story)
            self.stories.append(story)
        self.parents(self.stories)
        for advocate in self.advocates:
            assert advocate.active <= advocate.row["capacity"]
            advocate.row["active_match_count"] = advocate.active
        for story in self.stories:
            assert story.row["status"] == story.status, (story.row["status"], story.status)
            if story.contact["email_ok"]:
                story.contact["email"] = story.parent["email"]

    # -- the accounts later benchmarks sign in with ----------------------------------------------------
    def rename(self, user: dict[str, Any], email: str) -> SignIn:
        self.emails.discard(user["email"])
        assert email not in self.emails
        user["email"] = email
        self.emails.add(email)
        return SignIn(email, BENCH_PASSWORD, user["role"])

    def sign_ins(self) -> tuple[SignIn, SignIn, uuid.UUID]:
        waiting = sorted((a for a in self.advocates if a.waiting), key=lambda a: (a.index != 0, a.index))
        if not waiting:
            raise RuntimeError("No advocate has an offer waiting: build a bigger network")
        advocate = self.rename(waiting[0].user, f"advocate@{BENCH_DOMAIN}")
        open_stories = [s for s in self.stories if s.status == RequestStatus.OPEN]
        if not open_stories:
            raise RuntimeError("No request is open: build a bigger network")
        story = min(open_stories, key=lambda s: (s.row["meeting_date"] is None, s.row["meeting_date"] or self.today))
        assert story.parent is not None
        parent = self.rename(story.parent, f"parent@{BENCH_DOMAIN}")
        if story.contact["email_ok"]:
            story.contact["email"] = parent.email
        return advocate, parent, story.row["id"]

    def awaiting(self) -> dict[int, list[_Story]]:
        by_org: dict[int, list[_Story]] = defaultdict(list)
        for story in self.stories:
            if story.status in (RequestStatus.SUBMITTED, RequestStatus.OPEN):
                by_org[story.org.index].append(story)
        return by_org


def _offer_deadline(sent: datetime, meeting: date | None, part: int | None) -> datetime:
    return offer_deadline(sent, OFFER_LAPSE_HOURS, meeting, part)


INSERT_ORDER: tuple[sa.Table, ...] = (
    User.__table__, VolunteerProfile.__table__, Vetting.__table__, VolunteerLanguage.__table__,
    volunteer_lived_experience, volunteer_opt_outs, VolunteerPause.__table__, SupportRequest.__table__,
    request_issue_types, RequestLanguage.__table__, SafeContact.__table__, ConsentRecord.__table__,
    ConflictOfInterest.__table__, RequestStatusChange.__table__, Offer.__table__, OfferStatusChange.__table__,
    Match.__table__, ContactLogEntry.__table__, Feedback.__table__,
    *((VolunteerStatusChange.__table__,) if VolunteerStatusChange is not None else ()),
)  # fmt: skip


# What only pages read (timelines, contact logs, feedback, consent): matching reads none of them.
RECORD_TABLES: frozenset[sa.Table] = frozenset({
    RequestStatusChange.__table__, OfferStatusChange.__table__, ContactLogEntry.__table__, Feedback.__table__,
    ConsentRecord.__table__, *((VolunteerStatusChange.__table__,) if VolunteerStatusChange is not None else ()),
})


def insert(connection: sa.Connection, rows: dict[sa.Table, list[dict[str, Any]]], *, records: bool = True,
           report: bool = False) -> dict[str, int]:
    """Every table's rows in chunks of ``CHUNK`` (executemany), parents before children."""
    counts = {}
    for table in INSERT_ORDER:
        table_rows = rows.get(table, []) if records or table not in RECORD_TABLES else []
        if table_rows:
            keys = table_rows[0].keys()
            # executemany compiles from the first row and would drop an unknown key silently: refuse both.
            unknown = set(keys) - set(table.c.keys())
            if unknown:
                raise RuntimeError(f"{table.name} has no column {', '.join(sorted(unknown))}: update network.py")
            assert all(row.keys() == keys for row in table_rows), f"rows of {table.name} differ in their columns"
        started = time.perf_counter()
        for start in range(0, len(table_rows), CHUNK):
            connection.execute(table.insert(), table_rows[start:start + CHUNK])
        counts[table.name] = len(table_rows)
        if report and table_rows:
            print(f"    {table.name}: {len(table_rows):,} rows in {time.perf_counter() - started:.1f} s")
    return counts


# -- the whole build -----------------------------------------------------------------------------------

def build_network(url: str | None = None, advocates: int = 10_000, requests: int = 50_000, organisations: int = 5,
                  seed: int = 2026, *, records: bool = True, verbose: int = 1) -> NetworkInfo:
    """Wipe the benchmark database and fill it with a network of this size; see the module docstring.

    ``records=False`` leaves out the tables only pages read (``RECORD_TABLES``: timelines,
    contact logs, feedback, consent), about 45% of the rows; everything matching reads is
    the same row for row, since the same seed draws the same network either way.
    ``verbose``: 0 prints nothing, 1 what was built, 2 also each table's insert time.
    """
    from flask_migrate import upgrade

    from peermatch.extensions import db
    from peermatch.services.reference_data import seed_issue_types

    if not 1 <= organisations <= len(ORGANISATIONS):
        raise ValueError(f"organisations must be between 1 and {len(ORGANISATIONS)}")
    if advocates < 10 or requests < 50:
        raise ValueError("A network needs at least 10 advocates and 50 requests")
    url = database_url(url)
    started = time.perf_counter()
    reset_database(url)
    app = make_app(url)
    with app.app_context():
        upgrade()
        migrated = time.perf_counter()
        now = clock.now()
        session = db.session
        seed_issue_types(session)
        builder = _Builder(session, now, seed, organisations)
        session.commit()
        gc.disable()  # a million new dicts would set off the cycle collector over and over, to no purpose
        try:
            builder.build(advocates, requests)
            advocate, parent, parent_request = builder.sign_ins()
            generated = time.perf_counter()
            with db.engine.begin() as connection:
                counts = insert(connection, builder.rows, records=records, report=verbose >= 2)
        finally:
            gc.enable()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")  # fresh statistics, as autovacuum would soon give
        counts = {"organisations": len(builder.orgs), "areas": sum(len(o.area_list) for o in builder.orgs),
                  "issue_types": len(builder.issue_id), **counts}
        db.session.remove()
        db.engine.dispose()
    inserted = time.perf_counter()

    awaiting = builder.awaiting()
    orgs = []
    for org in builder.orgs:
        candidates = sorted(awaiting.get(org.index, []), key=lambda s: (s.status != RequestStatus.OPEN,
                                                                        s.row["meeting_date"] is None))
        organiser = org.organisers[0]
        orgs.append(OrganisationInfo(org.id, org.name, org.slug, SignIn(organiser["email"], BENCH_PASSWORD,
                                     Role.ORGANISER), candidates[0].row["id"] if candidates else None))
    sample: list[uuid.UUID] = []
    shuffled = [random.Random(seed).sample(awaiting.get(o.index, []), len(awaiting.get(o.index, [])))
                for o in builder.orgs]
    for turn in range(max(map(len, shuffled), default=0)):
        sample += [stories[turn].row["id"] for stories in shuffled if turn < len(stories)]
    info = NetworkInfo(
        url=url, seed=seed, built_at=now, seconds=inserted - started, counts=counts,
        advocate_statuses=dict(Counter(a.status for a in builder.advocates)),
        request_statuses=dict(Counter(s.status for s in builder.stories)),
        organisations=tuple(orgs), sample_request_ids=tuple(sample[:SAMPLE_SIZE]),
        admin=SignIn(builder.admin["email"], BENCH_PASSWORD, Role.ADMIN), advocate=advocate, parent=parent,
        parent_request_id=parent_request,
    )
    if verbose:
        print(describe(info, {"schema": migrated - started, "generating rows": generated - migrated,
                              "inserting": inserted - generated}))
    return info


def describe(info: NetworkInfo, phases: dict[str, float]) -> str:
    """What was built and how long it took, for people."""
    safe_url = sa.make_url(info.url).render_as_string(hide_password=True)
    total_rows = sum(v for k, v in info.counts.items() if k not in ("organisations", "areas", "issue_types"))
    lines = [
        (f"Built a network in {info.seconds:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in phases.items())}) "
         f"on {safe_url}, seed {info.seed}:"),
        f"  {info.counts['volunteer_profiles']:,} advocates: "
        + ", ".join(f"{n:,} {s}" for s, n in sorted(info.advocate_statuses.items(), key=lambda x: -x[1])),
        f"  {info.counts['support_requests']:,} requests: "
        + ", ".join(f"{n:,} {s}" for s, n in sorted(info.request_statuses.items(), key=lambda x: -x[1])),
        (f"  {info.counts['offers']:,} offers, {info.counts['matches']:,} matches, "
         f"{info.counts['users']:,} accounts; {total_rows:,} rows in all"),
        f"  {info.counts['organisations']} organisations over {info.counts['areas']} council areas: "
        + ", ".join(o.name for o in info.organisations),
        (f"  sign in (password {BENCH_PASSWORD!r}): admin {info.admin.email}, organisers "
         f"{', '.join(o.organiser.email for o in info.organisations)}, advocate with offers waiting "
         f"{info.advocate.email}, parent with an open request {info.parent.email}"),
    ]
    return "\n".join(lines)


# Each query counts rows that break one invariant of the services; all must be 0.
INVARIANTS: dict[str, str] = {
    "places taken differ from matches not ended": """
        SELECT count(*) FROM volunteer_profiles v WHERE v.active_match_count <>
          (SELECT count(*) FROM matches m WHERE m.volunteer_id = v.id AND m.status <> 'ended')""",
    "approved advocate without an in-date DBS check and training": """
        SELECT count(*) FROM volunteer_profiles v JOIN vettings t ON t.volunteer_id = v.id
        WHERE v.status = 'approved' AND (t.dbs_expires_on IS NULL OR t.dbs_expires_on < :today
                                         OR t.training_completed_on IS NULL)""",
    "offered request without one offer out (or one acceptance awaiting introduction)": """
        SELECT count(*) FROM support_requests r WHERE r.status = 'offered' AND
          (SELECT count(*) FROM offers o WHERE o.request_id = r.id AND o.status = 'offered')
        + (SELECT count(*) FROM matches m WHERE m.request_id = r.id AND m.status = 'awaiting_introduction') <> 1""",
    "offer out for a request not offered": """
        SELECT count(*) FROM offers o JOIN support_requests r ON r.id = o.request_id
        WHERE o.status IN ('proposed', 'approved', 'offered') AND r.status <> 'offered'""",
    "offer out that has lapsed": """
        SELECT count(*) FROM offers o WHERE o.status = 'offered' AND o.expires_dt <= :now""",
    "matched request without one open match": """
        SELECT count(*) FROM support_requests r WHERE r.status = 'matched' AND
          (SELECT count(*) FROM matches m WHERE m.request_id = r.id AND m.status <> 'ended') <> 1""",
    "closed request without an ended match of the same outcome": """
        SELECT count(*) FROM support_requests r WHERE r.status = 'closed' AND NOT EXISTS
          (SELECT 1 FROM matches m WHERE m.request_id = r.id AND m.status = 'ended' AND m.outcome = r.outcome)""",
    "open match on a request that is not matched (or offered, awaiting introduction)": """
        SELECT count(*) FROM matches m JOIN support_requests r ON r.id = m.request_id
        WHERE m.status <> 'ended' AND NOT (r.status = 'matched' AND m.status IN ('introduced', 'active')
                                           OR r.status = 'offered' AND m.status = 'awaiting_introduction')""",
    "closed unmatched request without a reason": """
        SELECT count(*) FROM support_requests r WHERE r.status = 'closed_unmatched' AND r.outcome IS NULL""",
    "match not from an accepted offer": """
        SELECT count(*) FROM matches m JOIN offers o ON o.id = m.offer_id WHERE o.status <> 'accepted'""",
    "timeline that does not end in the request's status": """
        SELECT count(*) FROM support_requests r WHERE r.status <>
          (SELECT c.to_status FROM request_status_changes c WHERE c.request_id = r.id
           ORDER BY c.changed_dt DESC LIMIT 1)""",
    "event in the future": """
        SELECT (SELECT count(*) FROM support_requests WHERE updated_dt > :now)
             + (SELECT count(*) FROM offers WHERE updated_dt > :now)
             + (SELECT count(*) FROM matches WHERE updated_dt > :now)
             + (SELECT count(*) FROM request_status_changes WHERE changed_dt > :now)""",
    "offer sent before it was proposed or approved": """
        SELECT count(*) FROM offers WHERE NOT (proposed_dt <= approved_dt AND approved_dt <= offered_dt)""",
    "request looking for an advocate with its meeting already past": """
        SELECT count(*) FROM support_requests
        WHERE status IN ('submitted', 'open', 'offered') AND meeting_date < :today""",
    "answered after the offer lapsed": """
        SELECT count(*) FROM offers WHERE status IN ('accepted', 'declined') AND responded_dt > expires_dt""",
}


def check_network(url: str | None = None) -> dict[str, int]:
    """Count the rows that break each of ``INVARIANTS`` (all should be 0), straight from the database."""
    engine = sa.create_engine(database_url(url))
    params = {"now": clock.now(), "today": clock.today()}
    if engine.dialect.name == "sqlite":  # stored as naive UTC text; compare like with like
        params["now"] = params["now"].replace(tzinfo=None)
    with engine.connect() as connection:
        found = {name: connection.scalar(sa.text(sql), params) for name, sql in INVARIANTS.items()}
    engine.dispose()
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advocates", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--organisations", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--url", help=f"database URL (default: ${URL_VARIABLE}, else SQLite in benchmarks/.data)")
    parser.add_argument("--records", action=argparse.BooleanOptionalAction, default=True,
                        help="also the rows only pages read: timelines, contact logs, feedback, consent (default)")
    parser.add_argument("--tables", action="store_true", help="print each table's insert time")
    parser.add_argument("--check", action="store_true", help="then count rows that break the services' invariants")
    parser.add_argument("--check-only", action="store_true", help="only check the network already built")
    args = parser.parse_args(argv)
    if not args.check_only:
        build_network(args.url, advocates=args.advocates, requests=args.requests, organisations=args.organisations,
                      seed=args.seed, records=args.records, verbose=2 if args.tables else 1)
    if args.check or args.check_only:
        broken = {name: n for name, n in check_network(args.url).items() if n}
        print("Invariants: " + ("all hold" if not broken else "; ".join(f"{n} {name}" for name, n in broken.items())))
        if broken:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
