"""`sandbox run` / `compare` / `list` / `validate` with county scenarios: the tables, the report,
and the parameters that reproduce a run."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
from test_county_model import SMALL
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.county_run import simulate_county

runner = CliRunner()
TABLES = ["adoption", "county_yearly", "daily", "episodes", "leaders", "quarterly", "summary", "transitions", "yearly"]


def test_county_run_writes_every_table_the_report_and_reproducible_params(tmp_path):
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", SMALL, "--seed", "4", "--out", str(out)], terminal_width=200)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.parquet" for t in TABLES] + ["params.json", "report.html"])
    quarterly = pd.read_parquet(out / "quarterly.parquet")
    assert len(quarterly) == 4 * 8 and set(quarterly["township"]) == {"chengguan", "qingshan", "hexi", "dongtan"}
    daily = pd.read_parquet(out / "daily.parquet")
    assert len(daily) == 4 * 501 and daily["day"].max() == 500
    adoption = pd.read_parquet(out / "adoption.parquet")
    assert set(adoption["reform"]) == {"one_window", "one_form", "co_creation", "fengqiao", "assisted_service"}
    meta = json.loads((out / "params.json").read_text())
    assert meta["seed"] == 4 and meta["params"]["levers"]["horizon.years"] == 2
    assert meta["params"]["townships"]["hexi"]["params"]["governance.local_mediation"] is False
    again = simulate_county(SMALL, seed=meta["seed"])
    assert again.tables["transitions"].equals(pq.read_table(out / "transitions.parquet"))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<img src='data:image/png;base64,") == 5  # adoption curves, stage heat map, trips heat map, years, leaders
    assert "http://" not in html and "https://" not in html
    assert "倡导者离任两年后仍在实施的比例" in html and "Share still in force two years after the champion left" in html
    assert "县里指定为试点" in html  # a stage change and its reason, in Chinese


def test_county_compare_pairs_seeds_and_reports_differences(tmp_path):
    other = tmp_path / "cheap.toml"
    other.write_text(f'extends = "{SMALL[:-5].rsplit("/", 1)[1]}"\n[reforms.one_form]\nmoney = 0.0\nstaff = 0.0\n', encoding="utf-8")
    (tmp_path / "county_small.toml").write_text(open(SMALL, encoding="utf-8").read(), encoding="utf-8")
    out = tmp_path / "cmp"
    r = runner.invoke(app, ["compare", str(tmp_path / "county_small.toml"), str(other), "-r", "2", "--years", "1",
                            "--set", "leaders.tenure_min_years=1", "--workers", "2", "--out", str(out)], terminal_width=200)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.parquet" for t in TABLES] + ["stats.parquet", "params.json", "report.html"])
    summary = pd.read_parquet(out / "summary.parquet")
    assert sorted(summary["scenario"]) == ["cheap", "cheap", "county_small", "county_small"]
    assert sorted(summary["seed"].unique()) == [1, 2]
    stats = pd.read_parquet(out / "stats.parquet")
    row = stats[(stats.scenario == "cheap") & (stats.metric == "in_force_share_one_form")].iloc[0]
    assert {"mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"} <= set(row.index)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "County comparison" in html and html.count("<img src='data:image/png;base64,") >= 4


def test_list_and_validate_know_county_scenarios(tmp_path):
    r = runner.invoke(app, ["list"], terminal_width=250)
    assert r.exit_code == 0
    assert "showcase_stays" in r.output and "盆景" in r.output and "dies_with_rotation" in r.output
    r = runner.invoke(app, ["validate", "pilot_spreads", SMALL, "vertical_grid"], terminal_width=250)
    assert r.exit_code == 0, r.output
    assert "ok: pilot_spreads (8 townships, 5 years)" in r.output and "ok: vertical_grid" in r.output


def test_residents_get_the_calibrated_base_village_size_on_the_command_line_as_in_lessons():
    """`--residents 2500` gave one village of 2,500 (a rule of its own, 1,700 per village) where a
    lesson and the dashboard give two: the base's 20,000 residents in 12 villages."""
    from sandbox.county_cli import county_overrides
    from sandbox.replicates import villages_for

    assert villages_for(2500) == 2
    assert county_overrides(2500, None) == {"township.residents": 2500, "township.villages": 2}
    assert county_overrides(20_000, ["township.villages=5"])["township.villages"] == 5  # --set has the last word
