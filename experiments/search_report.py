"""A finished search's outputs: Parquet tables, the manifest's results (what the dashboard opens)
and report.html with the parallel-coordinates plot of the Pareto set's trade-offs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sandbox.experiments.labels import both, lever_label, metric_label
from sandbox.experiments.pages import bilingual, figure_style, plot_label, render
from sandbox.experiments.robustness import Robustness
from sandbox.experiments.search import SearchResult
from sandbox.experiments.search_folder import MANIFEST, read_manifest
from sandbox.experiments.search_plan import SearchPlan
from sandbox.outputs import write_json, write_parquet, write_text
from sandbox.report import png


def package_rows(plan: SearchPlan, result: SearchResult) -> list[dict[str, Any]]:
    pareto = set(result.pareto)
    rows = []
    for p in result.packages:
        row: dict[str, Any] = {"package": p.id, "generation": p.generation, "status": p.status,
                               "feasible": result.feasible[p.id], "pareto": p.id in pareto}
        row.update(p.decisions)
        row.update({f"cost.{r}": c for r, c in p.costs.items()})
        row.update({m: (p.means or {}).get(m) for m in plan.metrics})
        row["error"] = p.error
        rows.append(row)
    return rows


def _schema(plan: SearchPlan) -> pa.Schema:
    fields = [("package", pa.int64()), ("generation", pa.int64()), ("status", pa.string()), ("feasible", pa.bool_()),
              ("pareto", pa.bool_())]
    fields += [(f.name, plan.columns[f.name]) for f in plan.decisions]
    fields += [(f"cost.{r}", pa.float64()) for r in plan.search.resources()]
    fields += [(m, pa.float64()) for m in plan.metrics] + [("error", pa.string())]
    return pa.schema(fields)


def write(root: Path, plan: SearchPlan, result: SearchResult, robust: Robustness) -> dict[str, Any]:
    rows = package_rows(plan, result)
    schema = _schema(plan)
    write_parquet(pa.Table.from_pylist(rows, schema=schema), root / "packages.parquet")
    write_parquet(pa.Table.from_pylist([r for r in rows if r["pareto"]], schema=schema), root / "pareto.parquet")
    write_parquet(pa.Table.from_pylist(result.generations, schema=pa.schema(
        [("generation", pa.int64()), ("slot", pa.int64()), ("package", pa.int64())])), root / "generations.parquet")
    if robust.states:
        states = [{"state": k, **s} for k, s in enumerate(robust.states)]
        write_parquet(pa.Table.from_pylist(states, schema=pa.schema(
            [("state", pa.int64())] + [(f.name, plan.columns[f.name]) for f in plan.uncertain])), root / "states.parquet")
    if robust.table:
        write_parquet(pa.Table.from_pylist(robust.table), root / "robustness.parquet")
    m = read_manifest(root) or {}
    by_id = {p.id: p for p in result.packages}
    rank = {r["package"]: r for r in robust.table}
    m.update({
        "status": "finished",
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": {"packages": len(result.packages), "evaluated": sum(1 for p in result.packages if p.affordable),
                   "over_budget": sum(1 for p in result.packages if not p.affordable),
                   "failed": sum(1 for p in result.packages if p.status == "failed"),
                   "feasible": sum(result.feasible.values()), "pareto": len(result.pareto),
                   "states": len(robust.states)},
        "pareto": [_load_info(plan, by_id[i], rank.get(i)) for i in sorted(result.pareto, key=lambda i: (rank[i]["rank"] if i in rank else 0, i))],
    })
    write_json(m, root / MANIFEST)
    write_text(_html(m, plan, result, robust), root / "report.html")
    return m


def _load_info(plan: SearchPlan, p, robust: dict[str, Any] | None) -> dict[str, Any]:
    """A Pareto package as the dashboard loads it: base scenario and every lever the search set."""
    levers = {**plan.fixed, **p.decisions, **plan.reference}
    return {"package": p.id, "scenario": plan.base_name, "levers": levers, "decisions": p.decisions, "costs": p.costs,
            "objectives": {m: p.means[m] for m in plan.objectives}, "rank": robust["rank"] if robust else None,
            "satisficing": robust["satisficing"] if robust else None, "regret": robust["regret"] if robust else None}


# -- the report -------------------------------------------------------------------------------------

def _html(m: dict[str, Any], plan: SearchPlan, result: SearchResult, robust: Robustness) -> str:
    pareto = [p for p in result.packages if p.id in set(result.pareto)]
    rank = {r["package"]: r for r in robust.table}
    pareto.sort(key=lambda p: (rank[p.id]["rank"] if p.id in rank else 0, p.id))
    with figure_style():
        plot = parallel_coordinates(plan, pareto, rank) if pareto else ""
    bounds = {k: b.describe() for k, b in plan.search.constraints.items()}
    return render("search.html.j2", m=m, plan=plan, pareto=pareto, rank=rank, plot=plot, lever=both(lever_label),
                  metric=both(metric_label), bounds=bounds, satisfice={k: b.describe() for k, b in plan.satisfice.items()},
                  resources=plan.search.resources(), robust_rows=robust.table)


def parallel_coordinates(plan: SearchPlan, pareto: list, rank: dict[int, dict]) -> str:
    """One line per Pareto package across the objectives and costs, each axis scaled to the set's
    range with better at the top; the most robust packages darkest."""
    import matplotlib.pyplot as plt

    axes = [(m, d, lambda p, m=m: p.means[m], plot_label(metric_label, m)) for m, d in plan.objectives.items()]
    axes += [(r, "min", lambda p, r=r: p.costs[r], bilingual(f"成本：{r}", f"cost: {r}")) for r in plan.search.resources()]
    values = np.array([[get(p) for _, _, get, _ in axes] for p in pareto], dtype=float)
    lo, hi = values.min(axis=0), values.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    scaled = (values - lo) / span
    for j, (_, d, _, _) in enumerate(axes):
        if d == "min":
            scaled[:, j] = 1.0 - scaled[:, j]  # better up
    fig, ax = plt.subplots(figsize=(max(7.0, 1.9 * len(axes)), 4.8))
    cmap = plt.get_cmap("viridis_r")
    n = max(1, len(pareto) - 1)
    order = sorted(range(len(pareto)), key=lambda i: -(rank.get(pareto[i].id, {}).get("rank") or 0))
    for i in order:  # the best drawn last, on top
        r = rank.get(pareto[i].id, {}).get("rank")
        colour = cmap(0.15 + 0.85 * (1 - (r - 1) / n)) if r else "#4c72b0"
        ax.plot(range(len(axes)), scaled[i], color=colour, lw=2.2 if r == 1 else 1.2, alpha=0.9, marker="o", ms=3)
        if r == 1 or (r is None and len(pareto) <= 12):
            ax.annotate(f"#{pareto[i].id}", (len(axes) - 1, scaled[i, -1]), textcoords="offset points", xytext=(6, 0), fontsize=8)
    for j, (_, d, _, _label) in enumerate(axes):
        ax.axvline(j, color="#444", lw=0.8)
        worst, best = (hi[j], lo[j]) if d == "min" else (lo[j], hi[j])
        ax.text(j, 1.04, f"{best:.3g}", ha="center", fontsize=8)
        ax.text(j, -0.08, f"{worst:.3g}", ha="center", fontsize=8)
    ax.set_xticks(range(len(axes)), [a[3] for a in axes], rotation=18, ha="right", fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.12, 1.1)
    ax.set_title(bilingual("帕累托集的权衡（每条线一个方案，越高越好；颜色越深越稳健）",
                           "Pareto set trade-offs (one line per package, better up; darker = more robust)"), fontsize=10)
    for spine in ("top", "right", "left"):
        ax.spines[spine].set_visible(False)
    return png(fig)
