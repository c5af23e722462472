"""A discovery's outputs: Parquet tables, discovery.json (what the dashboard opens) and report.html
with the coverage-density trade-off, the chosen box's limits and the CART tree."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sandbox.experiments.cart import TreeResult
from sandbox.experiments.discovery import SIGNIFICANT, Cases, PrimResult, Settings
from sandbox.experiments.labels import both, lever_label, metric_label
from sandbox.experiments.pages import bilingual, figure_style, plot_label, render
from sandbox.outputs import write_json, write_parquet, write_text
from sandbox.report import png

FORMAT = "grassroots-sandbox-discovery/1"
CASES_TO_LOAD = 5  # design points inside the box offered to the dashboard


def write(out: Path, cases: Cases, boxes: list[PrimResult], tree: TreeResult, s: Settings) -> dict[str, Any]:
    """Every output into `out` (a fresh folder); returns the manifest."""
    lever_cols = list(cases.X.columns)
    for b in boxes:
        for r in b.limits:
            r["label_zh"], r["label_en"] = lever_label(r["lever"], "zh"), lever_label(r["lever"], "en")
    trajectory = pd.concat([b.trajectory for b in boxes], ignore_index=True)
    write_parquet(pa.Table.from_pandas(trajectory, preserve_index=False), out / "trajectory.parquet")
    write_parquet(_limits_table([r for b in boxes for r in b.limits]), out / "box_limits.parquet")
    leaves = [{**{k: v for k, v in leaf.items() if k != "bounds"}, "bounds": json.dumps(leaf["bounds"])} for leaf in tree.leaves]
    write_parquet(pa.Table.from_pylist(leaves), out / "tree_leaves.parquet")
    leaf_of = tree.model.apply(_encoded(tree, cases))
    data = cases.X.copy()
    for c in data.columns:
        if data[c].dtype == object:
            data[c] = data[c].map(str)
    data.insert(0, "point", cases.points)
    box_of = np.zeros(len(cases.y), dtype="int64")
    for b in boxes:
        box_of[b.in_box] = b.box
    data["outcome"], data["case"], data["box"], data["leaf"] = cases.outcome, cases.y, box_of, leaf_of.astype("int64")
    write_parquet(pa.Table.from_pandas(data, preserve_index=False), out / "cases.parquet")
    manifest = _manifest(cases, boxes, tree, s, lever_cols)
    write_json(manifest, out / "discovery.json")
    write_text(_html(manifest, cases, boxes, tree), out / "report.html")
    return manifest


def _encoded(tree: TreeResult, cases: Cases) -> np.ndarray:
    from sandbox.experiments.cart import encode

    return encode(cases.X)[0][tree.features].to_numpy()


def _limits_table(rows: list[dict[str, Any]]) -> pa.Table:
    schema = pa.schema([("box", pa.int64()), ("lever", pa.string()), ("label_zh", pa.string()), ("label_en", pa.string()), ("kind", pa.string()),
                        ("low", pa.float64()), ("high", pa.float64()), ("full_low", pa.float64()), ("full_high", pa.float64()),
                        ("values", pa.list_(pa.string())), ("full_values", pa.list_(pa.string())),
                        ("qp_low", pa.float64()), ("qp_high", pa.float64()), ("significant", pa.bool_()),
                        ("reproduce_coverage", pa.float64()), ("reproduce_density", pa.float64())])
    return pa.Table.from_pylist(rows, schema=schema)


def _manifest(cases: Cases, boxes: list[PrimResult], tree: TreeResult, s: Settings, levers: list[str]) -> dict[str, Any]:
    m = cases.manifest
    w = cases.where
    return {
        "format": FORMAT,
        "sweep": str(cases.sweep.resolve()),
        "experiment": m["experiment"],
        "where": {"text": w.text, "metric": w.metric, "op": w.op, "threshold": w.threshold,
                  "effect": None if cases.factor is None else {"factor": cases.factor[0], "reference": cases.factor[1],
                                                               "treatment": cases.factor[2]}},
        "settings": {"peel_alpha": s.peel_alpha, "paste_alpha": s.paste_alpha, "mass_min": s.mass_min,
                     "min_coverage": s.min_coverage, "step": s.step, "boxes": s.boxes, "depth": s.depth,
                     "significance": SIGNIFICANT, "resamples": s.resamples, "resamples_seed": s.seed},
        "counts": {"rows": len(cases.y), "cases": int(cases.y.sum()), "design_points": len(m["points"])},
        "levers": levers,
        "boxes": [_box(cases, b) for b in boxes],
        "tree": {"depth": s.depth, "accuracy": tree.accuracy, "case_leaves": [leaf for leaf in tree.leaves if leaf["predicts_case"]]},
        "notes": cases.notes,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _box(cases: Cases, b: PrimResult) -> dict[str, Any]:
    chosen = b.trajectory.iloc[b.chosen]
    return {"box": b.box, "step": b.chosen, "coverage": float(chosen["coverage"]), "density": float(chosen["density"]),
            "mass": float(chosen["mass"]), "restricted": int(chosen["res_dim"]), "limits": b.limits,
            "significant": all(r["significant"] for r in b.limits), "cases_in_box": _cases_to_load(cases, b)}


def _cases_to_load(cases: Cases, prim: PrimResult) -> list[dict[str, Any]]:
    """Design points inside the box where the outcome happens, nearest the box's centre first: a
    policy designer can open one in the dashboard and watch it fail."""
    idx = np.flatnonzero(prim.in_box & cases.y)
    ranged = [r for r in prim.limits if r["kind"] == "range" and r["high"] > r["low"]]

    def distance(i: int) -> float:
        return sum(((cases.X[r["lever"]].iloc[i] - (r["low"] + r["high"]) / 2) / (r["high"] - r["low"])) ** 2 for r in ranged)

    points = {p["point"]: p for p in cases.manifest["points"]}
    out = []
    for i in sorted(idx, key=lambda i: (distance(i), cases.points[i]))[:CASES_TO_LOAD]:
        p = points[cases.points[i]]
        out.append({"point": p["point"], "scenario": p["scenario"], "values": p["values"], "outcome": float(cases.outcome[i])})
    return out


# -- the report -------------------------------------------------------------------------------------

def _html(manifest: dict[str, Any], cases: Cases, boxes: list[PrimResult], tree: TreeResult) -> str:
    w = cases.where
    with figure_style():
        plots = {"tradeoff": plot_tradeoff(boxes), "limits": [plot_limits(b) for b in boxes], "tree": plot_tree(tree)}
    trajectory = pd.concat([b.trajectory for b in boxes], ignore_index=True).to_dict("records")
    return render("discovery.html.j2", m=manifest, question_metric=both(metric_label)(w.metric), plots=plots,
                  trajectory=trajectory, leaves=tree.leaves, tree_text=tree.text, lever=both(lever_label),
                  effect_text=_effect_text(cases))


def _effect_text(cases: Cases) -> str | None:
    if cases.factor is None:
        return None
    name, ref, treat = cases.factor
    show = lambda v: ("true" if v else "false") if isinstance(v, bool) else str(v)  # noqa: E731
    return f"{both(lever_label)(name)}: {show(ref)} → {show(treat)}"


def plot_tradeoff(boxes: list[PrimResult]) -> str:
    """Coverage against density along each box's peeling trajectory, coloured by restricted levers."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    top = max(int(b.trajectory["res_dim"].max()) for b in boxes)
    for b, marker in zip(boxes, "os^Dv"):
        t = b.trajectory
        sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", vmin=0, vmax=max(1, top), s=28,
                        marker=marker, zorder=3, label=bilingual(f"盒子 {b.box}", f"box {b.box}"))
        ax.plot(t["coverage"], t["density"], color="#999", lw=0.8, zorder=2)
        c = t.iloc[b.chosen]
        ax.scatter([c["coverage"]], [c["density"]], s=220, facecolors="none", edgecolors="#c0392b", lw=2, zorder=4)
        ax.annotate(f"{b.box}: step {b.chosen}", (c["coverage"], c["density"]), textcoords="offset points", xytext=(10, -14),
                    color="#c0392b")
    fig.colorbar(sc, ax=ax, label=bilingual("受限杠杆数", "restricted levers"))
    ax.set_xlabel(bilingual("覆盖率", "coverage"))
    ax.set_ylabel(bilingual("密度", "density"))
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0, 1.02)
    if len(boxes) > 1:
        ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    return png(fig)


def plot_limits(prim: PrimResult) -> str:
    """Each restricted lever: its sweep range (grey) and the box (colour), with the limits and quasi-p values."""
    import matplotlib.pyplot as plt

    rows = prim.limits
    fig, ax = plt.subplots(figsize=(8.5, 0.7 * max(1, len(rows)) + 1.0))
    for y, r in enumerate(rows):
        ax.barh(y, 1.0, left=0.0, color="#e5e5e5", height=0.6)
        colour = "#2a7f3f" if r["significant"] else "#c28a00"
        if r["kind"] == "range":
            span = (r["full_high"] - r["full_low"]) or 1.0
            lo, hi = (r["low"] - r["full_low"]) / span, (r["high"] - r["full_low"]) / span
            ax.barh(y, max(hi - lo, 0.005), left=lo, color=colour, height=0.6)
            ax.text(lo, y + 0.38, f"{r['low']:.3g}", ha="center", fontsize=8)
            ax.text(hi, y + 0.38, f"{r['high']:.3g}", ha="center", fontsize=8)
        else:
            ax.barh(y, 1.0, left=0.0, color=colour, height=0.6, alpha=0.35)
            ax.text(0.5, y, "{" + ", ".join(r["values"]) + "}", ha="center", va="center", fontsize=8)
        qps = [f"{q:.1e}" for q in (r["qp_low"], r["qp_high"]) if q is not None]
        ax.text(1.02, y, "qp " + ", ".join(qps), va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [plot_label(lever_label, r["lever"]) for r in rows])
    ax.set_xlim(0, 1.28)
    ax.set_ylim(-0.6, len(rows) - 0.2)
    ax.set_xticks([0, 0.5, 1], ["min", "", "max"])
    ax.invert_yaxis()
    ax.set_title(bilingual(f"盒子 {prim.box} 的杠杆范围（按扫参范围归一）", f"box {prim.box}: limits, scaled to each lever's sweep range"),
                 fontsize=10)
    return png(fig)


def plot_tree(tree: TreeResult) -> str:
    import matplotlib.pyplot as plt
    from sklearn.tree import plot_tree as draw

    leaves = sum(1 for _ in tree.leaves)
    fig, ax = plt.subplots(figsize=(max(8, 2.2 * leaves), 1.9 * (tree.model.get_depth() + 1)))
    names = [f if "=" in f else f.split(".")[-1] for f in tree.features]
    draw(tree.model, feature_names=names, class_names=["no", "yes"], filled=True, impurity=False, rounded=True,
         fontsize=8, ax=ax)
    return png(fig)

