"""The plain inputs of matching: a request for support, a volunteer advocate, weekly availability.

These are what the service layer builds from database rows. They carry no behaviour
beyond light validation, so the rules, the scoring and the batch solver can be tested,
benchmarked and reused without Flask or a database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from .week import (  # noqa: F401  (re-exported: the weekly grid is part of every profile)
    ALL_SLOTS_MASK,
    DAYS,
    PARTS_OF_DAY,
    SLOTS_PER_WEEK,
    check_mask,
    day_mask,
    describe_slots,
    mask_from_slots,
    slot_bit,
    slots_from_mask,
)

IN_PERSON, PHONE, VIDEO = "in_person", "phone", "video"
SUPPORT_MODES: tuple[str, ...] = (IN_PERSON, PHONE, VIDEO)
SUPPORT_MODE_WORDS: dict[str, str] = {IN_PERSON: "in person", PHONE: "phone", VIDEO: "video"}


def _check_location(who: str, lat: float | None, lon: float | None) -> None:
    """Coordinates are both known and finite, or both missing: never half a place, never NaN."""
    if lat is None and lon is None:
        return
    if lat is None or lon is None:
        raise ValueError(f"{who}: lat and lon must both be given or both be None, not lat={lat!r}, lon={lon!r}")
    for name, value, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        if not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > limit:
            raise ValueError(f"{who}: {name} must be a finite number of degrees within ±{limit:g}, not {value!r}")


def _check_count(who: str, name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{who}: {name} must be a whole number, 0 or more, not {value!r}")


def _check_modes(modes: frozenset[str]) -> None:
    unknown = set(modes) - set(SUPPORT_MODES)
    if unknown:
        raise ValueError(f"Unknown support modes {sorted(unknown)}; use {', '.join(SUPPORT_MODES)}")


@dataclass(frozen=True, slots=True)
class RequestProfile:
    """A parent's request for support, reduced to what matching needs.

    ``main_issue`` counts as one of the request's issue types even if it is missing from
    ``issue_types``. An empty ``languages`` means the parent stated none, so the language
    rule does not apply. ``meeting_part`` is only read when there is a ``meeting_date``.
    """

    id: str
    organisation_id: str
    issue_types: frozenset[str] = frozenset()
    main_issue: str | None = None
    outcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    area_code: str | None = None
    availability_mask: int = 0
    meeting_date: date | None = None
    meeting_part: int | None = None
    support_modes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    interpreter_ok: bool = False
    advocate_gender: str | None = None
    excluded_volunteer_ids: frozenset[str] = frozenset()
    declined_volunteer_ids: frozenset[str] = frozenset()
    previous_volunteer_ids: frozenset[str] = frozenset()
    submitted_at: datetime | None = None

    def __post_init__(self) -> None:
        check_mask(self.availability_mask)
        _check_modes(self.support_modes)
        _check_location(f"Request {self.id!r}", self.lat, self.lon)
        if self.meeting_part is not None and not 0 <= self.meeting_part < len(PARTS_OF_DAY):
            raise ValueError(f"meeting_part must be 0, 1 or 2 (morning, afternoon, evening), not {self.meeting_part}")

    @property
    def all_issues(self) -> frozenset[str]:
        """The request's issue types including the main issue."""
        if self.main_issue is None:
            return self.issue_types
        return self.issue_types | {self.main_issue}

    @property
    def has_location(self) -> bool:
        """Whether the parent's outcode centre is known, so distances can be measured."""
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class VolunteerProfile:
    """A volunteer advocate, reduced to what matching needs.

    Defaults fail safe: a profile built with only an id is not approved, has no DBS check
    and no capacity, so it is never proposed. ``offers_waiting`` are offers sent to them and not
    answered yet: each holds a place until it is answered, so an advocate is never sent more
    offers than they have places free. ``pauses`` are inclusive (first day, last day)
    ranges; ``travel_km`` is how far they will go for in-person support.
    """

    id: str
    organisation_id: str
    display_name: str = ""
    network_wide: bool = False
    approved: bool = False
    dbs_expires_on: date | None = None
    training_completed: bool = False
    pauses: tuple[tuple[date, date], ...] = ()
    capacity: int = 0
    active_matches: int = 0
    offers_waiting: int = 0
    languages: frozenset[str] = frozenset()
    gender: str | None = None
    support_modes: frozenset[str] = frozenset()
    outcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    area_code: str | None = None
    travel_km: float = 0.0
    availability_mask: int = 0
    lived_experience: frozenset[str] = frozenset()
    opt_outs: frozenset[str] = frozenset()
    matches_completed: int = 0

    def __post_init__(self) -> None:
        who = f"Volunteer {self.id!r}"
        check_mask(self.availability_mask)
        _check_modes(self.support_modes)
        _check_location(who, self.lat, self.lon)
        for name in ("capacity", "active_matches", "offers_waiting", "matches_completed"):
            _check_count(who, name, getattr(self, name))
        travel = self.travel_km
        if isinstance(travel, bool) or not isinstance(travel, (int, float)) or not math.isfinite(travel) or travel < 0:
            raise ValueError(f"{who}: travel_km must be a finite distance of 0 km or more, not {travel!r}")
        for first, last in self.pauses:
            if last < first:
                raise ValueError(f"Pause ends ({last}) before it starts ({first})")

    @property
    def name(self) -> str:
        """What explanations call the advocate: the display name, or the id if there is none."""
        return self.display_name or self.id

    @property
    def has_location(self) -> bool:
        """Whether the advocate's outcode centre is known, so distances can be measured."""
        return self.lat is not None and self.lon is not None
