"""The runs of a search as the sweep store sees them: each package (or package × state of the world)
is a design point, each replication a run file, seeds from the master seed by replication.

A ledger numbers packages in the order they are first proposed. The algorithm is deterministic
given its seed and the results it is told, so a rerun proposes the same packages in the same
order, gets the same numbers and finds their runs already recorded: nothing is run twice.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from sandbox.errors import InputError
from sandbox.experiments.plan import Point, run_seed
from sandbox.experiments.runner import FAILED, OK, Outcome, Task
from sandbox.experiments.search_plan import SearchPlan
from sandbox.experiments.store import Store

SEEDS = "common"  # replication r has the same seed for every package: comparisons are paired


class Ledger:
    """Duck-types the sweep Plan for `Store.write` (points, columns, metrics, seed)."""

    def __init__(self, plan: SearchPlan, store: Store):
        self.plan = plan
        self.store = store
        self.points: dict[int, Point] = {}
        self.columns = plan.columns
        self.metrics = plan.metrics
        self.results: dict[tuple[int, int], Outcome] = {}
        self.executed = 0                 # runs recorded by this ledger (not found on disk)
        self.on_run: Callable[[Outcome], None] | None = None  # told of each run once it is written
        self._recorded_values: dict[int, dict[str, Any]] = {}
        self._read()

    def seed(self, point: int, replication: int) -> int:
        return run_seed(self.plan.search.seed, point, replication, SEEDS)

    def _read(self) -> None:
        """Runs already in the folder (a resumed search): their metrics and the levers they ran with."""
        table = self.store.table()
        if table is None:
            return
        for row in table.to_pylist():
            key = (row["point"], row["replication"])
            metrics = {m: (math.nan if row.get(m) is None else row[m]) for m in self.metrics}
            self.results[key] = Outcome(key[0], key[1], row["status"], row["error"], metrics if row["status"] == OK else {})
            self._recorded_values[key[0]] = {c: row[c] for c in self.columns if c != "scenario"}

    def add(self, index: int, decisions: dict[str, Any], state: dict[str, Any]) -> Point:
        point = self.plan.point(index, decisions, state)
        recorded = self._recorded_values.get(index)
        if recorded is not None and any(not _same(recorded.get(k), v) for k, v in point.values.items()):
            raise InputError(f"{self.store.root}: run files of point {index} hold other lever values than this search "
                             "proposes now (was the folder written by another version?); choose another --out")
        self.points[index] = point
        return point

    def tasks(self, indices: list[int], replications: int) -> Iterator[Task]:
        """The runs of these points not yet recorded, replication-major."""
        for r in range(replications):
            for i in indices:
                if (i, r) not in self.results:
                    p = self.points[i]
                    yield Task(i, r, self.seed(i, r), self.plan.search.function, p.params, self.metrics)

    def record(self, outcome: Outcome) -> None:
        """The engine's record callback: write the run file, keep the result, tell `on_run`."""
        self.store.write(self, outcome)
        self.results[(outcome.point, outcome.replication)] = outcome
        self.executed += 1
        if self.on_run is not None:
            self.on_run(outcome)

    def means(self, index: int, replications: int) -> dict[str, float] | None:
        """Replication means of every kept metric; None if a run failed or a metric is undefined."""
        outs = [self.results.get((index, r)) for r in range(replications)]
        if any(o is None or o.status == FAILED for o in outs):
            return None
        means = {m: float(np.mean([o.metrics[m] for o in outs])) for m in self.metrics}
        return None if any(not math.isfinite(v) for v in means.values()) else means

    def error(self, index: int, replications: int) -> str | None:
        for r in range(replications):
            o = self.results.get((index, r))
            if o is not None and o.status == FAILED:
                return o.error
        return None


def package_key(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return a == float(b)
    return a == b
