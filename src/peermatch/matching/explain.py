"""Why a candidate scored as they did, feature by feature, in words an organiser reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .features import (
    AVAILABILITY,
    CONTINUITY,
    EXPERIENCE,
    FEATURE_LABELS,
    FEATURE_NAMES,
    LIVED_EXPERIENCE,
    PROXIMITY,
    READINESS,
    WORKLOAD,
    first_shared_day,
)
from .model import TrainedModel
from .profiles import DAYS, IN_PERSON, RequestProfile, VolunteerProfile
from .results import FeatureContribution, RankedCandidate
from .wording import Labels, format_date, join_words, modes_in_words, name_of


def explain_candidate(
    request: RequestProfile,
    volunteer: VolunteerProfile,
    today: date,
    *,
    features: Sequence[float],
    score: float,
    model: TrainedModel,
    support_modes: frozenset[str],
    distance_km: float | None,
    same_area: bool,
    labels: Labels | None = None,
) -> RankedCandidate:
    """A ranked candidate with a contribution and a sentence for each feature."""
    largest = max((abs(w) for w in model.weights), default=1.0) or 1.0
    texts = {
        LIVED_EXPERIENCE: _lived_experience_text(request, volunteer, labels),
        PROXIMITY: _proximity_text(support_modes, distance_km, same_area),
        AVAILABILITY: _availability_text(request, volunteer),
        READINESS: _readiness_text(request, volunteer, today),
        WORKLOAD: f"Supporting {volunteer.active_matches} of {volunteer.capacity} parents now",
        EXPERIENCE: _experience_text(volunteer.matches_completed),
        CONTINUITY: (
            "Supported this parent before"
            if volunteer.id in request.previous_volunteer_ids
            else "Has not supported this parent before"
        ),
    }
    values = [float(v) for v in features]
    contributions = []
    for name, value, weight in zip(FEATURE_NAMES, values, model.weights, strict=True):
        part = float(weight) * value
        contributions.append(
            FeatureContribution(
                name, FEATURE_LABELS[name], value, float(weight), part, abs(part) / largest, texts[name]
            )
        )
    return RankedCandidate(
        volunteer_id=volunteer.id,
        display_name=volunteer.name,
        score=float(score),
        contributions=tuple(contributions),
        features=tuple(values),
        support_modes=support_modes,
        distance_km=distance_km,
    )


def _lived_experience_text(request: RequestProfile, volunteer: VolunteerProfile, labels: Labels | None) -> str:
    issues = request.all_issues
    if not issues:
        return "The parent named no issue"
    lived = issues & volunteer.lived_experience
    missing = issues - volunteer.lived_experience
    main = request.main_issue

    def listed(codes: frozenset[str]) -> str:
        return join_words(sorted(name_of(c, labels) + (" (the main issue)" if c == main else "") for c in codes))

    if not lived:
        return f"No lived experience of {listed(missing)}"
    if not missing:
        return f"Lived experience of {listed(lived)}"
    return f"Lived experience of {listed(lived)}; not of {listed(missing)}"


def _proximity_text(support_modes: frozenset[str], distance_km: float | None, same_area: bool) -> str:
    area = "same council area" if same_area else "a different council area"
    if IN_PERSON in support_modes:
        if distance_km is None:
            return f"Can meet in person; {area}, distance unknown"
        away = "Less than 1 km away" if distance_km < 0.5 else f"{distance_km:.0f} km away"
        return f"{away}, can meet in person; {area}"
    return f"Supports by {modes_in_words(support_modes)}; {area}"


def _availability_text(request: RequestProfile, volunteer: VolunteerProfile) -> str:
    wanted = request.availability_mask.bit_count()
    shared = (request.availability_mask & volunteer.availability_mask).bit_count()
    return f"Free in {shared} of the parent's {wanted} weekly time slots"


def _readiness_text(request: RequestProfile, volunteer: VolunteerProfile, today: date) -> str:
    meeting = request.meeting_date
    if meeting is None:
        return "No meeting date, so this counts the same for everyone"
    first = first_shared_day(request, volunteer, today)
    if first is None or first >= meeting:
        return f"Not free with the parent before the meeting on {format_date(meeting)}"
    lead = (meeting - first).days
    days = "1 day" if lead == 1 else f"{lead} days"
    when = "today" if first == today else f"on {DAYS[first.weekday()]} {format_date(first)}"
    return f"First free with the parent {when}, {days} before the meeting on {format_date(meeting)}"


def _experience_text(done: int) -> str:
    if done == 0:
        return "No completed matches yet"
    parents = "1 parent" if done == 1 else f"{done} parents"
    return f"Has supported {parents} to the end of a match"
