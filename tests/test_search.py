"""Robust policy search: NSGA-II through the sweep engine reaches the known front of ZDT1; on the
model a short search returns only feasible, non-dominated packages, the same on 1 or 2 workers;
a killed search resumes without losing a run; bad definitions get one message and exit 2."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time

import numpy as np
import pyarrow.parquet as pq
import pytest
from conftest_search import all_run_files, run_search, runs, small_search, tables
from conftest_sweep import SANDBOX, cli
from discovery_functions import ZDT1_HV
from sweep_functions import loopback_cluster

ZDT1_SHARE = 0.95  # of the true front's hypervolume, reference point (1.1, 1.1)


def zdt1_definition(n: int, population: int, generations: int, seed: int) -> str:
    xs = "\n".join(f"x{i} = {{ low = 0.0, high = 1.0 }}" for i in range(1, n + 1))
    return (f'function = "discovery_functions:zdt1"\nseed = {seed}\n[decisions]\n{xs}\n[objectives]\nf1 = "min"\nf2 = "min"\n'
            f"[algorithm]\npopulation = {population}\ngenerations = {generations}\n")


def dominated(F: np.ndarray, by: np.ndarray) -> np.ndarray:
    """Rows of F (minimised) dominated by some row of `by`."""
    le = (by[None, :, :] <= F[:, None, :]).all(axis=2)
    lt = (by[None, :, :] < F[:, None, :]).any(axis=2)
    return (le & lt).any(axis=1)


def test_zdt1_through_the_engine_reaches_the_known_front(tmp_path):
    from pymoo.indicators.hv import HV

    path = tmp_path / "zdt1.toml"
    path.write_text(zdt1_definition(n=6, population=32, generations=40, seed=1))
    r = run_search(path, tmp_path / "out", "--workers", "2")
    pareto = pq.read_table(tmp_path / "out" / "pareto.parquet").to_pandas()
    F = pareto[["f1", "f2"]].to_numpy()
    share = HV(ref_point=np.array([1.1, 1.1]))(F) / ZDT1_HV
    assert share >= ZDT1_SHARE, f"hypervolume share {share:.4f}"
    assert not dominated(F, F).any()
    packages = pq.read_table(tmp_path / "out" / "packages.parquet").to_pandas()
    assert len(packages) == len(all_run_files(tmp_path / "out"))  # every distinct package run once
    assert f"{len(packages)} packages ({len(packages)} simulated, 0 over budget, 0 failed)" in r.stdout


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The short model search on one worker: the reference every other way of running must equal."""
    tmp = tmp_path_factory.mktemp("search")
    path = small_search(tmp)
    run_search(path, tmp / "out", "--workers", "1")
    return path, tmp / "out"


def test_short_search_returns_only_feasible_non_dominated_packages(small):
    _, out = small
    packages = pq.read_table(out / "packages.parquet").to_pandas()
    pareto = packages[packages["pareto"]]
    assert len(pareto) >= 2
    assert (pareto["status"] == "ok").all() and pareto["feasible"].all()
    assert (pareto["cost.staff"] <= 7.0).all() and (pareto["share_abandoned"] <= 0.5).all()
    feasible = packages[packages["feasible"]]
    # objectives as minimised, and the cost: of two packages equal on every objective the dearer is dropped
    oriented = lambda t: np.column_stack([t["trips_per_counter_matter"], t["cadre_overtime_hours"], -t["order_index"],  # noqa: E731
                                          t["cost.staff"]])
    assert not dominated(oriented(pareto), oriented(feasible)).any()
    rest = feasible[~feasible["pareto"]]
    assert dominated(oriented(rest), oriented(pareto)).all()  # the set is complete, not just non-dominated
    # over budget: known without a run, never simulated; every other package's means are its runs' means
    over = packages[packages["status"] == "over budget"]
    assert (over["cost.staff"] > 7.0).all() and not over["feasible"].any()
    ran = runs(out)
    assert set(ran["point"]) == set(packages.loc[packages["status"] != "over budget", "package"])
    for _, p in pareto.iterrows():
        mine = ran[ran["point"] == p["package"]]
        assert mine["trips_per_counter_matter"].mean() == pytest.approx(p["trips_per_counter_matter"], rel=1e-12)
        assert bool(mine["structure.one_window"].iloc[0]) == p["structure.one_window"]
    gens = pq.read_table(out / "generations.parquet").to_pandas()
    assert list(gens.groupby("generation").size()) == [8, 8, 8]
    m = json.loads((out / "search.json").read_text())
    assert sorted(row["package"] for row in m["pareto"]) == sorted(pareto["package"])
    assert m["status"] == "finished"


def test_robustness_reruns_the_pareto_set_in_every_sampled_state(small):
    _, out = small
    t = tables(out)
    pareto = {row["package"] for row in t["packages"] if row["pareto"]}
    assert len(t["states"]) == 3
    assert {row["package"] for row in t["robustness"]} == pareto
    assert [row["rank"] for row in t["robustness"]] == list(range(1, len(pareto) + 1))
    ran = runs(out / "robustness")
    assert len(ran) == 3 * len(pareto)
    assert set(ran["point"]) == {p * 3 + k for p in pareto for k in range(3)}
    states = {row["state"]: row for row in t["states"]}
    for _, r in ran.iterrows():  # each run in its state, with the package's decisions
        k = r["point"] % 3
        assert r["reporting.forms_per_bureau_week"] == states[k]["reporting.forms_per_bureau_week"]
    for row in t["robustness"]:
        mine = ran[ran["point"] // 3 == row["package"]]
        assert row["satisficing"] == pytest.approx((mine["trips_per_counter_matter"] <= 1.5).mean())
        assert row["regret"] is None or 0.0 <= row["regret"] <= 1.0
    ranked = [(-(r["satisficing"]), r["regret"]) for r in t["robustness"]]
    assert ranked == sorted(ranked)


def test_two_workers_give_identical_results(small, tmp_path):
    path, ref = small
    run_search(path, tmp_path / "out", "--workers", "2")
    assert tables(tmp_path / "out") == tables(ref)
    assert all_run_files(tmp_path / "out") == all_run_files(ref)


@pytest.mark.cluster
def test_a_dask_cluster_on_loopback_gives_identical_results(small, tmp_path):
    """`dask scheduler` and two `dask worker` subprocesses on 127.0.0.1: the same packages, Pareto set,
    robustness ranking and run files, byte for byte, as one local worker."""
    path, ref = small
    with loopback_cluster(workers=2) as cluster:
        r = run_search(path, tmp_path / "out", "--scheduler", cluster.address)
    assert f"on Dask scheduler {cluster.address}" in r.stdout
    assert tables(tmp_path / "out") == tables(ref)
    assert all_run_files(tmp_path / "out") == all_run_files(ref)


def test_a_rerun_of_a_finished_search_runs_nothing(small):
    path, ref = small
    before = {p: os.stat(ref / p).st_mtime_ns for p in all_run_files(ref)}
    r = run_search(path, ref, "--workers", "2")
    assert "runs: 0 executed" in r.stdout
    assert {p: os.stat(ref / p).st_mtime_ns for p in all_run_files(ref)} == before


def test_a_killed_search_resumes_without_losing_evaluations(small, tmp_path):
    """SIGKILL the driver mid-search; the rerun reuses every recorded run (same seed → same proposals)
    and ends with exactly the files of an uninterrupted search."""
    path, ref = small
    out = tmp_path / "out"
    driver = subprocess.Popen([SANDBOX, "search", str(path), "--workers", "1", "--out", str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("runs/point=*/run-*.parquet"))) < 10:
            assert driver.poll() is None, "the search ended before it could be interrupted"
            assert time.monotonic() < deadline, "no runs within 120 s"
            time.sleep(0.02)
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(driver.pid, signal.SIGKILL)  # the pool workers it leaves behind
    at_kill = {p: (b, os.stat(out / p).st_mtime_ns) for p, b in all_run_files(out).items()}
    assert 10 <= len(at_kill) < len(all_run_files(ref))
    r = run_search(path, out, "--workers", "2")
    reused = int(r.stdout.split(" reused")[0].rsplit(" ", 1)[1])
    assert reused >= len(at_kill)
    assert {p: (out / p).read_bytes() for p in at_kill} == {p: b for p, (b, _) in at_kill.items()}
    assert {p: os.stat(out / p).st_mtime_ns for p in at_kill} == {p: t for p, (_, t) in at_kill.items()}
    assert all_run_files(out) == all_run_files(ref)
    assert tables(out) == tables(ref)
    assert not list(out.glob("**/.run-*"))


BAD = [
    ("decisons = 1", "unknown key 'decisons'; did you mean 'decisions'?; allowed: name, description, description_zh, base, "
                     "function, seed, replications, days, fixed, decisions, uncertain, objectives, constraints, algorithm, robustness"),
    ('objectives = { order_index = "maximise" }', 'objectives.order_index = "maximise": must be "min" or "max"'),
    ("decisions = { one_window = { low = 0, high = 1 } }", "decisions.one_window is a switch: write values = [false, true]"),
    ("decisions = { window_staff_per_10k = { low = 0.1, high = 10.0 } }",
     "decisions.window_staff_per_10k: structure.window_staff_per_10k = 0.1: must be a number from 0.5 to 100.0"),
    ("decisions = { one_window = { values = [false, true], cots = { staff = 1 } } }",
     "unknown key 'decisions.one_window.cots'; did you mean 'cost'?; allowed: values, low, high, cost"),
    ("constraints = { staf = { at_most = 3.0 } }",
     "constraints: 'staf' is neither a metric of the model nor a cost of a decision; did you mean 'staff'?"),
    ("constraints = { staff = { at_most = 3.0, at_least = 1.0 } }",
     "constraints.staff = { at_most = 3.0, at_least = 1.0 }: give exactly one of at_most, at_least"),
    ("uncertain = { one_form = [false, true] }",
     "[uncertain] one_form: already in [decisions]; a lever is fixed, a decision or uncertain, not two of these"),
    ("algorithm = { population = 2, generations = 3 }", "algorithm.population = 2: input should be greater than or equal to 4"),
    ("uncertain = {}", "robustness.scenarios = 3: there are no [uncertain] levers to sample"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[b[0].split(" ")[0] + str(i) for i, b in enumerate(BAD)])
def test_bad_definitions_get_one_line_exit_2_and_nothing_written(tmp_path, change, message):
    path = small_search(tmp_path)
    text = path.read_text()
    key = change.split(" = ")[0]
    if f"\n[{key}]" in text:  # replace that table with the bad one
        start = text.index(f"\n[{key}]")
        end = text.find("\n[", start + 1)
        text = text[:start] + text[end if end != -1 else len(text):]
    path.write_text(f"{change}\n{text}")
    r = cli("search", path, "--out", tmp_path / "out")
    assert (r.exit_code, r.stderr) == (2, f"error: {path}: {message}\n")
    assert not (tmp_path / "out").exists()


def test_another_search_in_the_same_folder_is_refused(small, tmp_path):
    path, ref = small
    other = small_search(tmp_path, budget=6.0)
    files = all_run_files(ref)
    r = cli("search", other, "--out", ref)
    assert (r.exit_code, r.stderr) == (2, f"error: --out {ref}: holds results of search 'small' with different constraints; "
                                          "rerun its own definition to resume, or choose another --out\n")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    r = cli("search", other, "--out", tmp_path / "mine")
    assert r.exit_code == 2 and "holds no search manifest" in r.stderr
    assert all_run_files(ref) == files and os.listdir(tmp_path / "mine") == ["notes.txt"]


def test_a_search_file_runs_other_code_only_with_allow_code(tmp_path):
    from typer.testing import CliRunner

    from sandbox.cli import app

    path = tmp_path / "zdt1.toml"
    path.write_text(zdt1_definition(n=2, population=4, generations=1, seed=1))
    r = CliRunner().invoke(app, ["search", str(path), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2
    assert r.output.startswith(f'error: {path}: function = "discovery_functions:zdt1": not one of the sandbox\'s own run functions')
    assert "--allow-code" in r.output and not (tmp_path / "out").exists()
