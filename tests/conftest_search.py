"""Helpers shared by the search tests and the results-view browser test (imported explicitly)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from conftest_sweep import cli, write_def

# a short search on the model: 2,000 residents, 60 days, 8 packages × 3 generations, 3 states
SMALL_SEARCH = """
    description = "test search"
    base = "vertical_grid"
    seed = 17
    replications = 1
    days = 60
    [fixed]
    residents = 2000
    villages = 1
    [decisions]
    one_window = {{ values = [false, true], cost = {{ staff = 1.0 }} }}
    one_form = [false, true]
    window_staff_per_10k = {{ low = 2.0, high = 10.0, cost = {{ staff = 0.2 }} }}
    cadres_per_village = {{ low = 2, high = 8, cost = {{ staff = 1.0 }} }}
    [uncertain]
    forms_per_bureau_week = {{ low = 1.0, high = 4.0 }}
    leftover_station_share = {{ low = 0.0, high = 0.6 }}
    [objectives]
    trips_per_counter_matter = "min"
    cadre_overtime_hours = "min"
    order_index = "max"
    [constraints]
    staff = {{ at_most = {budget} }}
    share_abandoned = {{ at_most = 0.5 }}
    [algorithm]
    population = {population}
    generations = {generations}
    [robustness]
    scenarios = 3
    satisfice = {{ trips_per_counter_matter = {{ at_most = 1.5 }} }}
"""


def small_search(directory: Path, name: str = "small", budget: float = 7.0, population: int = 8, generations: int = 3) -> Path:
    return write_def(directory, name, SMALL_SEARCH, budget=budget, population=population, generations=generations)


def run_search(path: Path, out: Path, *args: str):
    r = cli("search", path, "--out", out, *args)
    assert r.exit_code == 0, r.output
    return r


def tables(out: Path) -> dict[str, list[dict]]:
    """The result tables, comparable across runs."""
    return {name: pq.read_table(out / f"{name}.parquet").to_pylist()
            for name in ("packages", "generations", "pareto", "states", "robustness") if (out / f"{name}.parquet").exists()}


def runs(root: Path):
    """Every run of one store (the search's, or its robustness/ folder) as a DataFrame, point an int."""
    from sandbox.experiments.store import Store

    return Store(root).table().to_pandas()


def all_run_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("**/run-*.parquet"))}
