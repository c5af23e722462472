"""Model speed and memory: cost per resident-day against Mesa's own no-op activation.

Run by hand (not a test):  python benchmarks/bench_model.py [--days 250] [--sizes 10000 100000]
Targets (issue #2): ratio <= 1.0 at both sizes, t(100k)/t(10k) <= 11, peak memory at 100k < 2 GB.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time

import mesa

from sandbox.model import TownshipModel


class NoOp(mesa.Agent):
    def step(self):
        pass


def mesa_noop_cost(n: int, steps: int = 15) -> float:
    """Median seconds per agent-step of `AgentSet.shuffle_do('step')` over n trivial agents."""
    model = mesa.Model(rng=1)
    for _ in range(n):
        NoOp(model)
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        model.agents.shuffle_do("step")
        times.append(time.perf_counter() - t)
    return statistics.median(times) / n


def model_cost(n: int, days: int, scenario: str) -> tuple[float, float]:
    """(setup seconds, run seconds) for `days` working days at n residents."""
    t = time.perf_counter()
    # villages grow with the township (about 1,700 residents each) so both sizes are alike
    model = TownshipModel(scenario, rng=1, residents=n, villages=max(1, round(n / 1700)))
    setup = time.perf_counter() - t
    t = time.perf_counter()
    model.run_for(days)
    return setup, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=250)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--scenario", default="vertical_grid")
    a = ap.parse_args()
    run_times = {}
    print(f"scenario {a.scenario}, {a.days} days")
    print(f"{'residents':>10} {'setup s':>8} {'run s':>8} {'µs/res-day':>11} {'mesa µs/agent-step':>19} {'ratio':>6}")
    for n in a.sizes:
        gc.collect()
        noop = mesa_noop_cost(n)
        gc.collect()
        setup, run = model_cost(n, a.days, a.scenario)
        per = run / (n * a.days)
        run_times[n] = run
        print(f"{n:>10} {setup:>8.2f} {run:>8.2f} {per * 1e6:>11.3f} {noop * 1e6:>19.3f} {per / noop:>6.2f}")
    if len(a.sizes) >= 2:
        lo, hi = min(a.sizes), max(a.sizes)
        print(f"t({hi})/t({lo}) = {run_times[hi] / run_times[lo]:.2f} (size ratio {hi / lo:.0f})")
    print(f"peak memory (max RSS of this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
