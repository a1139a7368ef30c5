"""How fast and how good matching is on made-up networks of realistic size.

    python benchmarks/matching.py            # full run, a few minutes on 2 cores
    python benchmarks/matching.py --quick    # smaller sizes, well under a minute
    python benchmarks/matching.py --outcodes ../shared/data/uk_outcodes.csv

Prints, for each size: ranking time per request (vectorised and one-by-one reference)
and their ratio; batch time end to end, with the exact solution's total score and the
greedy one's as a share of an independently computed optimum; model training time and
AUC. People are placed around English city centres, or at real outcodes near them when
a CSV with columns outcode, latitude, longitude is given.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

if importlib.util.find_spec("peermatch") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from peermatch.matching import (
    BatchEdges,
    VolunteerPool,
    batch_edges,
    default_model,
    greedy_assign,
    rank,
    rank_reference,
    read_outcode_centres,
    solve_batch,
    train,
)
from peermatch.matching.synthetic import synthetic_history, synthetic_network

T = TypeVar("T")
Outcodes = Sequence[tuple[str, float, float]] | None


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """Run once and return the result with the seconds it took."""
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def optimum_by_scipy(edges: BatchEdges) -> float:
    """Best total score, found independently: each advocate's room becomes that many seats.

    A full matching of requests to seats or to a request's own "unmatched" seat, at
    minimum cost (1 − score), via SciPy's sparse Jonker–Volgenant solver.
    """
    n_requests = len(edges.requests)
    rows, cols, costs = [], [], []
    seat_of: dict[int, int] = {}
    seats = n_requests
    for volunteer in np.unique(edges.volunteer_position):
        seat_of[int(volunteer)] = seats
        seats += int(edges.remaining_capacity[volunteer])
    for r, v, score in zip(edges.request_index, edges.volunteer_position, edges.score, strict=True):
        first = seat_of[int(v)]
        for seat in range(first, first + int(edges.remaining_capacity[v])):
            rows.append(int(r))
            cols.append(seat)
            costs.append(2.0 - float(score))
    rows.extend(range(n_requests))
    cols.extend(range(n_requests))
    costs.extend([2.0] * n_requests)
    graph = csr_matrix((costs, (rows, cols)), shape=(n_requests, seats))
    matched_rows, matched_cols = np.arange(n_requests), min_weight_full_bipartite_matching(graph)[1]
    total_cost = float(graph[matched_rows, matched_cols].sum())
    return 2.0 * n_requests - total_cost


def bench_ranking(n_volunteers: int, n_requests: int, n_reference: int, outcodes: Outcodes, seed: int) -> None:
    network = synthetic_network(n_volunteers, n_requests, seed=seed, outcodes=outcodes)
    model = default_model()
    pool, build = timed(lambda: VolunteerPool(network.volunteers))
    rank(network.requests[0], pool, model, network.today)
    per_request = []
    eligible = []
    for request in network.requests:
        result, seconds = timed(partial(rank, request, pool, model, network.today, k=10))
        per_request.append(seconds)
        eligible.append(result.eligible_count)
    reference_times = []
    for request in network.requests[:n_reference]:
        slow, seconds = timed(partial(rank_reference, request, pool, model, network.today, k=10))
        reference_times.append(seconds)
        if slow != rank(request, pool, model, network.today, k=10):
            raise SystemExit(f"Vectorised and reference rankings differ for {request.id}")
    fast_ms = statistics.mean(per_request) * 1000
    fast_median = statistics.median(per_request) * 1000
    slow_ms = statistics.mean(reference_times) * 1000
    print(
        f"  {n_volunteers:>7,} volunteers: pool built in {build:.2f} s; "
        f"rank(k=10) {fast_ms:.3f} ms/request (median {fast_median:.3f}, p95 "
        f"{np.percentile(per_request, 95) * 1000:.3f}) over {n_requests} requests, "
        f"mean {statistics.mean(eligible):.0f} eligible; reference {slow_ms:.1f} ms/request "
        f"over {n_reference}; ratio {slow_ms / fast_ms:.0f}x, results identical"
    )


def bench_batch(n_requests: int, n_volunteers: int, outcodes: Outcodes, seed: int, verify: bool) -> None:
    network = synthetic_network(n_volunteers, n_requests, seed=seed, outcodes=outcodes)
    model = default_model()
    pool, build = timed(lambda: VolunteerPool(network.volunteers))
    edges, edge_time = timed(lambda: batch_edges(network.requests, pool, model, network.today))
    exact, solve_time = timed(lambda: solve_batch(edges))
    most, most_time = timed(lambda: solve_batch(edges, maximise_matches=True))
    greedy, greedy_time = timed(lambda: greedy_assign(edges))
    line = (
        f"  {n_requests:>5,} requests x {n_volunteers:>6,} volunteers ({len(edges.score):,} eligible pairs): "
        f"end to end {edge_time + solve_time:.3f} s (ranking {edge_time:.3f} s + solving {solve_time:.3f} s; "
        f"pool built beforehand in {build:.2f} s)\n"
        f"      exact: {exact.matched_count} matched, total {exact.total_score:.3f}; "
        f"most-matches-first: {most.matched_count} matched, total {most.total_score:.3f} ({most_time:.3f} s); "
        f"greedy: {greedy.matched_count} matched, total {greedy.total_score:.3f} ({greedy_time:.3f} s)"
    )
    print(line)
    if verify:
        optimum, verify_time = timed(lambda: optimum_by_scipy(edges))
        print(
            f"      optimum by SciPy (independent, {verify_time:.2f} s): {optimum:.3f}; "
            f"exact {100 * exact.total_score / optimum:.3f}% of it, greedy {100 * greedy.total_score / optimum:.2f}%"
        )


def bench_training(n_requests: int, seed: int) -> None:
    history = synthetic_history(n_requests, seed=seed)
    train(synthetic_history(100, seed=seed + 1))
    model, seconds = timed(lambda: train(history))
    m = model.metrics
    print(
        f"  {len(history):,} decided offers over {n_requests:,} requests: trained in {seconds:.2f} s; "
        f"held-out AUC {m['auc']:.3f} (default weights {m['default_auc']:.3f}, gradient boosting "
        f"{m['challenger_auc']:.3f}); precision at 3 {m['precision_at_3']:.3f} "
        f"(default {m['default_precision_at_3']:.3f}, gradient boosting {m['challenger_precision_at_3']:.3f})"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a fast check")
    parser.add_argument("--outcodes", type=Path, help="CSV of outcode, latitude, longitude to place people at")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-verify", action="store_true", help="skip the independent optimum check")
    args = parser.parse_args(argv)

    outcodes = None
    if args.outcodes:
        outcodes = [(code, lat, lon) for code, (lat, lon) in read_outcode_centres(args.outcodes).items()]
    print(
        f"Matching benchmark ({'quick' if args.quick else 'full'}; people placed "
        f"{'at real outcodes' if outcodes else 'around city centres'})"
    )

    print("Ranking one request:")
    for volunteers, reference in ((2_000, 10), (10_000, 5)) if args.quick else ((10_000, 10), (100_000, 3)):
        bench_ranking(volunteers, 100 if args.quick else 300, reference, outcodes, args.seed)

    print("Batch proposals:")
    for requests, volunteers in ((200, 400), (1_000, 2_000)) if args.quick else ((1_000, 2_000), (5_000, 10_000)):
        bench_batch(requests, volunteers, outcodes, args.seed, not args.no_verify)

    print("Training the scoring model:")
    bench_training(1_000 if args.quick else 5_000, args.seed)


if __name__ == "__main__":
    main()
