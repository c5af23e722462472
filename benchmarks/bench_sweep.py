"""Sweep throughput: 1 vs 2 local workers (parallel efficiency, target ≥ 0.9) and a loopback Dask
cluster vs the local pool (target within 10 %). A benchmark, not a test: it prints figures.

    python benchmarks/bench_sweep.py [--runs 24] [--residents 10000] [--days 250]

Each backend first runs one task per worker so imports (mesa: seconds) are not timed; then the
same sweep is timed end to end, writing its Parquet files like `sandbox sweep` does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the loopback cluster helper

from sweep_functions import loopback_cluster

from sandbox.experiments.cluster import DaskCluster, LocalPool
from sandbox.experiments.engine import run_tasks
from sandbox.experiments.plan import build_plan
from sandbox.experiments.runner import Task
from sandbox.experiments.store import Store

DEFINITION = """
    base = "vertical_grid"
    seed = 1
    replications = {reps}
    days = {days}
    [fixed]
    residents = {residents}
    [parameters]
    one_window = [false, true]
    [design]
    kind = "grid"
"""


def timed_sweep(plan, backend, workers: int, out: Path) -> float:
    warm = [Task(0, 10_000 + i, i, plan.experiment.function, plan.points[0].params, plan.metrics) for i in range(workers)]
    run_tasks(warm, backend, lambda o: None)
    store = Store(out)
    store.create(plan)
    start = time.perf_counter()
    run_tasks(plan.tasks(), backend, lambda o: store.write(plan, o))
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=24)
    ap.add_argument("--residents", type=int, default=10000)
    ap.add_argument("--days", type=int, default=250)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "bench.toml"
        path.write_text(textwrap.dedent(DEFINITION.format(reps=max(1, args.runs // 2), days=args.days, residents=args.residents)))
        plan = build_plan(path)
        times = {}
        for n in (1, 2):
            pool = LocalPool(n)
            try:
                times[f"local pool, {n} worker{'s' * (n > 1)}"] = timed_sweep(plan, pool, n, tmp / f"local{n}")
            finally:
                pool.close()
        with loopback_cluster(workers=2) as cluster:
            dask = DaskCluster(cluster.address, function=plan.experiment.function)
            try:
                times["Dask loopback cluster, 2 workers"] = timed_sweep(plan, dask, 2, tmp / "dask")
            finally:
                dask.close()
    t1, t2, td = times["local pool, 1 worker"], times["local pool, 2 workers"], times["Dask loopback cluster, 2 workers"]
    print(f"{plan.total} runs of a {args.residents:,}-resident township for {args.days} days")
    for name, t in times.items():
        print(f"  {name:34s} {t:7.2f} s  ({t / plan.total:.3f} s per run)")
    print(f"parallel efficiency 1 → 2 workers: {t1 / (2 * t2):.2f} (target ≥ 0.9)")
    print(f"Dask loopback vs local pool (2 workers): {td / t2:.2f}× the time ({(td / t2 - 1) * 100:+.1f} %, target within 10 %)")


if __name__ == "__main__":
    main()
