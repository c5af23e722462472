"""Morris screening of every lever at once: which levers move which headline metrics, in a
given scenario, beyond the noise of a different random seed.

Each lever varies over a plausible range around its default (±0.25 for shares, ×0.5–×1.5
otherwise, within the schema's range); switches flip. A dummy factor that only changes the
random seed gives the noise floor: a lever whose largest normalised effect μ* does not exceed
the dummy's moves less than a change of seed would. `one_at_a_time` asks the plainer question of
the inert-lever test (tests/test_screening.py): does a lever, alone and on the same seed, change
anything at all?
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.params import SECTIONS, range_of

HEADLINE = ("trips_per_counter_matter", "share_abandoned", "days_to_settle", "cadre_reporting_hours",
            "cadre_face_to_face_hours", "cadre_overtime_hours", "escalations", "problem_backlog",
            "participation", "order_index", "vitality_index", "fairness_index")
FIXED = ("run.days", "township.residents", "township.villages")  # the size of the screened township
DUMMY = "seed (noise)"


@dataclass(frozen=True)
class Factor:
    name: str
    low: float
    high: float
    kind: type

    def value(self, x: float) -> Any:
        if self.kind is bool:
            return bool(x >= 0.5)
        v = self.low + x * (self.high - self.low)
        return int(round(v)) if self.kind is int else float(v)


def factors(defaults) -> list[Factor]:
    """Every lever of a scenario except its size, with a plausible range around its value."""
    out = []
    for section, cls in SECTIONS.items():
        values = getattr(defaults, section)
        for leaf, field in cls.model_fields.items():
            name = f"{section}.{leaf}"
            if name in FIXED:
                continue
            if field.annotation is bool:
                out.append(Factor(name, 0.0, 1.0, bool))
                continue
            lo, hi = range_of(field)
            d = getattr(values, leaf)
            if hi is not None and hi <= 1.0 and lo is not None and lo >= 0.0:
                a, b = d - 0.25, d + 0.25
            elif d == 0:
                a, b = 0.0, 1.0
            else:
                a, b = d * 0.5, d * 1.5
            a, b = max(lo, a), min(hi, b)
            if field.annotation is int and round(b) - round(a) < 1:
                b = a + 1
            out.append(Factor(name, float(a), float(b), field.annotation))
    return out


def design(fs: list[Factor], trajectories: int, seed: int) -> np.ndarray:
    """SALib's Morris trajectories in [0, 1] for the levers plus the dummy (last column)."""
    from SALib.sample import morris

    problem = {"num_vars": len(fs) + 1, "names": [f.name for f in fs] + [DUMMY], "bounds": [[0.0, 1.0]] * (len(fs) + 1)}
    return morris.sample(problem, trajectories, num_levels=4, seed=seed)


def screen(scenario: str, size: dict[str, Any], trajectories: int, seed: int,
           mapper: Callable[[Callable, Iterable], Iterable] = map) -> dict[str, dict[str, float]]:
    """μ* of every lever (and the dummy) on every headline metric, each normalised by the
    metric's standard deviation over the screening runs."""
    from SALib.analyze import morris

    from sandbox.scenario import build_scenario

    base = build_scenario(scenario, **size)
    fs = factors(base)
    X = design(fs, trajectories, seed)
    rows = [({f.name: f.value(x) for f, x in zip(fs, row[:-1])}, seed + int(row[-1] * 3) * 7919) for row in X]
    results = list(mapper(_Runner(scenario, size), rows))
    problem = {"num_vars": len(fs) + 1, "names": [f.name for f in fs] + [DUMMY], "bounds": [[0.0, 1.0]] * (len(fs) + 1)}
    out: dict[str, dict[str, float]] = {}
    for m in HEADLINE:
        y = np.array([r[m] for r in results], dtype=float)
        y = np.nan_to_num(y, nan=float(np.nanmean(y)) if np.isfinite(y).any() else 0.0)
        sd = float(y.std()) or 1.0
        res = morris.analyze(problem, X, y, num_levels=4, seed=seed)
        for name, mu in zip(problem["names"], res["mu_star"]):
            out.setdefault(name, {})[m] = float(mu) / sd
    return out


class _Runner:
    """One screening run (picklable for a process pool)."""

    def __init__(self, scenario: str, size: dict[str, Any]):
        self.scenario, self.size = scenario, size

    def __call__(self, row) -> dict[str, float]:
        from sandbox.run import simulate
        from sandbox.scenario import build_scenario

        levers, seed = row
        return simulate(build_scenario(self.scenario, **self.size, **levers), seed=seed).summary


def one_at_a_time(scenario: str, size: dict[str, Any], seed: int,
                  mapper: Callable[[Callable, Iterable], Iterable] = map, only: Iterable[str] | None = None) -> dict[str, str]:
    """Each lever alone at the low and the high end of its screening range, the same seed for
    both (common random numbers): the first metric of the run's summary that it changed, or ""
    if it changed none (the lever is inert in this scenario)."""
    from sandbox.scenario import build_scenario

    fs = [f for f in factors(build_scenario(scenario, **size)) if only is None or f.name in only]
    rows = [({f.name: f.value(x)}, seed) for f in fs for x in (0.0, 1.0)]
    results = list(mapper(_Runner(scenario, size), rows))
    out: dict[str, str] = {}
    for i, f in enumerate(fs):
        lo, hi = results[2 * i], results[2 * i + 1]
        out[f.name] = next((m for m in lo if not _same(lo[m], hi.get(m))), "")
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


def unmoved(results: list[dict[str, str]]) -> list[str]:
    """Levers that changed no metric in any screened scenario."""
    return [n for n in results[0] if not any(r.get(n) for r in results)]
