"""Same seed and parameters give identical tables; another seed differs; workers don't matter."""

import pyarrow as pa
import pytest

from sandbox.compare import compare
from sandbox.run import simulate
from sandbox.scenario import build_scenario


def test_same_seed_identical_tables(small):
    sc = build_scenario("integrated_cocreation", days=40, **small)
    a = simulate(sc, seed=7)
    b = simulate(sc, seed=7)
    assert a.daily.equals(b.daily)
    assert pa.table({k: [v] for k, v in a.summary.items()}).equals(pa.table({k: [v] for k, v in b.summary.items()}))


def test_other_seed_differs(small):
    sc = build_scenario("vertical_grid", days=40, **small)
    a = simulate(sc, seed=7)
    b = simulate(sc, seed=8)
    assert not a.daily.equals(b.daily)


def test_one_or_two_processes_give_identical_results(small):
    scen = {"v": build_scenario("vertical_grid", days=30, **small), "i": build_scenario("integrated_grid", days=30, **small)}
    one = compare(scen, replications=2, seed=3, workers=1)
    two = compare(scen, replications=2, seed=3, workers=2)
    assert one.summary_table().equals(two.summary_table())
    assert one.daily_table().equals(two.daily_table())
    assert isinstance(one.daily_table(), pa.Table) and one.daily_table().num_rows == 4 * 31


@pytest.mark.cluster
def test_compare_on_a_local_dask_cluster_matches_this_process(small):
    """`sandbox compare` is a plan on the experiments engine: Dask gives the same tables."""
    scen = {"v": build_scenario("vertical_grid", days=20, **small), "i": build_scenario("integrated_grid", days=20, **small)}
    here = compare(scen, replications=2, seed=5, workers=1)
    dask = compare(scen, replications=2, seed=5, workers=2, local_cluster=True)
    assert here.summary_table().equals(dask.summary_table())
    assert here.daily_table().equals(dask.daily_table())
