"""Rank the volunteers of a pool for one request: fast, explained, and exact.

:func:`rank` gives the same eligible volunteers, scores and order as the per-volunteer
:func:`peermatch.matching.reference.rank_reference`; ties on score are broken by
volunteer id so the order never depends on how the pool was built.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from .explain import explain_candidate
from .model import TrainedModel
from .pool import VolunteerPool, _modes_from_bits
from .profiles import RequestProfile
from .results import Exclusion, RankedCandidate, RankingResult
from .rules import check_rules
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

    With ``explain_exclusions`` every other volunteer in the pool is listed with every hard
    rule they fail. That is slower (a sentence per rule per volunteer), so screens that
    show only the shortlist leave it off and ask :func:`check_rules` about one volunteer.
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
    excluded: tuple[Exclusion, ...] = ()
    if explain_exclusions:
        chosen = set(pairs.positions.tolist())
        reasons = []
        for position, volunteer in enumerate(pool.volunteers):
            if position in chosen:
                continue
            failures = check_rules(request, volunteer, today, labels=labels)
            if not failures:
                raise RuntimeError(f"Ranking and rules disagree about volunteer {volunteer.id!r}")
            reasons.append(Exclusion(volunteer.id, failures))
        excluded = tuple(sorted(reasons, key=lambda e: e.volunteer_id))
    return RankingResult(
        eligible=tuple(eligible),
        excluded=excluded,
        eligible_count=len(pairs.positions),
        considered_count=len(pool),
        model_version=model.version,
    )
