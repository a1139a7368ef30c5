"""The scoring model: a logistic regression over the features, with hand-set defaults.

Why logistic regression: each feature's contribution to the score is its weight times its
value, which is exactly what an organiser is shown ("lived experience of domestic abuse:
+1.8"). Until a network has enough history, :func:`default_model` ranks with weights set
by hand from what organisers told us matters. :func:`train` learns weights from
organisers' and volunteers' decisions and match outcomes, checks them on later history
than they were fitted on, and compares them with the default weights and with a gradient
boosting model; logistic regression stays in use unless the challenger wins clearly,
which the metrics then flag for a person to decide on (a non-linear model would lose the
feature-by-feature explanation).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .features import (
    AVAILABILITY,
    CONTINUITY,
    EXPERIENCE,
    FEATURE_NAMES,
    LIVED_EXPERIENCE,
    PROXIMITY,
    READINESS,
    WORKLOAD,
)

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

MODEL_FORMAT = "peermatch.matching.model/1"
LOGISTIC_REGRESSION = "logistic_regression"
DEFAULT_VERSION = "default-1"

DEFAULT_WEIGHTS: dict[str, float] = {
    LIVED_EXPERIENCE: 2.0,
    PROXIMITY: 1.0,
    AVAILABILITY: 1.5,
    READINESS: 1.0,
    WORKLOAD: 1.0,
    EXPERIENCE: 0.75,
    CONTINUITY: 1.5,
}
"""Hand-set log-odds per unit of each feature. Lived experience of the parent's issues
matters most (it is why peer advocacy works); being free when the parent is, and
continuity with an advocate the parent knows, come next; distance, readiness before the
meeting and a fair share of the work follow; experience counts least, so new advocates
get offers too."""

DEFAULT_INTERCEPT = -3.5
"""Puts an average pair near 0.5 and a pair strong on every feature near 0.995."""

MIN_TRAINING_EXAMPLES = 200
MIN_EXAMPLES_PER_LABEL = 20
MIN_TEST_REQUESTS = 5
TOP_K = 3
CLEAR_WIN_AUC = 0.02

Matrix = npt.NDArray[np.float64]


class NotEnoughHistory(ValueError):
    """Training was asked for before the network has enough decided offers to learn from."""


@dataclass(frozen=True)
class TrainedModel:
    """Weights the ranking scores with, and how well they did; stored as a JSON-able dict.

    ``score`` is ``1 / (1 + exp(-(intercept + Σ weight·feature)))``, summed in
    ``feature_names`` order so that every caller rounds identically.
    """

    version: str
    weights: tuple[float, ...]
    intercept: float
    feature_names: tuple[str, ...] = FEATURE_NAMES
    kind: str = LOGISTIC_REGRESSION
    trained_at: datetime | None = None
    n_examples: int = 0
    metrics: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if tuple(self.feature_names) != FEATURE_NAMES:
            raise ValueError(
                f"Model {self.version!r} was built for features {list(self.feature_names)}, "
                f"but matching uses {list(FEATURE_NAMES)}"
            )
        if len(self.weights) != len(FEATURE_NAMES):
            raise ValueError(
                f"Model {self.version!r} has {len(self.weights)} weights for {len(FEATURE_NAMES)} features"
            )
        if self.kind != LOGISTIC_REGRESSION:
            raise ValueError(f"Unknown model kind {self.kind!r}")

    def log_odds(self, features: Matrix) -> Matrix:
        """Intercept plus each weighted feature, for a (n, features) matrix."""
        matrix = np.asarray(features, dtype=np.float64)
        total = np.full(matrix.shape[0], self.intercept, dtype=np.float64)
        for column, weight in enumerate(self.weights):
            total += weight * matrix[:, column]
        return total

    def score(self, features: Matrix) -> Matrix:
        """Scores in [0, 1] for a (n, features) matrix."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(features)))

    def score_one(self, features: Sequence[float]) -> float:
        """The score of one feature vector."""
        return float(self.score(np.asarray([features], dtype=np.float64))[0])

    def to_dict(self) -> dict[str, Any]:
        """A plain dict for storage as JSON."""
        return {
            "format": MODEL_FORMAT,
            "kind": self.kind,
            "version": self.version,
            "feature_names": list(self.feature_names),
            "weights": [float(w) for w in self.weights],
            "intercept": float(self.intercept),
            "trained_at": self.trained_at.isoformat() if self.trained_at else None,
            "n_examples": self.n_examples,
            "metrics": dict(self.metrics),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainedModel:
        """Rebuild a model stored with :meth:`to_dict`; refuses other formats or features."""
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"Not a stored matching model (format {data.get('format')!r}, expected {MODEL_FORMAT!r})")
        trained_at = data.get("trained_at")
        return cls(
            version=str(data["version"]),
            weights=tuple(float(w) for w in data["weights"]),
            intercept=float(data["intercept"]),
            feature_names=tuple(data["feature_names"]),
            kind=str(data.get("kind", LOGISTIC_REGRESSION)),
            trained_at=datetime.fromisoformat(trained_at) if trained_at else None,
            n_examples=int(data.get("n_examples", 0)),
            metrics=dict(data.get("metrics") or {}),
        )


def default_model() -> TrainedModel:
    """The hand-set model used until a trained one is activated."""
    return TrainedModel(
        version=DEFAULT_VERSION,
        weights=tuple(DEFAULT_WEIGHTS[name] for name in FEATURE_NAMES),
        intercept=DEFAULT_INTERCEPT,
    )


@dataclass(frozen=True, slots=True)
class TrainingExample:
    """One decided offer: the features it was proposed with, its label and when it was decided.

    ``request_id`` groups the candidates of one request for precision-at-3.
    """

    request_id: str
    features: tuple[float, ...]
    label: int
    at: datetime


ACCEPTED, DECLINED, LAPSED = "accepted", "declined", "lapsed"


def label_from_history(
    *,
    organiser_approved: bool | None = None,
    offer_response: str | None = None,
    ended_well: bool | None = None,
) -> int | None:
    """Turn what happened to a proposed match into a training label, or None to leave it out.

    The latest, most telling fact wins:

    1. the match ended: 1 if it ended well (the service layer decides which outcomes are
       good, e.g. "goals met"), 0 if it ended badly or broke down;
    2. else the advocate answered the offer: accepted → 1, declined or lapsed → 0;
    3. else an organiser turned the proposal down → 0;
    4. else nothing is decided yet (proposed, or approved and waiting) → None.
    """
    if ended_well is not None:
        return int(ended_well)
    if offer_response is not None:
        if offer_response == ACCEPTED:
            return 1
        if offer_response in (DECLINED, LAPSED):
            return 0
        raise ValueError(f"Unknown offer response {offer_response!r}; use accepted, declined or lapsed")
    if organiser_approved is False:
        return 0
    return None


def precision_at_k(scores: npt.ArrayLike, labels: npt.ArrayLike, request_ids: Sequence[str], k: int = TOP_K) -> float:
    """Of the top k scored candidates of each request, the share that were positives.

    Pooled over requests (a request with two candidates adds two to the denominator).
    Ties keep the examples' order, so the result is deterministic.
    """
    score_array = np.asarray(scores, dtype=np.float64)
    label_array = np.asarray(labels)
    groups: dict[str, list[int]] = {}
    for position, request_id in enumerate(request_ids):
        groups.setdefault(request_id, []).append(position)
    hits = taken = 0
    for positions in groups.values():
        ranked = sorted(positions, key=lambda p: (-score_array[p], p))[:k]
        hits += int(label_array[ranked].sum())
        taken += len(ranked)
    return hits / taken if taken else 0.0


def _arrays(examples: Sequence[TrainingExample]) -> tuple[Matrix, npt.NDArray[np.int64], list[str]]:
    features = np.asarray([e.features for e in examples], dtype=np.float64).reshape(-1, len(FEATURE_NAMES))
    labels = np.asarray([e.label for e in examples], dtype=np.int64)
    return features, labels, [e.request_id for e in examples]


def _auc(labels: npt.NDArray[np.int64], scores: Matrix) -> float | None:
    # scikit-learn is imported only to train or evaluate: it takes most of a second, and
    # ranking and batches, which run on every organiser's page, never need it.
    from sklearn.metrics import roc_auc_score

    if len(set(labels.tolist())) < 2:
        return None
    return float(roc_auc_score(labels, scores))


def evaluate(model: TrainedModel, examples: Sequence[TrainingExample]) -> dict[str, float | int | None]:
    """AUC and precision-at-3 of a model on some history (AUC is None if only one label occurs)."""
    if not examples:
        raise NotEnoughHistory("No decided offers to evaluate the model on")
    features, labels, request_ids = _arrays(examples)
    scores = model.score(features)
    return {
        "auc": _auc(labels, scores),
        "precision_at_3": precision_at_k(scores, labels, request_ids),
        "n_examples": len(examples),
        "n_requests": len(set(request_ids)),
    }


def split_by_time(
    examples: Iterable[TrainingExample], test_fraction: float = 0.25
) -> tuple[list[TrainingExample], list[TrainingExample]]:
    """Earlier requests to train on, later requests to test on; a request is never split.

    Requests are ordered by their first decision and the latest ``test_fraction`` of them
    are held out. Decisions on earlier requests taken after the first held-out decision
    are left out of the training part, so the model is never checked against a past that
    happened after what it learnt from.
    """
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must be between 0 and 1")
    by_request: dict[str, list[TrainingExample]] = {}
    for example in examples:
        by_request.setdefault(example.request_id, []).append(example)
    ordered = sorted(by_request, key=lambda rid: (min(e.at for e in by_request[rid]), rid))
    n_test = max(1, math.ceil(len(ordered) * test_fraction)) if len(ordered) > 1 else 0
    cut = len(ordered) - n_test
    test_part = [e for rid in ordered[cut:] for e in sorted(by_request[rid], key=lambda e: e.at)]
    test_from = min((e.at for e in test_part), default=None)
    train_part = [
        e
        for rid in ordered[:cut]
        for e in sorted(by_request[rid], key=lambda e: e.at)
        if test_from is None or e.at < test_from
    ]
    return train_part, test_part


def _check_enough(
    total: int, train_part: list[TrainingExample], test_part: list[TrainingExample], min_examples: int
) -> None:
    if total < min_examples:
        raise NotEnoughHistory(
            f"Only {total} decided offers so far; training needs at least {min_examples}. "
            "Keep using the default weights until there is more history."
        )
    positives = sum(e.label for e in train_part)
    negatives = len(train_part) - positives
    if min(positives, negatives) < MIN_EXAMPLES_PER_LABEL:
        raise NotEnoughHistory(
            f"The earlier history has {positives} accepted or successful offers and {negatives} declined, "
            f"lapsed or unsuccessful ones; training needs at least {MIN_EXAMPLES_PER_LABEL} of each."
        )
    test_labels = {e.label for e in test_part}
    test_requests = {e.request_id for e in test_part}
    if len(test_labels) < 2 or len(test_requests) < MIN_TEST_REQUESTS:
        raise NotEnoughHistory(
            "The most recent history is too small to check a trained model against "
            f"({len(test_requests)} requests; it needs at least {MIN_TEST_REQUESTS} with both "
            "accepted and declined offers)."
        )


def _fit_logistic(features: Matrix, labels: npt.NDArray[np.int64]) -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=1000).fit(features, labels)


def train(
    examples: Sequence[TrainingExample],
    *,
    now: datetime | None = None,
    test_fraction: float = 0.25,
    min_examples: int = MIN_TRAINING_EXAMPLES,
) -> TrainedModel:
    """Learn weights from decided offers, checked on the most recent history.

    Fits on the earlier requests, measures AUC and precision-at-3 on the later ones next
    to the default weights and a gradient boosting challenger, then refits on all the
    history so the stored model uses every decision. Raises :class:`NotEnoughHistory`.
    """
    from threadpoolctl import threadpool_limits

    # One thread: the history is small, and on a busy two-core server BLAS and OpenMP
    # threads competing with the web workers made training up to ten times slower.
    with threadpool_limits(limits=1):
        return _train(examples, now, test_fraction, min_examples)


def _train(
    examples: Sequence[TrainingExample], now: datetime | None, test_fraction: float, min_examples: int
) -> TrainedModel:
    for example in examples:
        if len(example.features) != len(FEATURE_NAMES) or example.label not in (0, 1):
            raise ValueError(f"Bad training example for request {example.request_id!r}")
    train_part, test_part = split_by_time(examples, test_fraction)
    _check_enough(len(examples), train_part, test_part, min_examples)

    train_x, train_y, _ = _arrays(train_part)
    test_x, test_y, test_requests = _arrays(test_part)
    held_out = _as_model(_fit_logistic(train_x, train_y), "held-out", None, len(train_part))
    trained = evaluate(held_out, test_part)
    default = evaluate(default_model(), test_part)
    from sklearn.ensemble import HistGradientBoostingClassifier

    challenger = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(train_x, train_y)
    challenger_scores = challenger.predict_proba(test_x)[:, 1]
    challenger_auc = _auc(test_y, challenger_scores)
    challenger_p3 = precision_at_k(challenger_scores, test_y, test_requests)

    trained_at = now or datetime.now(UTC)
    all_x, all_y, _ = _arrays(list(examples))
    metrics: dict[str, Any] = {
        "auc": trained["auc"],
        "precision_at_3": trained["precision_at_3"],
        "default_auc": default["auc"],
        "default_precision_at_3": default["precision_at_3"],
        "challenger": "hist_gradient_boosting",
        "challenger_auc": challenger_auc,
        "challenger_precision_at_3": challenger_p3,
        "challenger_wins_clearly": bool(
            challenger_auc is not None
            and trained["auc"] is not None
            and challenger_auc >= trained["auc"] + CLEAR_WIN_AUC
            and challenger_p3 >= trained["precision_at_3"]  # type: ignore[operator]
        ),
        "n_train_held_out": len(train_part),
        "n_test": len(test_part),
        "n_test_requests": trained["n_requests"],
        "test_from": min(e.at for e in test_part).isoformat(),
        "positive_rate": float(all_y.mean()),
    }
    return _as_model(
        _fit_logistic(all_x, all_y),
        f"trained-{trained_at:%Y%m%d-%H%M%S}",
        trained_at,
        len(examples),
        metrics,
    )


def _as_model(
    fitted: LogisticRegression,
    version: str,
    trained_at: datetime | None,
    n_examples: int,
    metrics: Mapping[str, Any] | None = None,
) -> TrainedModel:
    return TrainedModel(
        version=version,
        weights=tuple(float(w) for w in fitted.coef_[0]),
        intercept=float(fitted.intercept_[0]),
        trained_at=trained_at,
        n_examples=n_examples,
        metrics=dict(metrics or {}),
    )
