"""Volunteers as NumPy columns, so one request is checked against thousands at once.

The pool is built once from the volunteer profiles and reused for every request. Sets
(languages, lived experience, opt-outs) become bit masks of any width; dates become
ordinals. For each organisation the pool keeps a compact table of the only volunteers
its requests could ever be offered:

- its own volunteers who are approved, trained and with a place free (checks that do not
  depend on the request), then
- every network-wide volunteer who is ready in the same way.

A request reads just its organisation's table, cheapest and most selective rules first,
and measures distances only for the survivors who could meet in person. Everyone else
fails a rule whatever the request; they are looked at again only when an organiser asks
for the reasons. No spatial index is needed: the organisation split already keeps each
table to the people of one area plus the network-wide few.

The checks here must agree exactly with :mod:`.rules` and :mod:`.features`; the tests
compare the two on random networks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from typing import cast

import numpy as np
import numpy.typing as npt

from .features import (
    EXPERIENCE_HALF_MATCHES,
    NEUTRAL_READINESS,
    PROXIMITY_HALF_KM,
    READINESS_HORIZON_DAYS,
    SAME_AREA_PROXIMITY,
    issue_weight,
)
from .geo import haversine_km
from .model import TrainedModel
from .profiles import (
    IN_PERSON,
    PHONE,
    SLOTS_PER_WEEK,
    SUPPORT_MODES,
    VIDEO,
    RequestProfile,
    VolunteerProfile,
    day_mask,
    slot_bit,
)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

MODE_BITS: dict[str, int] = {IN_PERSON: 1, PHONE: 2, VIDEO: 4}
IN_PERSON_BIT = MODE_BITS[IN_PERSON]
REMOTE_BITS = MODE_BITS[PHONE] | MODE_BITS[VIDEO]
_WORD = 64
_NO_CODE = -1
_UNKNOWN_CODE = -2


def _first_day_from(weekday: int, days: int) -> int:
    for offset in range(7):
        if days >> ((weekday + offset) % 7) & 1:
            return offset
    return 7


# _FIRST_DAY[today's weekday][set of weekdays]: days from today until the first of them.
_FIRST_DAY = np.array([[_first_day_from(w, days) for days in range(128)] for w in range(7)], dtype=np.int64)


@cache
def _days_with_slots() -> npt.NDArray[np.uint8]:
    """For every 21-bit availability mask, the 7-bit set of weekdays with any slot in it (2 MB, built once)."""
    masks = np.arange(1 << SLOTS_PER_WEEK, dtype=np.int64)
    days = np.zeros(len(masks), dtype=np.uint8)
    for day in range(7):
        days |= (((masks >> (3 * day)) & 7) != 0).astype(np.uint8) << np.uint8(day)
    return days


_POPCOUNT_7 = np.array([m.bit_count() for m in range(128)], dtype=np.int64)


def _popcount(masks: Ints) -> Ints:
    """Set bits of each 21-bit availability mask."""
    return cast(Ints, _POPCOUNT_7[masks & 127] + _POPCOUNT_7[(masks >> 7) & 127] + _POPCOUNT_7[(masks >> 14) & 127])


def _modes_from_bits(bits: int) -> frozenset[str]:
    return frozenset(mode for mode in SUPPORT_MODES if bits & MODE_BITS[mode])


class _Vocabulary:
    """Codes (languages, issue types) to bit positions in multi-word masks."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.position = {code: i for i, code in enumerate(sorted(set(codes)))}
        self.words = max(1, -(-len(self.position) // _WORD))

    def columns(self, sets: Sequence[frozenset[str]]) -> npt.NDArray[np.uint64]:
        """One row per word, one column per volunteer."""
        words = [[0] * len(sets) for _ in range(self.words)]
        for column, codes in enumerate(sets):
            for code in codes:
                bit = self.position[code]
                words[bit // _WORD][column] |= 1 << (bit % _WORD)
        return np.array(words, dtype=np.uint64).reshape(self.words, len(sets))

    def request_words(self, codes: Iterable[str]) -> list[tuple[int, np.uint64]]:
        """The non-empty words of a request's mask; codes no volunteer has are left out."""
        words: dict[int, int] = {}
        for code in codes:
            bit = self.position.get(code)
            if bit is not None:
                words[bit // _WORD] = words.get(bit // _WORD, 0) | 1 << (bit % _WORD)
        return [(word, np.uint64(mask)) for word, mask in sorted(words.items())]

    def bit(self, code: str) -> tuple[int, int] | None:
        """(word, bit) of one code, or None if no volunteer has it."""
        position = self.position.get(code)
        return None if position is None else divmod(position, _WORD)


def _codes(values: Sequence[str | None]) -> tuple[dict[str, int], Ints]:
    table = {value: i for i, value in enumerate(sorted({v for v in values if v is not None}))}
    return table, np.array([_NO_CODE if v is None else table[v] for v in values], dtype=np.int64)


def _request_code(table: Mapping[str, int], value: str | None) -> int:
    if value is None:
        return _NO_CODE
    return table.get(value, _UNKNOWN_CODE)


@dataclass(frozen=True, slots=True)
class EligiblePairs:
    """The eligible volunteers of one request: pool positions, feature rows, usable support modes."""

    positions: Ints
    features: Floats
    support_mode_bits: Ints
    same_area: Bools


class VolunteerPool:
    """Column arrays over volunteers, built once and shared by every ranking and batch."""

    def __init__(self, volunteers: Iterable[VolunteerProfile]) -> None:
        given = list(volunteers)
        ids = [v.id for v in given]
        if len(set(ids)) != len(ids):
            raise ValueError("Each volunteer may appear in the pool only once")
        organisations = sorted({v.organisation_id for v in given})
        self._organisation_code = {org: i for i, org in enumerate(organisations)}
        network_block = len(organisations)

        def ready(v: VolunteerProfile) -> bool:
            return v.approved and v.training_completed and v.active_matches + v.offers_waiting < v.capacity

        def block(v: VolunteerProfile) -> int:
            return network_block if v.network_wide else self._organisation_code[v.organisation_id]

        ordered = sorted(given, key=lambda v: (block(v), not ready(v), v.id))
        self.volunteers: tuple[VolunteerProfile, ...] = tuple(ordered)
        self._ids: npt.NDArray[np.object_] = np.array([v.id for v in ordered] or [], dtype=object)
        self._position = {v.id: p for p, v in enumerate(ordered)}
        self._blocks: dict[int, tuple[int, int]] = {}
        self._spans: dict[int, tuple[int, int]] = {}
        for position, volunteer in enumerate(ordered):
            start, ready_end = self._blocks.get(block(volunteer), (position, position))
            self._blocks[block(volunteer)] = (start, position + 1 if ready(volunteer) else ready_end)
            self._spans[block(volunteer)] = (start, position + 1)
        self._network_block = network_block

        vs = ordered
        self.id_rank: Ints = np.empty(len(vs), dtype=np.int64)
        self.id_rank[np.array(sorted(range(len(vs)), key=lambda p: vs[p].id), dtype=np.int64)] = np.arange(len(vs))
        self.organisation: Ints = np.array([self._organisation_code[v.organisation_id] for v in vs], dtype=np.int64)
        self.dbs_ordinal: Ints = np.array(
            [v.dbs_expires_on.toordinal() if v.dbs_expires_on else -1 for v in vs], dtype=np.int64
        )
        self.approved: Bools = np.array([v.approved for v in vs], dtype=bool)
        self.training_completed: Bools = np.array([v.training_completed for v in vs], dtype=bool)
        self.capacity: Ints = np.array([v.capacity for v in vs], dtype=np.int64)
        self.active_matches: Ints = np.array([v.active_matches for v in vs], dtype=np.int64)
        self.offers_waiting: Ints = np.array([v.offers_waiting for v in vs], dtype=np.int64)
        self.matches_completed: Ints = np.array([v.matches_completed for v in vs], dtype=np.int64)
        self.availability: Ints = np.array([v.availability_mask for v in vs], dtype=np.int64)
        self.support_modes: Ints = np.array([sum(MODE_BITS[m] for m in v.support_modes) for v in vs], dtype=np.int64)
        self.lat: Floats = np.array([v.lat if v.has_location else np.nan for v in vs], dtype=np.float64)
        self.lon: Floats = np.array([v.lon if v.has_location else np.nan for v in vs], dtype=np.float64)
        self.travel_km: Floats = np.array([v.travel_km for v in vs], dtype=np.float64)
        self.network_wide: Bools = np.array([v.network_wide for v in vs], dtype=bool)
        self._area_code, self.area = _codes([v.area_code for v in vs])
        self._gender_code, self.gender = _codes([v.gender for v in vs])
        self._languages = _Vocabulary(code for v in vs for code in v.languages)
        self.languages = self._languages.columns([v.languages for v in vs])
        self._issues = _Vocabulary(code for v in vs for code in v.lived_experience | v.opt_outs)
        self.lived_experience = self._issues.columns([v.lived_experience for v in vs])
        self.opt_outs = self._issues.columns([v.opt_outs for v in vs])
        pauses = sorted((p, first.toordinal(), last.toordinal()) for p, v in enumerate(vs) for first, last in v.pauses)
        self.pause_owner: Ints = np.array([p[0] for p in pauses], dtype=np.int64)
        self.pause_first: Ints = np.array([p[1] for p in pauses], dtype=np.int64)
        self.pause_last: Ints = np.array([p[2] for p in pauses], dtype=np.int64)
        _days_with_slots()  # built here, once per process, rather than inside the first ranking
        self._candidates = {code: _Candidates(self, code) for code in (_NO_CODE, *self._organisation_code.values())}

    def __len__(self) -> int:
        return len(self.volunteers)

    def considered_positions(self, organisation_id: str) -> Ints:
        """Everyone a request of this organisation is weighed against: its own volunteers and every
        network-wide one, ready or not (the rest can never be offered it, so they are not listed)."""
        code = self._organisation_code.get(organisation_id, _NO_CODE)
        spans = [np.arange(*self._spans[block], dtype=np.int64)
                 for block in (code, self._network_block) if block in self._spans]
        return np.concatenate(spans) if spans else np.empty(0, dtype=np.int64)

    def rule_failures(self, request: RequestProfile, today: date, positions: Ints) -> dict[str, Bools]:
        """For each hard rule, which of ``positions`` fail it: the vectorised twin of :func:`.rules.check_rules`."""
        from . import rules

        today_ordinal = today.toordinal()
        meeting = request.meeting_date
        meeting_ordinal = meeting.toordinal() if meeting else None
        failures: dict[str, Bools] = {}
        dbs = self.dbs_ordinal[positions]
        failures[rules.APPROVED] = ~self.approved[positions]
        failures[rules.DBS_CHECK] = (dbs < 0) | (dbs < today_ordinal) | (
            (dbs < meeting_ordinal) if meeting_ordinal is not None else False)
        failures[rules.TRAINING] = ~self.training_completed[positions]
        paused = np.zeros(len(positions), dtype=bool)
        if len(self.pause_owner):
            covering = (self.pause_first <= today_ordinal) & (self.pause_last >= today_ordinal)
            if meeting_ordinal is not None:
                covering |= (self.pause_first <= meeting_ordinal) & (self.pause_last >= meeting_ordinal)
            paused = np.isin(positions, self.pause_owner[covering])
        failures[rules.PAUSED] = paused
        failures[rules.CAPACITY] = (self.active_matches[positions] + self.offers_waiting[positions]
                                    >= self.capacity[positions])
        if request.languages and not request.interpreter_ok:
            shares = np.zeros(len(positions), dtype=bool)
            for word, mask in self._languages.request_words(request.languages):
                shares |= (self.languages[word][positions] & mask) != 0
            failures[rules.LANGUAGE] = ~shares
        else:
            failures[rules.LANGUAGE] = np.zeros(len(positions), dtype=bool)
        if request.advocate_gender is not None:
            failures[rules.ADVOCATE_GENDER] = self.gender[positions] != _request_code(
                self._gender_code, request.advocate_gender)
        else:
            failures[rules.ADVOCATE_GENDER] = np.zeros(len(positions), dtype=bool)
        request_modes = sum(MODE_BITS[m] for m in request.support_modes)
        common = self.support_modes[positions] & request_modes
        area = _request_code(self._area_code, request.area_code)
        same_area = self.area[positions] == area if area >= 0 else np.zeros(len(positions), dtype=bool)
        same_organisation = self.organisation[positions] == self._organisation_code.get(
            request.organisation_id, _UNKNOWN_CODE)
        in_person = ((common & IN_PERSON_BIT) != 0) & same_organisation
        distance = np.full(len(positions), np.nan)
        if request.lat is not None and request.lon is not None:
            distance = haversine_km(request.lat, request.lon, self.lat[positions], self.lon[positions])
        known = ~np.isnan(distance)
        in_person &= np.where(known, distance <= self.travel_km[positions], same_area)
        failures[rules.SUPPORT_MODE] = ((common & REMOTE_BITS) == 0) & ~in_person
        availability = self.availability[positions]
        failures[rules.WEEKLY_SLOT] = (availability & request.availability_mask) == 0
        if meeting is not None:
            if request.meeting_part is None:
                needed = day_mask(meeting.weekday())
            else:
                needed = 1 << slot_bit(meeting.weekday(), request.meeting_part)
            failures[rules.MEETING_TIME] = (availability & needed) == 0
        else:
            failures[rules.MEETING_TIME] = np.zeros(len(positions), dtype=bool)
        for rule, named in ((rules.CONFLICT_OF_INTEREST, request.excluded_volunteer_ids),
                            (rules.DECLINED, request.declined_volunteer_ids)):
            failures[rule] = np.isin(positions, [p for v in named if (p := self._position.get(v)) is not None])
        clashing = np.zeros(len(positions), dtype=bool)
        for word, mask in self._issues.request_words(request.all_issues):
            clashing |= (self.opt_outs[word][positions] & mask) != 0
        failures[rules.OPT_OUT] = clashing
        failures[rules.ORGANISATION] = ~same_organisation & ~self.network_wide[positions]
        return failures

    def position_of(self, volunteer_id: str) -> int | None:
        """Where a volunteer sits in the pool, or None if they are not in it."""
        return self._position.get(volunteer_id)

    def ids_in_order(self, positions: Ints) -> tuple[str, ...]:
        """The ids at ``positions``, sorted by id (the engine's tie-break order)."""
        return tuple(self._ids[positions[np.argsort(self.id_rank[positions], kind="stable")]].tolist())

    def in_name_order(self, volunteer_ids: Iterable[str]) -> list[str]:
        """These volunteers (those in the pool) by display name, then id: the order lists are read in.

        Pages show a page of thousands of excluded advocates in name order on every view;
        the order of the whole pool is worked out once and kept with it, and ids go to
        positions and back through arrays rather than a Python loop per volunteer.
        """
        where = self._position.get
        positions = np.fromiter((where(v, -1) for v in volunteer_ids), dtype=np.int64)
        positions = positions[positions >= 0]
        return cast(list[str], self._ids[positions[np.argsort(self._name_rank[positions], kind="stable")]].tolist())

    @cached_property
    def _name_rank(self) -> Ints:
        vs = self.volunteers
        rank: Ints = np.empty(len(vs), dtype=np.int64)
        rank[np.array(sorted(range(len(vs)), key=lambda p: (vs[p].name.lower(), vs[p].id)),
                      dtype=np.int64)] = np.arange(len(vs))
        return rank

    def distances(self, request: RequestProfile, positions: Ints) -> list[float | None]:
        """Distance in km from the parent to each volunteer, None where either is unknown."""
        if request.lat is None or request.lon is None:
            return [None] * len(positions)
        measured = haversine_km(request.lat, request.lon, self.lat[positions], self.lon[positions])
        return [None if np.isnan(d) else float(d) for d in measured]

    def eligible_pairs(self, request: RequestProfile, today: date, model: TrainedModel) -> tuple[EligiblePairs, Floats]:
        """Every volunteer who passes all hard rules for the request, with features and scores."""
        table = self._candidates[self._organisation_code.get(request.organisation_id, _NO_CODE)]
        pairs = self._eligible_in(request, today, table)
        return pairs, model.score(pairs.features)

    def _eligible_in(self, request: RequestProfile, today: date, table: _Candidates) -> EligiblePairs:
        """Rules then features for the volunteers a request's organisation can ever be offered."""
        today_ordinal = today.toordinal()
        meeting = request.meeting_date
        meeting_ordinal = meeting.toordinal() if meeting else None
        wanted = request.availability_mask

        ok = table.dbs_ordinal >= max(today_ordinal, meeting_ordinal or today_ordinal)
        ok &= (table.availability & wanted) != 0
        if meeting is not None:
            if request.meeting_part is None:
                needed = day_mask(meeting.weekday())
            else:
                needed = 1 << slot_bit(meeting.weekday(), request.meeting_part)
            ok &= (table.availability & needed) != 0
        if request.languages and not request.interpreter_ok:
            shares = np.zeros(len(ok), dtype=bool)
            for word, mask in self._languages.request_words(request.languages):
                shares |= (table.languages[word] & mask) != 0
            ok &= shares
        if request.advocate_gender is not None:
            ok &= table.gender == _request_code(self._gender_code, request.advocate_gender)
        for word, mask in self._issues.request_words(request.all_issues):
            ok &= (table.opt_outs[word] & mask) == 0
        if len(table.pause_row):
            paused = (table.pause_first <= today_ordinal) & (table.pause_last >= today_ordinal)
            if meeting_ordinal is not None:
                paused |= (table.pause_first <= meeting_ordinal) & (table.pause_last >= meeting_ordinal)
            ok[table.pause_row[paused]] = False
        for volunteer_id in request.excluded_volunteer_ids | request.declined_volunteer_ids:
            row = table.row_of(self._position.get(volunteer_id))
            if row is not None:
                ok[row] = False

        rows = np.flatnonzero(ok)
        request_modes = sum(MODE_BITS[m] for m in request.support_modes)
        common = table.support_modes[rows] & request_modes
        area = _request_code(self._area_code, request.area_code)
        same_area = table.area[rows] == area if area >= 0 else np.zeros(len(rows), dtype=bool)
        in_person = (common & IN_PERSON_BIT) != 0
        in_person &= table.organisation[rows] == table.organisation_code
        distance = np.full(len(rows), np.nan)
        if request.lat is not None and request.lon is not None:
            measured = rows[in_person]
            distance[in_person] = haversine_km(request.lat, request.lon, table.lat[measured], table.lon[measured])
        known = ~np.isnan(distance)
        in_person &= np.where(known, distance <= table.travel_km[rows], same_area)
        usable = (common & REMOTE_BITS) | np.where(in_person, IN_PERSON_BIT, 0)
        keep = usable != 0
        rows, usable, same_area = rows[keep], usable[keep], same_area[keep]
        distance, in_person, known = distance[keep], in_person[keep], known[keep]
        positions = table.positions[rows]
        features = np.empty((len(rows), 7), dtype=np.float64)
        features[:, 0] = self._lived_experience(request, table, rows)
        features[:, 1] = self._proximity(distance, in_person & known, same_area)
        features[:, 2] = self._availability(wanted, table.availability[rows])
        features[:, 3] = self._readiness(request, today, wanted, table.availability[rows])
        features[:, 4] = 1.0 - table.active_matches[rows] / table.capacity[rows]
        completed = table.matches_completed[rows]
        features[:, 5] = completed / (completed + EXPERIENCE_HALF_MATCHES)
        features[:, 6] = self._continuity(request, positions)
        return EligiblePairs(positions, features, usable, same_area)

    def _lived_experience(self, request: RequestProfile, table: _Candidates, rows: Ints) -> Floats:
        covered = np.zeros(len(rows), dtype=np.int64)
        total = 0
        for issue in request.all_issues:
            weight = issue_weight(issue, request.main_issue)
            total += weight
            found = self._issues.bit(issue)
            if found is not None:
                word, bit = found
                has = (table.lived_experience[word][rows] >> np.uint64(bit)) & np.uint64(1)
                covered += has.astype(np.int64) * weight
        if not total:
            return np.zeros(len(rows), dtype=np.float64)
        return covered / total

    @staticmethod
    def _proximity(distance: Floats, measured_in_person: Bools, same_area: Bools) -> Floats:
        value = np.zeros(len(distance), dtype=np.float64)
        value[measured_in_person] = 1.0 / (1.0 + distance[measured_in_person] / PROXIMITY_HALF_KM)
        return np.where(same_area, np.maximum(value, SAME_AREA_PROXIMITY), value)

    @staticmethod
    def _availability(wanted: int, availability: Ints) -> Floats:
        slots = wanted.bit_count()
        if not slots:
            return np.zeros(len(availability), dtype=np.float64)
        return _popcount(availability & wanted) / slots

    @staticmethod
    def _readiness(request: RequestProfile, today: date, wanted: int, availability: Ints) -> Floats:
        if request.meeting_date is None:
            return np.full(len(availability), NEUTRAL_READINESS, dtype=np.float64)
        days = _days_with_slots()[availability & wanted]
        first_free = _FIRST_DAY[today.weekday()][days]
        lead = (request.meeting_date - today).days - first_free
        value = np.clip(lead, 0, READINESS_HORIZON_DAYS) / READINESS_HORIZON_DAYS
        return np.where(days == 0, 0.0, value)

    def _continuity(self, request: RequestProfile, positions: Ints) -> Floats:
        before = [p for vid in request.previous_volunteer_ids if (p := self._position.get(vid)) is not None]
        if not before:
            return np.zeros(len(positions), dtype=np.float64)
        return np.isin(positions, before).astype(np.float64)


class _Candidates:
    """The volunteers one organisation's requests could ever be offered, as contiguous columns.

    The organisation's own ready volunteers, then every ready network-wide volunteer
    (pool positions ascend through both). Copying them once per organisation means a
    request reads one compact table instead of gathering from the whole pool.
    """

    def __init__(self, pool: VolunteerPool, organisation_code: int) -> None:
        spans = [
            np.arange(*pool._blocks[block], dtype=np.int64)
            for block in (organisation_code, pool._network_block)
            if block in pool._blocks
        ]
        positions = np.concatenate(spans) if spans else np.empty(0, dtype=np.int64)
        self.organisation_code = organisation_code
        self.positions: Ints = positions
        self.organisation: Ints = pool.organisation[positions]
        self.dbs_ordinal: Ints = pool.dbs_ordinal[positions]
        self.availability: Ints = pool.availability[positions]
        self.gender: Ints = pool.gender[positions]
        self.support_modes: Ints = pool.support_modes[positions]
        self.area: Ints = pool.area[positions]
        self.lat: Floats = pool.lat[positions]
        self.lon: Floats = pool.lon[positions]
        self.travel_km: Floats = pool.travel_km[positions]
        self.active_matches: Ints = pool.active_matches[positions]
        self.capacity: Ints = pool.capacity[positions]
        self.matches_completed: Ints = pool.matches_completed[positions]
        self.languages = [word[positions] for word in pool.languages]
        self.opt_outs = [word[positions] for word in pool.opt_outs]
        self.lived_experience = [word[positions] for word in pool.lived_experience]
        paused = np.isin(pool.pause_owner, positions)
        self.pause_row: Ints = np.searchsorted(positions, pool.pause_owner[paused])
        self.pause_first: Ints = pool.pause_first[paused]
        self.pause_last: Ints = pool.pause_last[paused]

    def row_of(self, position: int | None) -> int | None:
        """The table row of a pool position, or None if the volunteer is not in this table."""
        if position is None:
            return None
        row = int(np.searchsorted(self.positions, position))
        return row if row < len(self.positions) and self.positions[row] == position else None
