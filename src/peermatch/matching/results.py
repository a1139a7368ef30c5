"""What matching hands back: ranked candidates with reasons, exclusions with reasons, batch proposals."""

from __future__ import annotations

from dataclasses import dataclass

from .rules import RuleFailure


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A volunteer who may not be proposed for the request, with every rule they fail."""

    volunteer_id: str
    reasons: tuple[RuleFailure, ...]


@dataclass(frozen=True, slots=True)
class FeatureContribution:
    """One feature's part in a candidate's score, ready to show as words and a bar.

    ``value`` is the feature in [0, 1]; ``contribution`` is ``weight × value`` in log-odds
    (what it adds to the score before the logistic squash); ``bar`` is the contribution
    over the largest weight, in [0, 1] for the usual positive weights, so bars compare
    across features and candidates.
    """

    feature: str
    label: str
    value: float
    weight: float
    contribution: float
    bar: float
    explanation: str


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """An eligible volunteer, scored and explained.

    ``features`` follow ``FEATURE_NAMES``; ``support_modes`` are the modes this pair can
    use; ``distance_km`` is between outcode centres, None when either is unknown.
    """

    volunteer_id: str
    display_name: str
    score: float
    contributions: tuple[FeatureContribution, ...]
    features: tuple[float, ...]
    support_modes: frozenset[str]
    distance_km: float | None


@dataclass(frozen=True, slots=True)
class RankingResult:
    """Ranked candidates for one request.

    Everyone the request's organisation could consider is weighed: its own volunteers and
    every network-wide one (volunteers of other organisations who did not opt in are never
    candidates, so they are not listed). ``eligible`` holds the top k (all when k is None),
    best first, ties broken by volunteer id. ``excluded_ids`` are all the others, by id, and
    ``failure_counts`` how many of them fail each rule (in :data:`.rules.RULES` order).
    ``excluded`` holds each one's reasons in words, but only when asked for
    (``explain_exclusions=True``): writing reasons for thousands of volunteers costs far more
    than ranking them, so pages ask :func:`.ranking.explain_exclusions` for the ones they show.
    """

    eligible: tuple[RankedCandidate, ...]
    excluded: tuple[Exclusion, ...]
    eligible_count: int
    considered_count: int
    model_version: str
    excluded_ids: tuple[str, ...] = ()
    failure_counts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    """One proposed match in a batch."""

    request_id: str
    volunteer_id: str
    score: float


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Proposed matches for a set of open requests, for an organiser to approve.

    ``assignments`` follow the order the requests were given in. ``method`` says how they
    were found ("exact", "exact, most matches first" or "greedy").
    """

    assignments: tuple[Assignment, ...]
    total_score: float
    unmatched_request_ids: tuple[str, ...]
    method: str
    model_version: str

    @property
    def matched_count(self) -> int:
        """How many requests got a proposal."""
        return len(self.assignments)
