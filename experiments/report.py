"""A self-contained HTML report of a sweep (Jinja2 template experiments/templates/sweep.html.j2):
tables and base64 PNG plots, no outside assets."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sandbox.experiments.analysis import Analysis
from sandbox.report import PLAIN_TEXT, environment, nanmean, png

VERDICT_COLOURS = {"supported": "#2a7f3f", "contradicted": "#b00020", "inconclusive": "#888888"}
TEMPLATES = Path(__file__).parent / "templates"
ROW_LIMIT = 400  # rows per HTML table; the Parquet tables hold them all


def _err(mean: float, lo: float, hi: float) -> tuple[float, float]:
    return (mean - lo if math.isfinite(lo) else 0.0, hi - mean if math.isfinite(hi) else 0.0)


def plot_contrasts(a: Analysis) -> str:
    """Forest plot of relative differences (treatment vs reference, % of the reference mean)."""
    rows = [r for r in a.contrasts if math.isfinite(r["relative"])]
    if not rows:
        return ""
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(rows) + 1.2))
    for y, r in enumerate(rows):
        scale = 100.0 / abs(r["reference_mean"])
        lo, hi = _err(r["difference"], r["ci_low"], r["ci_high"])
        ax.errorbar(r["difference"] * scale, y, xerr=[[lo * scale], [hi * scale]], fmt="o", capsize=3,
                    color=VERDICT_COLOURS[r["verdict"]])
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(range(len(rows)), [f"{r['contrast']}: {r['metric']}" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("difference, % of reference mean (95% CI; green supported, red contradicted, grey inconclusive)")
    return png(fig)


def plot_indices(a: Analysis) -> str:
    metrics = list(dict.fromkeys(r["metric"] for r in a.indices))
    if not metrics:
        return ""
    cols = 3
    fig, axes = plt.subplots(math.ceil(len(metrics) / cols), cols, figsize=(13, 3.2 * math.ceil(len(metrics) / cols)), squeeze=False)
    for ax, m in zip(axes.flat, metrics):
        rows = [r for r in a.indices if r["metric"] == m]
        x = np.arange(len(rows))
        if a.kind == "sobol":
            for shift, key, colour in ((-0.2, "S1", "#4c72b0"), (0.2, "ST", "#dd8452")):
                vals = [r[key] for r in rows]
                err = np.array([_err(r[key], r[f"{key}_low"], r[f"{key}_high"]) for r in rows]).T
                ax.bar(x + shift, vals, 0.4, yerr=err, capsize=2, label=key, color=colour)
        else:
            ax.bar(x - 0.2, [r["mu_star"] for r in rows], 0.4, yerr=[r["mu_star_conf"] for r in rows], capsize=2, label="μ*")
            ax.bar(x + 0.2, [r["sigma"] for r in rows], 0.4, label="σ")
        ax.set_xticks(x, [r["parameter"].split(".")[-1] for r in rows], rotation=35, ha="right", fontsize=7)
        ax.set_title(m, fontsize=9)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle("Sobol indices (95% CI)" if a.kind == "sobol" else "Morris screening (μ* with 95% CI, σ)")
    fig.tight_layout()
    return png(fig)


def plot_metric_vs_parameter(a: Analysis, metric: str) -> str:
    factors = a.manifest["design"]["factors"]
    if not factors:
        return ""
    y = nanmean(a.values[metric], axis=1)  # NaN: a point without a successful run
    fig, axes = plt.subplots(1, len(factors), figsize=(min(3.2 * len(factors), 16), 2.8), squeeze=False)
    for ax, f in zip(axes.flat, factors):
        vals = a.factor_values(f["name"])
        if "low" in f:
            ax.scatter(np.array(vals, dtype=float), y, s=6, alpha=0.5)
        else:
            labels = [str(v) for v in f["values"]]
            idx = np.array([labels.index(str(v)) for v in vals], dtype=float)
            jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(idx))  # fixed: the report is reproducible
            ax.scatter(idx + jitter, y, s=8, alpha=0.5)
            means = [nanmean(y[idx == k]) if np.any(idx == k) else np.nan for k in range(len(labels))]
            ax.plot(range(len(labels)), means, "k_", ms=20, mew=2)
            ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=20)
        ax.set_xlabel(f["name"].split(".")[-1], fontsize=8)
    axes.flat[0].set_ylabel(metric, fontsize=8)
    fig.suptitle(f"{metric} (replication mean per design point) vs each parameter", fontsize=10)
    fig.tight_layout()
    return png(fig)


def render(a: Analysis) -> str:
    """The report as one HTML page."""
    m = a.manifest
    with matplotlib.rc_context(PLAIN_TEXT):
        forest = plot_contrasts(a) if a.contrasts else ""
        indices_plot = plot_indices(a) if a.indices and a.kind != "lhs" else ""
        parameter_plots = [plot_metric_vs_parameter(a, metric) for metric in a.metrics] \
            if a.kind != "contrasts" and m["design"]["factors"] else []
    cols = ["point", "scenario", *m["points"][0]["values"], "metric", "n", "mean", "ci_low", "ci_high"] if m["points"] else []
    point_columns = [k for k in cols if k != "scenario" or m["points"][0]["scenario"] is not None]
    counts = Counter(f["error"] for f in a.failures)
    return environment(TEMPLATES).get_template("sweep.html.j2").render(
        m=m, kind=a.kind, counts=a.counts, notes=a.notes, limit=ROW_LIMIT,
        contrasts=a.contrasts, forest=forest, effects=a.effects,
        indices=a.indices, indices_plot=indices_plot,
        indices_title={"sobol": "Sobol indices", "morris": "Morris elementary effects", "lhs": "Spearman rank correlations"}.get(a.kind, ""),
        indices_columns={"sobol": ["metric", "parameter", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"],
                         "morris": ["metric", "parameter", "mu_star", "mu_star_conf", "mu", "sigma"],
                         "lhs": ["metric", "parameter", "spearman"]}.get(a.kind, []),
        parameter_plots=parameter_plots, points=a.points, point_columns=point_columns,
        failures=[{"error": e, "runs": n} for e, n in counts.most_common()],
        versions=", ".join(f"{k} {v}" for k, v in m["versions"].items()))
