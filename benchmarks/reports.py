"""How long the reports take at a realistic size: the read itself, and the page a person opens.

    python benchmarks/reports.py [--reuse]   # 10,000 advocates and 50,000 requests by default
    PEERMATCH_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python benchmarks/reports.py

It builds the benchmark network (``benchmarks/network.py``; ``--reuse`` keeps the one
``benchmarks/web.py`` built with the same numbers), then prints:

- the inner figure: ``reads.reports.report`` for the whole network and for one organisation
  over the last 12 months, median of ``--times`` runs, with the SQL statements it sends;
- what a person feels: the admin's and an organiser's reports pages and one CSV download,
  through gunicorn with the production settings on loopback (one worker), signed in through
  the sign-in page, median and slowest of ``--times`` requests each.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if importlib.util.find_spec("peermatch") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from network import BENCH_DOMAIN, database_url, make_app
from web import Browser, Results, Server, network

from peermatch.models import Role


def inner(url: str, times: int) -> None:
    from peermatch import clock
    from peermatch.extensions import db
    from peermatch.reads import reports

    app = make_app(url)
    with app.app_context():
        statements = [0]
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
        organisations = reports.organisation_names(db.session)
        now = clock.now()
        start, end = reports.last_twelve_months(clock.today(now))
        for label, organisation_id, names in (("network", None, organisations),
                                              ("one organisation", next(iter(organisations)), None)):
            scope = reports.Scope(organisation_id, start, end)
            seconds = []
            for _ in range(times):
                statements[0] = 0
                started = time.perf_counter()
                report = reports.report(db.session, scope, now, 365, names)
                seconds.append(time.perf_counter() - started)
                db.session.rollback()
            print(f"read, {label:<16}: median {statistics.median(seconds) * 1000:7.1f} ms, slowest "
                  f"{max(seconds) * 1000:7.1f} ms, {statements[0]} statements, {report.requests_sent:,} requests sent "
                  "in the period", flush=True)


async def pages(url: str, times: int) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        organiser = c.execute(sa.text("SELECT email FROM users WHERE role = :r AND active ORDER BY email LIMIT 1"),
                              {"r": Role.ORGANISER.value}).scalar_one()
    engine.dispose()
    server = Server(url, workers=1, redis_url=None)
    server.start()
    try:
        for email, paths in ((f"admin@{BENCH_DOMAIN}", ("/admin/reports", "/admin/reports/organisations.csv")),
                             (organiser, ("/organiser/reports", "/organiser/reports/coverage-area-issue.csv"))):
            browser = Browser(server.base)
            await browser.sign_in(email)
            for path in paths:
                results = Results()
                await browser.open(path, results)  # warm-up
                results = Results()
                for _ in range(times):
                    await browser.open(path, results)
                if results.errors or not results.latencies:
                    raise SystemExit(f"{path} answered {results.errors}")
                print(f"page, {path:<44}: median {statistics.median(results.latencies) * 1000:7.1f} ms, "
                      f"slowest {max(results.latencies) * 1000:7.1f} ms", flush=True)
            await browser.close()
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advocates", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="keep the network benchmarks/web.py built, if the same")
    parser.add_argument("--url", help="database URL (default: $PEERMATCH_BENCH_DATABASE_URL, else SQLite)")
    args = parser.parse_args(argv)
    url = database_url(args.url)
    network(url, args.advocates, args.requests, args.seed, args.reuse)
    inner(url, args.times)
    asyncio.run(pages(url, args.times))


if __name__ == "__main__":
    main()
