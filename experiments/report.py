"""A self-contained HTML report of a sweep: tables and base64 PNG plots, no outside assets."""

from __future__ import annotations

import html
import math
import warnings
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sandbox.experiments.analysis import Analysis  # noqa: E402
from sandbox.report import fmt, png  # noqa: E402

VERDICT_COLOURS = {"supported": "#2a7f3f", "contradicted": "#b00020", "inconclusive": "#888888"}


def _table(rows: list[dict], columns: list[str], limit: int = 400) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for r in rows[:limit]:
        cells = []
        for c in columns:
            v = r.get(c)
            text = fmt(v) if isinstance(v, float) else html.escape(str(v))
            cls = f" style='color:{VERDICT_COLOURS[v]};font-weight:bold'" if c == "verdict" else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = f"<p><small>… {len(rows) - limit} more rows in the Parquet table.</small></p>" if len(rows) > limit else ""
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # points without a successful run
        y = np.nanmean(a.values[metric], axis=1)
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
            means = [np.nanmean(y[idx == k]) if np.any(idx == k) else np.nan for k in range(len(labels))]
            ax.plot(range(len(labels)), means, "k_", ms=20, mew=2)
            ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=20)
        ax.set_xlabel(f["name"].split(".")[-1], fontsize=8)
    axes.flat[0].set_ylabel(metric, fontsize=8)
    fig.suptitle(f"{metric} (replication mean per design point) vs each parameter", fontsize=10)
    fig.tight_layout()
    return png(fig)


def render(a: Analysis) -> str:
    m = a.manifest
    c = a.counts
    parts = [f"<p>{html.escape(m.get('description', ''))}<br>{html.escape(m.get('description_zh', ''))}</p>",
             f"<p>Design <b>{html.escape(a.kind)}</b>: {len(m['points'])} design points × {m['replications']} replications "
             f"= {c['planned']} runs; <b>{c['ok']}</b> succeeded, <b>{c['failed']}</b> failed, <b>{c['missing']}</b> missing. "
             f"Master seed {m['seed']} ({m['seeds']} random numbers). Function <code>{html.escape(m['function'])}</code>.</p>"]
    parts += [f"<p class='note'>{html.escape(n)}</p>" for n in a.notes]
    if a.contrasts:
        parts.append("<h2>Contrasts (paired by replication: treatment − reference, 95% CI)</h2>")
        parts.append(_table(a.contrasts, ["contrast", "claim", "metric", "expect", "reference_mean", "treatment_mean",
                                          "difference", "ci_low", "ci_high", "pairs", "verdict"]))
        forest = plot_contrasts(a)
        parts.append(f"<img src='{forest}'>" if forest else "")
    if a.effects:
        parts.append("<h2>Main effects (level − first level, averaged over the other factors, paired by replication)</h2>")
        parts.append(_table(a.effects, ["parameter", "level", "reference", "metric", "effect", "ci_low", "ci_high", "pairs"]))
    if a.indices:
        title = {"sobol": "Sobol indices", "morris": "Morris elementary effects", "lhs": "Spearman rank correlations"}[a.kind]
        parts.append(f"<h2>{title}</h2>")
        cols = {"sobol": ["metric", "parameter", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"],
                "morris": ["metric", "parameter", "mu_star", "mu_star_conf", "mu", "sigma"],
                "lhs": ["metric", "parameter", "spearman"]}[a.kind]
        parts.append(_table(a.indices, cols))
        if a.kind != "lhs":
            parts.append(f"<img src='{plot_indices(a)}'>")
    if a.kind != "contrasts" and m["design"]["factors"]:
        parts.append("<h2>Metric vs parameter</h2>")
        parts += [f"<img src='{plot_metric_vs_parameter(a, metric)}'>" for metric in a.metrics]
    parts.append("<h2>Replication means per design point (95% CI)</h2>")
    cols = ["point", "scenario", *m["points"][0]["values"], "metric", "n", "mean", "ci_low", "ci_high"] if m["points"] else []
    parts.append(_table(a.points, [k for k in cols if k != "scenario" or m["points"][0]["scenario"] is not None]))
    if a.failures:
        parts.append("<h2>Failed runs</h2>")
        counts = Counter(f["error"] for f in a.failures)
        parts.append(_table([{"error": e, "runs": n} for e, n in counts.most_common()], ["error", "runs"]))
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    parts.append(f"<p><small>Created {html.escape(m['created'])}; {html.escape(versions)}.</small></p>")
    return f"""<!doctype html><html lang="zh"><meta charset="utf-8"><title>Sweep {html.escape(m['experiment'])}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1300px}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top;font-size:13px}}
table{{border-collapse:collapse;margin:1em 0}}img{{max-width:100%;display:block;margin:1em 0}}.note{{color:#8a5a00}}</style>
<h1>基层治理政策沙盘 · sweep <code>{html.escape(m['experiment'])}</code></h1>{''.join(parts)}</html>"""
