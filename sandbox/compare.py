"""Replicated comparison of scenarios: runs in parallel, tidy tables, headline statistics."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import pyarrow as pa

from sandbox.metric_registry import headline
from sandbox.params import Scenario
from sandbox.run import RunResult, simulate
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


def _job(args):
    name, scenario, seed, days = args
    return name, seed, simulate(scenario, seed=seed, days=days, name=name)


def compare(
    scenarios: dict[str, Scenario],
    replications: int,
    seed: int = 1,
    days: int | None = None,
    workers: int | None = None,
    on_done: Callable[[str, int], None] | None = None,
) -> Comparison:
    """Run every scenario with seeds seed..seed+R-1 (the same seeds for all: common random numbers)."""
    seeds = [seed + i for i in range(replications)]
    jobs = [(name, sc, s, days) for name, sc in scenarios.items() for s in seeds]
    workers = workers or os.cpu_count() or 1
    done: dict[tuple[str, int], RunResult] = {}
    if workers == 1 or len(jobs) == 1:
        for job in jobs:
            name, s, res = _job(job)
            done[(name, s)] = res
            if on_done:
                on_done(name, s)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            for fut in as_completed([pool.submit(_job, j) for j in jobs]):
                name, s, res = fut.result()
                done[(name, s)] = res
                if on_done:
                    on_done(name, s)
    names = list(scenarios)
    return Comparison(names, seeds, {n: [done[(n, s)] for s in seeds] for n in names})
