"""The article's seven claims, each reproduced by the mechanisms and removed by its switch:
the claims file run as a contrasts sweep on the experiments engine, judged by the one evaluator."""

import pandas as pd
import pytest
from conftest_sweep import cli, write_def

from sandbox.claims import claims, evaluate_contrast, verdict

CLAIMS_SWEEP = """
    base = "base"
    seed = 1
    replications = 12
    days = 120
    claims = "claims"
    [fixed]
    residents = 6000
    villages = 4
    [design]
    kind = "contrasts"
"""


def test_every_claim_holds_and_vanishes_when_its_mechanism_is_off(tmp_path):
    out = tmp_path / "claims"
    r = cli("sweep", write_def(tmp_path, "claims_small", CLAIMS_SWEEP), "--workers", "2", "--out", out, allow_code=False)
    assert r.exit_code == 0, r.output
    r = cli("analyze", out)
    assert r.exit_code == 0, r.output
    rows = pd.read_parquet(out / "analysis" / "contrasts.parquet")
    assert set(rows["contrast"]) == set(claims()) | {f"{k}_off" for k in claims()}
    failed = rows[rows["verdict"] != "supported"]
    assert failed.empty, failed[["contrast", "metric", "expect", "difference", "ci_low", "ci_high"]].to_string()


def test_every_design_claim_is_encoded():
    assert len(claims()) == 7
    for c in claims().values():
        assert c.zh and c.en and c.off and c.off_en and c.off_zh, c.id
        on, off = c.contrasts()
        assert on["expect"] == c.expect and off["set"] == c.off
        # with the mechanism off, everything the claim moves must stay put
        assert set(off["expect"]) == {m for m, d in c.expect.items() if d != "similar"} - set(c.off_keeps)


def test_the_evaluator_reads_the_paired_ci():
    assert verdict("decrease", -2.0, -1.0, 0.05) == "supported"
    assert verdict("decrease", 1.0, 2.0, 0.05) == "contradicted"
    assert verdict("increase", -1.0, 2.0, 0.05) == "inconclusive"
    assert verdict("similar", -0.04, 0.03, 0.05) == "supported"
    assert verdict("similar", 0.06, 0.2, 0.05) == "contradicted"
    c = {"name": "x", "expect": {"m": "increase"}, "at_most": {"m": 6.0}, "similar_within": 0.05}
    rows = evaluate_contrast(c, {"m": [1.0, 2.0, 3.0]}, {"m": [2.0, 3.1, 3.9]})
    assert [r["verdict"] for r in rows] == ["supported", "supported"]  # +1 paired; treatment mean 3 ± 2.4, under 6
    assert rows[0]["difference"] == pytest.approx(1.0)
