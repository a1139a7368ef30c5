"""Matching requests for support to volunteer advocates: rules, scores, reasons, batches.

Pure Python, NumPy, SciPy, scikit-learn and OR-Tools: no Flask, no SQLAlchemy, nothing
else from ``peermatch``. The service layer turns database rows into the profiles below,
calls these functions and stores what they return. See ``docs/matching.md``.

Inputs
    :class:`RequestProfile`, :class:`VolunteerProfile` — frozen dataclasses, validated
    when built: coordinates are both given and finite or both None, travel distances
    finite and not negative, capacities and counts whole numbers; anything else is a
    ``ValueError`` naming the field and the volunteer or request, so ranking, rules and
    batches never meet a NaN. Weekly availability is a 21-bit mask, bit ``day * 3 + part``
    (Monday = 0, morning = 0), defined once in :mod:`.week`: :func:`mask_from_slots`,
    :func:`slots_from_mask`, :func:`slot_bit`, :func:`describe_slots`.

Hard rules
    :func:`check_rules` ``(request, volunteer, today, *, labels=None) -> tuple[RuleFailure, ...]``
    every rule a volunteer fails, in plain words; :data:`RULES` names them all.

Ranking one request
    :class:`VolunteerPool` ``(volunteers)`` — built once, reused.
    :func:`rank` ``(request, pool, model, today, k=10, *, explain_exclusions=False,
    labels=None) -> RankingResult`` — top k with feature-by-feature reasons, everyone else
    counted by the rules they fail; :func:`explain_exclusions_for` — those reasons in words
    for the volunteers a page shows;
    :func:`rank_reference` — the same, one volunteer at a time (for tests and benchmarks).

Batches
    :func:`propose_batch` ``(requests, pool, model, today, *, maximise_matches=False)
    -> BatchResult`` — exact best total score within every advocate's remaining capacity;
    :func:`greedy_batch` — most urgent first, best available advocate, for comparison.

Scoring model
    :func:`default_model`, :class:`TrainedModel` (``to_dict`` / ``from_dict``),
    :func:`train` ``(examples, *, now=None) -> TrainedModel``,
    :func:`evaluate` ``(model, examples) -> dict``, :class:`TrainingExample`,
    :func:`label_from_history`, :func:`feature_vector` (record with each offer),
    :class:`NotEnoughHistory`.
"""

from .batch import BatchEdges, batch_edges, greedy_assign, greedy_batch, propose_batch, solve_batch, urgency
from .explain import explain_candidate
from .features import FEATURE_LABELS, FEATURE_NAMES, feature_vector
from .geo import haversine_km, read_outcode_centres
from .model import (
    DEFAULT_INTERCEPT,
    DEFAULT_WEIGHTS,
    MIN_TRAINING_EXAMPLES,
    NotEnoughHistory,
    TrainedModel,
    TrainingExample,
    default_model,
    evaluate,
    label_from_history,
    precision_at_k,
    split_by_time,
    train,
)
from .pool import VolunteerPool
from .profiles import (
    ALL_SLOTS_MASK,
    DAYS,
    IN_PERSON,
    PARTS_OF_DAY,
    PHONE,
    SUPPORT_MODES,
    VIDEO,
    RequestProfile,
    VolunteerProfile,
    describe_slots,
    mask_from_slots,
    slot_bit,
    slots_from_mask,
)
from .ranking import explain_exclusions_for, rank
from .reference import rank_reference
from .results import Assignment, BatchResult, Exclusion, FeatureContribution, RankedCandidate, RankingResult
from .rules import RULES, RuleFailure, assess_pair, check_rules

__all__ = [
    "ALL_SLOTS_MASK",
    "DAYS",
    "DEFAULT_INTERCEPT",
    "DEFAULT_WEIGHTS",
    "FEATURE_LABELS",
    "FEATURE_NAMES",
    "IN_PERSON",
    "MIN_TRAINING_EXAMPLES",
    "PARTS_OF_DAY",
    "PHONE",
    "RULES",
    "SUPPORT_MODES",
    "VIDEO",
    "Assignment",
    "BatchEdges",
    "BatchResult",
    "Exclusion",
    "FeatureContribution",
    "NotEnoughHistory",
    "RankedCandidate",
    "RankingResult",
    "RequestProfile",
    "RuleFailure",
    "TrainedModel",
    "TrainingExample",
    "VolunteerPool",
    "VolunteerProfile",
    "assess_pair",
    "batch_edges",
    "check_rules",
    "default_model",
    "describe_slots",
    "evaluate",
    "explain_candidate",
    "explain_exclusions_for",
    "feature_vector",
    "greedy_assign",
    "greedy_batch",
    "haversine_km",
    "label_from_history",
    "mask_from_slots",
    "precision_at_k",
    "propose_batch",
    "rank",
    "rank_reference",
    "read_outcode_centres",
    "slot_bit",
    "slots_from_mask",
    "solve_batch",
    "split_by_time",
    "train",
    "urgency",
]
