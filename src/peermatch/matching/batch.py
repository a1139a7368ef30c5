"""Batch proposals: one advocate for as many open requests as possible, best total score first.

Organisers triage a queue of open requests at once. :func:`propose_batch` finds the
assignment with the highest total score that gives each request at most one advocate and
no advocate more parents than their remaining capacity (capacity − active matches − offers
waiting for their answer). Only
eligible pairs are considered. It is solved exactly as a min-cost flow:

    source → each request (1) → each eligible advocate (1) → sink (remaining capacity)
    each request → sink directly (left unmatched, worth nothing)

Scores are scaled to integers (``SCORE_SCALE``), so "exact" means exact on scores rounded
to 5 decimal places. Two lexicographic preferences ride on the integer costs:

- with ``maximise_matches=True``, matching one more parent beats any gain in score;
- among assignments of equal (scaled) score, those that serve urgent requests (a meeting
  date soon) win.

:func:`greedy_batch` does what an organiser working down the queue would do, for
comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from .model import TrainedModel
from .pool import VolunteerPool
from .profiles import RequestProfile
from .results import Assignment, BatchResult

SCORE_SCALE = 100_000
URGENCY_HORIZON_DAYS = 28
_COST_LIMIT = 2**62

Ints = npt.NDArray[np.int64]


def urgency(request: RequestProfile, today: date) -> int:
    """How pressing a request is, for tie-breaks: more the sooner the meeting, 0 with none."""
    if request.meeting_date is None:
        return 0
    days = max((request.meeting_date - today).days, 0)
    return max(URGENCY_HORIZON_DAYS - days, 0) + 1


def triage_order(requests: Sequence[RequestProfile], today: date) -> list[int]:
    """Most urgent first: soonest meeting date, then longest waiting, then id."""
    return sorted(
        range(len(requests)),
        key=lambda i: (requests[i].meeting_date or date.max, _naive_utc(requests[i].submitted_at), requests[i].id),
    )


def _naive_utc(moment: datetime | None) -> datetime:
    """Comparable submission time whether or not the caller's datetimes carry a timezone."""
    if moment is None:
        return datetime.max
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class BatchEdges:
    """Every eligible (request, volunteer) pair of a batch with its score.

    Requests are indexed as given; volunteers by pool position. Build once with
    :func:`batch_edges` to solve the same batch several ways.
    """

    requests: tuple[RequestProfile, ...]
    request_index: Ints
    volunteer_position: Ints
    score: npt.NDArray[np.float64]
    urgency: Ints
    volunteer_ids: tuple[str, ...]
    volunteer_id_rank: Ints
    remaining_capacity: Ints
    model_version: str
    triage: tuple[int, ...]


def batch_edges(
    requests: Sequence[RequestProfile], pool: VolunteerPool, model: TrainedModel, today: date,
    progress: Callable[[int], None] | None = None,
) -> BatchEdges:
    """Rank every request against the pool and keep the eligible pairs (``progress(1)`` after each)."""
    if len({r.id for r in requests}) != len(requests):
        raise ValueError("Each request may appear in a batch only once")
    request_index, positions, scores = [], [], []
    for i, request in enumerate(requests):
        if progress is not None:
            progress(1)
        pairs, pair_scores = pool.eligible_pairs(request, today, model)
        request_index.append(np.full(len(pairs.positions), i, dtype=np.int64))
        positions.append(pairs.positions)
        scores.append(pair_scores)
    all_positions = np.concatenate(positions) if positions else np.empty(0, dtype=np.int64)
    return BatchEdges(
        requests=tuple(requests),
        request_index=np.concatenate(request_index) if request_index else np.empty(0, dtype=np.int64),
        volunteer_position=all_positions,
        score=np.concatenate(scores) if scores else np.empty(0, dtype=np.float64),
        urgency=np.array([urgency(r, today) for r in requests], dtype=np.int64),
        volunteer_ids=tuple(v.id for v in pool.volunteers),
        volunteer_id_rank=pool.id_rank,
        remaining_capacity=pool.capacity - pool.active_matches - pool.offers_waiting,
        model_version=model.version,
        triage=tuple(triage_order(requests, today)),
    )


def propose_batch(
    requests: Sequence[RequestProfile],
    pool: VolunteerPool,
    model: TrainedModel,
    today: date,
    *,
    maximise_matches: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """The best set of proposals for a batch of requests, found exactly (``progress`` counts requests ranked)."""
    return solve_batch(batch_edges(requests, pool, model, today, progress), maximise_matches=maximise_matches)


def greedy_batch(
    requests: Sequence[RequestProfile], pool: VolunteerPool, model: TrainedModel, today: date
) -> BatchResult:
    """Most urgent request first, each taking its best advocate who still has room."""
    return greedy_assign(batch_edges(requests, pool, model, today))


def solve_batch(edges: BatchEdges, *, maximise_matches: bool = False) -> BatchResult:
    """Exact min-cost-flow solution over prepared edges."""
    n_requests = len(edges.requests)
    method = "exact, most matches first" if maximise_matches else "exact"
    if len(edges.score) == 0:
        return _result(edges, np.empty(0, dtype=np.int64), method)
    scaled = np.rint(edges.score * SCORE_SCALE).astype(np.int64)
    urgency_weight = edges.urgency[edges.request_index]
    # Lexicographic weights: a whole unit of the next level outweighs every lower level combined.
    score_unit = int(edges.urgency.sum()) + 1
    best_per_request = np.zeros(n_requests, dtype=np.int64)
    np.maximum.at(best_per_request, edges.request_index, scaled)
    match_unit = score_unit * int(best_per_request.sum()) + int(edges.urgency.sum()) + 1 if maximise_matches else 0
    value = match_unit + score_unit * scaled + urgency_weight

    volunteers, volunteer_node = np.unique(edges.volunteer_position, return_inverse=True)
    n_nodes = n_requests + len(volunteers) + 1
    if int(value.max()) * (n_nodes + 1) >= _COST_LIMIT:
        raise ValueError("This batch is too large to solve exactly in one go; split it, e.g. by organisation")
    sink = n_nodes - 1
    request_nodes = np.arange(n_requests, dtype=np.int64)
    starts = np.concatenate([edges.request_index, request_nodes, n_requests + np.arange(len(volunteers))])
    ends = np.concatenate(
        [n_requests + volunteer_node, np.full(n_requests, sink), np.full(len(volunteers), sink)]
    ).astype(np.int64)
    capacities = np.concatenate(
        [np.ones(len(value), dtype=np.int64), np.ones(n_requests, dtype=np.int64), edges.remaining_capacity[volunteers]]
    )
    costs = np.concatenate([-value, np.zeros(n_requests + len(volunteers), dtype=np.int64)])

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(starts, ends, capacities, costs)
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[:n_requests] = 1
    supplies[sink] = -n_requests
    flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int64), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The batch solver stopped without an optimal answer (status {status})")
    used = np.flatnonzero(flow.flows(np.arange(len(value), dtype=np.int64)) > 0)
    return _result(edges, used, method)


def greedy_assign(edges: BatchEdges) -> BatchResult:
    """Greedy over prepared edges: requests in triage order, best remaining advocate each."""
    remaining = edges.remaining_capacity.copy()
    by_request: dict[int, Ints] = {}
    order = np.lexsort((edges.volunteer_id_rank[edges.volunteer_position], -edges.score, edges.request_index))
    sorted_requests = edges.request_index[order]
    bounds = np.searchsorted(sorted_requests, np.arange(len(edges.requests) + 1))
    for i in range(len(edges.requests)):
        by_request[i] = order[bounds[i] : bounds[i + 1]]
    chosen = []
    for i in edges.triage:
        for edge in by_request[i]:
            if remaining[edges.volunteer_position[edge]] > 0:
                remaining[edges.volunteer_position[edge]] -= 1
                chosen.append(edge)
                break
    return _result(edges, np.array(chosen, dtype=np.int64), "greedy")


def _result(edges: BatchEdges, used: Ints, method: str) -> BatchResult:
    by_request = {int(edges.request_index[e]): int(e) for e in used}
    assignments = []
    unmatched = []
    for i, request in enumerate(edges.requests):
        edge = by_request.get(i)
        if edge is None:
            unmatched.append(request.id)
        else:
            assignments.append(
                Assignment(request.id, edges.volunteer_ids[edges.volunteer_position[edge]], float(edges.score[edge]))
            )
    return BatchResult(
        assignments=tuple(assignments),
        total_score=float(sum(a.score for a in assignments)),
        unmatched_request_ids=tuple(unmatched),
        method=method,
        model_version=edges.model_version,
    )
