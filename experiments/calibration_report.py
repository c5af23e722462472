"""The calibration report: a self-contained HTML page (Jinja2 template, plots embedded)."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sandbox.glossary import term

TEMPLATES = Path(__file__).parent / "templates"


def png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _label(dotted: str, lang: str) -> str:
    leaf = dotted.rpartition(".")[2]
    try:
        return term("params", leaf, lang)
    except KeyError:
        return leaf


def plot_posterior(result: dict[str, Any], plan) -> str:
    levers = list(result["particles"].columns)
    cols = min(3, len(levers))
    rows = (len(levers) + cols - 1) // cols
    with plt.rc_context({"text.parse_math": False}):
        fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
        for ax, lever in zip(axes.flat, levers):
            lo, hi = plan.priors[lever]
            ax.hist(result["particles"][lever], bins=15, range=(lo, hi), weights=result["weights"], color="#4c72b0")
            ax.set_title(_label(lever, "en"), fontsize=9)
            ax.set_xlim(lo, hi)
        for ax in list(axes.flat)[len(levers):]:
            ax.axis("off")
        fig.suptitle("Posterior (last generation, weighted); x-axis spans the prior")
        return png(fig)


def plot_fit(result: dict[str, Any]) -> str:
    rows = result["fit"]
    with plt.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.2))
        for i, r in enumerate(rows):
            z_lo = (r["ci_low"] - r["observed"]) / r["sd"]
            z_hi = (r["ci_high"] - r["observed"]) / r["sd"]
            colour = "#4c72b0" if r["kind"] == "target" else "#dd8452"
            ax.plot([z_lo, z_hi], [i, i], color=colour, lw=4)
            ax.plot([r["z"]], [i], "o", color="black", ms=4)
        ax.axvspan(-2, 2, color="#dddddd", zorder=0)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(range(len(rows)), [f"{r['kind']}: {r['scenario']} · {term('metrics', r['metric'], 'en')}" for r in rows], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("(model − observed) / sd: model 95 % CI (bar) and mean (dot); grey: observed ± 2 sd")
        return png(fig)


def render(result: dict[str, Any], plan) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    rows = [{**r, "label_zh": term("metrics", r["metric"], "zh"), "label_en": term("metrics", r["metric"], "en")}
            for r in result["fit"]]
    levers = [{**r, "zh": _label(r["lever"], "zh"), "en": _label(r["lever"], "en"),
               "prior": plan.priors[r["lever"]]} for r in result["levers"]]
    return env.get_template("calibration.html.j2").render(
        spec=plan.spec, levers=levers, fit=rows, generations=result["generations"],
        evaluations=result["evaluations"], posterior_png=plot_posterior(result, plan), fit_png=plot_fit(result),
        inside=sum(r["inside"] for r in rows if r["kind"] == "validation"),
        n_validation=sum(r["kind"] == "validation" for r in rows), np=np)
