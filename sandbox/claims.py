"""The article's claims (scenarios/data/claims.toml) as contrasts, and the one evaluator of a
contrast: the paired difference's 95 % CI against what was expected.

A sweep definition with `claims = "claims"` runs them (experiments/definitions/article_claims.toml);
`sandbox analyze` and tests/test_claims.py judge them with `evaluate_contrast`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sandbox.errors import InputError
from sandbox.scenarios import DATA_DIR
from sandbox.stats import mean_ci, paired_diff_ci

SIMILAR = 0.05  # default tolerance of "similar"
DIRECTIONS = ("increase", "decrease", "similar", "not_lower")


@dataclass(frozen=True)
class Claim:
    id: str
    zh: str
    en: str
    reference: str
    treatment: str
    expect: dict[str, str]
    off: dict[str, Any]
    at_most: dict[str, float] = field(default_factory=dict)
    similar_within: float = SIMILAR
    off_en: str = ""
    off_zh: str = ""
    off_within: float = SIMILAR
    off_keeps: tuple[str, ...] = ()

    def contrasts(self) -> list[dict[str, Any]]:
        """The claim as stated, and with its mechanism off in both arms (`ID_off`), where every
        metric it moves must stay similar: [[contrasts]] tables of a sweep definition."""
        on = {"name": self.id, "claim": self.en, "claim_zh": self.zh, "reference": self.reference,
              "treatment": self.treatment, "expect": dict(self.expect), "at_most": dict(self.at_most),
              "similar_within": self.similar_within}
        moved = {m: "similar" for m, d in self.expect.items() if d != "similar" and m not in self.off_keeps}
        off = {"name": f"{self.id}_off", "claim": self.off_en, "claim_zh": self.off_zh, "reference": self.reference,
               "treatment": self.treatment, "set": dict(self.off), "expect": moved, "similar_within": self.off_within}
        return [on, off]


def claims(path: Path = DATA_DIR / "claims.toml") -> dict[str, Claim]:
    """Claims by id, in file order; InputError naming the file and claim when one is malformed."""
    from sandbox.scenario import read_toml_text

    _, data = read_toml_text(Path(path))
    out = {}
    for key, spec in data.items():
        if not isinstance(spec, dict):
            raise InputError(f"{path}: {key}: a claim is a table ([{key}])")
        try:
            spec = {**spec, "off_keeps": tuple(spec.get("off_keeps", ()))}
            for k in ("similar_within", "off_within"):
                if k in spec:
                    spec[k] = float(spec[k])
            claim = Claim(id=key, **spec)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{path}: [{key}]: {exc}") from None
        bad = [d for d in claim.expect.values() if d not in DIRECTIONS]
        if bad:
            raise InputError(f"{path}: [{key}] expect: \"{bad[0]}\": must be one of {', '.join(DIRECTIONS)}")
        out[key] = claim
    return out


def verdict(expect: str, lo: float, hi: float, tol: float) -> str:
    """'supported' when the 95 % CI lies wholly on the expected side (within ±tol for 'similar',
    above −tol for 'not_lower'), 'contradicted' when wholly on the other, else 'inconclusive'."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "inconclusive"
    if expect == "increase":
        return "supported" if lo > 0 else "contradicted" if hi < 0 else "inconclusive"
    if expect == "decrease":
        return "supported" if hi < 0 else "contradicted" if lo > 0 else "inconclusive"
    if expect == "not_lower":
        return "supported" if lo >= -tol else "contradicted" if hi < -tol else "inconclusive"
    return "supported" if -tol <= lo and hi <= tol else "contradicted" if lo > tol or hi < -tol else "inconclusive"


def evaluate_contrast(c: dict[str, Any], reference: dict[str, np.ndarray], treatment: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """One row per expected metric and per bound of contrast `c`, from each arm's values per
    replication (NaN: failed or missing), paired by replication."""
    rows = []
    tol = c.get("similar_within", SIMILAR)
    for m, expect in c["expect"].items():
        ref, treat = np.asarray(reference[m], float), np.asarray(treatment[m], float)
        d, lo, hi = paired_diff_ci(list(ref), list(treat))
        rm, tm = mean_ci(ref)[0], mean_ci(treat)[0]
        rows.append({"contrast": c["name"], "claim": c.get("claim", ""), "claim_zh": c.get("claim_zh", ""), "metric": m,
                     "expect": expect, "reference_mean": rm, "treatment_mean": tm, "difference": d,
                     "ci_low": lo, "ci_high": hi,
                     "relative": d / abs(rm) if math.isfinite(rm) and rm != 0 else math.nan,
                     "pairs": int(np.sum(~np.isnan(ref) & ~np.isnan(treat))), "verdict": verdict(expect, lo, hi, tol)})
    for m, bound in c.get("at_most", {}).items():
        treat = np.asarray(treatment[m], float)
        tm, tlo, thi = mean_ci(treat)
        # the treatment's CI against the bound
        rows.append({"contrast": c["name"], "claim": c.get("claim", ""), "claim_zh": c.get("claim_zh", ""), "metric": m,
                     "expect": f"treatment ≤ {bound:g}", "reference_mean": mean_ci(np.asarray(reference[m], float))[0],
                     "treatment_mean": tm, "difference": tm - bound, "ci_low": tlo - bound, "ci_high": thi - bound,
                     "relative": math.nan, "pairs": int(np.sum(~np.isnan(treat))),
                     "verdict": verdict("decrease", tlo - bound, thi - bound, 0.0)})
    return rows
