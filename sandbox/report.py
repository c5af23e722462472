"""A self-contained HTML report of a comparison (Jinja2 template sandbox/templates/compare.html.j2):
tables and plots embedded, no outside assets."""

from __future__ import annotations

import base64
import io
import math
import warnings
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import jinja2
import matplotlib.pyplot as plt
import numpy as np

from sandbox.compare import Comparison
from sandbox.glossary import term
from sandbox.metric_registry import activities, activity_metric, headline, stacked_hours

TEMPLATES = Path(__file__).parent / "templates"
# user labels (scenario and file names, contrast names) are text, never TeX: `$x$` stays `$x$`
PLAIN_TEXT = {"text.parse_math": False}


@cache
def environment(*extra: Path) -> jinja2.Environment:
    """Jinja2 templates from sandbox/templates (and `extra` folders), HTML-escaped."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([*extra, TEMPLATES]), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["cell"] = lambda v: fmt(v) if isinstance(v, float) or v is None else v
    return env


def nanmean(values, axis=None):
    """np.nanmean without the 'Mean of empty slice' warning: an all-missing mean is NaN, as documented."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


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
    means = stacked_hours({a: np.array([nanmean(comp.values(n, activity_metric(a))) for n in comp.names]) for a in acts})
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
        vals = [float(nanmean(comp.values(name, m))) for m in axes_names]
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
            ax.plot(nanmean(np.vstack(cols), axis=0), label=name)
        ax.set_title(term("metrics", metric, "en") + " by day")
        ax.set_xlabel("working day")
    axes[0].legend(fontsize=7)
    return png(fig)


def fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def render(comp: Comparison, title: str = "Scenario comparison") -> str:
    """The report as one HTML page."""
    rows = []
    for metric in headline():
        cells = []
        for r in comp.stats(metric):
            first = r["scenario"] == comp.names[0]
            cells.append({"mean": fmt(r["mean"]), "low": fmt(r["ci_low"]), "high": fmt(r["ci_high"]),
                          "diff": None if first else fmt(r["diff"]), "diff_low": fmt(r["diff_low"]),
                          "diff_high": fmt(r["diff_high"]), "sig": not first and (r["diff_low"] > 0 or r["diff_high"] < 0)})
        rows.append({"zh": term("metrics", metric, "zh"), "en": term("metrics", metric, "en"), "cells": cells})
    with matplotlib.rc_context(PLAIN_TEXT):
        images = [plot_trips(comp), plot_burden(comp), plot_tradeoff(comp), plot_series(comp)]
    return environment().get_template("compare.html.j2").render(
        title=title, names=comp.names, reference=comp.names[0], seeds=comp.seeds, replications=len(comp.seeds),
        rows=rows, images=images)
