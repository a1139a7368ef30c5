"""UK outward postcodes: turn what a person typed into an outcode and its centre.

The centres come from ``data/uk_outcodes.csv`` (see README, "Data sources"): the
approximate centroid of each outward code, good to a few kilometres, which is all
locality matching needs. A parent's full postcode is never stored.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Outward code: area letters, district digit(s), optional letter ("LA14", "SW1A", "M1", "W1D").
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INWARD = r"[0-9][A-Z]{2}"
_POSTCODE = re.compile(rf"^(?P<outward>{_OUTWARD})(?:\s*(?P<inward>{_INWARD}))?$")


class PostcodeError(ValueError):
    """What the person typed is not a UK postcode we know; the message says why, in plain words."""


@dataclass(frozen=True, slots=True)
class Outcode:
    """An outward postcode and where it is."""

    outcode: str
    latitude: float
    longitude: float
    town: str
    county: str
    country: str


@cache
def outcode_table() -> dict[str, Outcode]:
    """Every known outward code, loaded once from the packaged CSV."""
    table: dict[str, Outcode] = {}
    with resources.files("peermatch.data").joinpath("uk_outcodes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["outcode"].strip().upper()
            table[code] = Outcode(
                outcode=code,
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                town=row["town"].strip(),
                county=row["county"].strip(),
                country=row["country"].strip(),
            )
    return table


def lookup_postcode(text: str) -> Outcode:
    """Turn a full or partial postcode ("la14 2ab", "LA14") into its outward code and centre.

    Raises :class:`PostcodeError` with a message fit to show the person.
    """
    cleaned = re.sub(r"\s+", " ", (text or "").strip().upper())
    if not cleaned:
        raise PostcodeError("Enter a postcode, like LA14 2AB, or just the first part, like LA14")
    compact = cleaned.replace(" ", "")
    match = _POSTCODE.match(cleaned) or _POSTCODE.match(compact)
    if match is None and len(compact) in (5, 6, 7):
        # "LA142AB" typed without the space: the inward part is always the last three characters.
        match = _POSTCODE.match(f"{compact[:-3]} {compact[-3:]}")
    if match is None:
        raise PostcodeError("Enter a real postcode, like LA14 2AB, or just the first part, like LA14")
    outward = match.group("outward")
    found = outcode_table().get(outward)
    if found is None:
        raise PostcodeError(f"We do not recognise the postcode area {outward}. Check it and try again")
    return found


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))
