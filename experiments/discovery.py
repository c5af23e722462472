"""Scenario discovery on a finished sweep: where in the lever space does the outcome of interest happen?

The data set is one row per design point (the replication mean), or for an effect one row per
pair of design points that differ only in the switched factor. Two views of it:
PRIM (EMA Workbench: a peeling trajectory of boxes, the chosen box's limits with quasi-p values
and resampling reproducibility) and a CART tree (scikit-learn: its leaves as rules).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sandbox.errors import InputError
from sandbox.experiments.labels import SCENARIO_COLUMN
from sandbox.experiments.runner import OK
from sandbox.experiments.store import Store, read_manifest
from sandbox.experiments.where import Where, check_metric, resolve_factor

SIGNIFICANT = 0.05                 # quasi-p below this: the restriction is unlikely to be chance


@dataclass
class Cases:
    """One row per design point (or pair): the varied levers, the outcome and whether it is a case."""

    sweep: Path
    manifest: dict[str, Any]
    where: Where
    X: pd.DataFrame
    outcome: np.ndarray
    y: np.ndarray
    points: list[int]               # the design point of each row (an effect: its treatment arm)
    notes: list[str] = field(default_factory=list)
    factor: tuple[str, Any, Any] | None = None  # an effect: (factor, reference value, treatment value)


@dataclass
class Settings:
    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    mass_min: float = 0.05
    min_coverage: float = 0.5
    step: int | None = None
    depth: int = 3
    seed: int = 0
    resamples: int = 10    # PRIM reruns on half the data, for the reproducibility check (0: skip)
    boxes: int = 2         # PRIM boxes sought one after another


def load_cases(root: Path, where: Where) -> Cases:
    """The data set of a sweep folder for one --where question; InputError when there is nothing to find."""
    root = Path(root)
    manifest = read_manifest(root) if root.is_dir() else None
    if manifest is None:
        raise InputError(f"{root}: no sweep results here (no manifest.json); give the folder `sandbox sweep` wrote")
    kind = manifest["design"]["kind"]
    if kind == "contrasts":
        raise InputError(f"{root}: a contrasts sweep has no lever space to search; discovery needs a grid, lhs, sobol "
                         "or morris sweep (see docs/discovery.md)")
    check_metric(where, manifest["metrics"])
    factors = manifest["design"]["factors"]
    if not factors:
        raise InputError(f"{root}: the sweep varies no factor; there is no lever space to search")
    values = _replication_values(root, manifest, where.metric)
    if where.is_effect:
        name, ref, treat = resolve_factor(where, factors)
        rows, outcome, points = _effects(manifest, values, name, ref, treat)
        others = [f for f in factors if f["name"] != name]
        if not others:
            raise InputError(f"--where \"{where.text}\": the sweep varies only '{name}'; no other lever is left to explain the effect")
        if not rows:
            raise InputError(f"--where \"{where.text}\": no two design points differ only in '{name}' "
                             f"({_show(ref)} → {_show(treat)}); an effect needs a grid over '{name}' and the other levers")
        factor = (name, ref, treat)
    else:
        others, factor = factors, None
        rows, outcome = manifest["points"], _nanmean(values)
        points = [p["point"] for p in rows]
    keep = ~np.isnan(outcome)
    rows, outcome, points = [r for r, k in zip(rows, keep) if k], outcome[keep], [p for p, k in zip(points, keep) if k]
    notes = []
    if not keep.all():
        unit = "pairs of design points" if where.is_effect else "design points"
        notes.append(f"{int(np.sum(~keep))} {unit} have no successful run and are left out.")
    if not points:
        raise InputError(f"{root}: no design point has a successful run for '{where.metric}'; nothing to discover")
    X = _lever_frame(rows, others)
    y = np.array([where.holds(v) for v in outcome], dtype=bool)
    if y.all() or not y.any():
        what = "every" if y.all() else "no"
        span = f"{np.min(outcome):.4g} … {np.max(outcome):.4g}"
        raise InputError(f"--where \"{where.text}\": holds at {what} design point ({where.metric}"
                         f"{' effect' if where.is_effect else ''} ranges {span}); discovery needs both cases and non-cases")
    return Cases(root, manifest, where, X, outcome, y, points, notes, factor)


def _replication_values(root: Path, manifest: dict[str, Any], metric: str) -> np.ndarray:
    """[point, replication] → the metric (NaN: failed or not run yet)."""
    out = np.full((len(manifest["points"]), manifest["replications"]), np.nan)
    table = Store(root).table(columns=["replication", "status", metric])
    if table is None:
        return out
    for p, r, s, v in zip(*(table.column(c).to_pylist() for c in ("point", "replication", "status", metric))):
        if s == OK and v is not None and p < out.shape[0] and r < out.shape[1]:
            out[p, r] = v
    return out


def _nanmean(values: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # points with no successful run
        return np.nanmean(values, axis=1)


def _value(point: dict[str, Any], name: str) -> Any:
    return point["scenario"] if name == "scenario" else point["values"][name]


def _effects(manifest, values, name, ref, treat) -> tuple[list[dict], np.ndarray, list[int]]:
    """Pairs of design points equal in every factor but `name`; the paired difference per replication."""
    others = [f["name"] for f in manifest["design"]["factors"] if f["name"] != name]
    key = lambda p: repr([_value(p, o) for o in others])  # noqa: E731
    arms: dict[str, dict[str, dict]] = {}
    for p in manifest["points"]:
        v = _value(p, name)
        if v in (ref, treat):
            arms.setdefault(key(p), {})["ref" if v == ref and type(v) is type(ref) else "treat"] = p
    rows, outcome, points = [], [], []
    for pair in arms.values():
        if "ref" in pair and "treat" in pair:
            diff = values[pair["treat"]["point"]] - values[pair["ref"]["point"]]
            rows.append(pair["treat"])
            outcome.append(np.nan if np.all(np.isnan(diff)) else float(np.nanmean(diff)))
            points.append(pair["treat"]["point"])
    return rows, np.array(outcome, dtype=float), points


def _lever_frame(rows: list[dict], factors: list[dict]) -> pd.DataFrame:
    """Ranged levers as numbers, listed switches and names as categories (PRIM peels those by value)."""
    data = {}
    for f in factors:
        col = SCENARIO_COLUMN if f["name"] == "scenario" else f["name"]
        vals = [_value(p, f["name"]) for p in rows]
        if "values" in f and not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in f["values"]):
            data[col] = pd.Series(vals, dtype=object)
        elif f.get("integer") or ("values" in f and all(isinstance(v, int) for v in f["values"])):
            data[col] = pd.Series(vals, dtype="int64")
        else:
            data[col] = pd.Series(vals, dtype="float64")
    return pd.DataFrame(data)


def _show(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


# -- PRIM -------------------------------------------------------------------------------------

@dataclass
class PrimResult:
    box: int                      # 1, 2, … in the order found
    trajectory: pd.DataFrame      # box, step, coverage, density, mass, mean, n, k, res_dim, restricted, chosen
    chosen: int
    limits: list[dict[str, Any]]  # one row per restricted lever of the chosen box
    in_box: np.ndarray            # the points this box claims (not already in an earlier box)


def quiet_ema():
    """EMA Workbench warns on import and on every Prim (ipyparallel, pandas 4 deprecations)."""
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    warnings.filterwarnings("ignore", category=ImportWarning, module=r"ema_workbench\..*")
    warnings.filterwarnings("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning), module=r"ema_workbench\..*")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"ema_workbench\..*")


def run_prim(X: pd.DataFrame, y: np.ndarray, s: Settings) -> list[PrimResult]:
    """Up to `s.boxes` PRIM boxes on (X, y), each sought among the points the earlier boxes left
    (EMA Workbench's covering approach, one fresh Prim per box so that its resampling check works
    on every box); in each, the step `choose_step` picks (`s.step` overrides it for the first box).
    Stops early when fewer cases are left than a box's least mass, or a box is no denser than the data."""
    base_rate = float(np.mean(y))
    out: list[PrimResult] = []
    taken = np.zeros(len(X), dtype=bool)
    full = None
    with warnings.catch_warnings():
        quiet_ema()
        from ema_workbench.analysis import prim

        # a box holds at least mass_min of all points: stop when fewer cases than that are left
        while len(out) < s.boxes and (y & ~taken).sum() >= max(1.0, s.mass_min * len(X)):
            rest = ~taken
            box = prim.Prim(X[rest].reset_index(drop=True), y[rest], peel_alpha=s.peel_alpha, paste_alpha=s.paste_alpha,
                            mass_min=min(0.5, s.mass_min * len(X) / int(rest.sum()))).find_box()
            if box is None:
                break
            full = box.box_lims[0] if full is None else full
            result = _box_result(X, box, len(out) + 1, s, taken, float(y[rest].sum() / y.sum()), full)
            if out and result.trajectory["density"].iloc[result.chosen] <= base_rate:
                break
            taken |= result.in_box
            out.append(result)
    if not out:
        raise InputError(f"PRIM found no box: too few cases of interest for --mass-min {s.mass_min:g}")
    return out


def _box_result(X: pd.DataFrame, box, number: int, s: Settings, taken: np.ndarray, share: float, full) -> PrimResult:
    """One box's trajectory and chosen limits; `share` of all cases were left for it, so its
    coverage (of what was left) is scaled back to a share of all cases."""
    traj = box.peeling_trajectory.reset_index(drop=True)
    steps = len(traj)
    restricted = [sorted(box.p_values[i]) for i in range(steps)]
    if number == 1 and s.step is not None:
        if not 0 <= s.step < steps:
            raise InputError(f"--step {s.step}: the first box's peeling trajectory has steps 0 … {steps - 1}")
        chosen = s.step
    else:
        chosen = choose_step(traj, s.min_coverage)
    reproduce = box.resample(chosen, iterations=s.resamples, rng=s.seed) if restricted[chosen] and s.resamples else pd.DataFrame()
    table = pd.DataFrame({
        "box": number, "step": np.arange(steps), "coverage": traj["coverage"].astype(float) * share,
        "density": traj["density"].astype(float), "mass": traj["mass"].astype(float) * float(np.sum(~taken)) / len(X),
        "mean": traj["mean"].astype(float), "n": traj["n"].astype("int64"), "k": traj["k"].astype("int64"),
        "res_dim": traj["res_dim"].astype("int64"), "restricted": [", ".join(r) for r in restricted],
        "chosen": np.arange(steps) == chosen})
    limits = [{"box": number, **row} for row in _limits(box.box_lims[chosen], full, box.p_values[chosen], reproduce)]
    return PrimResult(number, table, chosen, limits, _inside(X, box.box_lims[chosen]) & ~taken)


def choose_step(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The densest box that still covers `min_coverage` of the cases (of those it could cover); on a
    tie, the simpler (fewer restricted levers), then the earlier one."""
    ok = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    if ok.empty:
        return 0
    best = ok.assign(step=ok.index).sort_values(["density", "res_dim", "step"], ascending=[False, True, True], kind="stable")
    return int(best["step"].iloc[0])


def _limits(lims: pd.DataFrame, full: pd.DataFrame, qp: dict[str, list], reproduce: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for lever in sorted(qp):
        lo_qp, hi_qp = (None if q is None or q < 0 or (isinstance(q, float) and math.isnan(q)) else float(q) for q in qp[lever])
        row = {"lever": lever, "qp_low": lo_qp, "qp_high": hi_qp,
               "significant": all(q is None or q < SIGNIFICANT for q in (lo_qp, hi_qp)),
               "reproduce_coverage": _pct(reproduce, lever, "reproduce coverage"),
               "reproduce_density": _pct(reproduce, lever, "reproduce density")}
        box_v, full_v = lims[lever], full[lever]
        if isinstance(box_v.iloc[0], set):
            row.update(kind="values", low=None, high=None, full_low=None, full_high=None,
                       values=sorted(_show(v) for v in box_v.iloc[0]), full_values=sorted(_show(v) for v in full_v.iloc[0]))
        else:
            row.update(kind="range", low=float(box_v.iloc[0]), high=float(box_v.iloc[1]),
                       full_low=float(full_v.iloc[0]), full_high=float(full_v.iloc[1]), values=None, full_values=None)
        rows.append(row)
    return rows


def _pct(table: pd.DataFrame, lever: str, col: str) -> float | None:
    return float(table.loc[lever, col]) if lever in table.index else None


def _inside(X: pd.DataFrame, lims: pd.DataFrame) -> np.ndarray:
    ok = np.ones(len(X), dtype=bool)
    for col in lims.columns:
        lo, hi = lims[col].iloc[0], lims[col].iloc[1]
        if isinstance(lo, set):
            ok &= X[col].isin(lo).to_numpy()
        else:
            ok &= ((X[col] >= lo) & (X[col] <= hi)).to_numpy()
    return ok
