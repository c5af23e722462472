"""Run one scenario with one seed, and what comes out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from sandbox.model import TownshipModel
from sandbox.params import Scenario
from sandbox.scenario import flat_params

# daily flows are averaged over the run, the order/vitality/fairness indices over its second
# half; everything else (cumulative tallies, stocks) is read at the end of the run
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
    """End-of-run summary: flows averaged over the days, indices over the second half, the rest at the end."""
    out = {}
    for key, values in daily.items():
        if key == "day" or not values:
            continue
        if key.startswith(FLOW_PREFIXES) or key.endswith("_index"):
            # flows over every day; indices over the second half, once the township has settled in
            start = 1 if key.startswith(FLOW_PREFIXES) else max(1, len(values) // 2)
            vals = [v for v in values[start:] if v is not None]
            out[key] = sum(vals) / len(vals) if vals else float("nan")
        else:
            out[key] = float("nan") if values[-1] is None else float(values[-1])
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
    daily = {"day": list(range(0, n + 1)),
             **{k: [None if v != v else float(v) for v in vals] for k, vals in frame.items()}}
    return RunResult(
        scenario=name,
        seed=seed,
        days=n,
        params={**flat_params(scenario), "run.days": n},
        daily=pa.table({k: pa.array(v, pa.int64() if k == "day" else pa.float64()) for k, v in daily.items()}),
        summary=summarise(daily),
    )
