"""The same sweep on a real Dask cluster: `dask scheduler` and two `dask worker` subprocesses on
127.0.0.1. Results equal the local pool's byte for byte, also when a worker is killed mid-sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from conftest_sweep import FAULTY, SANDBOX, SMALL_GRID, cli, run_files, runs_table, write_def
from sweep_functions import loopback_cluster

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def cluster():
    with loopback_cluster(workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("local")
    path = write_def(tmp, "grid", SMALL_GRID, reps=4, days=20)
    r = cli("sweep", path, "--workers", "2", "--out", tmp / "out")
    assert r.exit_code == 0, r.output
    return path, run_files(tmp / "out")


def test_cluster_results_equal_the_local_pool_bit_for_bit(cluster, reference, tmp_path):
    path, files = reference
    r = cli("sweep", path, "--scheduler", cluster.address, "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    assert f"16 to run on Dask scheduler {cluster.address}" in r.stdout
    assert run_files(tmp_path / "out") == files


def test_worker_killed_mid_sweep_every_run_arrives_once(cluster, reference, tmp_path):
    path, files = reference
    out = tmp_path / "out"
    driver = subprocess.Popen([SANDBOX, "sweep", str(path), "--scheduler", cluster.address, "--out", str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("runs/point=*/run-*.parquet"))) < 3:
            assert driver.poll() is None, driver.communicate()
            assert time.monotonic() < deadline, "no results within 120 s"
            time.sleep(0.02)
        victim = cluster.workers[0]
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(timeout=30) == -signal.SIGKILL
        written_at_kill = len(run_files(out))
        stdout, stderr = driver.communicate(timeout=120)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    assert driver.returncode == 0, stderr
    assert written_at_kill < 16
    table = runs_table(out)
    keys = list(zip(table["point"].to_pylist(), table["replication"].to_pylist()))
    assert len(keys) == len(set(keys)) == 16 and set(table["status"].to_pylist()) == {"ok"}
    assert run_files(out) == files
    assert "16 runs succeeded, 0 failed, 0 missing of 16" in stdout


def test_local_cluster_records_a_failing_run_and_completes_the_rest(tmp_path):
    """--local-cluster goes through the same engine; a run that raises is recorded, not retried."""
    path = write_def(tmp_path, "faulty", FAULTY.replace("x = [0, 1, 2, 3, 4, 5, 6, 7]", "x = [1, 2, 3, 4]")
                     .replace("replications = 2", "replications = 1"))
    r = cli("sweep", path, "--local-cluster", "--workers", "2", "--out", tmp_path / "out")
    assert r.exit_code == 1, r.output
    assert "local Dask cluster (2 workers)" in r.stdout
    rows = {row["x"]: row for row in runs_table(tmp_path / "out").to_pylist()}
    assert {x: (row["status"], row["y"]) for x, row in rows.items() if x != 3} == \
        {x: ("ok", x + (row["seed"] % 1000) / 1000.0) for x, row in rows.items() if x != 3}
    assert rows[3]["status"] == "failed" and rows[3]["error"].startswith("ValueError: refusing x = 3 (at ")
