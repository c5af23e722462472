"""Search throughput: evaluations per minute of `sandbox search` on a 2-worker local pool, against the
sweep engine's runs per minute on exactly the same runs (target: overhead ≤ 10 %). A benchmark, not
a test: it prints figures.

    python benchmarks/bench_search.py [--population 24] [--generations 5] [--residents 5000] [--days 150]

The search side times the whole NSGA-II loop (ask, the engine's runs, tell), generation barriers
included. Then every run the search executed is given to the engine at once (`run_tasks` over the
same tasks, same seeds, same Parquet writes) and timed. Both phases start with warm workers.
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
import time
from pathlib import Path

from sandbox.experiments import search
from sandbox.experiments.cluster import LocalPool
from sandbox.experiments.engine import run_tasks
from sandbox.experiments.ledger import Ledger
from sandbox.experiments.runner import Task
from sandbox.experiments.search_folder import SearchFolder
from sandbox.experiments.search_plan import build_search

DEFINITION = """
    base = "vertical_grid"
    seed = 3
    replications = 1
    days = {days}
    [fixed]
    residents = {residents}
    villages = {villages}
    [decisions]
    one_window = [false, true]
    one_form = [false, true]
    assisted_service = [false, true]
    window_staff_per_10k = {{ low = 2.0, high = 10.0 }}
    cadres_per_village = {{ low = 2, high = 8 }}
    [objectives]
    trips_per_counter_matter = "min"
    cadre_overtime_hours = "min"
    order_index = "max"
    [algorithm]
    population = {population}
    generations = {generations}
"""


def warm(plan, pool: LocalPool, workers: int) -> None:
    """One run per worker first, so imports are not timed (as benchmarks/bench_sweep.py does)."""
    ledger_point = plan.point(0, {f.name: f.value(f.bounds[0]) for f in plan.decisions}, plan.reference)
    tasks = [Task(0, 10_000 + i, i, plan.search.function, ledger_point.params, plan.metrics) for i in range(workers)]
    run_tasks(tasks, pool, lambda o: None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=24)
    ap.add_argument("--generations", type=int, default=5)
    ap.add_argument("--residents", type=int, default=5000)
    ap.add_argument("--days", type=int, default=150)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "bench.toml"
        path.write_text(textwrap.dedent(DEFINITION.format(days=args.days, residents=args.residents,
                                                          villages=max(1, round(args.residents / 1700)),
                                                          population=args.population, generations=args.generations)))
        plan = build_search(path)
        pool = LocalPool(args.workers)
        try:
            import pymoo.algorithms.moo.nsga2  # noqa: F401  (a one-off import, not a cost per evaluation)

            warm(plan, pool, args.workers)
            folder = SearchFolder(tmp / "search")
            folder.create(plan)
            start = time.perf_counter()
            result = search.run(plan, Ledger(plan, folder.runs), pool)
            t_search = time.perf_counter() - start
            runs = result.runs

            # the same runs, all at once, through the sweep engine into a fresh store
            again = SearchFolder(tmp / "sweep")
            again.create(plan)
            ledger = Ledger(plan, again.runs)
            for p in result.packages:
                if p.affordable:
                    ledger.add(p.id, p.decisions, plan.reference)
            tasks = list(ledger.tasks([p.id for p in result.packages if p.affordable], plan.search.replications))
            assert len(tasks) == runs
            warm(plan, pool, args.workers)
            start = time.perf_counter()
            run_tasks(tasks, pool, ledger.record)
            t_sweep = time.perf_counter() - start
        finally:
            pool.close()
    per_min_search, per_min_sweep = 60 * runs / t_search, 60 * runs / t_sweep
    print(f"{runs} runs ({len(result.packages)} packages, population {args.population} × {args.generations} generations) "
          f"of a {args.residents:,}-resident township for {args.days} days on {args.workers} local workers")
    print(f"  search (NSGA-II + engine)   {t_search:7.2f} s  {per_min_search:7.1f} evaluations per minute")
    print(f"  sweep engine, same runs     {t_sweep:7.2f} s  {per_min_sweep:7.1f} runs per minute")
    print(f"search overhead: {(t_search / t_sweep - 1) * 100:+.1f} % (target ≤ 10 %)")


if __name__ == "__main__":
    main()
