"""A validated definition resolved into design points, runs and seeds — before anything is written.

Every design point of a model sweep is validated as a complete scenario, so an out-of-range
lever stops the sweep with one message before the first run. Each run's seed derives from
(master seed, run index) only, so it does not matter where or in what order runs execute.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sandbox.errors import InputError
from sandbox.experiments.definition import Arm, Experiment, load_definition
from sandbox.experiments.design import Factor, design_size, sample
from sandbox.experiments.runner import Task, check_allowed, load_function, model_metrics
from sandbox.metric_registry import headline
from sandbox.params import SECTIONS
from sandbox.scenario import apply_overrides, dotted_key, flat_params, load_raw, scenario_label, toml_value, validate

RESERVED = ("point", "replication", "seed", "status", "error", "scenario")
# designs are refused above these sizes before anything is drawn (a 1000 × 1000 grid, Sobol
# 2^19 × 8 levers or an LHS of 10^6 would fill the memory just listing their points)
MAX_POINTS = 100_000
MAX_RUNS = 1_000_000


@dataclass
class Point:
    index: int
    scenario: str | None        # base scenario of a model run
    values: dict[str, Any]      # the levers the definition names (fixed and varied), resolved
    params: dict[str, Any]      # what the run function receives


@dataclass
class Plan:
    path: Path
    experiment: Experiment
    text: str
    factors: list[Factor]
    X: np.ndarray | None
    points: list[Point]
    metrics: tuple[str, ...]
    columns: dict[str, pa.DataType]           # value columns and their types
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)  # base name → flat levers
    contrasts: list[dict[str, Any]] = field(default_factory=list)
    daily: bool = False                       # runs also return their daily tables (`sandbox compare`)

    @property
    def name(self) -> str:
        return self.experiment.name

    @property
    def replications(self) -> int:
        return self.experiment.replications

    @property
    def total(self) -> int:
        return len(self.points) * self.replications

    def seed(self, point: int, replication: int) -> int:
        return run_seed(self.experiment.seed, point, replication, self.experiment.seeds)

    def tasks(self, skip: set[tuple[int, int]] = frozenset()) -> Iterator[Task]:
        """Runs in index order (replication-major, so early results cover every point)."""
        for r in range(self.replications):
            for p in self.points:
                if (p.index, r) not in skip:
                    yield Task(p.index, r, self.seed(p.index, r), self.experiment.function, p.params, self.metrics,
                               self.daily)

    def fingerprint(self) -> dict[str, str]:
        """Hashes of everything that decides a run's result; replications may grow on resume."""
        exp = self.experiment
        parts = {
            "function": exp.function,
            "seeds": [exp.seed, exp.seeds],
            "metrics": list(self.metrics),
            "design points": [[p.scenario, p.values] for p in self.points],
            "base scenarios": self.scenarios,
        }
        return {k: hashlib.sha256(json.dumps(v, sort_keys=True, default=str).encode()).hexdigest()[:16] for k, v in parts.items()}


def run_seed(master: int, point: int, replication: int, mode: str = "common") -> int:
    """'common': replication r has the same seed at every point (paired contrasts, common random
    numbers); 'independent': every run its own stream; 'sequential': replication r uses
    master + r at every point (as `sandbox compare --seed` documents). 63 bits: Parquet's int64."""
    if mode == "sequential":
        return master + replication
    key = (replication,) if mode == "common" else (point, replication)
    return int(np.random.SeedSequence(master, spawn_key=key).generate_state(1, np.uint64)[0]) >> 1


def build_plan(name_or_path: str | Path, allow_code: bool = False) -> Plan:
    """A definition file resolved into design points, runs and seeds; InputError for anything
    wrong with it. A function other than the project's own is refused (and not imported)
    unless `allow_code`."""
    path, exp, text = load_definition(name_or_path)
    src = str(path)
    try:
        check_allowed(exp.function, allow_code)
        load_function(exp.function)
    except InputError as exc:
        raise InputError(f"{src}: {exc.message}") from None
    try:
        plan = _model_plan(path, exp, text) if exp.uses_model else _free_plan(path, exp, text)
        plan.fingerprint()  # every value must also serialise
        return plan
    except RecursionError:
        raise InputError(f"{src}: values nested too deeply") from None


# -- model sweeps: parameters are scenario levers ---------------------------------------------------

@cache
def _raw_scenario(name: str) -> tuple[str, dict[str, Any]]:
    scen_path, data = load_raw(name)
    return scen_path.stem, data


def base_and_fixed(path: Path, base: str | None, fixed_levers: dict[str, Any],
                   days: int | None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A definition's base scenario (name, data) and its fixed levers, `days` folded into
    run.days (given once); shared by sweep and search definitions."""
    src = str(path)
    base_name, base_data = _scenario(f"{src}: base", base or "base", path.parent)
    fixed = _levers(fixed_levers, f"{src}: [fixed]")
    if days is not None:
        if "run.days" in fixed:
            raise InputError(f"{src}: days = {days} and [fixed] run.days = {fixed['run.days']}: give the number of days once")
        fixed["run.days"] = days
    return base_name, base_data, fixed


def _scenario(src: str, ref: str, base_dir: Path) -> tuple[str, dict[str, Any]]:
    """A scenario name or a TOML path (relative paths are relative to the definition file)."""
    if ref.endswith(".toml") or "/" in ref:
        p = Path(ref)
        ref = str(p if p.is_absolute() else base_dir / p)
    try:
        return _raw_scenario(ref)
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None


def _lever_type(key: str) -> type:
    section, _, leaf = key.partition(".")
    return SECTIONS[section].model_fields[leaf].annotation


def _model_plan(path: Path, exp: Experiment, text: str) -> Plan:
    src = str(path)
    base_name, base_data, fixed = base_and_fixed(path, exp.base, exp.fixed, exp.days)
    factors = [_factor(src, key, spec, fixed, path.parent) for key, spec in exp.parameters.items()]
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"{src}: [parameters]: '{dup}' is given twice (once by its leaf, once by its path)")
    d = exp.design
    _check_size(src, exp, factors)
    X, rows = _sample(src, exp, factors)

    arms: list[tuple[str, dict[str, Any], str]] = []  # (scenario ref, overrides, where)
    contrasts = []
    if d.kind == "contrasts":
        index: dict[str, int] = {}
        for i, c in enumerate(exp.contrasts):
            where = f"contrasts[{i}] ({c.name})"
            shared = _levers(c.set, f"{src}: {where}.set")
            ids = []
            for side in ("reference", "treatment"):
                arm = getattr(c, side)
                arm = arm if isinstance(arm, Arm) else Arm(scenario=arm)
                own = _levers(arm.set, f"{src}: {where}.{side}.set")
                overrides = {**fixed, **shared, **own}
                key = json.dumps([arm.scenario, overrides], sort_keys=True, default=str)
                if key not in index:
                    index[key] = len(arms)
                    arms.append((arm.scenario, overrides, f"{where}.{side}"))
                ids.append(index[key])
            contrasts.append({"name": c.name, "claim": c.claim, "claim_zh": c.claim_zh, "reference": ids[0],
                              "treatment": ids[1], "expect": dict(c.expect), "at_most": dict(c.at_most),
                              "similar_within": c.similar_within})
    else:
        for i, row in enumerate(rows):
            values = dict(zip(names, row))
            scen = values.pop("scenario", exp.base or "base")
            arms.append((scen, {**fixed, **values}, f"design point {i} ({_show(dict(zip(names, row)))})"))

    named = list(dict.fromkeys(k for _, overrides, _ in arms for k in overrides))
    points, scenarios = [], {}
    for i, (ref, overrides, where) in enumerate(arms):
        scen_name, data = (base_name, base_data) if ref == (exp.base or "base") else _scenario(f"{src}: {where}", ref, path.parent)
        scenario = validate(apply_overrides(data, overrides), f"{src}: {where}")
        flat = flat_params(scenario)
        if scen_name not in scenarios:
            scenarios[scen_name] = flat_params(validate(data, f"{src}: {where}"))
        points.append(Point(i, scen_name, {k: flat[k] for k in named}, flat))
    columns = {"scenario": pa.string(), **{k: _arrow(_lever_type(k)) for k in named}}
    metrics = _model_metrics(src, exp)
    return Plan(path, exp, text, factors, X, points, metrics, columns, scenarios, contrasts)


def _sample(src: str, exp: Experiment, factors: list[Factor]):
    d = exp.design
    try:
        return sample(d.kind, factors, exp.seed, d.samples, d.levels, d.second_order)
    except InputError as exc:  # SALib missing
        raise InputError(f"{src}: {exc.message}") from None


def _check_size(src: str, exp: Experiment, factors: list[Factor]) -> None:
    """A grid needs `levels` for its ranged factors; no design may exceed MAX_POINTS points or
    MAX_RUNS runs. Checked before a single point is drawn."""
    d = exp.design
    if d.kind == "grid" and d.levels is None:
        ranged = [f.name for f in factors if f.ranged]
        if ranged:
            raise InputError(f"{src}: design.levels is missing: a grid needs the number of values to take from "
                             f"each ranged parameter ({', '.join(ranged)}), e.g. levels = 3")
    size = len(exp.contrasts) * 2 if d.kind == "contrasts" else design_size(d.kind, factors, d.samples, d.levels, d.second_order)
    if size > MAX_POINTS:
        raise InputError(f"{src}: [design]: {d.kind} over {len(factors)} parameters has {size:,} design points; "
                         f"at most {MAX_POINTS:,} (fewer samples, levels or parameters)")
    if size * exp.replications > MAX_RUNS:
        raise InputError(f"{src}: {size:,} design points × replications = {exp.replications:,} is "
                         f"{size * exp.replications:,} runs; at most {MAX_RUNS:,} in one sweep")


def _levers(values: dict[str, Any], where: str) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if key == "scenario":
            raise InputError(f"{where}: 'scenario' is chosen by base = \"...\" (or varied in [parameters]), not set here")
        out[dotted_key(key, where)] = value
    return out


def _factor(src: str, key: str, spec: Any, fixed: dict[str, Any], base_dir: Path) -> Factor:
    where = f"{src}: [parameters]"
    if key == "scenario":
        if not isinstance(spec, list) or not spec or not all(isinstance(s, str) for s in spec):
            raise InputError(f"{where}: scenario = {_short(spec)}: must be a list of scenario names")
        labels = {}
        for s in spec:
            _scenario(where, s, base_dir)
            label = scenario_label(s)
            if label in labels:
                raise InputError(f"{where}: scenario = {_short(spec)}: {labels[label]} and {s} are both named "
                                 f"'{label}'; each scenario may appear once")
            labels[label] = s
        return _listed(where, "scenario", spec)
    name = dotted_key(key, where)
    if name in fixed:
        raise InputError(f"{where}: '{key}' is also in [fixed]; a lever is either fixed or varied")
    kind = _lever_type(name)
    if isinstance(spec, dict):
        if set(spec) != {"low", "high"}:
            raise InputError(f"{where}: {key} = {_short(spec)}: a range is {{low = ..., high = ...}}")
        if kind is bool:
            raise InputError(f"{where}: {key} is a switch: list its values, e.g. {key} = [false, true]")
        lo, hi = spec["low"], spec["high"]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi)) or not lo < hi:
            raise InputError(f"{where}: {key} = {{low = {_short(lo)}, high = {_short(hi)}}}: low and high must be numbers with low < high")
        _check_values(where, name, [lo, hi])
        return Factor(name, float(lo), float(hi), integer=kind is int)
    if isinstance(spec, list):
        _check_values(where, name, spec)
        return _listed(where, name, spec)
    raise InputError(f"{where}: {key} = {_short(spec)}: a varied lever needs a list of values or {{low = ..., high = ...}}; put a single value in [fixed]")


def _listed(where: str, name: str, spec: list) -> Factor:
    if not spec:
        raise InputError(f"{where}: {name} = []: list at least one value")
    if len({json.dumps(v) for v in spec}) != len(spec):
        raise InputError(f"{where}: {name} = {_short(spec)}: each value may appear once")
    return Factor(name, values=tuple(spec))


def _check_values(where: str, key: str, values: list) -> None:
    """Each value against the lever's type and range, with the scenario validator's own message."""
    for v in values:
        validate(apply_overrides({}, {key: v}), where)


def _short(value: Any) -> str:
    return toml_value(value)


def _show(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _arrow(kind: type) -> pa.DataType:
    return {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string()}[kind]


def _model_metrics(src: str, exp: Experiment) -> tuple[str, ...]:
    known = model_metrics()
    if exp.metrics == "all":
        return known
    # a model sweep that lists no metrics keeps the registry's headline metrics
    wanted = list(exp.metrics if exp.metrics is not None else headline())
    for c in exp.contrasts:
        wanted += [m for m in (*c.expect, *c.at_most) if m not in wanted]
    for m in wanted:
        if m not in known:
            close = difflib.get_close_matches(m, known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise InputError(f"{src}: metrics: unknown metric '{m}'{hint}; see `sandbox run` output or docs/experiments.md for the list")
    if len(set(wanted)) != len(wanted):
        raise InputError(f"{src}: metrics: '{next(m for m in wanted if wanted.count(m) > 1)}' is listed twice")
    return tuple(wanted)


# -- `sandbox compare`: scenarios side by side, paired by seed ---------------------------------------

def comparison_plan(scenarios: dict[str, Any], replications: int, seed: int) -> Plan:
    """Built scenarios (name → Scenario) as one design point each, replication r seeded
    `seed + r` at every point; each scenario after the first is a contrast against the first.
    Runs keep their daily tables. The same engine, seeding and resume as a sweep."""
    from sandbox.experiments.definition import Design
    from sandbox.experiments.runner import MODEL_FUNCTION

    names = list(scenarios)
    exp = Experiment.model_construct(name="compare", description="sandbox compare " + " ".join(names), description_zh="",
                                     base=names[0], function=MODEL_FUNCTION, seed=seed, seeds="sequential",
                                     replications=replications, days=None, metrics="all", fixed={}, parameters={},
                                     design=Design(kind="contrasts"), contrasts=[])
    points, flats = [], {}
    for i, (name, scenario) in enumerate(scenarios.items()):
        flat = flat_params(scenario)
        flats[name] = flat
        points.append(Point(i, name, dict(flat), flat))
    columns = {"scenario": pa.string(), **{k: _arrow(_lever_type(k)) for k in points[0].values}}
    contrasts = [{"name": f"{n} − {names[0]}", "claim": "", "claim_zh": "", "reference": 0, "treatment": i,
                  "expect": {}, "at_most": {}, "similar_within": 0.05} for i, n in enumerate(names) if i]
    text = "# sandbox compare\n" + json.dumps({"scenarios": names, "seed": seed, "replications": replications}) + "\n"
    return Plan(Path("compare"), exp, text, [], None, points, model_metrics(), columns, flats, contrasts, daily=True)


# -- sweeps of any function of named parameters ---------------------------------------------------

def _free_plan(path: Path, exp: Experiment, text: str) -> Plan:
    src = str(path)
    where = f"{src}: [parameters]"
    for key in (*exp.fixed, *exp.parameters):
        if key in RESERVED:
            raise InputError(f"{src}: parameter '{key}' clashes with a result column; reserved: {', '.join(RESERVED)}")
        if key in exp.fixed and key in exp.parameters:
            raise InputError(f"{where}: '{key}' is also in [fixed]; a parameter is either fixed or varied")
    factors = []
    for key, spec in exp.parameters.items():
        if isinstance(spec, dict) and set(spec) == {"low", "high"} and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in spec.values()) and spec["low"] < spec["high"]:
            factors.append(Factor(key, float(spec["low"]), float(spec["high"])))
        elif isinstance(spec, list):
            factors.append(_listed(where, key, spec))
        else:
            raise InputError(f"{where}: {key} = {_short(spec)}: a varied parameter needs a list of values or {{low = ..., high = ...}} with low < high")
    _check_size(src, exp, factors)
    X, rows = _sample(src, exp, factors)
    points = []
    for i, row in enumerate(rows):
        values = {**exp.fixed, **dict(zip((f.name for f in factors), row))}
        points.append(Point(i, None, values, values))
    columns = {k: _infer(src, k, [p.values[k] for p in points]) for k in points[0].values} if points else {}
    metrics = tuple(exp.metrics)
    clash = [m for m in metrics if m in columns or m in RESERVED]
    if clash:
        raise InputError(f"{src}: metrics: '{clash[0]}' clashes with a parameter or result column")
    check = getattr(load_function(exp.function), "check_params", None)  # a run function may vet its parameters
    for p in points if check is not None else ():
        try:
            check(dict(p.params))
        except InputError as exc:
            varied = {f.name: p.values[f.name] for f in factors}
            raise InputError(f"{src}: design point {p.index} ({_show(varied)}): {exc.message}") from None
    return Plan(path, exp, text, factors, X, points, metrics, columns)


def _infer(src: str, key: str, values: list) -> pa.DataType:
    kinds = {bool if isinstance(v, bool) else float if isinstance(v, (int, float)) else type(v) for v in values}
    if len(kinds) == 1 and (kind := kinds.pop()) in (bool, float, str):
        if kind is float and all(isinstance(v, int) for v in values):
            return pa.int64()
        return _arrow(kind)
    raise InputError(f"{src}: parameter '{key}': values must all be numbers, all true/false or all text")

