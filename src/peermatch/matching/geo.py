"""Distances between outcode centres.

One function serves both the per-volunteer reference and the vectorised ranking: it is
written with NumPy ufuncs so a scalar call and an array call round identically, which is
what lets the two implementations agree to the last bit on who is within travel distance.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088

Coordinate = TypeVar("Coordinate", float, npt.NDArray[np.float64])


def haversine_km(lat1: float, lon1: float, lat2: Coordinate, lon2: Coordinate) -> Coordinate:
    """Great-circle distance in km from one point to one or many points (degrees in).

    Missing coordinates given as NaN give NaN distances.
    """
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    half_dp = (p2 - p1) * 0.5
    half_dl = np.radians(np.subtract(lon2, lon1)) * 0.5
    sin_dp = np.sin(half_dp)
    sin_dl = np.sin(half_dl)
    # Products, not ** 2: NumPy squares a scalar with pow(), which can differ from x * x in the last bit.
    a = sin_dp * sin_dp + np.cos(p1) * np.cos(p2) * (sin_dl * sin_dl)
    distance = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    if np.ndim(distance) == 0:
        return float(distance)  # type: ignore[return-value]
    return distance  # type: ignore[no-any-return]


def read_outcode_centres(path: str | Path) -> dict[str, tuple[float, float]]:
    """Outcode → (latitude, longitude) from a CSV with columns outcode, latitude, longitude."""
    centres: dict[str, tuple[float, float]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            centres[row["outcode"].strip().upper()] = (float(row["latitude"]), float(row["longitude"]))
    return centres
