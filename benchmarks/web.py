"""What people feel: the pages served by gunicorn from the benchmark database, under load.

    python benchmarks/web.py                    # 10k advocates, 50k requests: builds, then about 6 minutes of load
    python benchmarks/web.py --quick            # 1k advocates, 5k requests, 10 s a page
    PEERMATCH_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
    PEERMATCH_BENCH_REDIS_URL=redis://127.0.0.1:6379/14 python benchmarks/web.py

It builds a network with ``benchmarks/network.py`` (``--reuse`` keeps one built before with
the same size and seed), starts gunicorn with the production settings
(``config/gunicorn.conf.py``: 4 workers of 2 threads here) on loopback, signs in 20 people
per audience through the sign-in page, and drives five pages, each for 30 seconds, in
two ways:

- **people**: 20 signed-in users, each opening the page, reading it, waiting a second and
  opening it again (what people do; the targets are for this);
- **flat out**: 20 users with no wait (the most the server can serve).

The pages: the start page (no sign-in, for comparison), an organiser's triage list, the
candidate page of a request awaiting an offer (each organiser goes through their own
organisation's requests, a different one each time), a volunteer's offers and a parent's
request. An error is any answer but 200 (a redirect to sign in included) or a timeout.

It prints, for each page and way, requests per second, p50/p95/p99 and errors; each
worker's peak memory (the highest resident set seen, sampled every half second, and the
kernel's own high-water mark); and the load average. The last line sums up:

    web: candidates p95 X ms, other pages p95 ≤ Y ms, errors E; flat out signed-in ≥ R/s = F of the start page's S/s; worker memory ≤ M MB

Only loopback is ever contacted; each phase stops by itself. Sign-in is rate-limited in
the service (10 a minute from one address): the server started here allows 1000, since
every simulated person signs in from 127.0.0.1. Rate-limit counters live in Redis when
``PEERMATCH_BENCH_REDIS_URL`` is set, as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if importlib.util.find_spec("peermatch") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
import yarl
import pyotp
import numpy as np
import sqlalchemy as sa
from network import BENCH_PASSWORD, BENCH_TOTP_SECRET, DATA_DIRECTORY, build_network, database_url

from peermatch.models import OFFER_OUTSTANDING, REQUEST_AWAITING_OFFER, REQUEST_FINISHED, Role

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
USERS = 20
SECONDS = 30.0
THINK = 1.0
TIMEOUT = 30.0
REUSE_MARK = DATA_DIRECTORY / "web-network.json"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"')


# -- the network and who signs in ------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """A signed-in user and the pages they open in turn (each a path)."""

    email: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    name: str
    people: tuple[Person, ...]  # empty: anonymous, ``paths`` below
    paths: tuple[str, ...] = ()
    target_ms: float | None = None  # p95 for people waiting a second between pages


def network(url: str, advocates: int, requests: int, seed: int, reuse: bool) -> None:
    """Build the network, unless ``reuse`` and the one in the database was built with these numbers."""
    wanted = {"url": url, "advocates": advocates, "requests": requests, "seed": seed, "records": True}
    if reuse and REUSE_MARK.exists() and json.loads(REUSE_MARK.read_text()) == wanted:
        print(f"Reusing the network of {advocates:,} advocates and {requests:,} requests built before")
        return
    REUSE_MARK.unlink(missing_ok=True)
    build_network(url, advocates=advocates, requests=requests, seed=seed, records=True, verbose=1)
    REUSE_MARK.write_text(json.dumps(wanted))


def cycle(items: Sequence[Any], n: int) -> list[Any]:
    return [items[i % len(items)] for i in range(n)] if items else []


def pages(url: str, users: int) -> list[Page]:
    """The five pages, and for each the people who open it, chosen from the database."""
    engine = sa.create_engine(url)
    with engine.connect() as c:
        organisers = c.execute(sa.text("SELECT email, organisation_id FROM users WHERE role = :r AND active "
                                       "ORDER BY email"), {"r": Role.ORGANISER.value}).all()
        awaiting = c.execute(
            sa.select(sa.column("organisation_id"), sa.column("id")).select_from(sa.table("support_requests"))
            .where(sa.column("status").in_([s.value for s in REQUEST_AWAITING_OFFER]))
            .order_by(sa.column("meeting_date").nulls_last(), sa.column("id"))).all()
        advocates = c.execute(
            sa.text("SELECT u.email FROM users u JOIN volunteer_profiles v ON v.user_id = u.id "
                    "WHERE u.active AND v.id IN (SELECT volunteer_id FROM offers WHERE status IN :s) "
                    "ORDER BY u.email LIMIT :n").bindparams(sa.bindparam("s", expanding=True)),
            {"s": [s.value for s in OFFER_OUTSTANDING], "n": users}).all()
        parents = c.execute(
            sa.text("SELECT u.email, min(CAST(r.id AS VARCHAR)) FROM users u JOIN support_requests r "
                    "ON r.parent_id = u.id WHERE u.active AND r.status NOT IN :s GROUP BY u.email "
                    "ORDER BY u.email LIMIT :n").bindparams(sa.bindparam("s", expanding=True)),
            {"s": [s.value for s in REQUEST_FINISHED] + ["draft"], "n": users}).all()
    engine.dispose()
    by_org: dict[Any, list[str]] = {}
    for org, request_id in awaiting:
        by_org.setdefault(str(org), []).append(f"/organiser/requests/{uuid.UUID(str(request_id))}/candidates")
    organisers = [o for o in organisers if by_org.get(str(o.organisation_id))]
    if not organisers or not advocates or not parents:
        raise SystemExit("The network has no organiser with requests awaiting, advocate with offers or parent "
                         "with a request open: build a bigger one")
    chosen = cycle(organisers, users)
    candidate_people = []
    for i, (email, org) in enumerate(chosen):
        own = by_org[str(org)]
        start = (i * 7) % len(own)  # two organisers of one organisation start at different requests
        candidate_people.append(Person(email, tuple(own[start:] + own[:start])[:200]))
    return [
        Page("start page", (), ("/",)),
        Page("organiser triage list", tuple(Person(e, ("/organiser/requests",)) for e, _ in chosen), target_ms=100),
        Page("candidate page", tuple(candidate_people), target_ms=150),
        Page("volunteer's offers", tuple(Person(e, ("/volunteer/offers",)) for e, in cycle(advocates, users)),
             target_ms=100),
        Page("parent's request", tuple(Person(e, (f"/your-requests/{uuid.UUID(r)}",))
                                       for e, r in cycle(parents, users)), target_ms=100),
    ]


# -- the server --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """gunicorn with the production settings, on loopback, its log in benchmarks/.data."""

    url: str
    workers: int
    redis_url: str | None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    peak_rss: dict[int, int] = field(default_factory=dict)  # worker pid -> highest resident set seen (kB)
    high_water: dict[int, int] = field(default_factory=dict)  # worker pid -> VmHWM (kB), the kernel's own peak
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        instance = DATA_DIRECTORY / "web-instance"
        instance.mkdir(parents=True, exist_ok=True)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PEERMATCH_")},
               "PEERMATCH_DATABASE_URL": self.url, "PEERMATCH_SECRET_KEY": secrets.token_hex(32),
               "PEERMATCH_INSTANCE_PATH": str(instance), "PEERMATCH_BIND": f"127.0.0.1:{self.port}",
               "PEERMATCH_WORKERS": str(self.workers), "PEERMATCH_SIGN_IN_RATE_LIMIT": "1000 per minute"}
        if self.redis_url:
            env["PEERMATCH_REDIS_URL"] = self.redis_url
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()  # the benchmark's own Redis database
        log = open(DATA_DIRECTORY / "web-gunicorn.log", "wb")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "config" / "gunicorn.conf.py"), "peermatch.wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit {self.process.returncode}): see {log.name}")
            if len(self.worker_pids()) >= self.workers and self._answers():
                break
            time.sleep(0.25)
        else:
            self.stop()
            raise SystemExit("gunicorn did not answer within two minutes")
        threading.Thread(target=self._sample_memory, daemon=True).start()

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                return s.recv(12).startswith(b"HTTP/1.")
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        try:
            found = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in found]

    def _sample_memory(self) -> None:
        while not self._stop.wait(0.5):
            for pid in self.worker_pids():
                status = _proc_status(pid)
                if status:
                    self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), status.get("VmRSS", 0))
                    self.high_water[pid] = max(self.high_water.get(pid, 0), status.get("VmHWM", 0))

    def stop(self) -> None:
        self._stop.set()
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def _proc_status(pid: int) -> dict[str, int]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {k: int(v.split()[0]) for k, _, v in (line.partition(":") for line in lines) if k in ("VmRSS", "VmHWM")}


# -- the client --------------------------------------------------------------------------------------

@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def count(self) -> int:
        return len(self.latencies) + sum(self.errors.values())


class Browser:
    """One person's cookies and connection (like a browser tab on one keep-alive connection)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(
            base, cookie_jar=aiohttp.CookieJar(unsafe=True), connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=TIMEOUT), headers={"User-Agent": "PeerMatch web benchmark"})

    async def sign_in(self, email: str) -> None:
        async with self.session.get("/sign-in") as answer:
            body = await answer.text()
        found = CSRF.search(body)
        if found is None:
            raise RuntimeError("The sign-in page has no CSRF token")
        form = {"csrf_token": found.group(1) or found.group(2), "email": email, "password": BENCH_PASSWORD}
        async with self.session.post("/sign-in", data=form, allow_redirects=False) as answer:
            await answer.read()
            if answer.status != 302:
                raise RuntimeError(f"Signing in {email} answered {answer.status}")
            second_step = answer.headers.get("Location", "").endswith("/sign-in/code")
        if second_step:  # staff: the code their authenticator app shows (each account signs in once here)
            async with self.session.get("/sign-in/code") as answer:
                found = CSRF.search(await answer.text())
            if found is None:
                raise RuntimeError("The code page has no CSRF token")
            form = {"csrf_token": found.group(1) or found.group(2), "code": pyotp.TOTP(BENCH_TOTP_SECRET).now()}
            async with self.session.post("/sign-in/code", data=form, allow_redirects=False) as answer:
                await answer.read()
                if answer.status != 302:
                    raise RuntimeError(f"The code for {email} answered {answer.status}")

    async def open(self, path: str, results: Results) -> None:
        started = time.perf_counter()
        try:
            async with self.session.get(path, allow_redirects=False) as answer:
                await answer.read()
                status = answer.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            results.error(type(error).__name__)
            return
        if status == 200:
            results.latencies.append(time.perf_counter() - started)
        else:
            results.error(str(status))

    async def close(self) -> None:
        await self.session.close()


async def person(browser: Browser, paths: Sequence[str], results: Results, until: float, think: float) -> None:
    turn = 0
    while time.perf_counter() < until:
        await browser.open(paths[turn % len(paths)], results)
        turn += 1
        if think:
            await asyncio.sleep(think)


async def load(browsers: Sequence[Browser], paths: Sequence[Sequence[str]], seconds: float, think: float) -> Results:
    """Every browser opens its pages in turn until ``seconds`` have passed; the phase then stops itself."""
    results = Results()
    started = time.perf_counter()
    until = started + seconds
    # People do not all arrive in the same millisecond: spread the first page over the think time.
    await asyncio.gather(*(_after(i * think / len(browsers), person(b, p, results, until, think))
                           for i, (b, p) in enumerate(zip(browsers, paths, strict=True))))
    results.seconds = time.perf_counter() - started
    return results


async def _after(delay: float, work: Any) -> None:
    await asyncio.sleep(delay)
    await work


@dataclass(frozen=True)
class Figure:
    page: Page
    way: str
    results: Results
    load_average: float

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.results.latencies, q)) * 1000 if self.results.latencies else float("nan")

    @property
    def rate(self) -> float:
        return len(self.results.latencies) / self.results.seconds if self.results.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.results.errors.values())


async def drive(server: Server, chosen: Sequence[Page], seconds: float, users: int,
                report: Callable[[Figure], None]) -> list[Figure]:
    browsers: dict[str, Browser] = {}
    # Each simulated user has a browser (cookies and one connection) of their own. There are
    # fewer organisers than users, and a staff code is accepted once, so an organiser signs
    # in once and the other users opening their pages get copies of that browser's cookies
    # (one person's tabs, each on its own connection). Sharing one browser instead queued two
    # users on one connection in the client (15 organisers for 20 users), and under load a
    # request waiting there could time out: the timeouts seen on organiser pages flat out.
    tabs: dict[tuple[str, int], Browser] = {}
    figures = []
    try:
        started = time.perf_counter()
        signed_in = 0
        for page in chosen:
            for i, p in enumerate(page.people):
                if p.email not in browsers:
                    browsers[p.email] = tabs[page.name, i] = Browser(server.base)
                    await browsers[p.email].sign_in(p.email)
                    signed_in += 1
                else:
                    tabs[page.name, i] = Browser(server.base)
                    tabs[page.name, i].session.cookie_jar.update_cookies(
                        {c.key: c.value for c in browsers[p.email].session.cookie_jar}, yarl.URL(server.base))
        print(f"  {signed_in} people signed in through the sign-in page in {time.perf_counter() - started:.1f} s; "
              f"{len(tabs)} users, each with a connection of their own")
        anonymous = [Browser(server.base) for _ in range(users)]

        def who(page: Page) -> tuple[list[Browser], list[Sequence[str]]]:
            if not page.people:
                return anonymous, [page.paths] * users
            return [tabs[page.name, i] for i in range(len(page.people))], [p.paths for p in page.people]

        warmup = time.perf_counter()
        for page in chosen:  # every worker loads its matching snapshot and templates before anything counts
            await load(*who(page), seconds=min(5.0, seconds), think=0)
        print(f"  warm-up (every page flat out for {min(5.0, seconds):.0f} s, not counted) "
              f"{time.perf_counter() - warmup:.0f} s")
        for way, think in (("people", THINK), ("flat out", 0.0)):
            for page in chosen:
                results = await load(*who(page), seconds=seconds, think=think)
                figure = Figure(page, way, results, os.getloadavg()[0])
                report(figure)
                figures.append(figure)
        for b in anonymous:
            await b.close()
    finally:
        for b in {id(b): b for b in (*browsers.values(), *tabs.values())}.values():
            await b.close()
    return figures


# -- reporting -----------------------------------------------------------------------------------------

def row(f: Figure) -> str:
    errors = ", ".join(f"{n} × {kind}" for kind, n in sorted(f.results.errors.items())) or "0"
    target = f" (target {f.page.target_ms:.0f})" if f.way == "people" and f.page.target_ms else ""
    return (f"  {f.way:<9}{f.page.name:<24}{len(f.results.latencies):>8,}{f.rate:>9.1f}{f.percentile(50):>9.1f}"
            f"{f.percentile(95):>9.1f}{f.percentile(99):>9.1f}   {errors}{target}   load {f.load_average:.2f}")


HEADER = f"  {'way':<9}{'page':<24}{'answers':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}   errors"


def summary(figures: Sequence[Figure], server: Server) -> str:
    people = [f for f in figures if f.way == "people"]
    flat = [f for f in figures if f.way == "flat out"]
    candidates = next(f for f in people if f.page.name == "candidate page")
    others = max(f.percentile(95) for f in people if f.page.people and f is not candidates)
    start = next(f for f in flat if not f.page.people)
    slowest = min((f for f in flat if f.page.people), key=lambda f: f.rate)
    errors = sum(f.error_count for f in figures)
    memory = max([*server.high_water.values(), *server.peak_rss.values(), 0]) / 1024
    return (f"web: candidates p95 {candidates.percentile(95):.0f} ms, other pages p95 ≤ {others:.0f} ms, "
            f"errors {errors}; flat out signed-in ≥ {slowest.rate:.0f}/s ({slowest.page.name}) = "
            f"{slowest.rate / start.rate:.2f} of the start page's {start.rate:.0f}/s; worker memory ≤ {memory:.0f} MB")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k advocates, 5k requests, 10 s a page")
    parser.add_argument("--advocates", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--seconds", type=float, help=f"each page's load (default {SECONDS:.0f}; --quick 10)")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="keep the network built by the last run if the same")
    parser.add_argument("--url", help="database URL (default: $PEERMATCH_BENCH_DATABASE_URL, else SQLite)")
    args = parser.parse_args(argv)
    advocates = args.advocates or (1_000 if args.quick else 10_000)
    requests = args.requests or advocates * 5
    seconds = args.seconds or (10.0 if args.quick else SECONDS)
    url = database_url(args.url)
    redis_url = os.environ.get("PEERMATCH_BENCH_REDIS_URL") or None
    print(f"Web benchmark on {sa.make_url(url).render_as_string(hide_password=True)}: {advocates:,} advocates, "
          f"{requests:,} requests; gunicorn {args.workers} workers (config/gunicorn.conf.py), {args.users} users, "
          f"{seconds:.0f} s a page; rate limits in {'Redis' if redis_url else 'each worker'}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    network(url, advocates, requests, args.seed, args.reuse)
    chosen = pages(url, args.users)
    server = Server(url, args.workers, redis_url)
    server.start()
    print(HEADER.replace("   errors", "   errors (and the p95 target)"))
    try:
        figures = asyncio.run(drive(server, chosen, seconds, args.users, lambda f: print(row(f), flush=True)))
    finally:
        server.stop()
    print("  worker memory (MB): " + ", ".join(
        f"pid {pid} peak {server.peak_rss.get(pid, 0) / 1024:.0f} (high-water {server.high_water[pid] / 1024:.0f})"
        for pid in sorted(server.high_water)))
    print(summary(figures, server))


if __name__ == "__main__":
    main()
