"""Sweep definitions vary county levers through the county's run function; a bad lever is caught
before anything runs."""

from __future__ import annotations

from conftest_sweep import cli, runs_table, write_def
from test_county_model import SMALL

COUNTY_SWEEP = """
    function = "sandbox.county_run:county_summary"
    seed = 3
    replications = 1
    metrics = ["in_force_share_one_form", "survival_after_champion", "cadre_reporting_hours_last_year"]
    [fixed]
    county = "{county}"
    years = 1
    "leaders.tenure_min_years" = 1
    [parameters]
    "reforms.one_form.money" = {values}
    [design]
    kind = "grid"
"""


def test_a_sweep_varies_county_levers(tmp_path):
    path = write_def(tmp_path, "county", COUNTY_SWEEP, county=SMALL, values="[2.0, 30.0]")
    r = cli("sweep", path, "--workers", "2", "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    rows = sorted(runs_table(tmp_path / "out").to_pylist(), key=lambda row: row["point"])
    assert [row["reforms.one_form.money"] for row in rows] == [2.0, 30.0]
    assert {row["status"] for row in rows} == {"ok"}
    assert all(0.0 <= row["in_force_share_one_form"] <= 1.0 and row["cadre_reporting_hours_last_year"] > 0 for row in rows)


def test_a_county_lever_out_of_range_stops_the_sweep_before_it_runs(tmp_path):
    path = write_def(tmp_path, "bad", COUNTY_SWEEP.replace('"reforms.one_form.money"', '"decay.institution_protection"'),
                     county=SMALL, values="[0.5, 1.5]")
    r = cli("sweep", path, "--workers", "2", "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert f"{path}: design point 1 (decay.institution_protection=1.5): {SMALL} (with overrides): " \
           "decay.institution_protection = 1.5: must be a number from 0.0 to 1.0" in r.output
    assert not (tmp_path / "out").exists()
