"""`sandbox analyze`: Sobol wiring on a function with known indices, exact statistics on functions
with known effects, the report, and the dataset read without our code (DuckDB, polars)."""

from __future__ import annotations

import math

import pyarrow.parquet as pq
import pytest
from conftest_sweep import FAULTY, cli, runs_table, write_def
from sweep_functions import ISHIGAMI_S1, ISHIGAMI_ST

from sandbox.experiments.analysis import analyse, verdict
from sandbox.experiments.plan import run_seed
from sandbox.stats import mean_ci

ISHIGAMI = """
    function = "sweep_functions:ishigami"
    seed = 3
    replications = 1
    metrics = ["y"]
    [parameters]
    x1 = { low = -3.141592653589793, high = 3.141592653589793 }
    x2 = { low = -3.141592653589793, high = 3.141592653589793 }
    x3 = { low = -3.141592653589793, high = 3.141592653589793 }
    [design]
    kind = "sobol"
    samples = 512
"""


@pytest.fixture(scope="module")
def ishigami(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ishigami")
    r = cli("sweep", write_def(tmp, "ishigami", ISHIGAMI), "--workers", "2", "--out", tmp / "out")
    assert r.exit_code == 0, r.output
    return tmp / "out"


def test_sobol_indices_of_ishigami_within_tolerance(ishigami):
    r = cli("analyze", ishigami)
    assert r.exit_code == 0, r.output
    rows = {row["parameter"]: row for row in pq.read_table(ishigami / "analysis" / "indices.parquet").to_pylist()}
    assert set(rows) == {"x1", "x2", "x3"}
    for name, row in rows.items():
        assert abs(row["S1"] - ISHIGAMI_S1[name]) < 0.1, (name, row)
        assert abs(row["ST"] - ISHIGAMI_ST[name]) < 0.1, (name, row)
        assert row["S1_low"] < row["S1"] < row["S1_high"] and row["ST_low"] < row["ST"] < row["ST_high"]
    # a wiring fault (points shuffled, wrong column) would rank the inputs differently
    assert rows["x2"]["S1"] > rows["x1"]["S1"] > rows["x3"]["S1"] and rows["x1"]["ST"] > rows["x3"]["ST"] > 0.1


def test_report_is_self_contained_html(ishigami):
    out = ishigami.parent / "ishigami.html"
    r = cli("analyze", ishigami, "--out", out)
    assert r.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Sobol indices" in html
    assert html.count('<img src="data:image/png;base64,') == 2  # index bars, metric vs parameter
    assert "http://" not in html and "https://" not in html


def test_dataset_reads_without_our_code(ishigami):
    duckdb = pytest.importorskip("duckdb")
    pl = pytest.importorskip("polars")
    glob = f"{ishigami}/runs/**/*.parquet"
    (n, points, ok), = duckdb.sql(f"SELECT count(*), count(DISTINCT point), count(*) FILTER (status = 'ok') "
                                  f"FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()
    assert (n, points, ok) == (2560, 2560, 2560)
    frame = pl.read_parquet(glob, hive_partitioning=True)
    assert frame.height == 2560 and {"point", "replication", "seed", "status", "x1", "y"} <= set(frame.columns)
    mine = runs_table(ishigami)
    assert sorted(frame["y"].to_list()) == sorted(mine["y"].to_pylist())


CONTRASTS = """
    base = "base"
    seed = 4
    replications = 4
    days = 10
    metrics = ["cadre_reporting_hours"]
    [fixed]
    residents = 300
    villages = 2
    [design]
    kind = "contrasts"
    [[contrasts]]
    name = "one_form"
    reference = "vertical_grid"
    treatment = "one_form_only"
    expect = { cadre_reporting_hours = "decrease" }
    at_most = { cadre_reporting_hours = 0.5 }
"""


def test_contrasts_are_paired_differences_by_replication(tmp_path):
    out = tmp_path / "out"
    assert cli("sweep", write_def(tmp_path, "c", CONTRASTS), "--workers", "2", "--out", out).exit_code == 0
    r = cli("analyze", out)
    assert r.exit_code == 0, r.output
    table = runs_table(out).to_pylist()
    ref = [row["cadre_reporting_hours"] for row in table if row["point"] == 0]
    treat = [row["cadre_reporting_hours"] for row in table if row["point"] == 1]
    diff = mean_ci([b - a for a, b in zip(ref, treat)])
    rows = pq.read_table(out / "analysis" / "contrasts.parquet").to_pylist()
    assert [(x["contrast"], x["metric"], x["expect"]) for x in rows] == [
        ("one_form", "cadre_reporting_hours", "decrease"), ("one_form", "cadre_reporting_hours", "treatment ≤ 0.5")]
    assert (rows[0]["difference"], rows[0]["ci_low"], rows[0]["ci_high"], rows[0]["pairs"]) == (*diff, 4)
    assert rows[0]["verdict"] == verdict("decrease", diff[1], diff[2], 0.05)
    t_mean, t_lo, t_hi = mean_ci(treat)
    assert (rows[1]["difference"], rows[1]["verdict"]) == (t_mean - 0.5, verdict("decrease", t_lo - 0.5, t_hi - 0.5, 0.0))
    assert "one_form" in r.stdout


def test_grid_main_effects_and_failures_are_exact(tmp_path):
    """faulty: y = x + (seed mod 1000)/1000, so the effect of x = v against x = 0 is exactly v."""
    text = FAULTY.replace("kill_at = 6", "kill_at = 99").replace("replications = 2", "replications = 3")
    out = tmp_path / "out"
    assert cli("sweep", write_def(tmp_path, "f", text), "--workers", "2", "--out", out).exit_code == 1
    r = cli("analyze", out)
    assert r.exit_code == 0, r.output
    assert "3 runs failed; their errors are listed below and in the dataset's error column." in r.stderr
    a = analyse(out)
    assert a.counts == {"planned": 24, "ok": 21, "failed": 3, "missing": 0}
    effects = {row["level"]: row for row in a.effects}
    for level in ("1", "2", "4", "5", "6", "7"):
        assert effects[level]["effect"] == pytest.approx(int(level), abs=1e-12)
        assert effects[level]["ci_high"] - effects[level]["ci_low"] == pytest.approx(0.0, abs=1e-9)
    assert math.isnan(effects["3"]["effect"])  # every run at x = 3 failed: no effect, not a guess
    seeds = [run_seed(5, 0, r) for r in range(3)]
    row = next(p for p in a.points if p["point"] == 2)
    assert (row["n"], row["mean"]) == (3, pytest.approx(mean_ci([2 + s % 1000 / 1000 for s in seeds])[0]))


def test_partial_sweep_is_analysed_and_says_what_is_missing(tmp_path):
    out = tmp_path / "out"
    path = write_def(tmp_path, "f", FAULTY.replace("kill_at = 6", "kill_at = 99").replace("raise_at = 3", "raise_at = 99"))
    assert cli("sweep", path, "--workers", "1", "--out", out).exit_code == 0
    for f in list(out.glob("runs/point=7/*.parquet")):
        f.unlink()
    a = analyse(out)
    assert a.counts == {"planned": 16, "ok": 14, "failed": 0, "missing": 2}
    assert a.notes == ["2 of 16 runs are not in the dataset yet: rerun `sandbox sweep` to complete it."]


@pytest.mark.parametrize("expect, lo, hi, want", [
    ("increase", 0.1, 0.3, "supported"), ("increase", -0.3, -0.1, "contradicted"), ("increase", -0.1, 0.3, "inconclusive"),
    ("decrease", -0.3, -0.1, "supported"), ("decrease", 0.1, 0.3, "contradicted"),
    ("similar", -0.04, 0.04, "supported"), ("similar", 0.06, 0.2, "contradicted"), ("similar", -0.01, 0.2, "inconclusive"),
    ("increase", -math.inf, math.inf, "inconclusive"),
])
def test_verdict_reads_the_confidence_interval(expect, lo, hi, want):
    assert verdict(expect, lo, hi, 0.05) == want


def test_analyze_refuses_a_folder_without_results(tmp_path):
    r = cli("analyze", tmp_path)
    assert (r.exit_code, r.stderr) == (2, f"error: {tmp_path}: no sweep results here (no manifest.json); "
                                          "give the folder `sandbox sweep` wrote\n")
    assert list(tmp_path.iterdir()) == []
