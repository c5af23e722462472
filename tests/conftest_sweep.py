"""Helpers shared by the sweep and analysis tests (imported explicitly; not a pytest conftest)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pyarrow as pa
from typer.testing import CliRunner

from sandbox.experiments.store import Store

SANDBOX = str(Path(sys.executable).parent / "sandbox")

# a small, fast model sweep: two structure switches on a 2,000-resident township
SMALL_GRID = """
    description = "test grid"
    base = "vertical_grid"
    seed = 11
    replications = {reps}
    days = {days}
    metrics = ["trips_per_matter", "cadre_reporting_hours", "order_index"]
    [fixed]
    residents = 2000
    [parameters]
    one_window = [false, true]
    one_form = [false, true]
    [design]
    kind = "grid"
"""

# the smallest model sweep: one switch on a 300-resident, one-village township for two days
TINY_SWEEP = """
    base = "vertical_grid"
    seed = 3
    replications = 1
    days = 2
    metrics = ["trips_per_matter"]
    [fixed]
    residents = 300
    villages = 1
    [parameters]
    one_window = [false, true]
    [design]
    kind = "grid"
"""

FAULTY = """
    function = "sweep_functions:faulty"
    seed = 5
    replications = 2
    metrics = ["y"]
    [fixed]
    raise_at = 3
    kill_at = 6
    [parameters]
    x = [0, 1, 2, 3, 4, 5, 6, 7]
    [design]
    kind = "grid"
"""


def write_def(directory: Path, name: str, text: str, **fmt) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(textwrap.dedent(text.format(**fmt) if fmt else text), encoding="utf-8")
    return path


def cli(*args: str, allow_code: bool = True):
    """`sandbox ARGS` in this process; a sweep gets --allow-code (the test run functions in
    sweep_functions.py are not the sandbox's own) unless allow_code=False."""
    from sandbox.cli import app

    args = [str(a) for a in args]
    if allow_code and args and args[0] in ("sweep", "search"):
        args.append("--allow-code")
    return CliRunner().invoke(app, args)


def runs_table(root: Path) -> pa.Table:
    """Every recorded run, sorted by (point, replication)."""
    table = Store(root).table()
    return table.sort_by([("point", "ascending"), ("replication", "ascending")])


def run_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "runs").glob("point=*/run-*.parquet"))}
