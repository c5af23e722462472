"""Replicated comparison of county scenarios: every arm run with the same seeds (common random
numbers), in parallel on a local process pool or any concurrent.futures executor (a Dask
client's), with tidy tables and paired statistics."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from sandbox.compare import Comparison
from sandbox.county_run import CountyResult, simulate_county


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: a county scenario and lever changes (county or township levers)."""

    county: str | Path
    overrides: tuple[tuple[str, Any], ...] = ()


@dataclass
class CountyComparison(Comparison):
    """County runs by arm and seed; `values` / `stats` / `stats_table` read each run's summary
    exactly as for township runs (sandbox.compare.Comparison)."""

    results: dict[str, list[CountyResult]]  # arm → one result per seed, seed order

    def table(self, kind: str) -> pa.Table:
        """One of the run tables (daily, quarterly, ...) of every run, with scenario and seed columns."""
        parts = []
        for name in self.names:
            for r in self.results[name]:
                t = r.tables[kind]
                if t.num_columns == 0:
                    continue
                parts.append(t.append_column("scenario", pa.array([name] * t.num_rows, pa.string()))
                              .append_column("seed", pa.array([r.seed] * t.num_rows, pa.int64())))
        return pa.concat_tables(parts, promote_options="default") if parts else pa.table({})


def _job(args) -> tuple[str, int, CountyResult]:
    name, arm, seed, years, daily = args
    return name, seed, simulate_county(arm.county, seed, years=years, overrides=dict(arm.overrides), daily=daily)


def _forkserver():
    """Workers forked from a clean server that has imported the county model once (forking this
    process, which may run threads, is unsafe)."""
    import multiprocessing as mp
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sandbox.county_run"])
    forkserver.ensure_running()
    return ctx


def compare_counties(arms: dict[str, Arm], replications: int, seed: int = 1, years: int | None = None,
                     workers: int | None = None, executor: Executor | None = None, daily: bool = True,
                     on_done: Callable[[str, int], None] | None = None) -> CountyComparison:
    """Run every arm with seeds seed..seed+R-1. Runs go to `executor` if given (e.g. a Dask
    client's), else to a local process pool of `workers` (default: all cores; 1: in this process)."""
    seeds = [seed + i for i in range(replications)]
    jobs = [(name, arm, s, years, daily) for name, arm in arms.items() for s in seeds]
    done: dict[tuple[str, int], CountyResult] = {}

    def record(name: str, s: int, res: CountyResult) -> None:
        done[(name, s)] = res
        if on_done:
            on_done(name, s)

    workers = workers or os.cpu_count() or 1
    if executor is None and (workers == 1 or len(jobs) == 1):
        for job in jobs:
            record(*_job(job))
    else:
        pool = executor or ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=_forkserver())
        try:
            futures = [pool.submit(_job, j) for j in jobs]
            for fut in as_completed(futures):
                record(*fut.result())
        finally:
            if executor is None:
                pool.shutdown(wait=True, cancel_futures=True)
    names = list(arms)
    return CountyComparison(names, seeds, {n: [done[(n, s)] for s in seeds] for n in names})
