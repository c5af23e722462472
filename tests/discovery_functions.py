"""Test support (not part of the wheel): run functions with a known answer for discovery and search.

`planted_box`: the outcome is high exactly inside a box we chose, so PRIM and CART must find it.
`zdt1`: Zitzler–Deb–Thiele's first problem, whose Pareto front (f2 = 1 − √f1, g = 1) is known.
"""

from __future__ import annotations

import math
from typing import Any

PLANTED = {"a": (0.2, 0.6), "b": (0.5, 1.0)}  # the box; c and d play no part


def planted_box(params: dict[str, Any], seed: int) -> dict[str, float]:
    inside = all(lo <= params[k] <= hi for k, (lo, hi) in PLANTED.items())
    return {"y": (1.0 if inside else 0.0) + (seed % 7) / 100.0, "inside": float(inside)}


def zdt1(params: dict[str, Any], seed: int) -> dict[str, float]:
    x = [params[k] for k in sorted(params, key=lambda k: int(k[1:])) if k.startswith("x")]
    f1 = x[0]
    g = 1.0 + 9.0 * sum(x[1:]) / (len(x) - 1)
    return {"f1": f1, "f2": g * (1.0 - math.sqrt(f1 / g))}


ZDT1_HV = 1.21 - 1.0 / 3.0  # hypervolume of the true front with reference point (1.1, 1.1): 1.1² − ∫₀¹ (1 − √f) df


def planted_effect(params: dict[str, Any], seed: int) -> dict[str, float]:
    """A reform (`arm` true) that lowers y by 1 everywhere except inside the planted box, where it
    backfires (+1); a level that varies with c, and a little seed noise, in both arms."""
    inside = all(lo <= params[k] <= hi for k, (lo, hi) in PLANTED.items())
    effect = (1.0 if inside else -1.0) if params["arm"] else 0.0
    return {"y": 3.0 * params["c"] + effect + (seed % 5) / 100.0}
