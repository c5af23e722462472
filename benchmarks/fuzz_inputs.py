"""Run the input fuzz test (tests/test_fuzz_inputs.py) at scale: 10,000 generated inputs by default
(scenario files, CLI option sets and sweep files, a third each), randomised, and print how they
ended. README quotes the figure.

    python benchmarks/fuzz_inputs.py [--examples 10000] [--workers 2]

Every input must end in exit 0 with results, or exit 2 with one `error:` line and nothing
written; the first that does not is shrunk by hypothesis and printed, and this script exits 1.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = 3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=10_000, help="inputs in all (default 10,000)")
    ap.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = Path(tmp) / "outcomes.jsonl"
        env = {**os.environ, "FUZZ_EXAMPLES": str(math.ceil(args.examples / FAMILIES)), "FUZZ_OUTCOMES": str(outcomes)}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "", str(ROOT / "tests" / "test_fuzz_inputs.py")]
        if args.workers > 1:
            cmd += ["-n", str(args.workers)]
        start = time.monotonic()
        r = subprocess.run(cmd, cwd=ROOT, env=env)
        minutes = (time.monotonic() - start) / 60
        rows = [json.loads(line) for line in outcomes.read_text().splitlines()] if outcomes.exists() else []
    inputs = [row for row in rows if row["command"] != "analyze"]
    by = collections.Counter((row["family"], row["exit"]) for row in inputs)
    print(f"\n{len(inputs):,} generated inputs in {minutes:.0f} min ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}):")
    for family in ("scenario files", "CLI options", "sweep files"):
        ok, refused = by[(family, 0)], by[(family, 2)]
        print(f"  {family:15s} {ok + refused:6,}: {ok:6,} ran (exit 0, results written), {refused:6,} refused (exit 2, one line, nothing written)")
    analysed = sum(1 for row in rows if row["command"] == "analyze" and row["exit"] == 0)
    print(f"  sweeps analysed after running: {analysed:,}")
    print("every input ended as required" if r.returncode == 0 else "FAILED: see the falsifying example above")
    return 0 if r.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
