"""The hard rules: who may never be proposed for a request, and why, in an organiser's words.

Every rule a volunteer fails is reported, not just the first, so an organiser can see at a
glance whether fixing one thing (renewing a DBS check, ending a pause) would make them
eligible. This per-volunteer code is the definition of the rules; the vectorised ranking
in :mod:`.pool` must agree with it exactly, and the tests hold it to that.

Decisions worth knowing:

- A DBS check is valid up to and including its expiry date. It must be valid today and,
  where the parent has a meeting date, on that date too.
- In-person support needs the distance between outcode centres to be within the
  volunteer's travel distance. If either side has no known location, in-person support is
  allowed only when both are in the same council area; phone and video never need a distance.
- A volunteer from another organisation who opted in to network-wide support helps by
  phone or video only (PRODUCT.md: network-wide opt-in is for remote support).
- A parent who named no language is not held to the language rule.
- Where the meeting has no part of day, being free at any time that weekday is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .geo import haversine_km
from .profiles import (
    DAYS,
    IN_PERSON,
    PARTS_OF_DAY,
    PHONE,
    VIDEO,
    RequestProfile,
    VolunteerProfile,
    day_mask,
    slot_bit,
)
from .wording import (
    Labels,
    format_date,
    format_date_range,
    gender_in_words,
    modes_in_words,
    names_of,
)

APPROVED = "approved"
DBS_CHECK = "dbs_check"
TRAINING = "training"
PAUSED = "paused"
CAPACITY = "capacity"
LANGUAGE = "language"
ADVOCATE_GENDER = "advocate_gender"
SUPPORT_MODE = "support_mode"
WEEKLY_SLOT = "weekly_slot"
MEETING_TIME = "meeting_time"
CONFLICT_OF_INTEREST = "conflict_of_interest"
DECLINED = "declined"
OPT_OUT = "opt_out"
ORGANISATION = "organisation"

RULES: dict[str, str] = {
    APPROVED: "Approved and active",
    DBS_CHECK: "DBS check in date",
    TRAINING: "Training done",
    PAUSED: "Not paused when it matters",
    CAPACITY: "A free place (below their capacity, counting offers waiting for an answer)",
    LANGUAGE: "Shares a language, or the parent accepted an interpreter",
    ADVOCATE_GENDER: "The parent's preference on advocate gender",
    SUPPORT_MODE: "A support mode both accept, in person only within travel distance",
    WEEKLY_SLOT: "At least one weekly time slot in common",
    MEETING_TIME: "Free on the day and part of day of the meeting",
    CONFLICT_OF_INTEREST: "No conflict of interest",
    DECLINED: "Has not already declined this request",
    OPT_OUT: "Has not opted out of any of the request's issues",
    ORGANISATION: "Same organisation, unless opted in network-wide",
}
"""Every hard rule by name, in the order failures are reported, with a title for screens."""

REMOTE_MODES = frozenset({PHONE, VIDEO})


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """One hard rule a volunteer fails for a request, with a message for the organiser."""

    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class PairAssessment:
    """What the rules found for one request and volunteer, reused by the scoring.

    ``support_modes`` are the modes this pair can actually use; ``distance_km`` is None
    when either side has no known location.
    """

    failures: tuple[RuleFailure, ...]
    distance_km: float | None
    support_modes: frozenset[str]
    same_area: bool

    @property
    def eligible(self) -> bool:
        """True when no hard rule is broken."""
        return not self.failures


def same_area(request: RequestProfile, volunteer: VolunteerProfile) -> bool:
    """Both in the same, known council area."""
    return request.area_code is not None and request.area_code == volunteer.area_code


def distance_between(request: RequestProfile, volunteer: VolunteerProfile) -> float | None:
    """Distance in km between the two outcode centres, or None if either is unknown."""
    if request.lat is None or request.lon is None or volunteer.lat is None or volunteer.lon is None:
        return None
    return haversine_km(request.lat, request.lon, volunteer.lat, volunteer.lon)


def assess_pair(
    request: RequestProfile,
    volunteer: VolunteerProfile,
    today: date,
    *,
    labels: Labels | None = None,
) -> PairAssessment:
    """Check every hard rule for one volunteer and work out the modes and distance they share.

    ``labels`` maps issue-type and language codes to the names organisers know.
    """
    failures: list[RuleFailure] = []

    def fail(rule: str, message: str) -> None:
        failures.append(RuleFailure(rule, message))

    meeting = request.meeting_date
    if not volunteer.approved:
        fail(APPROVED, "Not approved and active as an advocate")

    expires = volunteer.dbs_expires_on
    if expires is None:
        fail(DBS_CHECK, "No DBS check recorded")
    elif expires < today:
        fail(DBS_CHECK, f"DBS check expired on {format_date(expires)}")
    elif meeting is not None and expires < meeting:
        fail(DBS_CHECK, f"DBS check expires on {format_date(expires)}, before the meeting on {format_date(meeting)}")

    if not volunteer.training_completed:
        fail(TRAINING, "Training not completed")

    pause_notes = []
    for first, last in volunteer.pauses:
        covers = []
        if first <= today <= last:
            covers.append("today")
        if meeting is not None and first <= meeting <= last:
            covers.append(f"the meeting on {format_date(meeting)}")
        if covers:
            pause_notes.append(f"Paused {format_date_range(first, last)}, which covers {' and '.join(covers)}")
    if pause_notes:
        fail(PAUSED, "; ".join(pause_notes))

    if volunteer.active_matches + volunteer.offers_waiting >= volunteer.capacity:
        waiting = volunteer.offers_waiting
        also = f", and {waiting} offer{'s' if waiting != 1 else ''} waiting for their answer" if waiting else ""
        fail(CAPACITY, f"No free place: supporting {volunteer.active_matches} of {volunteer.capacity}{also}")

    if request.languages and not request.interpreter_ok and not request.languages & volunteer.languages:
        spoken = names_of(volunteer.languages, labels) or "no language recorded"
        fail(
            LANGUAGE,
            f"No language in common and no interpreter accepted: the parent speaks "
            f"{names_of(request.languages, labels, 'or')}; the advocate speaks {spoken}",
        )

    if request.advocate_gender is not None and volunteer.gender != request.advocate_gender:
        actual = "'s gender is not recorded" if volunteer.gender is None else f" is {gender_in_words(volunteer.gender)}"
        fail(
            ADVOCATE_GENDER,
            f"The parent asked for an advocate who is {gender_in_words(request.advocate_gender)}; "
            f"this advocate{actual}",
        )

    same_organisation = volunteer.organisation_id == request.organisation_id
    distance = distance_between(request, volunteer)
    in_same_area = same_area(request, volunteer)
    modes, mode_problem = _usable_modes(request, volunteer, same_organisation, distance, in_same_area)
    if mode_problem is not None:
        fail(SUPPORT_MODE, mode_problem)

    if not request.availability_mask & volunteer.availability_mask:
        fail(WEEKLY_SLOT, "No weekly time slot in common with the parent")

    if meeting is not None:
        weekday = meeting.weekday()
        if request.meeting_part is None:
            needed, when = day_mask(weekday), f"{DAYS[weekday]}s"
        else:
            needed = 1 << slot_bit(weekday, request.meeting_part)
            when = f"{DAYS[weekday]} {PARTS_OF_DAY[request.meeting_part]}s"
        if not volunteer.availability_mask & needed:
            fail(MEETING_TIME, f"Not free on {when}, when the meeting is ({format_date(meeting)})")

    if volunteer.id in request.excluded_volunteer_ids:
        fail(CONFLICT_OF_INTEREST, "Conflict of interest recorded by an organiser")
    if volunteer.id in request.declined_volunteer_ids:
        fail(DECLINED, "Already declined, or did not answer, an offer for this request")

    triggers = volunteer.opt_outs & request.all_issues
    if triggers:
        fail(OPT_OUT, f"Opted out of requests about {names_of(triggers, labels)}")

    if not same_organisation and not volunteer.network_wide:
        fail(ORGANISATION, "From another organisation and not opted in to support across the network")

    return PairAssessment(tuple(failures), distance, modes, in_same_area)


def check_rules(
    request: RequestProfile,
    volunteer: VolunteerProfile,
    today: date,
    *,
    labels: Labels | None = None,
) -> tuple[RuleFailure, ...]:
    """Every hard rule the volunteer fails for this request; empty means eligible."""
    return assess_pair(request, volunteer, today, labels=labels).failures


def _usable_modes(
    request: RequestProfile,
    volunteer: VolunteerProfile,
    same_organisation: bool,
    distance: float | None,
    in_same_area: bool,
) -> tuple[frozenset[str], str | None]:
    """The support modes this pair can use, or why there is none."""
    common = request.support_modes & volunteer.support_modes
    remote = common & REMOTE_MODES
    in_person_problem = None
    if IN_PERSON in common:
        if not same_organisation:
            in_person_problem = (
                "Supports other organisations' parents by phone or video only, "
                "and the parent asked for in-person support"
            )
        elif distance is not None:
            if distance > volunteer.travel_km:
                far, limit = _km_pair(distance, volunteer.travel_km)
                in_person_problem = f"Too far for in-person support: {far} km, travels up to {limit} km"
        elif not in_same_area:
            who = "the advocate" if request.has_location else "the parent"
            if not request.has_location and not volunteer.has_location:
                who = "either of them"
            in_person_problem = (
                f"Distance unknown for in-person support (no postcode on record for {who}) "
                "and not in the same council area"
            )
    modes = remote | ({IN_PERSON} if IN_PERSON in common and in_person_problem is None else set())
    if modes:
        return frozenset(modes), None
    if in_person_problem is not None:
        return frozenset(), in_person_problem
    if not request.support_modes:
        return frozenset(), "The parent has not said how they want to be supported"
    offered = modes_in_words(volunteer.support_modes) or "no support mode"
    return frozenset(), (
        f"No support mode in common: the parent wants {modes_in_words(request.support_modes)}; "
        f"the advocate offers {offered}"
    )


def _km_pair(distance: float, limit: float) -> tuple[str, str]:
    """Both distances rounded so that "too far" never reads as "15 km, travels up to 15 km"."""
    for digits in (0, 1, 2):
        far, most = f"{distance:.{digits}f}", f"{limit:.{digits}f}"
        if far != most:
            return far, most
    return f"{distance:.3f}", f"{limit:.3f}"
