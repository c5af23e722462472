"""Run one scenario with one seed, and what comes out of it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from sandbox.model import TownshipModel
from sandbox.params import Scenario
from sandbox.scenario import flat_params

# daily flows are averaged over the run; everything else is read at the end of the run
FLOW_PREFIXES = ("cadre_", "forms_per_village", "fields_per_village", "duplicate_fields_per_village",
                 "mediation_hours", "assisted_matters", "turned_away")


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
    """End-of-run summary: flows averaged over the days, stocks and tallies at the end."""
    out = {}
    for key, values in daily.items():
        if key == "day" or not values:
            continue
        if key.startswith(FLOW_PREFIXES):
            vals = [v for v in values[1:] if v is not None and not (isinstance(v, float) and math.isnan(v))]
            out[key] = sum(vals) / len(vals) if vals else float("nan")
        else:
            out[key] = float(values[-1])
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
    daily = {"day": list(range(0, n + 1)), **{k: [float(v) for v in vals] for k, vals in frame.items()}}
    return RunResult(
        scenario=name,
        seed=seed,
        days=n,
        params={**flat_params(scenario), "run.days": n},
        daily=pa.table(daily),
        summary=summarise(daily),
    )
