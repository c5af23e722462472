"""The `sandbox` command end to end: outputs a user can reopen and reproduce."""

import json

import pandas as pd
import pyarrow.parquet as pq
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.run import simulate
from sandbox.scenario import build_scenario

runner = CliRunner()


def test_run_writes_reproducible_outputs(tmp_path):
    out = tmp_path / "run1"
    r = runner.invoke(app, ["run", "integrated_grid", "--days", "20", "--residents", "1500", "--seed", "5",
                            "--set", "structure.leftover_station_share=0.2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["daily.parquet", "params.json", "summary.parquet"]
    daily = pd.read_parquet(out / "daily.parquet")
    assert list(daily["day"]) == list(range(21))
    meta = json.loads((out / "params.json").read_text())
    assert meta["seed"] == 5 and meta["params"]["structure.leftover_station_share"] == 0.2
    # the recorded parameters reproduce the run exactly
    params = {k: v for k, v in meta["params"].items()}
    again = simulate(build_scenario("base", **params), seed=meta["seed"], days=meta["days"])
    assert again.daily.equals(pq.read_table(out / "daily.parquet"))


def test_compare_writes_tables_and_self_contained_report(tmp_path):
    out = tmp_path / "cmp"
    r = runner.invoke(app, ["compare", "vertical_grid", "integrated_grid", "-r", "3", "--days", "30",
                            "--residents", "2000", "--workers", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["daily.parquet", "params.json", "report.html", "stats.parquet", "summary.parquet"]
    schema = pq.read_schema(out / "summary.parquet")
    assert all(str(f.type) == "double" for f in schema if f.name not in ("scenario", "seed"))  # nulls stay typed
    summary = pd.read_parquet(out / "summary.parquet")
    assert sorted(summary["scenario"].unique()) == ["integrated_grid", "vertical_grid"]
    assert sorted(summary["seed"].unique()) == [1, 2, 3]  # the same seeds for both scenarios
    stats = pd.read_parquet(out / "stats.parquet")
    row = stats[(stats.scenario == "integrated_grid") & (stats.metric == "cadre_reporting_hours")].iloc[0]
    assert row["diff_high"] < 0  # 一张表 in the integrated township: less reporting, CI excludes zero
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('<img src="data:image/png;base64,') == 4
    assert "http://" not in html and "https://" not in html  # nothing fetched from outside
    assert "每件事跑腿次数" in html and "Trips per matter" in html


def test_compare_rejects_repeated_scenario(tmp_path):
    r = runner.invoke(app, ["compare", "base", "base", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2
    assert "each scenario may appear once" in r.output
    assert not (tmp_path / "x").exists()


def test_list_shows_every_scenario_in_both_languages():
    r = runner.invoke(app, ["list"], terminal_width=250)
    assert r.exit_code == 0
    assert "integrated_cocreation" in r.output and "共同缔造" in r.output and "co-creation" in r.output
