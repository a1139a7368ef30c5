"""How fast the matching *service* is end to end, on a realistic network in a real database.

    python benchmarks/service.py            # 1k, 3k and 10k advocates (5 requests each), a few minutes
    python benchmarks/service.py --quick    # 1k and 3k only, under a minute on SQLite
    PEERMATCH_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python benchmarks/service.py

For each size the database is rebuilt by ``benchmarks/network.py``, then, inside an app
context with a fresh ``db.session`` for every call:

- ``rank_request`` for about 30 requests awaiting an offer (taken in turn from each
  organisation), three ways: with the excluded advocates explained as the candidate page
  does (every rule in words for the first page of them by name, ``EXCLUDED_SHOWN``, and
  every excluded advocate counted per rule), without any explanation, and, for
  comparison, with every excluded advocate explained. For each: p50 and p95 wall time
  including its SQL, after one warm-up call; beside it the engine alone
  (``matching.rank`` and ``matching.explain_exclusions_for``) on the same request and
  pool, the pool built beforehand with the service's own profile functions; and the SQL
  statements each call sends (``before_cursor_execute``);
- ``propose_batch_for`` for the organisation with most requests awaiting an offer and
  for the whole network, end to end, beside ``matching.propose_batch`` on profiles and
  pool built beforehand, with the statements sent.

The last line sums up the largest size, ranking with the excluded advocates explained as
the candidate page shows them:

    service: rank p50 X ms (engine Y ms, ratio X/Y), batch network B s (engine E s), statements S

Each service call is made in one small adapter below (``rank_service``, ``batch_service``
and their ``*_inputs`` / ``*_engine`` partners): when a signature changes, change it there.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

if importlib.util.find_spec("peermatch") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import sqlalchemy as sa
from network import NetworkInfo, build_network, database_url, make_app  # benchmarks/network.py
from sqlalchemy.orm import Session

from peermatch import clock, matching
from peermatch.extensions import db
from peermatch.models import REQUEST_AWAITING_OFFER, SupportRequest
from peermatch.services import matching as matching_service
from peermatch.services import scoring_models

T = TypeVar("T")
K = 10
EXCLUDED_SHOWN = 25  # excluded advocates a candidate page explains (reads.organisers.PAGE_SIZE)
PAGE, NONE, ALL = "the page shown", "none", "all"  # which excluded advocates are explained
EXPLAINED = (PAGE, NONE, ALL)
SIZES = (1_000, 3_000, 10_000)
QUICK_SIZES = (1_000, 3_000)
REQUESTS_PER_ADVOCATE = 5


# -- the calls measured: one adapter each -------------------------------------------------------------

def rank_service(session: Session, request: SupportRequest, today: date, explain: str) -> matching.RankingResult:
    """The ranking an organiser's candidates page asks the service for, with the excluded advocates it shows."""
    ranking = matching_service.rank_request(session, request, today, k=K, explain_exclusions=explain == ALL)
    if explain == PAGE:
        return dataclasses.replace(ranking.result, excluded=ranking.excluded_page(0, EXCLUDED_SHOWN))
    return ranking.result


def forget_service_caches() -> None:
    """The database was rebuilt: drop whatever the service keeps in this process (the matching snapshot)."""
    forget = getattr(matching_service, "forget_snapshots", None)
    if forget is not None:
        forget()


@dataclass(frozen=True)
class RankInputs:
    request: matching.RequestProfile
    pool: matching.VolunteerPool
    model: matching.TrainedModel
    labels: dict[str, str]


def rank_inputs(session: Session, request: SupportRequest, pools: dict[Any, matching.VolunteerPool]) -> RankInputs:
    """What ``rank_request`` hands the engine, built by the service's own functions (one pool per organisation)."""
    if request.organisation_id not in pools:
        pools[request.organisation_id] = matching.VolunteerPool(
            matching_service.volunteer_profiles(session, request.organisation_id))
    return RankInputs(matching_service.request_profile(session, request), pools[request.organisation_id],
                      scoring_models.active_model(session), matching_service.issue_labels(session))


def rank_engine(inputs: RankInputs, today: date, explain: str) -> matching.RankingResult:
    """The engine's part of ``rank_service`` alone."""
    result = matching.rank(inputs.request, inputs.pool, inputs.model, today, K, explain_exclusions=explain == ALL,
                           labels=inputs.labels)
    if explain == PAGE:
        shown = inputs.pool.in_name_order(result.excluded_ids)[:EXCLUDED_SHOWN]
        result = dataclasses.replace(result, excluded=matching.explain_exclusions_for(
            inputs.request, inputs.pool, today, shown, labels=inputs.labels))
    return result


def batch_service(session: Session, organisation_id: uuid.UUID | None, today: date) -> matching.BatchResult:
    """Proposals for every request awaiting an offer, of one organisation or (None) of the network."""
    batch = matching_service.propose_batch_for(session, organisation_id, today)
    return getattr(batch, "result", batch)  # a Batch carrying the engine's result, since the kept snapshot


@dataclass(frozen=True)
class BatchInputs:
    requests: list[matching.RequestProfile]
    pool: matching.VolunteerPool
    model: matching.TrainedModel
    pool_seconds: float  # building the pool from the profiles, not part of the engine figure


def batch_inputs(session: Session, organisation_id: uuid.UUID | None) -> BatchInputs:
    """What ``propose_batch_for`` hands the engine, built by the service's own functions."""
    requests = [matching_service.request_profile(session, r)
                for r in matching_service.open_requests(session, organisation_id)]
    profiles = matching_service.volunteer_profiles(session, organisation_id)
    pool, seconds = timed(lambda: matching.VolunteerPool(profiles))
    return BatchInputs(requests, pool, scoring_models.active_model(session), seconds)


def batch_engine(inputs: BatchInputs, today: date) -> matching.BatchResult:
    """The engine's part of ``batch_service`` alone."""
    return matching.propose_batch(inputs.requests, inputs.pool, inputs.model, today)


# -- measuring ----------------------------------------------------------------------------------------

def timed(action: Callable[[], T]) -> tuple[T, float]:
    """Run once and return the result with the seconds it took."""
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


class StatementCounter:
    """Counts the SQL statements sent through the engine (a BEGIN of SQLite's own is not one)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.strip().upper() != "BEGIN":
            self.count += 1


@dataclass(frozen=True)
class Call:
    """One measured call: its wall time, the statements it sent, and what it returned."""

    seconds: float
    statements: int
    result: Any


def call_in_fresh_session(counter: StatementCounter, load: Callable[[Session], Any],
                          action: Callable[[Session, Any], T]) -> Call:
    """``action(session, load(session))`` in a new session; only ``action`` is timed and counted."""
    db.session.remove()
    session = db.session
    try:
        loaded = load(session)
        counter.count = 0
        result, seconds = timed(lambda: action(session, loaded))
        return Call(seconds, counter.count, result)
    finally:
        session.rollback()
        db.session.remove()


def percentiles(seconds: Sequence[float]) -> tuple[float, float]:
    """p50 and p95."""
    p50, p95 = np.percentile(np.asarray(seconds), [50, 95])
    return float(p50), float(p95)


@dataclass(frozen=True)
class RankFigures:
    explain: str  # which excluded advocates are put into words: PAGE, NONE or ALL
    p50: float
    p95: float
    engine_p50: float
    engine_p95: float
    statements: int  # median per call
    statements_range: tuple[int, int]
    eligible: float  # median eligible advocates per request
    considered: float
    disagreements: int  # requests where service and engine ranked differently


@dataclass(frozen=True)
class BatchFigures:
    scope: str
    requests: int
    advocates: int
    seconds: float | None  # median end to end; None if the service refused
    engine_seconds: float | None
    pool_seconds: float
    statements: int
    proposals: int
    refused: str = ""


@dataclass(frozen=True)
class SizeFigures:
    info: NetworkInfo
    awaiting: int
    samples: int
    first: Call  # the first rank_request in this process, which fills whatever the service keeps
    ranks: tuple[RankFigures, ...]
    batches: tuple[BatchFigures, ...]


def same_ranking(a: matching.RankingResult, b: matching.RankingResult) -> bool:
    """The same candidates in the same order, as many eligible, the same counts per rule and the same reasons."""
    return ([c.volunteer_id for c in a.eligible] == [c.volunteer_id for c in b.eligible]
            and a.eligible_count == b.eligible_count and a.failure_counts == b.failure_counts
            and a.excluded == b.excluded)


def loader(request_id: uuid.UUID) -> Callable[[Session], SupportRequest | None]:
    """Loads the request as the page would, before the call is timed."""
    return lambda session: session.get(SupportRequest, request_id)


def measure_ranking(counter: StatementCounter, request_ids: Sequence[uuid.UUID], today: date, explain: str,
                    pools: dict[Any, matching.VolunteerPool]) -> RankFigures:
    """``rank_request`` on each request in a fresh session, and the engine alone on the same inputs."""
    service_calls: list[Call] = []
    engine_seconds: list[float] = []
    disagreements = 0
    for request_id in request_ids:
        call = call_in_fresh_session(counter, loader(request_id), lambda s, r: rank_service(s, r, today, explain))
        service_calls.append(call)
        db.session.remove()
        inputs = rank_inputs(db.session, loader(request_id)(db.session), pools)
        db.session.remove()
        engine_result, seconds = timed(partial(rank_engine, inputs, today, explain))
        engine_seconds.append(seconds)
        disagreements += not same_ranking(call.result, engine_result)
    p50, p95 = percentiles([c.seconds for c in service_calls])
    e50, e95 = percentiles(engine_seconds)
    statements = [c.statements for c in service_calls]
    return RankFigures(
        explain=explain, p50=p50, p95=p95, engine_p50=e50, engine_p95=e95,
        statements=int(statistics.median(statements)), statements_range=(min(statements), max(statements)),
        eligible=statistics.median(c.result.eligible_count for c in service_calls),
        considered=statistics.median(c.result.considered_count for c in service_calls),
        disagreements=disagreements,
    )


def measure_batch(counter: StatementCounter, organisation_id: uuid.UUID | None, scope: str, today: date,
                  repeats: int) -> BatchFigures:
    """``propose_batch_for`` end to end ``repeats`` times, and the engine alone on inputs built beforehand."""
    db.session.remove()
    inputs = batch_inputs(db.session, organisation_id)
    db.session.remove()
    advocates, requests = len(inputs.pool.volunteers), len(inputs.requests)
    calls: list[Call] = []
    try:
        for _ in range(repeats):
            calls.append(call_in_fresh_session(counter, lambda s: None,
                                               lambda s, _: batch_service(s, organisation_id, today)))
    except ValueError as refused:  # e.g. "too large to solve exactly in one go"
        return BatchFigures(scope, requests, advocates, None, None, inputs.pool_seconds, counter.count, 0, str(refused))
    engine_seconds = [timed(lambda: batch_engine(inputs, today))[1] for _ in range(repeats)]
    return BatchFigures(
        scope=scope, requests=requests, advocates=advocates,
        seconds=statistics.median(c.seconds for c in calls), engine_seconds=statistics.median(engine_seconds),
        pool_seconds=inputs.pool_seconds, statements=int(statistics.median(c.statements for c in calls)),
        proposals=calls[-1].result.matched_count,
    )


def measure(info: NetworkInfo, samples: int, repeats: int) -> SizeFigures:
    """Every figure for the network just built."""
    app = make_app(info.url)
    forget_service_caches()
    with app.app_context():
        counter = StatementCounter(db.engine)
        today = clock.today()
        request_ids = list(info.sample_request_ids[:samples])
        pools: dict[Any, matching.VolunteerPool] = {}  # the engine's, one per organisation, shared by both runs
        first = call_in_fresh_session(counter, loader(request_ids[0]),  # the warm-up: connection, caches
                                      lambda s, r: rank_service(s, r, today, PAGE))
        ranks = tuple(measure_ranking(counter, request_ids, today, explain, pools) for explain in EXPLAINED)
        awaiting = dict(db.session.execute(
            sa.select(SupportRequest.organisation_id, sa.func.count())
            .where(SupportRequest.status.in_(REQUEST_AWAITING_OFFER)).group_by(SupportRequest.organisation_id)).all())
        db.session.remove()
        busiest = max(info.organisations, key=lambda o: (awaiting.get(o.id, 0), o.slug))
        batches = (measure_batch(counter, busiest.id, busiest.name, today, repeats),
                   measure_batch(counter, None, "the whole network", today, repeats))
        db.session.remove()
        db.engine.dispose()
    return SizeFigures(info, sum(awaiting.values()), len(request_ids), first, ranks, batches)


# -- reporting ----------------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    """A short duration for a table cell: milliseconds below a second, seconds above."""
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def report(figures: SizeFigures) -> str:
    """The table for one size."""
    info = figures.info
    backend = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(info.dialect, info.dialect)
    lines = [
        (f"{info.counts['volunteer_profiles']:,} advocates, {info.counts['support_requests']:,} requests on "
         f"{backend} (built in {info.seconds:.1f} s; {figures.awaiting:,} awaiting an offer; "
         f"{figures.samples} sampled for ranking)"),
        f"  {'call':<46}{'p50':>11}{'p95':>11}{'engine p50':>12}{'engine p95':>12}{'ratio':>9}{'statements':>12}",
    ]
    for r in figures.ranks:
        statements = str(r.statements) if r.statements_range[0] == r.statements_range[1] else \
            f"{r.statements} ({r.statements_range[0]}-{r.statements_range[1]})"
        lines.append(
            f"  {f'rank_request k={K}, explained: {r.explain}':<46}{ms(r.p50):>11}{ms(r.p95):>11}"
            f"{ms(r.engine_p50):>12}{ms(r.engine_p95):>12}{r.p50 / r.engine_p50:>8.1f}x{statements:>12}")
    lines.append(f"  {'first rank_request in the process (warm-up)':<46}{ms(figures.first.seconds):>11}"
                 f"{'':>44}{figures.first.statements:>12}")
    r = figures.ranks[0]
    agree = "service and engine agree on every ranking" if not any(x.disagreements for x in figures.ranks) else \
        f"service and engine differ on {sum(x.disagreements for x in figures.ranks)} rankings"
    lines.append(f"  {'':<46}median {r.eligible:.0f} eligible of {r.considered:.0f} advocates considered; {agree}")
    lines.append(f"  {'call (median of repeats)':<46}{'service':>11}{'engine':>11}{'pool built':>12}{'ratio':>9}"
                 f"{'statements':>12}{'proposals':>11}")
    for b in figures.batches:
        name = f"propose_batch_for {b.scope}"
        if len(name) > 45:
            name = name[:44] + "…"
        if b.seconds is None or b.engine_seconds is None:
            lines.append(f"  {name:<46}refused: {b.refused}")
            continue
        lines.append(f"  {name:<46}{b.seconds:>9.3f} s{b.engine_seconds:>9.3f} s{b.pool_seconds:>10.3f} s"
                     f"{b.seconds / b.engine_seconds:>8.1f}x{b.statements:>12,}{b.proposals:>11,}")
        lines.append(f"  {'':<46}{b.requests:,} requests awaiting an offer, {b.advocates:,} advocates in the pool")
    return "\n".join(lines)


def summary(figures: SizeFigures) -> str:
    """The one line that sums up a size (the last line of the output, for the largest)."""
    rank = figures.ranks[0]  # the excluded advocates explained as the candidate page shows them
    network = figures.batches[-1]
    if network.seconds is None or network.engine_seconds is None:
        batch = "batch network refused"
    else:
        batch = f"batch network {network.seconds:.3f} s (engine {network.engine_seconds:.3f} s)"
    return (f"service: rank p50 {rank.p50 * 1000:.1f} ms (engine {rank.engine_p50 * 1000:.2f} ms, ratio "
            f"{rank.p50 / rank.engine_p50:.1f}), {batch}, statements {rank.statements}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 3k advocates only (under a minute)")
    parser.add_argument("--sizes", help="advocates per network, comma-separated (default 1000,3000,10000)")
    parser.add_argument("--samples", type=int, default=30, help="requests ranked per size")
    parser.add_argument("--repeats", type=int, default=3, help="batch calls per scope (the median is shown)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--url", help="database URL (default: $PEERMATCH_BENCH_DATABASE_URL, else SQLite)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else QUICK_SIZES if args.quick else SIZES
    repeats = 1 if args.quick and args.repeats == 3 else max(1, args.repeats)
    url = database_url(args.url)
    print(f"Matching service benchmark ({'quick' if args.quick else 'full'}) on "
          f"{sa.make_url(url).render_as_string(hide_password=True)}")
    started = time.perf_counter()
    figures = None
    for advocates in sizes:
        # Without the records only pages read (timelines, contacts, feedback): matching reads none of them.
        info = build_network(url, advocates=advocates, requests=advocates * REQUESTS_PER_ADVOCATE, seed=args.seed,
                             records=False, verbose=0)
        figures = measure(info, args.samples, repeats)
        print(report(figures), flush=True)
    print(f"(all sizes in {time.perf_counter() - started:.0f} s)")
    assert figures is not None
    print(summary(figures))


if __name__ == "__main__":
    main()
