"""A county's townships on a real Dask cluster (`dask scheduler` and two `dask worker` processes on
127.0.0.1), each township an actor's state on its worker: the same tables, byte for byte, as one
process and as two local worker processes, through `sandbox run`."""

from __future__ import annotations

import pytest
from sweep_functions import loopback_cluster
from test_county_model import SMALL, _bytes
from test_inputs import cli

from sandbox.county_run import simulate_county
from sandbox.experiments.county_hosts import DaskHost

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def cluster():
    with loopback_cluster(workers=2) as c:
        yield c


def test_townships_on_dask_actors_give_the_single_process_tables(cluster):
    host = DaskHost(cluster.address)
    dask = simulate_county(SMALL, seed=7, host=host)
    assert host.name == f"Dask scheduler {cluster.address} (2 workers)"
    one = simulate_county(SMALL, seed=7)
    assert _bytes(dask.tables) == _bytes(one.tables)


def test_sandbox_run_on_one_process_two_workers_and_the_cluster_writes_identical_files(cluster, tmp_path):
    outs = {}
    for name, extra in (("one", []), ("two", ["--workers", "2"]), ("dask", ["--scheduler", cluster.address])):
        r = cli("run", SMALL, "--seed", "3", "--years", "1", "--set", "leaders.tenure_min_years=1", *extra, "--out", str(tmp_path / name))
        assert r.returncode == 0, r.stderr
        outs[name] = {p.name: p.read_bytes() for p in sorted((tmp_path / name).glob("*.parquet"))}
    assert len(outs["one"]) == 9
    assert outs["one"] == outs["two"] == outs["dask"]
