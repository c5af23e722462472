"""A self-contained HTML report of a comparison: tables and plots embedded, no outside assets."""

from __future__ import annotations

import base64
import html
import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sandbox.compare import Comparison  # noqa: E402
from sandbox.glossary import term  # noqa: E402
from sandbox.metric_registry import activities, activity_metric, headline, stacked_hours  # noqa: E402


def png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _bars(comp: Comparison, metric: str, ax) -> None:
    rows = comp.stats(metric)
    means = [r["mean"] for r in rows]
    err = [[max(0.0, r["mean"] - r["ci_low"]) if math.isfinite(r["ci_low"]) else 0 for r in rows],
           [max(0.0, r["ci_high"] - r["mean"]) if math.isfinite(r["ci_high"]) else 0 for r in rows]]
    ax.bar(range(len(rows)), means, yerr=err, capsize=4, color="#4c72b0")
    ax.set_xticks(range(len(rows)), [r["scenario"] for r in rows], rotation=20, ha="right", fontsize=8)
    ax.set_title(term("metrics", metric, "en"), fontsize=10)


def plot_trips(comp: Comparison) -> str:
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, m in zip(axes, ("trips_per_counter_matter", "share_one_trip", "days_to_settle")):
        _bars(comp, m, ax)
    fig.suptitle("Residents' trips and days (mean, 95% CI)")
    return png(fig)


def plot_burden(comp: Comparison) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.8))
    bottom = np.zeros(len(comp.names))
    acts = activities(faces=("above", "residents", "overtime"))  # hours worked, not work left undone
    means = stacked_hours({a: np.array([np.nanmean(comp.values(n, activity_metric(a))) for n in comp.names]) for a in acts})
    for act in acts:
        ax.bar(comp.names, means[act], bottom=bottom, label=term("metrics", activity_metric(act), "en"))
        bottom += means[act]
    ax.set_ylabel("hours per cadre per day")
    ax.set_title("Cadre burden by activity (mean over replications)")
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    ax.tick_params(axis="x", labelsize=8, rotation=15)
    return png(fig)


def plot_tradeoff(comp: Comparison) -> str:
    axes_names = ("order_index", "vitality_index", "fairness_index")
    angles = np.linspace(0, 2 * np.pi, len(axes_names), endpoint=False).tolist()
    fig = plt.figure(figsize=(5, 5))
    ax = fig.add_subplot(polar=True)
    for name in comp.names:
        vals = [float(np.nanmean(comp.values(name, m))) for m in axes_names]
        ax.plot(angles + angles[:1], vals + vals[:1], marker="o", label=name)
        ax.fill(angles + angles[:1], vals + vals[:1], alpha=0.08)
    ax.set_xticks(angles, ["order", "vitality", "fairness"])
    ax.set_ylim(0, 1)
    ax.set_title("Order / vitality / fairness (indices in [0, 1])")
    ax.legend(fontsize=7, loc="upper right", bbox_to_anchor=(1.45, 1.1))
    return png(fig)


def plot_series(comp: Comparison) -> str:
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
    for ax, metric in zip(axes, ("trips_per_matter", "cadre_face_to_face_hours")):
        for name in comp.names:
            cols = [r.daily.column(metric).to_numpy(zero_copy_only=False) for r in comp.results[name]]
            ax.plot(np.nanmean(np.vstack(cols), axis=0), label=name)
        ax.set_title(term("metrics", metric, "en") + " by day")
        ax.set_xlabel("working day")
    axes[0].legend(fontsize=7)
    return png(fig)


def fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def render(comp: Comparison, title: str = "Scenario comparison") -> str:
    head = "".join(f"<th>{html.escape(n)}</th>" for n in comp.names)
    body = []
    for metric in headline():
        cells = []
        for r in comp.stats(metric):
            cell = f"{fmt(r['mean'])} <small>[{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]</small>"
            if r["scenario"] != comp.names[0]:
                sig = r["diff_low"] > 0 or r["diff_high"] < 0
                cell += f"<br><small class='{'sig' if sig else ''}'>Δ {fmt(r['diff'])} [{fmt(r['diff_low'])}, {fmt(r['diff_high'])}]</small>"
            cells.append(f"<td>{cell}</td>")
        body.append(f"<tr><th>{html.escape(term('metrics', metric, 'zh'))}<br><small>{html.escape(term('metrics', metric, 'en'))}</small></th>{''.join(cells)}</tr>")
    imgs = "".join(f"<img src='{src}'>" for src in (plot_trips(comp), plot_burden(comp), plot_tradeoff(comp), plot_series(comp)))
    return f"""<!doctype html><html lang="zh"><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1300px}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}}
table{{border-collapse:collapse}}.sig{{color:#b00;font-weight:bold}}img{{max-width:100%;display:block;margin:1em 0}}</style>
<h1>基层治理政策沙盘 · {html.escape(title)}</h1>
<p>{len(comp.seeds)} replications per scenario, seeds {comp.seeds[0]}–{comp.seeds[-1]} (the same seeds for every scenario).
Each cell: mean [95% CI]; Δ: paired difference to <b>{html.escape(comp.names[0])}</b> [95% CI], red where the interval excludes zero.</p>
<table><tr><th>metric 指标</th>{head}</tr>{''.join(body)}</table>{imgs}</html>"""
