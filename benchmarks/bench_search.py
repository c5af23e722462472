"""Search throughput: evaluations per minute of `sandbox search` on a 2-worker local pool, against the
sweep engine's runs per minute on exactly the same runs (target: overhead ≤ 10 %). A benchmark, not
a test: it prints figures.

    python benchmarks/bench_search.py [--population 24] [--generations 5] [--residents 5000] [--days 150] [--rounds 3]

The search side times the whole NSGA-II loop (ask, the engine's runs, tell), generation barriers
included. Then every run the search executed is given to the engine at once (`run_tasks` over the
same tasks, same seeds, same Parquet writes) and timed. Both phases start with warm workers. On a
shared machine the two timings wander with other users' load, so the search's own cost is also
measured directly: time the driver spends outside the engine, and worker time idle while a
generation's last runs finish.
"""

from __future__ import annotations

import argparse
import statistics
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


class Generations:
    """Times each generation's engine call and its runs' completions, to split the search's extra
    time into driver work (pymoo, bookkeeping) and workers idle at the end of a generation."""

    def __init__(self, workers: int):
        self.workers, self.inside, self.idle, self.done = workers, 0.0, 0.0, []

    def run_tasks(self, tasks, backend, record) -> None:
        self.done = []
        start = time.perf_counter()
        run_tasks(tasks, backend, lambda o: (record(o), self.done.append(time.perf_counter())))
        end = time.perf_counter()
        self.inside += end - start
        # the last (workers − 1) runs of a generation finish while other workers already wait
        tail = sorted(self.done)[-self.workers:]
        self.idle += sum(end - t for t in tail[:-1]) if len(tail) == self.workers else 0.0


def one_round(plan, pool: LocalPool, workers: int, tmp: Path) -> tuple[float, float, int, int, float, float]:
    """(search s, sweep-engine s, runs, packages, driver s, idle worker-s) of one search and the same runs again."""
    warm(plan, pool, workers)
    folder = SearchFolder(tmp / "search")
    folder.create(plan)
    gens = Generations(workers)
    search.run_tasks = gens.run_tasks
    start = time.perf_counter()
    try:
        result = search.run(plan, Ledger(plan, folder.runs), pool)
    finally:
        search.run_tasks = run_tasks
    t_search = time.perf_counter() - start
    # the same runs, all at once, through the sweep engine into a fresh store
    again = SearchFolder(tmp / "sweep")
    again.create(plan)
    ledger = Ledger(plan, again.runs)
    simulated = [p for p in result.packages if p.affordable]
    for p in simulated:
        ledger.add(p.id, p.decisions, plan.reference)
    tasks = list(ledger.tasks([p.id for p in simulated], plan.search.replications))
    assert len(tasks) == result.runs
    warm(plan, pool, workers)
    start = time.perf_counter()
    run_tasks(tasks, pool, ledger.record)
    return t_search, time.perf_counter() - start, result.runs, len(result.packages), t_search - gens.inside, gens.idle


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=24)
    ap.add_argument("--generations", type=int, default=5)
    ap.add_argument("--residents", type=int, default=5000)
    ap.add_argument("--days", type=int, default=150)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3, help="search/sweep pairs, alternated (the median is quoted)")
    args = ap.parse_args()
    import pymoo.algorithms.moo.nsga2  # noqa: F401  (a one-off import, not a cost per evaluation)

    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "bench.toml"
        path.write_text(textwrap.dedent(DEFINITION.format(days=args.days, residents=args.residents,
                                                          villages=max(1, round(args.residents / 1700)),
                                                          population=args.population, generations=args.generations)))
        plan = build_search(path, allow_code=True)
        pool = LocalPool(args.workers)
        try:
            for k in range(args.rounds):
                rounds.append(one_round(plan, pool, args.workers, tmp / f"round{k}"))
        finally:
            pool.close()
    runs, packages = rounds[0][2], rounds[0][3]
    print(f"{runs} runs ({packages} packages, population {args.population} × {args.generations} generations) "
          f"of a {args.residents:,}-resident township for {args.days} days on {args.workers} local workers")
    for k, (ts, tw, _, _, driver, idle) in enumerate(rounds):
        print(f"  round {k + 1}: search {ts:6.2f} s ({60 * runs / ts:6.1f} evaluations/min), "
              f"sweep engine {tw:6.2f} s ({60 * runs / tw:6.1f} runs/min), overhead {(ts / tw - 1) * 100:+.1f} %; "
              f"of the search: driver {driver:.2f} s, workers idle at generation ends {idle:.2f} worker-s "
              f"(≈ {(driver + idle / args.workers) / ts * 100:.1f} % of its time)")
    ts = statistics.median(r[0] for r in rounds)
    tw = statistics.median(r[1] for r in rounds)
    print(f"median: {60 * runs / ts:.1f} evaluations per minute vs {60 * runs / tw:.1f} runs per minute; "
          f"search overhead {(ts / tw - 1) * 100:+.1f} % (target ≤ 10 %)")
    share = statistics.median((r[4] + r[5] / args.workers) / r[0] for r in rounds)
    print(f"search's own cost (driver + idle workers at generation ends), median: {share * 100:.1f} % of its time "
          "(independent of the machine's other load, which makes the end-to-end comparison noisy)")


if __name__ == "__main__":
    main()
