"""The scored features of a request and an eligible volunteer, each in [0, 1], higher is better.

This per-pair code defines the features; :mod:`.pool` computes the same numbers for many
volunteers at once and must agree to the last bit, so every formula here uses only
operations that round the same in Python and in NumPy (integer ratios, one division).

| feature | value |
|---|---|
| lived_experience | share of the request's issues the advocate has lived through; the main issue weighs 2, others 1 |
| proximity | in person: 1 / (1 + km / 10); same council area: at least 0.6; otherwise 0 |
| availability | share of the parent's weekly slots the advocate is also free in |
| readiness | days from the first slot both are free (from today) to the meeting, capped at 7, over 7; |
|           | 0.5 when there is no meeting date |
| workload | 1 − active matches / capacity: lighter load scores higher, to share the work fairly |
| experience | completed matches m as m / (m + 4): saturates, 4 matches give 0.5 |
| continuity | 1 if the advocate supported this parent before |
"""

from __future__ import annotations

from datetime import date, timedelta

from .profiles import IN_PERSON, RequestProfile, VolunteerProfile, day_mask
from .rules import PairAssessment, assess_pair

LIVED_EXPERIENCE = "lived_experience"
PROXIMITY = "proximity"
AVAILABILITY = "availability"
READINESS = "readiness"
WORKLOAD = "workload"
EXPERIENCE = "experience"
CONTINUITY = "continuity"

FEATURE_NAMES: tuple[str, ...] = (
    LIVED_EXPERIENCE,
    PROXIMITY,
    AVAILABILITY,
    READINESS,
    WORKLOAD,
    EXPERIENCE,
    CONTINUITY,
)
"""The order of every feature vector, model weight and explanation."""

FEATURE_LABELS: dict[str, str] = {
    LIVED_EXPERIENCE: "Lived experience of the parent's issues",
    PROXIMITY: "Distance or same council area",
    AVAILABILITY: "Covers the parent's availability",
    READINESS: "Free before the meeting",
    WORKLOAD: "Current workload",
    EXPERIENCE: "Experience as an advocate",
    CONTINUITY: "Supported this parent before",
}

MAIN_ISSUE_WEIGHT = 2
OTHER_ISSUE_WEIGHT = 1
PROXIMITY_HALF_KM = 10.0
SAME_AREA_PROXIMITY = 0.6
READINESS_HORIZON_DAYS = 7
NEUTRAL_READINESS = 0.5
EXPERIENCE_HALF_MATCHES = 4


def issue_weight(issue: str, main_issue: str | None) -> int:
    """How much one of the request's issues counts towards lived experience."""
    return MAIN_ISSUE_WEIGHT if issue == main_issue else OTHER_ISSUE_WEIGHT


def lived_experience(request: RequestProfile, volunteer: VolunteerProfile) -> float:
    """Weighted share of the request's issues the advocate has lived experience of."""
    total = covered = 0
    for issue in request.all_issues:
        weight = issue_weight(issue, request.main_issue)
        total += weight
        if issue in volunteer.lived_experience:
            covered += weight
    return covered / total if total else 0.0


def proximity(distance_km: float | None, support_modes: frozenset[str], same_area: bool) -> float:
    """Closeness for in-person support, or a shared council area for any support."""
    value = 0.0
    if IN_PERSON in support_modes and distance_km is not None:
        value = 1.0 / (1.0 + distance_km / PROXIMITY_HALF_KM)
    if same_area:
        value = max(value, SAME_AREA_PROXIMITY)
    return value


def availability(request: RequestProfile, volunteer: VolunteerProfile) -> float:
    """Share of the parent's weekly slots in which the advocate is free too."""
    wanted = request.availability_mask.bit_count()
    if not wanted:
        return 0.0
    return (request.availability_mask & volunteer.availability_mask).bit_count() / wanted


def first_shared_day(request: RequestProfile, volunteer: VolunteerProfile, today: date) -> date | None:
    """The first day from today on which parent and advocate share a weekly slot."""
    shared = request.availability_mask & volunteer.availability_mask
    for offset in range(7):
        day = today + timedelta(days=offset)
        if shared & day_mask(day.weekday()):
            return day
    return None


def readiness(request: RequestProfile, volunteer: VolunteerProfile, today: date) -> float:
    """How many days the pair could talk before the meeting, capped at a week."""
    if request.meeting_date is None:
        return NEUTRAL_READINESS
    first = first_shared_day(request, volunteer, today)
    if first is None:
        return 0.0
    lead = (request.meeting_date - first).days
    return min(max(lead, 0), READINESS_HORIZON_DAYS) / READINESS_HORIZON_DAYS


def workload(volunteer: VolunteerProfile) -> float:
    """Spare share of the advocate's capacity: a lighter load is a fairer next offer."""
    if volunteer.capacity <= 0:
        return 0.0
    return 1.0 - volunteer.active_matches / volunteer.capacity


def experience(volunteer: VolunteerProfile) -> float:
    """Completed matches, saturating so that the tenth match adds little over the fifth."""
    done = volunteer.matches_completed
    return done / (done + EXPERIENCE_HALF_MATCHES)


def continuity(request: RequestProfile, volunteer: VolunteerProfile) -> float:
    """1 when the advocate supported this parent before, so the parent need not start again."""
    return 1.0 if volunteer.id in request.previous_volunteer_ids else 0.0


def pair_features(
    request: RequestProfile,
    volunteer: VolunteerProfile,
    today: date,
    assessment: PairAssessment,
) -> tuple[float, ...]:
    """The feature vector (in ``FEATURE_NAMES`` order) of an assessed pair."""
    return (
        lived_experience(request, volunteer),
        proximity(assessment.distance_km, assessment.support_modes, assessment.same_area),
        availability(request, volunteer),
        readiness(request, volunteer, today),
        workload(volunteer),
        experience(volunteer),
        continuity(request, volunteer),
    )


def feature_vector(request: RequestProfile, volunteer: VolunteerProfile, today: date) -> tuple[float, ...]:
    """Features of any pair, eligible or not, e.g. to record with an offer for later training.

    Store the vector when the offer is proposed: recomputing it months later from changed
    profiles would teach the model from a picture the organiser never saw.
    """
    return pair_features(request, volunteer, today, assess_pair(request, volunteer, today))
