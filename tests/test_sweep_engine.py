"""The sweep on the local process pool: identical results on 1 or 2 workers, atomic per-run files,
resume after the driver is killed, failed runs recorded with their error, folder rules."""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import signal
import subprocess
import time

import pyarrow.parquet as pq
import pytest
import sweep_functions as testing
from conftest_sweep import FAULTY, SANDBOX, SMALL_GRID, cli, run_files, runs_table, write_def

from sandbox.experiments.plan import run_seed
from sandbox.experiments.runner import Task, execute, township
from sandbox.experiments.store import Store


@pytest.fixture(scope="module")
def grid_one_worker(tmp_path_factory):
    """The small grid run on one worker: the reference every other way of running must equal."""
    tmp = tmp_path_factory.mktemp("one")
    path = write_def(tmp, "grid", SMALL_GRID, reps=3, days=30)
    result = cli("sweep", path, "--workers", "1", "--out", tmp / "out")
    assert result.exit_code == 0, result.output
    return path, tmp / "out"


def test_one_and_two_workers_give_identical_files(grid_one_worker, tmp_path):
    path, ref = grid_one_worker
    result = cli("sweep", path, "--workers", "2", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert run_files(tmp_path / "out") == run_files(ref)  # byte for byte
    assert len(run_files(ref)) == 12


def test_a_run_equals_the_model_run_directly(grid_one_worker):
    _, ref = grid_one_worker
    table = runs_table(ref)
    manifest = json.loads((ref / "manifest.json").read_text())
    row = next(r for r in table.to_pylist() if (r["point"], r["replication"]) == (3, 2))
    params = {**manifest["scenarios"]["vertical_grid"], **manifest["points"][3]["values"]}
    summary = township(params, run_seed(11, 3, 2))
    assert row["seed"] == run_seed(11, 3, 2)
    assert {m: row[m] for m in manifest["metrics"]} == {m: summary[m] for m in manifest["metrics"]}
    assert (row["structure.one_window"], row["structure.one_form"], row["scenario"], row["status"], row["error"]) == \
        (True, True, "vertical_grid", "ok", None)


def test_dataset_layout_and_manifest(grid_one_worker):
    _, ref = grid_one_worker
    assert sorted(run_files(ref)) == sorted(f"runs/point={p}/run-{p}-{r}.parquet" for p in range(4) for r in range(3))
    schema = pq.read_schema(ref / "runs/point=0/run-0-0.parquet")
    assert schema.names == ["replication", "seed", "status", "error", "scenario", "township.residents", "run.days",
                            "structure.one_window", "structure.one_form", "trips_per_matter", "cadre_reporting_hours", "order_index"]
    manifest = json.loads((ref / "manifest.json").read_text())
    assert (manifest["experiment"], manifest["runs"], manifest["replications"], manifest["seed"]) == ("grid", 12, 3, 11)
    assert manifest["points"][1] == {"point": 1, "scenario": "vertical_grid",
                                     "values": {"township.residents": 2000, "run.days": 30, "structure.one_window": False,
                                                "structure.one_form": True}}
    assert {"grassroots-sandbox", "mesa", "numpy", "pyarrow", "SALib", "dask", "python"} <= set(manifest["versions"])
    assert (ref / "definition.toml").read_text() == (ref.parent / "grid.toml").read_text()


def test_rerun_skips_recorded_runs_and_adds_replications(grid_one_worker, tmp_path):
    path, ref = grid_one_worker
    out = tmp_path / "out"
    subprocess_free = cli("sweep", path, "--workers", "2", "--out", out)
    assert subprocess_free.exit_code == 0
    before = {p: os.stat(out / p).st_mtime_ns for p in run_files(out)}
    again = cli("sweep", path, "--workers", "2", "--out", out)
    assert again.exit_code == 0
    assert "12 recorded, 0 to run" in again.stdout
    assert {p: os.stat(out / p).st_mtime_ns for p in run_files(out)} == before  # nothing rewritten
    more = write_def(tmp_path, "grid", SMALL_GRID, reps=5, days=30)  # same experiment, 2 more replications
    grown = cli("sweep", more, "--workers", "2", "--out", out)
    assert grown.exit_code == 0, grown.output
    assert "12 recorded, 8 to run" in grown.stdout
    files = run_files(out)
    assert len(files) == 20 and {k: files[k] for k in run_files(ref)} == run_files(ref)
    assert json.loads((out / "manifest.json").read_text())["replications"] == 5


def test_fewer_replications_or_another_experiment_is_refused(grid_one_worker, tmp_path):
    path, ref = grid_one_worker
    files = run_files(ref)
    fewer = write_def(tmp_path, "grid", SMALL_GRID, reps=2, days=30)
    r = cli("sweep", fewer, "--out", ref)
    assert (r.exit_code, r.stderr) == (2, f"error: --out {ref}: already planned 3 replications; a rerun may add "
                                          "replications (replications = 2 is fewer)\n")
    changed = write_def(tmp_path, "grid", SMALL_GRID, reps=3, days=31)
    r = cli("sweep", changed, "--out", ref)
    assert (r.exit_code, r.stderr) == (2, f"error: --out {ref}: holds results of experiment 'grid' with different design points; "
                                          "rerun its own definition to resume, or choose another --out\n")
    other = write_def(tmp_path, "other", SMALL_GRID, reps=3, days=30)
    r = cli("sweep", other, "--out", ref)
    assert (r.exit_code, r.stderr) == (2, f"error: --out {ref}: holds results of experiment 'grid'; rerun its own definition "
                                          "to resume, or choose another --out\n")
    assert run_files(ref) == files


def test_a_folder_that_is_not_a_sweep_is_never_written(tmp_path):
    path = write_def(tmp_path, "grid", SMALL_GRID, reps=1, days=5)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    r = cli("sweep", path, "--out", tmp_path / "mine")
    assert (r.exit_code, r.stderr) == (2, f"error: --out {tmp_path / 'mine'}: exists, is not empty and holds no sweep manifest; "
                                          "choose another folder (results are never overwritten)\n")
    assert os.listdir(tmp_path / "mine") == ["notes.txt"]


def test_default_folder_is_results_sweep_name(tmp_path, monkeypatch):
    path = write_def(tmp_path, "tiny", SMALL_GRID, reps=1, days=5)
    monkeypatch.chdir(tmp_path)
    r = cli("sweep", path, "--workers", "1")
    assert r.exit_code == 0, r.output
    assert len(run_files(tmp_path / "results" / "sweep-tiny")) == 4


def _line_of(fn, text: str) -> int:
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


def test_runs_that_raise_or_kill_their_process_are_recorded_failed(tmp_path):
    path = write_def(tmp_path, "faulty", FAULTY)
    r = cli("sweep", path, "--workers", "2", "--out", tmp_path / "out")
    assert r.exit_code == 1
    assert r.stderr.endswith("4 runs failed (see the error column); fix the cause and rerun with --retry-failed\n")
    table = runs_table(tmp_path / "out")
    rows = {(row["x"], row["replication"]): row for row in table.to_pylist()}
    assert len(rows) == table.num_rows == 16
    raised = f"ValueError: refusing x = 3 (at {testing.__file__}:{_line_of(testing.faulty, 'raise ValueError')})"
    for (x, rep), row in rows.items():
        seed = run_seed(5, x, rep)
        if x == 3:
            assert (row["status"], row["error"], row["y"]) == ("failed", raised, None)
        elif x == 6:
            assert (row["status"], row["error"], row["y"]) == ("failed", "the run killed its worker process (signal SIGKILL)", None)
        else:
            assert (row["status"], row["error"], row["y"], row["seed"]) == ("ok", None, x + (seed % 1000) / 1000.0, seed)


def test_retry_failed_runs_only_the_failed_ones_again(tmp_path):
    path = write_def(tmp_path, "faulty", FAULTY)
    out = tmp_path / "out"
    assert cli("sweep", path, "--workers", "2", "--out", out).exit_code == 1
    ok_before = {p: b for p, b in run_files(out).items() if pq.read_table(out / p)["status"][0].as_py() == "ok"}
    r = cli("sweep", path, "--workers", "2", "--out", out, "--retry-failed")
    assert r.exit_code == 1
    assert "16 recorded, 4 to run" in r.stdout
    assert {p: run_files(out)[p] for p in ok_before} == ok_before and len(run_files(out)) == 16


def test_execute_records_a_bad_return_value_as_failed():
    task = Task(0, 0, 1, "sweep_functions:faulty", {"x": 1}, ("y", "z"))
    assert execute(task).error.startswith("KeyError: \"run function returned no metric 'z'\" (at ")
    assert execute(Task(0, 0, 7, "sweep_functions:faulty", {"x": 1}, ("y",))).metrics == {"y": 1.007}


def test_driver_killed_mid_sweep_then_rerun_completes_without_duplicates(grid_one_worker, tmp_path):
    """SIGKILL the driver once some runs are written; the rerun writes exactly the missing ones."""
    _, ref = grid_one_worker
    path = write_def(tmp_path, "grid", SMALL_GRID, reps=8, days=30)  # the reference experiment, more replications
    out = tmp_path / "out"
    driver = subprocess.Popen([SANDBOX, "sweep", str(path), "--workers", "2", "--out", str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("runs/point=*/run-*.parquet"))) < 4:
            assert driver.poll() is None, "the sweep ended before it could be interrupted"
            assert time.monotonic() < deadline, "no results within 120 s"
            time.sleep(0.02)
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)  # nothing should be left; be sure
    assert 4 <= len(run_files(out)) < 32
    r = cli("sweep", path, "--workers", "2", "--out", out)
    assert r.exit_code == 0, r.output
    table = runs_table(out)
    keys = list(zip(table["point"].to_pylist(), table["replication"].to_pylist()))
    assert len(keys) == len(set(keys)) == 32 and set(table["status"].to_pylist()) == {"ok"}
    assert not list(out.glob("runs/**/.run-*"))  # no stray temporary files after the rerun
    files = run_files(out)
    assert {k: files[k] for k in run_files(ref)} == run_files(ref)  # replications 0-2 as in an uninterrupted sweep


def test_another_writer_holding_the_folder_is_refused(grid_one_worker):
    path, ref = grid_one_worker
    holder = Store(ref)
    holder.lock()
    try:
        more = write_def(ref.parent, "grid", SMALL_GRID, reps=4, days=30)
        r = cli("sweep", more, "--out", ref)
        assert (r.exit_code, r.stderr) == (2, f"error: --out {ref}: another command (pid {os.getpid()}) is writing to this folder; "
                                              "wait for it to finish\n")
    finally:
        holder.unlock()
        write_def(ref.parent, "grid", SMALL_GRID, reps=3, days=30)
