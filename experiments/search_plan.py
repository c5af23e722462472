"""A validated search definition resolved against the scenario schema, before anything runs or is written:
decision and uncertain levers as design factors, costs, the metrics to keep, and how a package
(decision values) under a state of the world (uncertain values) becomes one run's parameters."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from sandbox.errors import InputError
from sandbox.experiments.design import Factor
from sandbox.experiments.plan import RESERVED, Point, _arrow, _check_values, _infer, _lever_type, base_and_fixed
from sandbox.experiments.runner import check_allowed, load_function, model_metrics
from sandbox.experiments.search_definition import Search, load_search
from sandbox.scenario import apply_overrides, dotted_key, flat_params, validate


@dataclass
class SearchPlan:
    path: Path
    search: Search
    text: str
    decisions: list[Factor]
    uncertain: list[Factor]
    reference: dict[str, Any]              # uncertain lever → the value the search assumes
    costs: dict[str, dict[str, float]]     # decision lever → resource → cost per unit
    fixed: dict[str, Any]
    metrics: tuple[str, ...]               # objectives, then metric constraints and satisficing metrics
    columns: dict[str, pa.DataType]        # run-file columns before the metrics
    base_name: str | None = None
    base_data: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.search.name

    @property
    def objectives(self) -> dict[str, str]:
        return dict(self.search.objectives)

    @property
    def cost_bounds(self) -> dict[str, Any]:
        return {k: b for k, b in self.search.constraints.items() if k in self.search.resources()}

    @property
    def metric_bounds(self) -> dict[str, Any]:
        return {k: b for k, b in self.search.constraints.items() if k not in self.search.resources()}

    @property
    def satisfice(self) -> dict[str, Any]:
        """The robustness thresholds: [robustness].satisfice, else the metric constraints."""
        return dict(self.search.robustness.satisfice) or self.metric_bounds

    def package_costs(self, values: dict[str, Any]) -> dict[str, float]:
        out = dict.fromkeys(self.search.resources(), 0.0)
        for lever, rates in self.costs.items():
            for resource, rate in rates.items():
                out[resource] += rate * float(values[lever])
        return out

    def point(self, index: int, decisions: dict[str, Any], state: dict[str, Any]) -> Point:
        """One run's design point: the package's decisions under a state of the uncertain levers."""
        named = {**self.fixed, **decisions, **state}
        if self.base_data is None:
            return Point(index, None, named, named)
        scenario = validate(apply_overrides(self.base_data, named), f"{self.path}: package {_show(decisions)}")
        return Point(index, self.base_name, named, flat_params(scenario))

    def fingerprint(self) -> dict[str, str]:
        """Hashes of everything that decides the search's runs and proposals."""
        s = self.search
        parts = {
            "function": s.function, "seed": s.seed, "replications": s.replications, "metrics": list(self.metrics),
            "decisions": [f.describe() for f in self.decisions], "uncertain": [f.describe() for f in self.uncertain],
            "reference": self.reference, "fixed": self.fixed, "base": [self.base_name, self.base_data],
            "objectives": self.objectives, "constraints": {k: b.model_dump() for k, b in s.constraints.items()},
            "costs": self.costs, "algorithm": s.algorithm.model_dump(), "robustness": s.robustness.model_dump(),
        }
        return {k: hashlib.sha256(json.dumps(v, sort_keys=True, default=str).encode()).hexdigest()[:16] for k, v in parts.items()}


def build_search(name_or_path: str | Path, allow_code: bool = False) -> SearchPlan:
    """A validated search; its run function is one of the sandbox's own unless `allow_code`
    (checked before anything is imported, as for sweeps)."""
    path, s, text = load_search(name_or_path)
    src = str(path)
    try:
        check_allowed(s.function, allow_code)
        load_function(s.function)
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None
    _check_bounds(src, s)
    if s.uses_model:
        return _model_search(path, s, text)
    return _free_search(path, s, text)


def _check_bounds(src: str, s: Search) -> None:
    used = set(s.resources())
    if s.robustness.scenarios and not s.uncertain:
        raise InputError(f"{src}: robustness.scenarios = {s.robustness.scenarios}: there are no [uncertain] levers to sample")
    for key, bound in s.constraints.items():
        if key in used and bound.at_least is not None:
            raise InputError(f"{src}: constraints.{key}: a budget is an upper bound; write {{ at_most = ... }}")


def _model_search(path: Path, s: Search, text: str) -> SearchPlan:
    src = str(path)
    base_name, base_data, fixed = base_and_fixed(path, s.base, s.fixed, s.days)
    seen: dict[str, str] = {k: "[fixed]" for k in fixed}
    decisions, costs = [], {}
    for key, spec in s.decisions.items():
        name = _claim(src, "decisions", key, seen)
        decisions.append(_factor(src, f"decisions.{key}", name, spec))
        if spec.cost:
            if _lever_type(name) is str:
                raise InputError(f"{src}: decisions.{key}.cost: only a number or true/false lever can carry a cost")
            costs[name] = {r: float(v) for r, v in spec.cost.items()}
    uncertain, reference = [], {}
    base_flat = flat_params(validate(apply_overrides(base_data, fixed), f"{src}: base with [fixed]"))
    for key, spec in s.uncertain.items():
        name = _claim(src, "uncertain", key, seen)
        uncertain.append(_factor(src, f"uncertain.{key}", name, spec))
        ref = base_flat[name] if spec.reference is None else spec.reference
        if spec.reference is not None:
            _check_values(f"{src}: uncertain.{key}.reference", name, [ref])
        reference[name] = ref
    metrics = _metrics(src, s, model_metrics())
    named = [*fixed, *(f.name for f in decisions), *(f.name for f in uncertain)]
    columns = {"scenario": pa.string(), **{k: _arrow(_lever_type(k)) for k in named}}
    return SearchPlan(path, s, text, decisions, uncertain, reference, costs, fixed, metrics, columns, base_name, base_data)


def _claim(src: str, table: str, key: str, seen: dict[str, str]) -> str:
    """A lever may be fixed, decided or uncertain — one of them."""
    name = dotted_key(key, f"{src}: [{table}]")
    if name in seen:
        raise InputError(f"{src}: [{table}] {key}: already in {seen[name]}; a lever is fixed, a decision or uncertain, not two of these")
    seen[name] = f"[{table}]"
    return name


def _factor(src: str, where: str, name: str, spec) -> Factor:
    """A decision or uncertain lever as a design factor, its values checked by the scenario validator."""
    kind = _lever_type(name) if name else None
    if spec.values is not None:
        if spec.low is not None or spec.high is not None:
            raise InputError(f"{src}: {where}: give either values = [...] or low/high, not both")
        if len(spec.values) < 2 or len({json.dumps(v) for v in spec.values}) != len(spec.values):
            raise InputError(f"{src}: {where}.values = {spec.values!r}: list at least two different values")
        if name:
            _check_values(f"{src}: {where}", name, list(spec.values))
        return Factor(name, values=tuple(spec.values))
    if spec.low is None or spec.high is None:
        raise InputError(f"{src}: {where}: give values = [...] or both low and high")
    if kind is bool:
        raise InputError(f"{src}: {where} is a switch: write values = [false, true]")
    if not spec.low < spec.high:
        raise InputError(f"{src}: {where}: low = {spec.low!r}, high = {spec.high!r}: need low < high")
    if name:
        _check_values(f"{src}: {where}", name, [spec.low, spec.high])
    return Factor(name, float(spec.low), float(spec.high), integer=kind is int)


def _metrics(src: str, s: Search, known: tuple[str, ...] | None) -> tuple[str, ...]:
    resources = set(s.resources())
    wanted = list(s.objectives)
    wanted += [k for k in s.constraints if k not in resources and k not in wanted]
    wanted += [k for k in s.robustness.satisfice if k not in wanted]
    for m in wanted:
        if known is not None and m not in known:
            close = difflib.get_close_matches(m, list(known) + list(resources), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            where = "objectives" if m in s.objectives else "constraints" if m in s.constraints else "robustness.satisfice"
            raise InputError(f"{src}: {where}: '{m}' is neither a metric of the model nor a cost of a decision{hint}")
    return tuple(wanted)


def _free_search(path: Path, s: Search, text: str) -> SearchPlan:
    """A search over any run function `(params, seed) -> metrics` (e.g. an analytic test problem)."""
    src = str(path)
    seen: set[str] = set(s.fixed)
    decisions, uncertain, reference, costs = [], [], {}, {}
    for table, specs in (("decisions", s.decisions), ("uncertain", s.uncertain)):
        for key, spec in specs.items():
            if key in RESERVED:
                raise InputError(f"{src}: [{table}] '{key}' clashes with a result column; reserved: {', '.join(RESERVED)}")
            if key in seen:
                raise InputError(f"{src}: [{table}] {key}: named twice; a parameter is fixed, a decision or uncertain")
            seen.add(key)
            f = _factor(src, f"{table}.{key}", "", spec)
            f = Factor(key, f.low, f.high, f.values, f.integer)
            (decisions if table == "decisions" else uncertain).append(f)
            if table == "decisions" and spec.cost:
                costs[key] = {r: float(v) for r, v in spec.cost.items()}
            if table == "uncertain":
                reference[key] = spec.reference if spec.reference is not None else \
                    (f.values[0] if not f.ranged else (f.low + f.high) / 2)
    metrics = _metrics(src, s, None)
    sample = {**s.fixed, **{f.name: f.value(f.bounds[0]) for f in decisions}, **reference}
    columns = {k: _infer(src, k, [v]) for k, v in sample.items()}
    return SearchPlan(path, s, text, decisions, uncertain, reference, costs, dict(s.fixed), metrics, columns)


def _show(values: dict[str, Any]) -> str:
    return ", ".join(f"{k.split('.')[-1]}={v}" for k, v in values.items())
