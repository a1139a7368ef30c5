"""Where one signed-in page spends its CPU: the Flask test client on the benchmark database.

    python benchmarks/profile_page.py                       # every page benchmarks/web.py drives
    python benchmarks/profile_page.py --page triage --profile   # and a pyinstrument profile of one
    PEERMATCH_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python benchmarks/profile_page.py

It uses the network ``benchmarks/web.py`` built last (``--reuse`` there keeps it), signs
one person of each audience in through the sign-in page (staff with their code; a code
is accepted once, so a run straight after another waits for the next one) and opens
each page ``--times`` times after a warm-up. For each page it prints the median wall time
and CPU time per request in this process, the SQL statements each sends, and the same for
the start page. With ``--profile`` it prints a pyinstrument profile of the chosen page over
all the requests, so every millisecond has a place. The network is only read; the pages'
own writes (audit events, session touches) go to the benchmark database as they would.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if importlib.util.find_spec("peermatch") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyotp
import sqlalchemy as sa
from network import BENCH_PASSWORD, BENCH_TOTP_SECRET, database_url, make_app
from web import pages

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
NAMES = {"start page": "start", "organiser triage list": "triage", "candidate page": "candidates",
         "volunteer's offers": "offers", "parent's request": "parent"}


def sign_in(client: Any, email: str) -> None:
    """Through the sign-in page, as a person does (staff give their authenticator code)."""
    def token(path: str) -> str:
        found = CSRF.search(client.get(path).get_data(as_text=True))
        assert found is not None, f"no CSRF token on {path}"
        return found.group(1) or found.group(2)

    answer = client.post("/sign-in", data={"csrf_token": token("/sign-in"), "email": email,
                                           "password": BENCH_PASSWORD})
    assert answer.status_code == 302, answer.status_code
    if answer.headers["Location"].endswith("/sign-in/code"):
        for _ in range(2):
            answer = client.post("/sign-in/code", data={"csrf_token": token("/sign-in/code"),
                                                        "code": pyotp.TOTP(BENCH_TOTP_SECRET).now()})
            if answer.status_code == 302:
                return
            time.sleep(30.5 - time.time() % 30)  # this step's code was used by a run just before: the next one
        raise AssertionError(f"the code for {email} was refused")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--page", choices=sorted(NAMES.values()), help="only this page")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of the page")
    parser.add_argument("--url", help="database URL (default: $PEERMATCH_BENCH_DATABASE_URL, else SQLite)")
    args = parser.parse_args(argv)
    url = database_url(args.url)
    app = make_app(url)
    app.config.update(SIGN_IN_RATE_LIMIT="1000 per minute", RATELIMIT_ENABLED=False)
    from peermatch.extensions import db
    from peermatch.wsgi import warm

    warm(app)
    with app.app_context():
        statements = [0]
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    clients: dict[str, Any] = {}  # one per person: a staff code is accepted once, so each signs in once
    for page in pages(url, 1):
        name = NAMES[page.name]
        if args.page and name not in (args.page, "start"):
            continue
        email = page.people[0].email if page.people else ""
        client = clients.get(email)
        if client is None:
            client = clients[email] = app.test_client()
            if email:
                sign_in(client, email)
        paths = page.people[0].paths if page.people else page.paths
        for i in range(10):
            assert client.get(paths[i % len(paths)]).status_code == 200
        wall, cpu, sent = [], [], []
        profiler = None
        if args.profile and name == args.page:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        for i in range(args.times):
            statements[0] = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            answer = client.get(paths[i % len(paths)])
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            sent.append(statements[0])
            assert answer.status_code == 200, answer.status_code
        if profiler is not None:
            profiler.stop()
        print(f"{name:<12} wall p50 {statistics.median(wall) * 1000:6.2f} ms   cpu p50 "
              f"{statistics.median(cpu) * 1000:6.2f} ms   statements {statistics.median(sent):.0f}", flush=True)
        if profiler is not None:
            print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
