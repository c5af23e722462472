"""Run one scenario with one seed, and what comes out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from sandbox.metric_registry import metric
from sandbox.model import TownshipModel
from sandbox.params import Scenario
from sandbox.scenario import flat_params


@dataclass
class RunResult:
    """Daily metrics, end-of-run summary and the exact inputs of one run."""

    scenario: str
    seed: int
    days: int
    params: dict[str, Any]
    daily: pa.Table
    summary: dict[str, float] = field(default_factory=dict)


def summarise(daily: dict[str, list]) -> dict[str, float]:
    """End-of-run summary, each metric as its registry entry says (scenarios/data/metrics.toml):
    flows averaged over the days, indices over the second half, stocks and tallies at the end."""
    out = {}
    for key, values in daily.items():
        if key == "day" or not values:
            continue
        aggregate = metric(key).aggregate
        if aggregate == "end":
            out[key] = float("nan") if values[-1] is None else float(values[-1])
            continue
        # day 0 is the township before anything happened
        start = 1 if aggregate == "mean" else max(1, len(values) // 2)
        vals = [v for v in values[start:] if v is not None]
        out[key] = sum(vals) / len(vals) if vals else float("nan")
    return out


def simulate(scenario: Scenario, seed: int, days: int | None = None, name: str = "", progress=None) -> RunResult:
    """Run `scenario` for `days` (default: its run.days) from `seed`; `progress(day)` is called daily."""
    model = TownshipModel(scenario, rng=seed)
    n = days if days is not None else scenario.run.days
    for _ in range(n):
        model.step()
        if progress is not None:
            progress(model.day)
    frame = model.datacollector.model_vars
    # undefined values (a mean before anything settled) are nulls, not NaN, in the tables
    daily = {"day": list(range(n + 1)),
             **{k: [None if v != v else float(v) for v in vals] for k, vals in frame.items()}}
    return RunResult(
        scenario=name,
        seed=seed,
        days=n,
        params={**flat_params(scenario), "run.days": n},
        daily=pa.table({k: pa.array(v, pa.int64() if k == "day" else pa.float64()) for k, v in daily.items()}),
        summary=summarise(daily),
    )
