"""The plain inputs of matching: a request for support, a volunteer advocate, weekly availability.

These are what the service layer builds from database rows. They carry no behaviour
beyond light validation, so the rules, the scoring and the batch solver can be tested,
benchmarked and reused without Flask or a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

DAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS_OF_DAY: tuple[str, ...] = ("morning", "afternoon", "evening")
SLOTS_PER_WEEK = len(DAYS) * len(PARTS_OF_DAY)
ALL_SLOTS_MASK = (1 << SLOTS_PER_WEEK) - 1

IN_PERSON, PHONE, VIDEO = "in_person", "phone", "video"
SUPPORT_MODES: tuple[str, ...] = (IN_PERSON, PHONE, VIDEO)
SUPPORT_MODE_WORDS: dict[str, str] = {IN_PERSON: "in person", PHONE: "phone", VIDEO: "video"}


def slot_bit(day: int, part: int) -> int:
    """Bit index of one weekly availability slot: ``day * 3 + part`` (day 0 = Monday, part 0 = morning)."""
    if not 0 <= day < len(DAYS) or not 0 <= part < len(PARTS_OF_DAY):
        raise ValueError(f"No such availability slot: day {day}, part {part}")
    return day * len(PARTS_OF_DAY) + part


def mask_from_slots(slots: Iterable[tuple[int, int]]) -> int:
    """Turn a set of (day, part) pairs into the 21-bit availability mask stored on profiles."""
    mask = 0
    for day, part in slots:
        mask |= 1 << slot_bit(day, part)
    return mask


def slots_from_mask(mask: int) -> frozenset[tuple[int, int]]:
    """Turn an availability mask back into (day, part) pairs, for forms and explanations."""
    _check_mask(mask)
    parts = len(PARTS_OF_DAY)
    return frozenset(divmod(bit, parts) for bit in range(SLOTS_PER_WEEK) if mask >> bit & 1)


def day_mask(day: int) -> int:
    """All three slots of one weekday, e.g. to ask "free at any time on Tuesday?"."""
    return _DAY_MASKS[day]


_DAY_MASKS = tuple(mask_from_slots((day, part) for part in range(len(PARTS_OF_DAY))) for day in range(len(DAYS)))


def describe_slots(mask: int) -> str:
    """Availability in words, grouped by day: "Monday morning and evening, Friday afternoon"."""
    by_day: dict[int, list[str]] = {}
    for day, part in sorted(slots_from_mask(mask)):
        by_day.setdefault(day, []).append(PARTS_OF_DAY[part])
    if not by_day:
        return "no times"
    phrases = []
    for day, parts in by_day.items():
        if len(parts) == len(PARTS_OF_DAY):
            phrases.append(f"all day {DAYS[day]}")
        else:
            phrases.append(f"{DAYS[day]} {' and '.join(parts)}")
    return ", ".join(phrases)


def _check_mask(mask: int) -> None:
    if not 0 <= mask <= ALL_SLOTS_MASK:
        raise ValueError(f"Availability mask {mask} is outside the 21 weekly slots")


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
        _check_mask(self.availability_mask)
        _check_modes(self.support_modes)
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
    and no capacity, so it is never proposed. ``pauses`` are inclusive (first day, last day)
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
        _check_mask(self.availability_mask)
        _check_modes(self.support_modes)
        if self.capacity < 0 or self.active_matches < 0 or self.matches_completed < 0:
            raise ValueError("capacity, active_matches and matches_completed cannot be negative")
        if self.travel_km < 0:
            raise ValueError("travel_km cannot be negative")
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
