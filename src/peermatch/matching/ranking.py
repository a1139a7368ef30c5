"""Rank the volunteers of a pool for one request: fast, explained, and exact.

:func:`rank` gives the same eligible volunteers, scores and order as the per-volunteer
:func:`peermatch.matching.reference.rank_reference`; ties on score are broken by
volunteer id so the order never depends on how the pool was built.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import numpy.typing as npt

from .explain import explain_candidate
from .model import TrainedModel
from .pool import VolunteerPool, _modes_from_bits
from .profiles import RequestProfile
from .results import Exclusion, RankedCandidate, RankingResult
from .rules import RULES, check_rules
from .wording import Labels


def top_order(scores: npt.NDArray[np.float64], id_ranks: npt.NDArray[np.int64], k: int | None) -> npt.NDArray[np.int64]:
    """Indices of the k best scores, best first, equal scores in id order."""
    if k is not None and k < len(scores):
        if k <= 0:
            return np.empty(0, dtype=np.int64)
        cut = np.partition(-scores, k - 1)[k - 1]
        within = np.flatnonzero(-scores <= cut)
        return within[np.lexsort((id_ranks[within], -scores[within]))][:k]
    return np.lexsort((id_ranks, -scores))


def rank(
    request: RequestProfile,
    pool: VolunteerPool,
    model: TrainedModel,
    today: date,
    k: int | None = 10,
    *,
    explain_exclusions: bool = False,
    labels: Labels | None = None,
) -> RankingResult:
    """The k best eligible volunteers for a request, each with the reasons for their score.

    Every other volunteer the organisation could consider is counted by the rules they fail
    (``excluded_ids``, ``failure_counts``). With ``explain_exclusions`` each is also listed
    with every hard rule they fail in words; that is slower (a sentence per rule per
    volunteer), so screens show a page of them through :func:`explain_exclusions_for`.
    ``labels`` maps issue-type and language codes to the names organisers know.
    """
    pairs, scores = pool.eligible_pairs(request, today, model)
    order = top_order(scores, pool.id_rank[pairs.positions], k)
    eligible: list[RankedCandidate] = []
    distances = pool.distances(request, pairs.positions[order])
    for row, distance in zip(order, distances, strict=True):
        volunteer = pool.volunteers[pairs.positions[row]]
        eligible.append(
            explain_candidate(
                request,
                volunteer,
                today,
                features=pairs.features[row],
                score=scores[row],
                model=model,
                support_modes=_modes_from_bits(int(pairs.support_mode_bits[row])),
                distance_km=distance,
                same_area=bool(pairs.same_area[row]),
                labels=labels,
            )
        )
    considered = pool.considered_positions(request.organisation_id)
    others = considered[~np.isin(considered, pairs.positions)]
    failures = pool.rule_failures(request, today, others)
    failure_counts = tuple((rule, count) for rule in RULES if (count := int(failures[rule].sum())))
    excluded_ids = pool.ids_in_order(others)
    excluded: tuple[Exclusion, ...] = ()
    if explain_exclusions:
        excluded = explain_exclusions_for(request, pool, today, excluded_ids, labels=labels)
    return RankingResult(
        eligible=tuple(eligible),
        excluded=excluded,
        eligible_count=len(pairs.positions),
        considered_count=len(considered),
        model_version=model.version,
        excluded_ids=excluded_ids,
        failure_counts=failure_counts,
    )


def explain_exclusions_for(
    request: RequestProfile,
    pool: VolunteerPool,
    today: date,
    volunteer_ids: Iterable[str],
    *,
    labels: Labels | None = None,
) -> tuple[Exclusion, ...]:
    """Every rule each of these volunteers fails, in words (for the ones a page shows)."""
    exclusions = []
    for volunteer_id in volunteer_ids:
        position = pool.position_of(volunteer_id)
        if position is None:
            continue
        volunteer = pool.volunteers[position]
        failures = check_rules(request, volunteer, today, labels=labels)
        if not failures:
            raise RuntimeError(f"Ranking and rules disagree about volunteer {volunteer.id!r}")
        exclusions.append(Exclusion(volunteer.id, failures))
    return tuple(exclusions)
