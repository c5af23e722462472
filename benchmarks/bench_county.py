"""County speed and memory: cost per resident-day against one township's, peak memory, and the
speed-up when the townships are spread over worker processes.

Run by hand (not a test):
    python benchmarks/bench_county.py [--townships 20] [--residents 20000] [--years 5] [--workers 2]
Targets (issue #9): county cost per resident-day within 1.2 × the single township's; speed-up on
2 workers ≥ 1.7 ×; peak memory reported. Each measurement runs in its own process (so peak
memory is that measurement's); `uptime` is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VILLAGE_SIZE = 1700


def county_file(townships: int, years: int, directory: Path) -> Path:
    """A county of `townships` vertical townships on a grid, neighbours joined, one 一张表 pilot."""
    side = math.ceil(math.sqrt(townships))
    names = [f"t{i:02d}" for i in range(townships)]
    lines = ['description = "Benchmark county"', "[horizon]", f"years = {years}", "[leaders]",
             f"tenure_min_years = {min(3, years)}", f"tenure_max_years = {max(min(3, years), min(5, years + 2))}",
             "[reforms.one_form]", "kaohe = 1.0", "[ties]", "neighbours = ["]
    for i in range(townships):
        r, c = divmod(i, side)
        for j in (i + 1, i + side):
            if j < townships and (j == i + side or (j % side) != 0):
                lines.append(f'  ["{names[i]}", "{names[j]}"],')
    lines.append("]")
    for i, n in enumerate(names):
        r, c = divmod(i, side)
        lines += ["[[townships]]", f'name = "{n}"', 'scenario = "vertical_grid"', f"x = {c * 20.0}", f"y = {r * 20.0}"]
    lines += ["[[pilots]]", f'township = "{names[0]}"', 'reform = "one_form"', "quarter = 1"]
    path = directory / "bench_county.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def phase(args) -> dict:
    """One measurement in this process: 'township' or 'county' (with `workers`)."""
    n, years = args.residents, args.years
    villages = max(1, round(n / VILLAGE_SIZE))
    if args.phase == "township":
        from sandbox.model import TownshipModel

        t0 = time.perf_counter()
        m = TownshipModel("vertical_grid", rng=1, residents=n, villages=villages)
        setup = time.perf_counter() - t0
        t0 = time.perf_counter()
        m.run_for(250 * years)
        run = time.perf_counter() - t0
        resident_days = n * 250 * years
        workers_mb = []
    else:
        from sandbox.county import CountyModel

        host = None
        if args.workers > 1:
            from sandbox.experiments.county_hosts import ProcessHost

            host = ProcessHost(args.workers)
        t0 = time.perf_counter()
        c = CountyModel(args.county, rng=1, years=years, host=host,
                        overrides={"township.residents": n, "township.villages": villages})
        setup = time.perf_counter() - t0
        t0 = time.perf_counter()
        c.run()
        run = time.perf_counter() - t0
        workers_mb = [_peak_mb(p.pid) for p in getattr(host, "procs", [])]
        c.close()
        resident_days = n * len(c.townships) * 250 * years
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"setup_s": setup, "run_s": run, "us_per_resident_day": 1e6 * run / resident_days,
            "peak_mb": own, "peak_worker_mb": max(workers_mb, default=0.0)}


def _peak_mb(pid: int) -> float:
    """Peak resident memory of a worker process (Linux: VmHWM), read before it exits."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def run_phase(name: str, extra: list[str], a) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, "--residents", str(a.residents), "--years", str(a.years), *extra]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{name} phase failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--townships", type=int, default=20)
    ap.add_argument("--residents", type=int, default=20_000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--phase", choices=("township", "county"))
    ap.add_argument("--county")
    a = ap.parse_args()
    if a.phase:
        print(json.dumps(phase(a)))
        return
    print(f"uptime: {os.popen('uptime').read().strip()}")
    print(f"{a.townships} townships × {a.residents:,} residents × {a.years} years (villages of ~{VILLAGE_SIZE:,})")
    with tempfile.TemporaryDirectory() as tmp:
        county = str(county_file(a.townships, a.years, Path(tmp)))
        one = run_phase("township", [], a)
        print(f"single township      run {one['run_s']:8.1f} s  {one['us_per_resident_day']:.3f} µs/resident-day  peak {one['peak_mb']:.0f} MB")
        single = run_phase("county", ["--county", county, "--workers", "1"], a)
        ratio = single["us_per_resident_day"] / one["us_per_resident_day"]
        print(f"county, 1 process    run {single['run_s']:8.1f} s  {single['us_per_resident_day']:.3f} µs/resident-day  "
              f"ratio {ratio:.2f} (target ≤ 1.2)  peak {single['peak_mb']:.0f} MB")
        multi = run_phase("county", ["--county", county, "--workers", str(a.workers)], a)
        speedup = single["run_s"] / multi["run_s"]
        print(f"county, {a.workers} workers    run {multi['run_s']:8.1f} s  speed-up {speedup:.2f} (target ≥ 1.7)  "
              f"peak driver {multi['peak_mb']:.0f} MB, largest worker {multi['peak_worker_mb']:.0f} MB")
    print(f"uptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()
