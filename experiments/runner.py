"""What a worker executes: one run of a run function, its failure caught and recorded.

A run function takes `(params: dict, seed: int)` and returns a mapping of metric name → number.
The project's own, `township`, rebuilds the scenario from its flat levers and runs the model;
any other importable function runs only when the user allows code (`--allow-code`).
"""

from __future__ import annotations

import importlib
import math
import os
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sandbox.errors import InputError

OK, FAILED = "ok", "failed"
MODEL_FUNCTION = "sandbox.experiments.runner:township"
# the run functions a sweep file may name without --allow-code: the project's own
COUNTY_FUNCTION = "sandbox.county_run:county_summary"  # a county over years (docs/county.md)
PROJECT_FUNCTIONS = (MODEL_FUNCTION, COUNTY_FUNCTION)


@dataclass(frozen=True)
class Task:
    point: int
    replication: int
    seed: int
    function: str
    params: dict[str, Any]
    metrics: tuple[str, ...]
    daily: bool = False          # also return the model's daily table (`sandbox compare`)


@dataclass
class Outcome:
    point: int
    replication: int
    status: str
    error: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    daily: bytes | None = None   # the daily table as an Arrow IPC stream, when the task asked for it

    @classmethod
    def failed(cls, task: Task, error: str) -> Outcome:
        return cls(task.point, task.replication, FAILED, error)


def township(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """The model runner: flat `section.leaf` levers (as stored in the manifest) → summary metrics."""
    return _simulate(params, seed).summary


def _simulate(params: Mapping[str, Any], seed: int):
    from sandbox.run import simulate

    return simulate(as_scenario(params), seed=seed)


def as_scenario(params: Mapping[str, Any]):
    """Flat `section.leaf` levers → the Scenario."""
    from sandbox.params import Scenario

    nested: dict[str, dict[str, Any]] = {}
    for key, value in params.items():
        section, _, leaf = key.partition(".")
        nested.setdefault(section, {})[leaf] = value
    return Scenario.model_validate(nested)


def model_metrics() -> tuple[str, ...]:
    """Every summary metric the model reports: the metric registry's keys."""
    from sandbox.metric_registry import metrics

    return tuple(metrics())


def check_allowed(spec: str, allow_code: bool) -> None:
    """Sweep files are data: they name one of the project's run functions, or the user allows
    code with --allow-code. Checked before anything is imported."""
    if spec not in PROJECT_FUNCTIONS and not allow_code:
        raise InputError(f"function = \"{spec}\": not one of the sandbox's own run functions "
                         f"({', '.join(PROJECT_FUNCTIONS)}); a sweep file runs other code only with --allow-code")


@cache
def load_function(spec: str) -> Callable[[dict[str, Any], int], Mapping[str, Any]]:
    """`package.module:callable` → the callable; InputError if it cannot be imported. Call
    check_allowed first: importing a module runs its code."""
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
        if task.daily:
            if task.function != MODEL_FUNCTION:
                raise ValueError(f"daily tables come from the model's own run function only, not {task.function}")
            res = _simulate(task.params, task.seed)
            return Outcome(task.point, task.replication, OK, None, _select(res.summary, task.metrics), _ipc(res.daily))
        result = load_function(task.function)(dict(task.params), task.seed)
        return Outcome(task.point, task.replication, OK, None, _select(result, task.metrics))
    except (Exception, SystemExit) as exc:
        return Outcome.failed(task, _error_text(exc))


def _ipc(table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def read_ipc(data: bytes):
    """The daily table an outcome carries."""
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all()


def watch_parent() -> None:
    """In a worker process: exit as soon as the process that started it dies (kill -9 included),
    instead of waiting forever for work that will never come. multiprocessing gives every child
    a sentinel that becomes ready when its parent goes away."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait() -> None:
        parent.join()  # returns when the parent's sentinel closes
        os._exit(1)

    threading.Thread(target=wait, name="watch-parent", daemon=True).start()


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
