"""From a results folder to statistics: replication means with 95 % CIs per design point, grid
main effects, paired contrasts, and Sobol (S1, ST) or Morris (μ*, σ) indices via SALib.

Analysis reads only the manifest and the Parquet dataset, so it works on a partial sweep and
says what is missing instead of guessing.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sandbox.claims import evaluate_contrast, verdict  # noqa: F401  (verdict: the one evaluator, re-exported)
from sandbox.errors import InputError
from sandbox.experiments.runner import FAILED, OK
from sandbox.experiments.store import FORMAT, Store, read_manifest
from sandbox.scenario import scenario_label
from sandbox.stats import mean_ci


@dataclass
class Analysis:
    root: Path
    manifest: dict[str, Any]
    values: dict[str, np.ndarray]           # metric → [point, replication] (NaN: failed or missing)
    failures: list[dict[str, Any]]
    points: list[dict[str, Any]] = field(default_factory=list)
    effects: list[dict[str, Any]] = field(default_factory=list)
    contrasts: list[dict[str, Any]] = field(default_factory=list)
    indices: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.manifest["design"]["kind"]

    @property
    def metrics(self) -> list[str]:
        return self.manifest["metrics"]

    def factor_values(self, name: str) -> list[Any]:
        """The value of a factor at every design point, as listed in the definition (a scenario
        factor may list names or file paths; a point records the scenario's name)."""
        if name == "scenario":
            listed = next(f["values"] for f in self.manifest["design"]["factors"] if f["name"] == "scenario")
            as_listed = {scenario_label(v): v for v in listed}
            return [as_listed.get(p["scenario"], p["scenario"]) for p in self.manifest["points"]]
        return [p["values"][name] for p in self.manifest["points"]]

    def tables(self) -> dict[str, pa.Table]:
        out = {"points": self.points, "effects": self.effects, "contrasts": self.contrasts, "indices": self.indices}
        return {k: pa.Table.from_pylist(v) for k, v in out.items() if v}


def analyse(root: Path) -> Analysis:
    root = Path(root)
    try:
        manifest = read_manifest(root) if root.is_dir() else None
    except OSError as exc:
        raise InputError(f"{root}: cannot read: {exc.strerror or exc}") from None
    if manifest is None:
        raise InputError(f"{root}: no sweep results here (no manifest.json); give the folder `sandbox sweep` wrote")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"{root}/manifest.json: not a manifest written by `sandbox sweep` (format {FORMAT})")
    table = Store(root).table()
    n_points, reps = len(manifest["points"]), manifest["replications"]
    values = {m: np.full((n_points, reps), np.nan) for m in manifest["metrics"]}
    failures = []
    ok = failed = 0
    if table is not None:
        rows = table.to_pylist()
        for row in rows:
            p, r = row["point"], row["replication"]
            if p >= n_points or r >= reps:
                continue
            if row["status"] == OK:
                ok += 1
                for m in values:
                    values[m][p, r] = np.nan if row[m] is None else row[m]
            elif row["status"] == FAILED:
                failed += 1
                failures.append({"point": p, "replication": r, "seed": row["seed"], "error": row["error"]})
    a = Analysis(root, manifest, values, failures)
    a.counts = {"planned": n_points * reps, "ok": ok, "failed": failed, "missing": n_points * reps - ok - failed}
    if a.counts["missing"]:
        a.notes.append(f"{a.counts['missing']} of {a.counts['planned']} runs are not in the dataset yet: rerun `sandbox sweep` to complete it.")
    if failed:
        a.notes.append(f"{failed} runs failed; their errors are listed below and in the dataset's error column.")
    a.points = _point_stats(a)
    if a.kind == "grid":
        a.effects = _main_effects(a)
    elif a.kind == "contrasts":
        a.contrasts = _contrasts(a)
    elif a.kind in ("sobol", "morris"):
        a.indices = _indices(a)
    elif a.kind == "lhs":
        a.indices = _rank_correlations(a)
    return a


def _point_stats(a: Analysis) -> list[dict[str, Any]]:
    rows = []
    for p in a.manifest["points"]:
        for m, mat in a.values.items():
            mean, lo, hi = mean_ci(mat[p["point"]])
            n = int(np.sum(~np.isnan(mat[p["point"]])))
            rows.append({"point": p["point"], "scenario": p["scenario"], **p["values"], "metric": m,
                         "n": n, "mean": mean, "ci_low": lo, "ci_high": hi})
    return rows


def _main_effects(a: Analysis) -> list[dict[str, Any]]:
    """Effect of each level against the factor's first level, averaged over the other factors'
    settings and paired by replication (same seeds under common random numbers)."""
    rows = []
    factors = [f["name"] for f in a.manifest["design"]["factors"]]
    for name in factors:
        at = a.factor_values(name)
        others = [tuple(a.factor_values(o)[i] for o in factors if o != name) for i in range(len(at))]
        levels = list(dict.fromkeys(at))
        by_other = defaultdict(dict)
        for i, (v, o) in enumerate(zip(at, others)):
            by_other[_key(o)][_key(v)] = i
        ref = levels[0]
        for level in levels[1:]:
            pairs = [(d[_key(ref)], d[_key(level)]) for d in by_other.values() if _key(ref) in d and _key(level) in d]
            if not pairs:
                continue
            for m, mat in a.values.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN replications
                    diffs = np.nanmean(np.array([mat[j] - mat[i] for i, j in pairs]), axis=0)
                d, lo, hi = mean_ci(diffs)
                rows.append({"parameter": name, "level": str(level), "reference": str(ref), "metric": m,
                             "effect": d, "ci_low": lo, "ci_high": hi, "pairs": len(pairs)})
    return rows


def _key(v: Any) -> str:
    return repr(v)


def _contrasts(a: Analysis) -> list[dict[str, Any]]:
    """Every contrast judged by the one evaluator (sandbox.claims.evaluate_contrast)."""
    rows = []
    for c in a.manifest["contrasts"]:
        ref = {m: a.values[m][c["reference"]] for m in a.values}
        treat = {m: a.values[m][c["treatment"]] for m in a.values}
        rows += evaluate_contrast(c, ref, treat)
    return rows


def _point_means(a: Analysis, m: str) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a.values[m], axis=1)


def _indices(a: Analysis) -> list[dict[str, Any]]:
    from sandbox.experiments.design import salib

    sobol = salib("analyze", "sobol", a.kind) if a.kind == "sobol" else None
    morris = salib("analyze", "morris", a.kind) if a.kind == "morris" else None
    design = a.manifest["design"]
    problem, X = design["problem"], np.array(design["X"])
    rows = []
    for m in a.metrics:
        Y = _point_means(a, m)
        if np.isnan(Y).any():
            a.notes.append(f"{m}: {int(np.isnan(Y).sum())} design points have no successful run; "
                           f"{a.kind} indices need every point.")
            continue
        if np.ptp(Y) == 0:
            a.notes.append(f"{m}: constant across the design ({Y[0]:.4g}); no indices.")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if a.kind == "sobol":
                res = sobol.analyze(problem, Y, calc_second_order=design["second_order"], conf_level=0.95,
                                    seed=a.manifest["seed"])
                for i, name in enumerate(problem["names"]):
                    rows.append({"metric": m, "parameter": name,
                                 "S1": res["S1"][i], "S1_low": res["S1"][i] - res["S1_conf"][i], "S1_high": res["S1"][i] + res["S1_conf"][i],
                                 "ST": res["ST"][i], "ST_low": res["ST"][i] - res["ST_conf"][i], "ST_high": res["ST"][i] + res["ST_conf"][i]})
            else:
                res = morris.analyze(problem, X, Y, conf_level=0.95, num_levels=design["levels"] or 4, seed=a.manifest["seed"])
                for i, name in enumerate(problem["names"]):
                    rows.append({"metric": m, "parameter": name, "mu_star": float(res["mu_star"][i]),
                                 "mu_star_conf": float(res["mu_star_conf"][i]), "mu": float(res["mu"][i]),
                                 "sigma": float(res["sigma"][i])})
    return rows


def _rank_correlations(a: Analysis) -> list[dict[str, Any]]:
    """Spearman rank correlation of each metric with each parameter over the hypercube."""
    from scipy.stats import spearmanr

    rows = []
    for m in a.metrics:
        Y = _point_means(a, m)
        for f in a.manifest["design"]["factors"]:
            x = np.array(a.factor_values(f["name"]), dtype=float) if "low" in f else \
                np.array([f["values"].index(v) for v in a.factor_values(f["name"])], dtype=float)
            ok = ~np.isnan(Y)
            rho = spearmanr(x[ok], Y[ok]).statistic if ok.sum() > 2 and np.ptp(Y[ok]) > 0 else math.nan
            rows.append({"metric": m, "parameter": f["name"], "spearman": float(rho)})
    return rows
