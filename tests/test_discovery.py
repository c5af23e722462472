"""Scenario discovery: PRIM and CART find a box we planted; `sandbox discover` on real sweep
folders (a metric threshold, a reform's effect); bad --where and bad folders get one message."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest_sweep import cli, write_def
from discovery_functions import PLANTED

from sandbox.experiments.cart import fit_tree
from sandbox.experiments.discovery import Settings, choose_step, run_prim

TOLERANCE = 0.03  # box limits recovered within 3 % of each lever's range (2,000 points)


@pytest.fixture(scope="module")
def planted():
    """2,000 uniform points in [0, 1]³ plus a switch; the cases are exactly the planted box."""
    rng = np.random.default_rng(20251130)
    n = 2000
    X = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 1, n), "c": rng.uniform(0, 1, n),
                      "d": pd.Series(rng.choice([False, True], n), dtype=object)})
    y = np.ones(n, dtype=bool)
    for k, (lo, hi) in PLANTED.items():
        y &= (X[k] >= lo).to_numpy() & (X[k] <= hi).to_numpy()
    return X, y


def test_prim_recovers_the_planted_box(planted):
    X, y = planted
    boxes = run_prim(X, y, Settings(min_coverage=0.8, resamples=4, boxes=3))
    assert len(boxes) == 1  # nothing is left for a second box: no case lies outside the first
    r = boxes[0]
    limits = {row["lever"]: row for row in r.limits}
    assert set(limits) == {"a", "b"}  # c and the switch d are left unrestricted
    assert abs(limits["a"]["low"] - 0.2) < TOLERANCE and abs(limits["a"]["high"] - 0.6) < TOLERANCE
    assert abs(limits["b"]["low"] - 0.5) < TOLERANCE and limits["b"]["qp_high"] is None  # b's upper side is the range's end
    assert all(q < 1e-10 for row in r.limits for q in (row["qp_low"], row["qp_high"]) if q is not None)
    assert all(row["significant"] for row in r.limits)
    chosen = r.trajectory.iloc[r.chosen]
    assert chosen["coverage"] >= 0.9 and chosen["density"] >= 0.95 and chosen["res_dim"] == 2
    assert r.trajectory["chosen"].sum() == 1 and bool(r.trajectory["chosen"].iloc[r.chosen])
    assert r.in_box.sum() == chosen["n"]


def test_choose_step_takes_the_densest_box_above_the_coverage_floor():
    t = pd.DataFrame({"coverage": [1.0, 0.9, 0.8, 0.6, 0.4], "density": [0.2, 0.5, 0.7, 0.7, 0.9], "res_dim": [0, 1, 2, 1, 3]})
    assert choose_step(t, 0.5) == 3   # density 0.7 at steps 2 and 3: the one with fewer restricted levers
    assert choose_step(t, 0.85) == 1
    assert choose_step(t, 0.3) == 4


def test_cart_recovers_the_planted_box(planted):
    X, y = planted
    tree = fit_tree(X, y, depth=3)
    case_leaves = [leaf for leaf in tree.leaves if leaf["predicts_case"]]
    assert len(case_leaves) == 1
    leaf = case_leaves[0]
    (a_lo, a_hi), (b_lo, b_hi) = leaf["bounds"]["a"], leaf["bounds"]["b"]
    assert abs(a_lo - 0.2) < TOLERANCE and abs(a_hi - 0.6) < TOLERANCE and abs(b_lo - 0.5) < TOLERANCE and b_hi is None
    assert set(leaf["bounds"]) == {"a", "b"}
    assert leaf["density"] == 1.0 and leaf["coverage"] == 1.0 and tree.accuracy == 1.0
    assert leaf["rule_en"] == f"{a_lo:.3g} < a ≤ {a_hi:.3g} and b > {b_lo:.3g}"


PLANTED_SWEEP = """
    function = "discovery_functions:planted_box"
    seed = 3
    replications = 1
    metrics = ["y", "inside"]
    [parameters]
    a = {{ low = 0.0, high = 1.0 }}
    b = {{ low = 0.0, high = 1.0 }}
    c = {{ low = 0.0, high = 1.0 }}
    d = [false, true]
    [design]
    kind = "lhs"
    samples = {samples}
"""

EFFECT_SWEEP = """
    function = "discovery_functions:planted_effect"
    seed = 4
    replications = 2
    metrics = ["y"]
    [parameters]
    arm = [false, true]
    a = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
    b = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
    c = [0.1, 0.5, 0.9]
    [design]
    kind = "grid"
"""


@pytest.fixture(scope="module")
def lhs_sweep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lhs")
    path = write_def(tmp, "planted", PLANTED_SWEEP, samples=500)
    r = cli("sweep", path, "--workers", "2", "--out", tmp / "sweep")
    assert r.exit_code == 0, r.output
    return tmp / "sweep"


@pytest.fixture(scope="module")
def effect_sweep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("effect")
    path = write_def(tmp, "effect", EFFECT_SWEEP)
    r = cli("sweep", path, "--workers", "2", "--out", tmp / "sweep")
    assert r.exit_code == 0, r.output
    return tmp / "sweep"


def test_discover_writes_tables_manifest_and_report(lhs_sweep):
    r = cli("discover", lhs_sweep, "--where", "inside > 0.5", "--resamples", "3")
    assert r.exit_code == 0, r.output
    out = lhs_sweep / "discovery-inside-gt-0.5"
    assert sorted(os.listdir(out)) == ["box_limits.parquet", "cases.parquet", "discovery.json", "report.html",
                                       "trajectory.parquet", "tree_leaves.parquet"]
    m = json.loads((out / "discovery.json").read_text())
    limits = {row["lever"]: row for row in m["boxes"][0]["limits"]}
    assert set(limits) == {"a", "b"}
    assert abs(limits["a"]["low"] - 0.2) < 0.05 and abs(limits["a"]["high"] - 0.6) < 0.05 and abs(limits["b"]["low"] - 0.5) < 0.05
    cases = pq.read_table(out / "cases.parquet").to_pandas()
    assert len(cases) == 500 and cases["case"].sum() == m["counts"]["cases"]
    sweep_rows = pq.read_table(lhs_sweep / "runs").to_pandas().set_index("point")
    assert (cases.set_index("point")["outcome"] == sweep_rows.loc[cases["point"], "inside"]).all()
    assert set(cases["d"]) == {"True", "False"}
    traj = pq.read_table(out / "trajectory.parquet").to_pandas()
    assert list(traj.columns) == ["box", "step", "coverage", "density", "mass", "mean", "n", "k", "res_dim", "restricted", "chosen"]
    first = traj[traj["box"] == 1]
    assert first["chosen"].sum() == 1 and int(first["step"][first["chosen"]].iloc[0]) == m["boxes"][0]["step"]
    in_box = cases[cases["box"] == 1]
    assert len(in_box) == first["n"][first["chosen"]].iloc[0]
    assert all(c["outcome"] > 0.5 and c["point"] in set(in_box["point"]) for c in m["boxes"][0]["cases_in_box"])
    html = (out / "report.html").read_text()
    for text in ("情景发现", "覆盖率—密度权衡", "CART 决策树", "data:image/png;base64,"):
        assert text in html
    assert r.stdout.startswith(f"{m['counts']['cases']} of 500 cases\nPRIM box 1 (step {m['boxes'][0]['step']}): coverage ")


def test_a_reform_that_backfires_in_a_box_is_found_by_its_effect(effect_sweep):
    r = cli("discover", effect_sweep, "--where", "effect(arm, y) > 0", "--resamples", "0", "--out", effect_sweep.parent / "d1")
    assert r.exit_code == 0, r.output
    m = json.loads((effect_sweep.parent / "d1" / "discovery.json").read_text())
    assert m["counts"] == {"rows": 300, "cases": 3 * 4 * 5, "design_points": 600}  # pairs; a ∈ {.25 … .55}, b ∈ {.55 … .95}
    assert m["where"]["effect"] == {"factor": "arm", "reference": False, "treatment": True}
    box = m["boxes"][0]
    limits = {row["lever"]: row for row in box["limits"]}
    assert set(limits) == {"a", "b"} and box["density"] == 1.0 and box["coverage"] == 1.0 and len(m["boxes"]) == 1
    # on the grid: the box holds exactly a ∈ {0.25 … 0.55} and b ∈ {0.55 … 0.95}
    assert 0.15 < limits["a"]["low"] <= 0.25 and 0.55 <= limits["a"]["high"] < 0.65 and 0.45 < limits["b"]["low"] <= 0.55
    # the same question from the other side: true → false lowers y by more than 0 ⇔ the reform raised it
    r = cli("discover", effect_sweep, "--where", "effect(arm: true -> false, y) < 0", "--resamples", "0", "--out",
            effect_sweep.parent / "d2")
    assert r.exit_code == 0, r.output
    other = json.loads((effect_sweep.parent / "d2" / "discovery.json").read_text())
    assert [b["limits"] for b in other["boxes"]] == [b["limits"] for b in m["boxes"]]


@pytest.mark.parametrize(("where", "message"), [
    ("inside", 'error: --where "inside": cannot read it; write "METRIC < NUMBER" (or <=, >, >=), '
               '"effect(FACTOR, METRIC) > NUMBER" or "effect(FACTOR: A -> B, METRIC) > NUMBER"'),
    ("inside >> 2", 'error: --where "inside >> 2": "inside >" is neither a metric name nor effect(FACTOR, METRIC); write '
                    '"METRIC < NUMBER" (or <=, >, >=), "effect(FACTOR, METRIC) > NUMBER" or "effect(FACTOR: A -> B, METRIC) > NUMBER"'),
    ("insid > 0.5", "error: --where \"insid > 0.5\": this sweep has no metric 'insid'; did you mean 'inside'?; it has: y, inside"),
    ("inside > 5", 'error: --where "inside > 5": holds at no design point (inside ranges 0 … 1); '
                   "discovery needs both cases and non-cases"),
    ("effect(a, y) > 0", "error: --where \"effect(a, y) > 0\": factor 'a' is ranged, not listed; an effect switches a listed factor: d"),
    ("effect(d: yes -> no, y) > 0", "error: --where \"effect(d: yes -> no, y) > 0\": 'yes' is not a value of factor 'd'; its values: false, true"),
    ("effect(d, y) > 0", "error: --where \"effect(d, y) > 0\": no two design points differ only in 'd' (false → true); "
                         "an effect needs a grid over 'd' and the other levers"),
])
def test_bad_where_gets_one_line_exit_2_and_nothing_written(lhs_sweep, where, message):
    before = sorted(p.name for p in lhs_sweep.iterdir())
    r = cli("discover", lhs_sweep, "--where", where)
    assert (r.exit_code, r.stderr) == (2, message + "\n")
    assert sorted(p.name for p in lhs_sweep.iterdir()) == before


def test_bad_folders_and_options_get_one_line_exit_2(lhs_sweep, tmp_path):
    r = cli("discover", tmp_path, "--where", "y > 1")
    assert (r.exit_code, r.stderr) == (2, f"error: {tmp_path}: no sweep results here (no manifest.json); give the folder `sandbox sweep` wrote\n")
    r = cli("discover", lhs_sweep, "--where", "inside > 0.5", "--min-coverage", "1.5")
    assert (r.exit_code, r.stderr) == (2, "error: --min-coverage 1.5: must be above 0 and at most 1\n")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep")
    r = cli("discover", lhs_sweep, "--where", "inside > 0.5", "--out", tmp_path / "taken")
    assert (r.exit_code, r.stderr) == (2, f"error: --out {tmp_path / 'taken'}: already exists and is not empty; choose another "
                                          "folder (results are never overwritten)\n")
    assert os.listdir(tmp_path / "taken") == ["mine.txt"]
