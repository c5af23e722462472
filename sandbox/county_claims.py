"""The county claims as replicated, paired contrasts (data in scenarios/data/county_claims.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sandbox.claims import SIMILAR, verdict
from sandbox.county_compare import Arm, compare_counties
from sandbox.scenarios import DATA_DIR
from sandbox.stats import paired_diff_ci


@dataclass(frozen=True)
class Effect:
    """A county claim's paired effect (treatment minus baseline) with its 95 % CI, judged by the
    one claims evaluator (sandbox.claims.verdict; directions increase / decrease / similar / not_lower)."""
    metric: str
    direction: str
    diff: float
    low: float
    high: float
    tolerance: float = SIMILAR

    @property
    def holds(self) -> bool:
        return verdict(self.direction, self.low, self.high, self.tolerance) == "supported"

    @property
    def includes_zero(self) -> bool:
        return self.low <= 0 <= self.high


@dataclass(frozen=True)
class CountyClaim:
    id: str
    design: int
    zh: str
    en: str
    baseline: Arm
    treatment: Arm
    metric: str
    direction: str
    off: dict[str, Any]
    also: dict[str, str] = field(default_factory=dict)
    off_effect: str = "gone"   # what switching the mechanism off does: "gone" or "reverses"
    replications: int = 10     # paired seeds the full check runs (an effect small against the seeds' spread needs more)

    @property
    def metrics(self) -> dict[str, str]:
        return {self.metric: self.direction, **self.also}


def _arm(value: Any) -> Arm:
    if isinstance(value, str):
        return Arm(value)
    return Arm(value["county"], tuple(sorted(value.get("set", {}).items())))


@cache
def county_claims() -> dict[str, CountyClaim]:
    with (DATA_DIR / "county_claims.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {k: CountyClaim(id=k, **{**v, "baseline": _arm(v["baseline"]), "treatment": _arm(v["treatment"])})
            for k, v in data.items()}


def _with(arm: Arm, extra: dict[str, Any]) -> Arm:
    return Arm(arm.county, tuple(sorted({**dict(arm.overrides), **extra}.items())))


def evaluate(claim: CountyClaim, replications: int, seed: int = 1, switched_off: bool = False, years: int | None = None,
             workers: int | None = None, executor=None, **common: Any) -> dict[str, Effect]:
    """Run both arms (with `common` levers, plus `off` if switched off) over paired seeds and
    return the effect on each of the claim's metrics (treatment minus baseline, 95 % CI)."""
    extra = {**common, **(claim.off if switched_off else {})}
    runs = compare_counties({"baseline": _with(claim.baseline, extra), "treatment": _with(claim.treatment, extra)},
                            replications, seed=seed, years=years, workers=workers, executor=executor, daily=False)
    out = {}
    for metric, direction in claim.metrics.items():
        d, lo, hi = paired_diff_ci(runs.values("baseline", metric), runs.values("treatment", metric))
        out[metric] = Effect(metric, direction, d, lo, hi)
    return out


def gone(on: Effect, off: Effect, mode: str = "gone") -> bool:
    """With the mechanism off, the claimed effect is gone: its CI contains zero or it is under a
    tenth of its size; for a claim whose switch reverses it, it no longer lies on the claimed side."""
    if off.includes_zero or abs(off.diff) <= 0.1 * abs(on.diff):
        return True
    return mode == "reverses" and not off.holds
