"""`sandbox calibrate`: bad targets files are refused, the same seed gives the same posterior on
any number of workers, and known levers are recovered from figures the model produced itself."""

import tomllib

import pandas as pd
import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.scenario import load_scenario

runner = CliRunner()

GOOD = """
base = "vertical_grid"
seed = 3
days = 30
[fixed]
residents = 1500
villages = 1
[parameters]
literacy_elderly = { low = 0.05, high = 0.8 }
[[targets]]
metric = "share_online_elderly"
value = 0.2
sd = 0.05
"""

BAD = {
    "unknown metric": (GOOD.replace('metric = "share_online_elderly"', 'metric = "share_onlin_elderly"'),
                       '{f}: targets[0]: metric = "share_onlin_elderly": unknown metric; did you mean \'share_online_elderly\'?'),
    "switch fitted": (GOOD.replace("literacy_elderly = { low = 0.05, high = 0.8 }", "one_window = { low = 0.0, high = 1.0 }"),
                      "{f}: [parameters]: one_window is a switch: only number levers can be fitted; put it in [fixed]"),
    "prior outside the lever's range": (GOOD.replace("high = 0.8", "high = 1.5"),
                                        "{f}: [parameters]: population.literacy_elderly = 1.5: must be a number from 0.0 to 1.0"),
    "empty prior": (GOOD.replace("low = 0.05, high = 0.8", "low = 0.8, high = 0.05"),
                    "{f}: [parameters]: literacy_elderly = {{'low': 0.8, 'high': 0.05}}: a prior is {{low = ..., high = ...}} with low < high"),
    "unknown scenario": (GOOD.replace('base = "vertical_grid"', 'base = "vertical_gird"'),
                         "{f}: scenario 'vertical_gird' not found; did you mean 'vertical_grid'?"),
    "zero uncertainty": (GOOD.replace("sd = 0.05", "sd = 0.0"), "{f}: targets[0].sd = 0.0: input should be greater than 0"),
    "no targets": (GOOD[:GOOD.index("[[targets]]")], "{f}: missing key 'targets'"),
    "unknown key": (GOOD.replace("days = 30", "dayz = 30"), "{f}: unknown key 'dayz'"),
    "bad toml": (GOOD + "\n[[targets]\n", "{f}: invalid TOML: "),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_targets_files_get_one_message_and_write_nothing(tmp_path, case):
    text, message = BAD[case]
    f = tmp_path / "targets.toml"
    f.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = runner.invoke(app, ["calibrate", str(f), "--out", str(out)])
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert lines[0].startswith("error: " + message.format(f=f)), r.output
    assert "Traceback" not in r.output
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["targets.toml"]


def _tiny(tmp_path):
    f = tmp_path / "tiny.toml"
    f.write_text(GOOD + "[abc]\npopulation = 6\ngenerations = 2\ncheck_replications = 2\n", encoding="utf-8")
    return f


def test_same_seed_same_posterior_on_one_or_two_workers(tmp_path):
    f = _tiny(tmp_path)
    tables = []
    for w in (1, 2):
        r = runner.invoke(app, ["calibrate", str(f), "--workers", str(w), "--out", str(tmp_path / f"w{w}")])
        assert r.exit_code == 0, r.output
        tables.append(pd.read_parquet(tmp_path / f"w{w}" / "posterior.parquet"))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    assert tables[0]["weight"].sum() == pytest.approx(1.0)
    fitted = tmp_path / "w1" / "fitted.toml"
    assert load_scenario(fitted).population.literacy_elderly == pytest.approx(
        float((tables[0]["population.literacy_elderly"] * tables[0]["weight"]).sum()), abs=1e-3)


@pytest.mark.slow
def test_recovers_known_levers_within_the_posterior_90_percent_interval(tmp_path):
    out = tmp_path / "cal"
    r = runner.invoke(app, ["calibrate", "synthetic_check", "--workers", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    levers = pd.read_parquet(out / "levers.parquet").set_index("lever")
    truth = {"population.literacy_elderly": 0.35, "structure.redirect_prob": 0.45}
    for lever, value in truth.items():
        assert levers.loc[lever, "q05"] <= value <= levers.loc[lever, "q95"], (lever, levers.loc[lever].to_dict())
    fit = pd.read_parquet(out / "fit.parquet")
    assert fit["inside"].all() and set(fit["kind"]) == {"target"}
    assert tomllib.loads((out / "fitted.toml").read_text())["extends"] == "vertical_grid"
    assert "Fitted levers" in (out / "report.html").read_text()
