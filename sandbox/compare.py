"""Replicated comparison of scenarios: a plan on the experiments engine, tidy tables, headline statistics."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sandbox.defaults import DEFAULT_SEED
from sandbox.metric_registry import headline
from sandbox.params import Scenario
from sandbox.run import RunResult
from sandbox.scenario import build_scenario
from sandbox.stats import mean_ci, paired_diff_ci


@dataclass
class Comparison:
    names: list[str]
    seeds: list[int]
    results: dict[str, list[RunResult]]  # scenario -> one result per seed, seed order

    def values(self, name: str, metric: str) -> list[float]:
        return [r.summary[metric] for r in self.results[name]]

    def stats(self, metric: str) -> list[dict]:
        """Per scenario: mean and 95 % CI, and the paired difference to the first scenario."""
        first = self.values(self.names[0], metric)
        rows = []
        for name in self.names:
            vals = self.values(name, metric)
            m, lo, hi = mean_ci(vals)
            d, dlo, dhi = paired_diff_ci(first, vals) if name != self.names[0] else (0.0, 0.0, 0.0)
            rows.append({"scenario": name, "metric": metric, "mean": m, "ci_low": lo, "ci_high": hi,
                         "diff": d, "diff_low": dlo, "diff_high": dhi})
        return rows

    def summary_table(self) -> pa.Table:
        """One row per run: scenario, seed, every summary metric."""
        runs = [(name, r) for name in self.names for r in self.results[name]]
        cols = {"scenario": pa.array([n for n, _ in runs], pa.string()),
                "seed": pa.array([r.seed for _, r in runs], pa.int64())}
        for key in runs[0][1].summary:
            cols[key] = pa.array([None if r.summary[key] != r.summary[key] else r.summary[key] for _, r in runs], pa.float64())
        return pa.table(cols)

    def daily_table(self) -> pa.Table:
        """One row per run and day (long format, ready for pandas/polars/DuckDB/R)."""
        parts = []
        for name in self.names:
            for r in self.results[name]:
                t = r.daily
                parts.append(t.append_column("scenario", pa.array([name] * t.num_rows))
                              .append_column("seed", pa.array([r.seed] * t.num_rows, pa.int64())))
        return pa.concat_tables(parts)

    def stats_table(self, metrics: tuple[str, ...] | None = None) -> pa.Table:
        """Per headline metric (or `metrics`) and scenario: mean, CI and paired difference."""
        return pa.Table.from_pylist([row for m in (metrics or headline()) for row in self.stats(m)])


class RunFailed(Exception):
    """A model run raised: a defect, not bad input. The message names the scenario and seed."""


def compare(
    scenarios: dict[str, Scenario],
    replications: int,
    seed: int = DEFAULT_SEED,
    days: int | None = None,
    workers: int | None = None,
    on_done: Callable[[str, int], None] | None = None,
    scheduler: str | None = None,
    local_cluster: bool = False,
    resume: Path | None = None,
) -> Comparison:
    """Run every scenario with seeds seed..seed+R-1 (the same seeds for all: common random numbers)
    on the experiments engine: this process (workers=1), a local process pool or Dask. With
    `resume`, finished runs are kept in that folder and a rerun of the same comparison skips them."""
    from sandbox.experiments.cluster import make_backend
    from sandbox.experiments.engine import run_tasks
    from sandbox.experiments.plan import comparison_plan
    from sandbox.experiments.runner import FAILED, read_ipc
    from sandbox.experiments.store import Store

    if days is not None:
        scenarios = {n: build_scenario(s, days=days) for n, s in scenarios.items()}
    plan = comparison_plan(scenarios, replications, seed)
    names = list(scenarios)
    results: dict[tuple[int, int], tuple[dict[str, float], pa.Table]] = {}
    store = None
    if resume is not None:
        store = Store(resume, option="--out")
        manifest = store.check(plan)
        if manifest is None:
            store.create(plan)
        else:
            store.update(plan, manifest)
        store.lock()
        results.update(store.results(plan))

    def done(point: int, replication: int) -> None:
        if on_done:
            on_done(names[point], plan.seed(point, replication))

    for p, r in results:
        done(p, r)

    def record(outcome) -> None:
        if outcome.status == FAILED:
            raise RunFailed(f"{names[outcome.point]} with seed {plan.seed(outcome.point, outcome.replication)} "
                            f"failed: {outcome.error}")
        if store is not None:
            store.write(plan, outcome)
        results[(outcome.point, outcome.replication)] = (outcome.metrics, read_ipc(outcome.daily))
        done(outcome.point, outcome.replication)

    todo = list(plan.tasks(set(results)))
    try:
        if todo:
            n = min(workers or os.cpu_count() or 1, len(todo))
            backend = make_backend(n, scheduler, local_cluster, plan.experiment.function)
            cancel = True
            try:
                run_tasks(todo, backend, record)
                cancel = False
            finally:
                backend.close(cancel=cancel)
    finally:
        if store is not None:
            store.unlock()
    seeds = [plan.seed(0, r) for r in range(replications)]
    out = {}
    for point in plan.points:
        out[point.scenario] = [RunResult(point.scenario, seeds[r], point.params["run.days"], dict(point.params),
                                         results[(point.index, r)][1], dict(results[(point.index, r)][0]))
                               for r in range(replications)]
    return Comparison(names, seeds, out)
