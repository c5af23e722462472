"""Replications of a few settings with common random numbers, and what can honestly be said of them.

A classroom question ("after one window, do trips go up or down?") and the dashboard's side by
side both compare settings over several runs: every setting runs with the same seeds, so two
settings' runs are paired seed by seed and their difference has a confidence interval that
excludes the township's luck. A setting is a township scenario or a county scenario (a class
asking whether a reform survives its champion compares counties). One run of a setting is
`run_summary` (a plain function of plain values, so it can run in another process); the
statistics are `sandbox.stats`'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sandbox.stats import mean_ci, paired_diff_ci

Levers = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Setting:
    """A scenario (a listed name) with some levers changed: one side of a comparison. With
    `county`, the name is a county scenario's and the levers are county levers (or township
    levers for every township)."""

    scenario: str
    levers: Levers = ()
    county: bool = False

    @classmethod
    def of(cls, scenario: str, levers: dict[str, Any] | None = None, county: bool = False) -> Setting:
        return cls(scenario, tuple(sorted((levers or {}).items())), county)


@dataclass(frozen=True)
class Plan:
    """Which settings run, how long, at what township size, and with which seeds (the same for all).
    Township settings run `days`; county settings run `years` (None: their scenario's horizon)."""

    settings: tuple[Setting, ...]
    days: int
    seeds: tuple[int, ...]
    size: Levers = ()  # township levers every setting shares (residents, villages; for a county, every township's)
    years: int | None = None

    def runs(self) -> list[tuple[int, int]]:
        """(setting index, seed) of every run, seed-major so early results cover every setting."""
        return [(i, s) for s in self.seeds for i in range(len(self.settings))]

    def run_key(self, i: int, seed: int) -> tuple:
        """What decides one run's summary (hashable): equal keys, equal summaries, whichever plan asks."""
        st = self.settings[i]
        return (st, seed, self.size) + ((self.years,) if st.county else (self.days,))

    def job(self, i: int, seed: int) -> tuple:
        """The arguments of `run_summary` for one run (plain values: picklable)."""
        st = self.settings[i]
        if st.county:
            return (st.scenario, dict(st.levers) | dict(self.size), seed, self.days, True, self.years)
        return (st.scenario, dict(st.levers) | dict(self.size), seed, self.days)


def villages_for(residents: int) -> int:
    """Villages of a township of `residents`, at the calibrated base's residents per village (a very
    small village would carry the same forms with fewer hands)."""
    from sandbox.scenario import build_scenario

    base = build_scenario("base").township
    return max(1, round(residents * base.villages / base.residents))


def seeds(first: int, replications: int) -> tuple[int, ...]:
    return tuple(range(first, first + replications))


def run_summary(scenario: str, levers: dict[str, Any], seed: int, days: int, county: bool = False,
                years: int | None = None) -> dict[str, float]:
    """One run's end-of-run summary (the same summary `sandbox run` and `sandbox compare` report);
    with `county`, a county run's summary over `years` (the county's `sandbox run` summary)."""
    if county:
        from sandbox.county_run import county_summary

        return county_summary({"county": scenario, **levers, **({"years": years} if years else {})}, seed)
    from sandbox.run import simulate
    from sandbox.scenario import build_scenario

    return simulate(build_scenario(scenario, **levers), seed=seed, days=days).summary


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95 % interval over replications."""

    mean: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def sign(self) -> int:
        """+1 / -1 when the interval lies above / below zero, 0 when it cannot tell."""
        return 1 if self.low > 0 else -1 if self.high < 0 else 0

    def as_dict(self) -> dict[str, float | None]:
        return {"mean": _num(self.mean), "low": _num(self.low), "high": _num(self.high)}


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass
class Results:
    """Summaries as they arrive: (setting index, seed) → summary."""

    plan: Plan
    summaries: dict[tuple[int, int], dict[str, float]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.summaries) == len(self.plan.runs())

    def values(self, i: int, metric: str) -> list[float]:
        """One value per seed (seed order); missing runs are left out."""
        return [float(self.summaries[(i, s)][metric]) for s in self.plan.seeds if (i, s) in self.summaries]

    def estimate(self, i: int, metric: str) -> Estimate:
        return Estimate(*mean_ci(self.values(i, metric)))

    def difference(self, i: int, j: int, metric: str) -> Estimate:
        """Setting j minus setting i, paired by seed (only seeds both have finished)."""
        both = [s for s in self.plan.seeds if (i, s) in self.summaries and (j, s) in self.summaries]
        a = [float(self.summaries[(i, s)][metric]) for s in both]
        b = [float(self.summaries[(j, s)][metric]) for s in both]
        return Estimate(*paired_diff_ci(a, b))


def run_all(plan: Plan) -> Results:
    """Every run of the plan in this process, one after another (tests, scripts)."""
    res = Results(plan)
    for i, s in plan.runs():
        res.summaries[(i, s)] = run_summary(*plan.job(i, s))
    return res
