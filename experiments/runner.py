"""What a worker executes: one run of any importable function, its failure caught and recorded.

A run function takes `(params: dict, seed: int)` and returns a mapping of metric name → number.
The default, `township`, rebuilds the scenario from its flat levers and runs the model.
"""

from __future__ import annotations

import importlib
import math
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sandbox.errors import InputError

OK, FAILED = "ok", "failed"


@dataclass(frozen=True)
class Task:
    point: int
    replication: int
    seed: int
    function: str
    params: dict[str, Any]
    metrics: tuple[str, ...]


@dataclass
class Outcome:
    point: int
    replication: int
    status: str
    error: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    @classmethod
    def failed(cls, task: Task, error: str) -> Outcome:
        return cls(task.point, task.replication, FAILED, error)


def township(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """The model runner: flat `section.leaf` levers (as stored in the manifest) → summary metrics."""
    from sandbox.params import Scenario
    from sandbox.run import simulate

    nested: dict[str, dict[str, Any]] = {}
    for key, value in params.items():
        section, _, leaf = key.partition(".")
        nested.setdefault(section, {})[leaf] = value
    scenario = Scenario.model_validate(nested)
    return simulate(scenario, seed=seed).summary


@cache
def model_metrics() -> tuple[str, ...]:
    """Every summary metric the model reports, read off a one-day run of a tiny township."""
    from sandbox.model import build_scenario
    from sandbox.run import simulate

    return tuple(simulate(build_scenario("base", residents=100, villages=1, days=1), seed=0).summary)


@cache
def load_function(spec: str) -> Callable[[dict[str, Any], int], Mapping[str, Any]]:
    """`package.module:callable` → the callable; InputError if it cannot be imported."""
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(f"function = \"{spec}\": cannot import module '{module_name}': {exc}") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise InputError(f"function = \"{spec}\": module '{module_name}' has no callable '{attr}'")
    return fn


def execute(task: Task) -> Outcome:
    """Run one task; an exception becomes a failed outcome carrying its message and origin."""
    try:
        result = load_function(task.function)(dict(task.params), task.seed)
        return Outcome(task.point, task.replication, OK, None, _select(result, task.metrics))
    except (Exception, SystemExit) as exc:
        return Outcome.failed(task, _error_text(exc))


def _select(result: Mapping[str, Any], metrics: tuple[str, ...]) -> dict[str, float]:
    if not isinstance(result, Mapping):
        raise TypeError(f"run function returned {type(result).__name__}, expected a mapping of metric → number")
    out = {}
    for m in metrics:
        if m not in result:
            raise KeyError(f"run function returned no metric '{m}'")
        value = result[m]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                value = float(value)  # numpy scalars
            except (TypeError, ValueError):
                raise TypeError(f"metric '{m}' = {value!r} is not a number") from None
        out[m] = float(value) if not (isinstance(value, float) and math.isnan(value)) else math.nan
    return out


def _error_text(exc: BaseException) -> str:
    """`Type: message (at file:line)` — enough to find the bug without a full traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"
