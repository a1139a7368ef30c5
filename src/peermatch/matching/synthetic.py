"""Made-up but plausible networks and histories, for tests, benchmarks and demos.

Nothing here is real data. People are placed around a handful of English city centres
(or, given a table of outcode centres, at real outcodes near those cities) with
proportions an organiser would recognise: most advocates speak English, offer phone
support and take one to three parents at a time; about half the requests have a meeting
date within three weeks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np

from .features import EXPERIENCE_HALF_MATCHES, FEATURE_NAMES
from .model import TrainingExample
from .profiles import (
    ALL_SLOTS_MASK,
    IN_PERSON,
    PHONE,
    SLOTS_PER_WEEK,
    VIDEO,
    RequestProfile,
    VolunteerProfile,
)

ISSUE_CODES: tuple[str, ...] = (
    "early_help", "child_in_need", "section_47", "child_protection_conference", "core_group",
    "pre_proceedings", "care_proceedings", "family_group_conference", "family_time", "reunification",
    "kinship_care", "adoption", "domestic_abuse", "mental_health", "substance_use", "disabled_child",
    "housing", "debt_poverty", "exploitation", "youth_justice",
)  # fmt: skip
_ISSUE_POPULARITY = (3, 4, 5, 9, 5, 5, 6, 2, 3, 2, 2, 2, 8, 7, 4, 3, 4, 4, 1, 1)

CITY_CENTRES: tuple[tuple[str, float, float], ...] = (
    ("barrow", 54.1108, -3.2261),
    ("leeds", 53.7997, -1.5492),
    ("manchester", 53.4808, -2.2426),
    ("birmingham", 52.4862, -1.8904),
    ("london", 51.5072, -0.1276),
    ("bristol", 51.4545, -2.5879),
    ("newcastle", 54.9783, -1.6178),
    ("nottingham", 52.9548, -1.1581),
    ("liverpool", 53.4084, -2.9916),
    ("sheffield", 53.3811, -1.4701),
)
_OTHER_LANGUAGES = ("pl", "ur", "pa", "ro", "ar", "so", "bn", "gu", "pt", "lt", "cy", "bsl", "uk", "ti")
_CITY_SPREAD_KM = 9.0
_OUTCODE_REACH_KM = 30.0


@dataclass(frozen=True, slots=True)
class SyntheticNetwork:
    """A made-up network: its advocates, open requests and the day it is seen on."""

    volunteers: tuple[VolunteerProfile, ...]
    requests: tuple[RequestProfile, ...]
    today: date


def _place(
    rng: random.Random,
    city: int,
    outcodes_by_city: Mapping[int, Sequence[tuple[str, float, float]]] | None,
) -> tuple[str, float, float, str]:
    """An outcode, its centre and a council area near the given city."""
    name, lat, lon = CITY_CENTRES[city]
    if outcodes_by_city and outcodes_by_city.get(city):
        code, o_lat, o_lon = rng.choice(outcodes_by_city[city])
        return code, o_lat, o_lon, _postcode_area(code)
    north = rng.gauss(0.0, _CITY_SPREAD_KM)
    east = rng.gauss(0.0, _CITY_SPREAD_KM)
    p_lat = lat + north / 111.2
    p_lon = lon + east / (111.2 * math.cos(math.radians(lat)))
    area = f"{name}-{'n' if north >= 0 else 's'}{'e' if east >= 0 else 'w'}"
    return f"{name[:3].upper()}{rng.randint(1, 30)}", round(p_lat, 5), round(p_lon, 5), area


def _postcode_area(outcode: str) -> str:
    """The letters an outcode starts with ("LA" of "LA14"), standing in for a council area."""
    letters = len(outcode) - len(outcode.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return outcode[: max(letters, 1)]


def _group_outcodes(
    outcodes: Sequence[tuple[str, float, float]] | None,
) -> dict[int, list[tuple[str, float, float]]] | None:
    if not outcodes:
        return None
    grouped: dict[int, list[tuple[str, float, float]]] = {}
    for code, lat, lon in outcodes:
        for city, (_, c_lat, c_lon) in enumerate(CITY_CENTRES):
            d_lat = math.radians(lat - c_lat)
            d_lon = math.radians(lon - c_lon) * math.cos(math.radians(c_lat))
            if 6371.0 * math.hypot(d_lat, d_lon) <= _OUTCODE_REACH_KM:
                grouped.setdefault(city, []).append((code, lat, lon))
                break
    return grouped


def _slots(rng: random.Random, share: float) -> int:
    mask = sum(1 << bit for bit in range(SLOTS_PER_WEEK) if rng.random() < share)
    return mask or 1 << rng.randrange(SLOTS_PER_WEEK)


def _issues(rng: random.Random, count: int) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < count:
        issue = rng.choices(ISSUE_CODES, weights=_ISSUE_POPULARITY)[0]
        if issue not in chosen:
            chosen.append(issue)
    return chosen


def _modes(rng: random.Random, in_person: float, phone: float, video: float) -> frozenset[str]:
    modes = {m for m, p in ((IN_PERSON, in_person), (PHONE, phone), (VIDEO, video)) if rng.random() < p}
    return frozenset(modes or {PHONE})


def synthetic_volunteer(
    rng: random.Random,
    number: int,
    today: date,
    n_organisations: int,
    outcodes_by_city: Mapping[int, Sequence[tuple[str, float, float]]] | None = None,
) -> VolunteerProfile:
    """One made-up advocate."""
    city = rng.randrange(n_organisations)
    outcode, lat, lon, area = _place(rng, city, outcodes_by_city)
    capacity = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
    pauses: tuple[tuple[date, date], ...] = ()
    if rng.random() < 0.15:
        first = today + timedelta(days=rng.randint(-20, 30))
        pauses = ((first, first + timedelta(days=rng.randint(3, 21))),)
    lived = _issues(rng, rng.randint(1, 5))
    opt_outs = frozenset(i for i in _issues(rng, 1) if i not in lived) if rng.random() < 0.1 else frozenset()
    languages = {"en"} if rng.random() < 0.95 else set()
    if rng.random() < 0.15 or not languages:
        languages.add(rng.choice(_OTHER_LANGUAGES))
    return VolunteerProfile(
        id=f"v{number:06d}",
        display_name=f"Advocate {number}",
        organisation_id=f"org-{CITY_CENTRES[city][0]}",
        network_wide=rng.random() < 0.15,
        approved=rng.random() < 0.92,
        dbs_expires_on=today + timedelta(days=rng.randint(-60, 3 * 365)),
        training_completed=rng.random() < 0.93,
        pauses=pauses,
        capacity=capacity,
        active_matches=min(capacity, int(rng.random() * (capacity + 1))),
        languages=frozenset(languages),
        gender=rng.choices(("woman", "man", "non_binary", None), weights=(75, 20, 3, 2))[0],
        support_modes=_modes(rng, 0.6, 0.85, 0.7),
        outcode=outcode,
        lat=lat,
        lon=lon,
        area_code=area,
        travel_km=float(rng.choice((5, 8, 10, 15, 20, 25, 30, 40))),
        availability_mask=_slots(rng, 0.3),
        lived_experience=frozenset(lived),
        opt_outs=opt_outs,
        matches_completed=int(rng.expovariate(1 / 3)),
    )


def synthetic_request(
    rng: random.Random,
    number: int,
    today: date,
    n_organisations: int,
    outcodes_by_city: Mapping[int, Sequence[tuple[str, float, float]]] | None = None,
    volunteer_ids: Sequence[str] = (),
) -> RequestProfile:
    """One made-up request for support."""
    city = rng.randrange(n_organisations)
    outcode, lat, lon, area = _place(rng, city, outcodes_by_city)
    issues = _issues(rng, rng.randint(1, 3))
    meeting = today + timedelta(days=rng.randint(1, 21)) if rng.random() < 0.5 else None
    other_language = rng.random() < 0.1

    def pick() -> frozenset[str]:
        return frozenset({rng.choice(volunteer_ids)}) if volunteer_ids else frozenset()

    return RequestProfile(
        id=f"r{number:06d}",
        organisation_id=f"org-{CITY_CENTRES[city][0]}",
        issue_types=frozenset(issues),
        main_issue=issues[0],
        outcode=outcode,
        lat=lat,
        lon=lon,
        area_code=area,
        availability_mask=_slots(rng, 0.35),
        meeting_date=meeting,
        meeting_part=rng.choice((0, 1, 2, None)) if meeting else None,
        support_modes=_modes(rng, 0.5, 0.8, 0.5),
        languages=frozenset({rng.choice(_OTHER_LANGUAGES)} if other_language else {"en"}),
        interpreter_ok=other_language and rng.random() < 0.5,
        advocate_gender=rng.choices(("woman", "man", None), weights=(25, 3, 72))[0],
        excluded_volunteer_ids=pick() if rng.random() < 0.05 else frozenset(),
        declined_volunteer_ids=pick() if rng.random() < 0.05 else frozenset(),
        previous_volunteer_ids=pick() if rng.random() < 0.1 else frozenset(),
        submitted_at=datetime.combine(today, datetime.min.time(), UTC) - timedelta(hours=rng.randint(1, 24 * 20)),
    )


def synthetic_network(
    n_volunteers: int,
    n_requests: int,
    *,
    seed: int = 0,
    today: date = date(2026, 8, 3),
    n_organisations: int = len(CITY_CENTRES),
    outcodes: Sequence[tuple[str, float, float]] | None = None,
) -> SyntheticNetwork:
    """A made-up network of one organisation per city, its advocates and its open requests.

    ``outcodes`` — (outcode, latitude, longitude) rows, e.g. from
    :func:`peermatch.matching.geo.read_outcode_centres` — places people at real outcodes
    within 30 km of each city; without it they are scattered around the city centres.
    """
    if not 1 <= n_organisations <= len(CITY_CENTRES):
        raise ValueError(f"n_organisations must be between 1 and {len(CITY_CENTRES)}")
    rng = random.Random(seed)
    by_city = _group_outcodes(outcodes)
    volunteers = tuple(synthetic_volunteer(rng, i, today, n_organisations, by_city) for i in range(n_volunteers))
    ids = [v.id for v in volunteers]
    requests = tuple(synthetic_request(rng, i, today, n_organisations, by_city, ids) for i in range(n_requests))
    return SyntheticNetwork(volunteers, requests, today)


HIDDEN_PREFERENCES: dict[str, float] = {
    "lived_experience": 2.5,
    "proximity": 0.6,
    "availability": 3.0,
    "readiness": 1.5,
    "workload": 0.4,
    "experience": 0.3,
    "continuity": 2.0,
}
"""What the made-up organisers and advocates of :func:`synthetic_history` actually reward,
deliberately unlike the default weights so that training has something to learn."""


def synthetic_history(
    n_requests: int,
    *,
    candidates_per_request: int = 6,
    seed: int = 0,
    start: datetime = datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
) -> list[TrainingExample]:
    """Decided offers for made-up requests, one every few hours, labelled by hidden preferences."""
    generator = np.random.default_rng(seed)
    n = n_requests * candidates_per_request
    lived = generator.choice([0.0, 1 / 3, 0.5, 2 / 3, 1.0], size=n, p=[0.3, 0.15, 0.2, 0.15, 0.2])
    proximity = np.where(generator.random(n) < 0.5, 1.0 / (1.0 + generator.exponential(10.0, n) / 10.0), 0.6)
    availability = generator.integers(1, 7, n) / 6
    readiness = np.where(generator.random(n) < 0.5, 0.5, generator.integers(0, 8, n) / 7)
    capacity = generator.integers(1, 5, n)
    workload = 1.0 - generator.integers(0, capacity) / capacity
    completed = generator.geometric(0.3, n) - 1
    experience = completed / (completed + EXPERIENCE_HALF_MATCHES)
    continuity = (generator.random(n) < 0.05).astype(np.float64)
    features = np.column_stack([lived, proximity, availability, readiness, workload, experience, continuity])
    weights = np.array([HIDDEN_PREFERENCES[name] for name in FEATURE_NAMES])
    chance = 1.0 / (1.0 + np.exp(-(features @ weights - 4.5)))
    labels = (generator.random(n) < chance).astype(int)
    examples = []
    for row in range(n):
        request = row // candidates_per_request
        decided = start + timedelta(hours=6 * request, minutes=10 * (row % candidates_per_request))
        examples.append(
            TrainingExample(f"h{request:06d}", tuple(float(x) for x in features[row]), int(labels[row]), decided)
        )
    return examples


BARROW = ("LA14", 54.1108, -3.2261)


def example_volunteer(**changes: object) -> VolunteerProfile:
    """An approved, vetted advocate in Barrow-in-Furness who fits :func:`example_request`.

    Pass field values to change what a story needs: ``example_volunteer(capacity=0)``.
    """
    volunteer = VolunteerProfile(
        id="v-amina",
        display_name="Amina",
        organisation_id="org-furness",
        approved=True,
        dbs_expires_on=date(2027, 5, 3),
        training_completed=True,
        capacity=3,
        active_matches=1,
        languages=frozenset({"en"}),
        gender="woman",
        support_modes=frozenset({IN_PERSON, PHONE, VIDEO}),
        outcode=BARROW[0],
        lat=BARROW[1],
        lon=BARROW[2],
        area_code="westmorland_and_furness",
        travel_km=15.0,
        availability_mask=ALL_SLOTS_MASK,
        lived_experience=frozenset({"child_protection_conference", "domestic_abuse"}),
        matches_completed=2,
    )
    return replace(volunteer, **changes)  # type: ignore[arg-type]


def example_request(**changes: object) -> RequestProfile:
    """A Barrow parent facing a child protection conference on Wednesday 5 August 2026."""
    request = RequestProfile(
        id="r-001",
        organisation_id="org-furness",
        issue_types=frozenset({"child_protection_conference", "domestic_abuse", "housing"}),
        main_issue="child_protection_conference",
        outcode=BARROW[0],
        lat=BARROW[1],
        lon=BARROW[2],
        area_code="westmorland_and_furness",
        availability_mask=ALL_SLOTS_MASK,
        meeting_date=date(2026, 8, 5),
        meeting_part=0,
        support_modes=frozenset({IN_PERSON, PHONE}),
        languages=frozenset({"en"}),
        submitted_at=datetime(2026, 7, 31, 18, 0, tzinfo=UTC),
    )
    return replace(request, **changes)  # type: ignore[arg-type]
