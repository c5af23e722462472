"""The article's claims as replicated scenario contrasts (data in scenarios/data/claims.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sandbox.compare import compare
from sandbox.scenario import build_scenario
from sandbox.stats import paired_diff_ci
from sandbox.scenarios import DATA_DIR


SIMILAR = 0.05


@dataclass(frozen=True)
class Claim:
    id: str
    zh: str
    en: str
    baseline: str
    treatment: str
    metric: str
    direction: str  # increase / decrease / similar
    off: dict[str, Any]
    also: dict[str, str] = field(default_factory=dict)
    treatment_at_most: dict[str, float] = field(default_factory=dict)


@cache
def claims() -> dict[str, Claim]:
    with (DATA_DIR / "claims.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {k: Claim(id=k, **v) for k, v in data.items()}


@dataclass
class Effect:
    metric: str
    direction: str
    diff: float
    low: float
    high: float

    @property
    def holds(self) -> bool:
        """The 95 % CI of the paired difference lies wholly on the claimed side of zero
        (or, for "similar", within ±SIMILAR)."""
        if self.direction == "similar":
            return -SIMILAR <= self.low and self.high <= SIMILAR
        return self.low > 0 if self.direction == "increase" else self.high < 0

    @property
    def includes_zero(self) -> bool:
        return self.low <= 0 <= self.high


def evaluate(claim: Claim, replications: int, seed: int = 1, switched_off: bool = False,
             workers: int | None = None, **common: Any) -> tuple[dict[str, Effect], dict[str, float]]:
    """Run baseline and treatment (with `common` overrides, plus `off` if switched off); return
    the paired effects on the claim's metrics and the treatment means of the bounded metrics."""
    overrides = {**common, **(claim.off if switched_off else {})}
    runs = compare({"baseline": build_scenario(claim.baseline, **overrides),
                    "treatment": build_scenario(claim.treatment, **overrides)},
                   replications, seed=seed, workers=workers)
    out = {}
    for metric, direction in {claim.metric: claim.direction, **claim.also}.items():
        d, lo, hi = paired_diff_ci(runs.values("baseline", metric), runs.values("treatment", metric))
        out[metric] = Effect(metric, direction, d, lo, hi)
    means = {m: sum(runs.values("treatment", m)) / replications for m in claim.treatment_at_most}
    return out, means
