"""Run one county scenario with one seed, and what comes out of it: tidy tables by day, quarter
and year, the adoption curves, the stage transitions with their reasons, the leaders' terms,
and the run's summary."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from sandbox.county import CountyModel
from sandbox.county_metrics import combine, county_years, indicators, stage_shares, summary
from sandbox.county_scenario import CountySpec, load_county
from sandbox.errors import InputError
from sandbox.reforms import STAGES
from sandbox.scenario import flat_params

TABLES = ("daily", "quarterly", "yearly", "county_yearly", "adoption", "transitions", "episodes", "leaders", "summary")


@dataclass
class CountyResult:
    county: str
    seed: int
    years: int
    params: dict[str, Any]
    tables: dict[str, pa.Table]
    summary: dict[str, float] = field(default_factory=dict)


def _f(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _table(rows: list[dict[str, Any]], strings: tuple[str, ...] = (), ints: tuple[str, ...] = ()) -> pa.Table:
    """Rows as a typed table: named string and integer columns, every other column float64 (nulls for NaN)."""
    if not rows:
        return pa.table({})
    cols = {}
    for k in rows[0]:
        vals = [r.get(k) for r in rows]
        if k in strings:
            cols[k] = pa.array(vals, pa.string())
        elif k in ints:
            cols[k] = pa.array([None if v is None else int(v) for v in vals], pa.int64())
        else:
            cols[k] = pa.array([_f(v) for v in vals], pa.float64())
    return pa.table(cols)


def county_tables(county: CountyModel, daily: bool = True) -> dict[str, pa.Table]:
    """Every table of a finished (or paused) county run."""
    agenda = county.spec.agenda
    keys = list(indicators())
    Q = len(county.townships[0].history)
    stage_cols = tuple(f"stage_{r}" for r in agenda)
    quarterly = []
    for q in range(1, Q + 1):
        for t in county.townships:
            row = {"quarter": q, "year": (q - 1) // 4 + 1, "township": t.name, "leader": t.leaders_during[q - 1],
                   **{k: t.history[q - 1][k] for k in keys}}
            for r in agenda:
                stage, fidelity = t.during[q - 1][r][:2]
                row[f"stage_{r}"] = STAGES[stage]
                row[f"fidelity_{r}"] = fidelity if stage else None
            quarterly.append(row)
    yearly = []
    for y in range(1, Q // 4 + 1):
        for t in county.townships:
            row = {"year": y, "township": t.name, **{k: v for k, v in combine(t.history[4 * (y - 1): 4 * y]).items() if k != "days"}}
            for r in agenda:
                row[f"stage_{r}"] = STAGES[t.during[4 * y - 1][r][0]]
            row["reforms_in_force"] = sum(t.during[4 * y - 1][r][0] > 0 for r in agenda)
            yearly.append(row)
    adoption = []
    for q in range(1, Q + 1):
        for r in agenda:
            fids = [t.during[q - 1][r][1] for t in county.townships if t.during[q - 1][r][0] > 0]
            shares = stage_shares(county, r, q)
            adoption.append({"quarter": q, "year": (q - 1) // 4 + 1, "reform": r, **shares,
                             "share_in_force": 1.0 - shares["share_not_adopted"],
                             "mean_fidelity": sum(fids) / len(fids) if fids else None})
    names = [t.name for t in county.townships]
    transitions = [{"quarter": x.quarter, "township": x.township, "reform": x.reform, "from_stage": x.from_stage,
                    "to_stage": x.to_stage, "reason": x.reason, "leader": x.leader, "fidelity": x.fidelity}
                   for x in county.transitions]
    episodes = [{"township": names[e.township], "reform": e.reform, "start": e.start, "reason": e.reason,
                 "champion": e.champion, "champion_left": e.champion_left, "end": e.end, "end_reason": e.end_reason}
                for e in county.episodes]
    leaders = [{"township": names[L.township], "leader": L.unique_id, "start": L.started, "term_quarters": L.term_quarters,
                "end": L.left, "appetite": L.appetite} for L in county.leader_log]
    out = {
        "quarterly": _table(quarterly, ("township", *stage_cols), ("quarter", "year", "leader")),
        "yearly": _table(yearly, ("township", *stage_cols), ("year", "reforms_in_force")),
        "county_yearly": _table(county_years(county), (), ("year",)),
        "adoption": _table(adoption, ("reform",), ("quarter", "year")),
        "transitions": _table(transitions, ("township", "reform", "from_stage", "to_stage", "reason"), ("quarter", "leader")),
        "episodes": _table(episodes, ("township", "reform", "reason", "end_reason"), ("start", "champion", "champion_left", "end")),
        "leaders": _table(leaders, ("township",), ("leader", "start", "term_quarters", "end")),
        "summary": _table([summary(county)]),
    }
    if daily:
        out = {"daily": county.daily_tables(), **out}
    return out


def county_params(spec: CountySpec) -> dict[str, Any]:
    """Everything that decides a run: the county's levers and every township's levers, flat."""
    c = spec.county
    return {
        "county": spec.name, "path": str(spec.path), "overrides": spec.overrides,
        "levers": {f"{s}.{k}": v for s in ("horizon", "leaders", "learning", "lifecycle", "incentives", "budget", "decay", "bureaus")
                   for k, v in getattr(c, s).model_dump().items()},
        "reforms": {rid: {"agenda": r.agenda, "kaohe": r.kaohe, "money": r.money, "staff": r.staff, "attention": r.attention,
                          "base_fidelity": r.base_fidelity} for rid, r in spec.reforms.items()},
        "pilots": [p.model_dump() for p in c.pilots], "mandates": [m.model_dump() for m in c.mandates],
        "ties": c.ties.model_dump(),
        "townships": {t.name: {"x": t.x, "y": t.y, "stages": {r: STAGES[s] for r, s in t.stages.items()},
                               "leader": t.leader.model_dump(), "params": flat_params(t.scenario)} for t in spec.townships},
    }


def simulate_county(county: str | Path | CountySpec, seed: int, years: int | None = None, overrides: dict[str, Any] | None = None,
                    host=None, progress=None, daily: bool = True, **levers: Any) -> CountyResult:
    """Run a county scenario to its horizon from `seed` (on `host`: default this process)."""
    model = CountyModel(county, rng=seed, years=years, overrides=overrides, host=host, **levers)
    try:
        model.run(progress=progress)
        tables = county_tables(model, daily=daily)
    finally:
        model.close()
    spec = model.spec
    return CountyResult(spec.name, seed, spec.county.horizon.years, county_params(spec), tables,
                        {k: v[0].as_py() if v[0].as_py() is not None else math.nan for k, v in
                         zip(tables["summary"].column_names, tables["summary"].columns)})


# -- for sweeps: one county run as a run function ------------------------------------------------

RESERVED = ("county", "years")


def check_params(params: dict[str, Any]) -> None:
    """A sweep design point of county levers: InputError (naming the lever) if it is not valid."""
    rest = {k: v for k, v in params.items() if k not in RESERVED}
    if "county" not in params:
        raise InputError("parameter 'county' (a county scenario name or file) is missing")
    overrides = {**rest, **({"horizon.years": params["years"]} if "years" in params else {})}
    load_county(params["county"], overrides)


def county_summary(params: dict[str, Any], seed: int) -> dict[str, float]:
    """Sweep run function: `county` (name or file), optional `years`, and any county lever
    (`leaders.tenure_min_years`, `reforms.one_form.money`) or township lever for every township."""
    rest = {k: v for k, v in params.items() if k not in RESERVED}
    return simulate_county(params["county"], seed, years=params.get("years"), daily=False, overrides=rest).summary


county_summary.check_params = check_params

