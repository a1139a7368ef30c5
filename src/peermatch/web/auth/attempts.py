"""Limits on guessing a password, that hold behind a proxy and cannot lock a real person out.

Three limits, counted in the rate-limit storage (Redis in production, so every worker
shares them; this process's memory on a developer's machine):

1. **Per address** (``SIGN_IN_RATE_LIMIT`` on the views, 10 a minute and 50 an hour): any
   posts to sign in or register. Behind the production proxy the address is the client's,
   not the proxy's, because ``PEERMATCH_PROXY_COUNT`` sets up Werkzeug's ``ProxyFix``.
2. **Per account and address** (:data:`PAIR`, 5 failures in 15 minutes): after that, this
   address may not try this account again for a while. Someone guessing from their own
   address is stopped; the real person, elsewhere, is not affected.
3. **Per account, from anywhere**: after :data:`FREE_FAILURES` failures in an hour, each
   further attempt on that account must wait a delay that doubles with each failure, up
   to :data:`LONGEST_WAIT` seconds. Guessing spread over many addresses slows to about
   one try a minute, while the real person waits at most a minute: a slow-down, never a
   lock.

Accounts are named by a hash of the email address, whether or not an account has it,
so the limits behave the same for every address and reveal nothing about who has one.
"""

from __future__ import annotations

import hashlib
import math

from flask import request
from limits import parse

from peermatch import clock
from peermatch.extensions import limiter
from peermatch.services.accounts import normalise_email

PAIR = parse("5 per 15 minutes")
FREE_FAILURES = 10
FAILURE_WINDOW = 3600
LONGEST_WAIT = 60


def _account(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def _address() -> str:
    return request.remote_addr or "unknown"


def wait_before_trying(email: str) -> int:
    """Seconds this address must wait before trying this account again (0: go ahead)."""
    account = _account(email)
    if not limiter.limiter.test(PAIR, "sign-in-pair", account, _address()):
        reset = limiter.limiter.get_window_stats(PAIR, "sign-in-pair", account, _address()).reset_time
        return max(1, math.ceil(reset - clock.now().timestamp()))
    key = f"peermatch/sign-in-wait/{account}"
    if limiter.storage.get(key) > 0:
        return max(1, math.ceil(limiter.storage.get_expiry(key) - clock.now().timestamp()))
    return 0


def failed(email: str) -> None:
    """Count a failed sign-in against the account and the pair."""
    account = _account(email)
    limiter.limiter.hit(PAIR, "sign-in-pair", account, _address())
    failures = limiter.storage.incr(f"peermatch/sign-in-failures/{account}", FAILURE_WINDOW)
    if failures > FREE_FAILURES:
        wait = min(2 ** (failures - FREE_FAILURES), LONGEST_WAIT)
        limiter.storage.incr(f"peermatch/sign-in-wait/{account}", wait)


def in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
