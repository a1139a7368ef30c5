"""Whose CPU a page costs when gunicorn serves it flat out: its workers, PostgreSQL, the client.

    PEERMATCH_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
    PEERMATCH_BENCH_REDIS_URL=redis://127.0.0.1:6379/5 python benchmarks/web_cpu.py [--seconds 12]

It starts gunicorn as ``benchmarks/web.py`` does, on the network that script built last
(run it once first), signs the same people in, warms every page up, then loads each page
flat out (20 users, no wait) and reads, from ``/proc``, the CPU time the gunicorn
workers, the PostgreSQL backends of the benchmark database and this client spent meanwhile
(a backend that ends meanwhile is not counted: with the workers' pools, none should). Divided by the pages
served, that says where each millisecond of a request goes beyond the app code that
``benchmarks/profile_page.py`` profiles. Other work on the machine is not counted in the
per-request figures, but it lowers the rate: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
import web  # benchmarks/web.py
import yarl
from network import database_url

USERS = 20
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def postgres_pids(database: str) -> list[int]:
    """The PostgreSQL backends connected to ``database`` (not those of anyone else's tests)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                title = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if title.startswith("postgres:") and f" {database} " in title:
                found.append(int(entry))
    return found


async def measure(seconds: float) -> None:
    url = database_url()
    chosen = web.pages(url, USERS)
    server = web.Server(url, 4, os.environ.get("PEERMATCH_BENCH_REDIS_URL") or None)
    server.start()
    signed_in: dict[str, web.Browser] = {}
    tabs: dict[tuple[str, int], web.Browser] = {}
    anonymous = [web.Browser(server.base) for _ in range(USERS)]
    try:
        for page in chosen:
            for i, p in enumerate(page.people):
                tabs[page.name, i] = web.Browser(server.base)
                if p.email not in signed_in:
                    signed_in[p.email] = tabs[page.name, i]
                    await tabs[page.name, i].sign_in(p.email)
                else:
                    tabs[page.name, i].session.cookie_jar.update_cookies(
                        {c.key: c.value for c in signed_in[p.email].session.cookie_jar}, yarl.URL(server.base))

        def who(page: web.Page) -> tuple[list[web.Browser], list[tuple[str, ...]]]:
            if not page.people:
                return anonymous, [page.paths] * USERS
            return [tabs[page.name, i] for i in range(len(page.people))], [p.paths for p in page.people]

        for page in chosen:
            await web.load(*who(page), seconds=3, think=0)
        for page in chosen:
            database = sa.make_url(url).database or ""
            groups = {"workers": server.worker_pids(), "PostgreSQL": postgres_pids(database), "client": [os.getpid()]}
            before, started = {k: cpu_seconds(v) for k, v in groups.items()}, time.perf_counter()
            results = await web.load(*who(page), seconds=seconds, think=0)
            spent = {k: cpu_seconds(v) - before[k] for k, v in groups.items()}
            served = max(1, len(results.latencies))
            parts = ", ".join(f"{k} {1000 * v / served:.2f} ms" for k, v in spent.items())
            print(f"  {page.name:<24}{served / (time.perf_counter() - started):7.1f}/s   CPU per page: {parts}; "
                  f"errors {sum(results.errors.values())}; load {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        for b in {id(b): b for b in (*tabs.values(), *anonymous)}.values():
            await b.close()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="each page's flat-out load")
    asyncio.run(measure(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
