"""Replication statistics: means with Student-t 95 % confidence intervals, paired differences."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import stats


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high); NaNs dropped; a single value has an infinite interval."""
    xs = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not xs:
        return (math.nan, math.nan, math.nan)
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return (m, -math.inf, math.inf)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))
    half = stats.t.ppf(0.5 + level / 2.0, len(xs) - 1) * sd / math.sqrt(len(xs))
    return (m, m - half, m + half)


def paired_diff_ci(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """CI of mean(b - a) over replications paired by seed (common random numbers)."""
    pairs = [(x, y) for x, y in zip(a, b) if not (math.isnan(x) or math.isnan(y))]
    return mean_ci([y - x for x, y in pairs], level)
