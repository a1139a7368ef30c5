"""The one clock: what time it is, and what day it is for the network.

Every "now" in PeerMatch comes from here: the UTC instant for timestamps, and the
network's calendar day in Europe/London for rules about dates (a DBS check "expires on
3 May", a meeting "is tomorrow", a volunteer is "away until Sunday"). Both read the
system clock through :mod:`datetime`, so tests move time with ``time-machine``
rather than patching anything here.

Domain functions take ``now`` (and derive ``today`` from it with :func:`today`), so a
change can be made "as of" any moment: the demo builds months of history this way.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

NETWORK_TIMEZONE = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def today(at: datetime | None = None) -> date:
    """The network's calendar day (Europe/London) at ``at``, or now."""
    return local(at or now()).date()


def local(moment: datetime) -> datetime:
    """``moment`` in the network's local time (for showing and for "which day is it")."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: PeerMatch only handles timezone-aware times")
    return moment.astimezone(NETWORK_TIMEZONE)


def local_time(day: date, at: time) -> datetime:
    """The instant of a local wall-clock time on ``day`` (e.g. 9am on the meeting day), in UTC."""
    return datetime.combine(day, at, tzinfo=NETWORK_TIMEZONE).astimezone(timezone.utc)
