"""A self-contained HTML report of a county run or comparison: adoption curves by quarter, a
township × year heat map of each reform's stage (and of residents' trips), county-wide trips and
cadre burden by year, the leaders' terms; tables and plots embedded, no outside assets."""

from __future__ import annotations

import html
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

from sandbox.county_metrics import metric_name
from sandbox.glossary import term
from sandbox.reforms import STAGES
from sandbox.report import fmt, png

STAGE_COLOURS = ("#e0e0e0", "#fdd49e", "#fc8d59", "#2b8cbe", "#045a8d")  # not adopted → optimised
STYLE = """<style>body{font-family:sans-serif;margin:2em;max-width:1300px}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:right;vertical-align:top}table{border-collapse:collapse}.sig{color:#b00;font-weight:bold}
img{max-width:100%;display:block;margin:1em 0}h2{margin-top:1.6em}</style>"""


def _name(rid: str) -> str:
    return term("reforms", rid, "en")


def _reforms_seen(adoption, agenda: list[str]) -> list[str]:
    """Reforms that were in force somewhere at some time (the others make empty plots)."""
    seen = set()
    for r, share in zip(adoption.column("reform").to_pylist(), adoption.column("share_in_force").to_pylist()):
        if share:
            seen.add(r)
    return [r for r in agenda if r in seen]


def plot_adoption(adoption, reforms: list[str]) -> str:
    """Stacked stage shares by quarter, one panel a reform (the adoption curve)."""
    n = max(1, len(reforms))
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.4), squeeze=False)
    rows = adoption.to_pylist()
    for ax, rid in zip(axes[0], reforms):
        mine = [r for r in rows if r["reform"] == rid]
        q = [r["quarter"] for r in mine]
        shares = [[r[f"share_{s}"] for r in mine] for s in STAGES[1:]]
        ax.stackplot(q, shares, colors=STAGE_COLOURS[1:], labels=[term("stages", s, "en") for s in STAGES[1:]])
        ax.axhline(0.5, color="#555", lw=0.8, ls="--")
        ax.set_ylim(0, 1)
        ax.set_title(_name(rid), fontsize=10)
        ax.set_xlabel("quarter")
    axes[0][0].set_ylabel("share of townships")
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.suptitle("Adoption curves: share of townships at each stage, by quarter (dashed: 50 %)")
    return png(fig)


def plot_stage_heatmap(yearly, townships: list[str], reforms: list[str]) -> str:
    """Township × year: each reform's stage at the end of the year."""
    rows = yearly.to_pylist()
    years = sorted({r["year"] for r in rows})
    n = max(1, len(reforms))
    fig, axes = plt.subplots(1, n, figsize=(max(3.2, 0.5 * len(years) + 2.2) * n, 0.35 * len(townships) + 1.6), squeeze=False)
    cmap = ListedColormap(STAGE_COLOURS)
    norm = BoundaryNorm(np.arange(-0.5, len(STAGES) + 0.5), cmap.N)
    for k, (ax, rid) in enumerate(zip(axes[0], reforms)):
        grid = np.zeros((len(townships), len(years)))
        for r in rows:
            grid[townships.index(r["township"]), years.index(r["year"])] = STAGES.index(r[f"stage_{rid}"])
        ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto")
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.set_yticks(range(len(townships)), townships if k == 0 else [], fontsize=8)
        ax.set_xlabel("year")
        ax.set_title(_name(rid), fontsize=10)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in STAGE_COLOURS]
    axes[0][-1].legend(handles, [term("stages", s, "en") for s in STAGES], fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.suptitle("Township × year: stage of each reform at the end of the year")
    return png(fig)


def plot_value_heatmap(values: dict[tuple[str, int], float], townships: list[str], years: list[int], title: str) -> str:
    grid = np.array([[values.get((t, y), math.nan) for y in years] for t in townships])
    fig, ax = plt.subplots(figsize=(0.6 * len(years) + 3.0, 0.35 * len(townships) + 1.6))
    im = ax.imshow(grid, cmap="viridis_r", aspect="auto")
    for i in range(len(townships)):
        for j in range(len(years)):
            if math.isfinite(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=7, color="white")
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_yticks(range(len(townships)), townships, fontsize=8)
    ax.set_xlabel("year")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(title, fontsize=10)
    return png(fig)


def plot_county_years(series: dict[str, list[dict]]) -> str:
    """County-wide trips per matter and cadre hours by year (one line per scenario)."""
    keys = ("trips_per_matter", "cadre_reporting_hours", "cadre_face_to_face_hours", "gini_townships_trips")
    fig, axes = plt.subplots(1, len(keys), figsize=(4.0 * len(keys), 3.2))
    for ax, key in zip(axes, keys):
        for name, rows in series.items():
            ax.plot([r["year"] for r in rows], [r[key] for r in rows], marker="o", label=name)
        ax.set_title(metric_name(key, "en"), fontsize=9)
        ax.set_xlabel("year")
    axes[0].legend(fontsize=7)
    fig.suptitle("County-wide figures by year")
    return png(fig)


def plot_leaders(leaders, townships: list[str], quarters: int) -> str:
    """The leaders' terms: one bar a term, a new colour at every rotation."""
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(townships) + 1.4))
    for r in leaders.to_pylist():
        start = max(0, r["start"])
        end = r["end"] if r["end"] is not None else quarters
        i = townships.index(r["township"])
        ax.barh(i, end - start, left=start, color=plt.cm.tab20(r["leader"] % 20), edgecolor="white")
        ax.text(start + 0.2, i, f"#{r['leader']} a={r['appetite']:.2f}", va="center", fontsize=7)
    ax.set_yticks(range(len(townships)), townships, fontsize=8)
    ax.set_xlim(0, quarters)
    ax.set_xlabel("quarter")
    ax.set_title("Leaders' terms (rotation timeline; a = appetite for innovation)", fontsize=10)
    return png(fig)


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html lang="zh"><meta charset="utf-8"><title>{html.escape(title)}</title>{STYLE}
<h1>基层治理政策沙盘 · {html.escape(title)}</h1>{body}</html>"""


def _metric_row(key: str, cells: list[str]) -> str:
    return (f"<tr><th>{html.escape(metric_name(key, 'zh'))}<br><small>{html.escape(metric_name(key, 'en'))}</small></th>"
            + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")


def render_run(res, spec) -> str:
    """One county run."""
    from sandbox.county_cli import headline_keys

    t = res.tables
    townships = [x.name for x in spec.townships]
    reforms = _reforms_seen(t["adoption"], spec.agenda)
    rows = "".join(_metric_row(k, [fmt(res.summary[k])]) for k in headline_keys(spec.agenda, res.summary))
    years = sorted(set(t["yearly"].column("year").to_pylist()))
    trips = {(r["township"], r["year"]): r["trips_per_matter"] for r in t["yearly"].to_pylist()}
    imgs = [plot_adoption(t["adoption"], reforms or spec.agenda[:1]),
            plot_stage_heatmap(t["yearly"], townships, reforms or spec.agenda[:1]),
            plot_value_heatmap(trips, townships, years, "Township × year: " + metric_name("trips_per_matter", "en").replace("County-wide ", "")),
            plot_county_years({spec.name: t["county_yearly"].to_pylist()}),
            plot_leaders(t["leaders"], townships, spec.quarters)]
    transitions = [r for r in t["transitions"].to_pylist() if r["reason"] != "initial"]
    log = "".join(f"<tr><td>{r['quarter']}</td><td>{html.escape(r['township'])}</td><td>{html.escape(term('reforms', r['reform'], 'zh'))}</td>"
                  f"<td>{html.escape(term('stages', r['from_stage'], 'zh') if r['from_stage'] else '')} → "
                  f"{html.escape(term('stages', r['to_stage'], 'zh') if r['to_stage'] else '')}</td>"
                  f"<td>{html.escape(term('reasons', r['reason'], 'zh'))}<br><small>{html.escape(term('reasons', r['reason'], 'en'))}</small></td></tr>"
                  for r in transitions)
    body = (f"<p>{html.escape(spec.county.description_zh)}<br>{html.escape(spec.county.description)}</p>"
            f"<p>{len(townships)} townships, {res.years} years, seed {res.seed}.</p>"
            f"<table><tr><th>metric 指标</th><th>value</th></tr>{rows}</table>"
            + "".join(f"<img src='{src}'>" for src in imgs)
            + "<h2>阶段变化 · Stage transitions</h2><table><tr><th>quarter</th><th>township</th><th>reform</th><th>stage</th><th>reason</th></tr>"
            + log + "</table>")
    return _page(f"County run: {spec.name}", body)


def render_compare(comp, specs: dict) -> str:
    """County scenarios over replications."""
    from sandbox.county_cli import headline_keys

    first = specs[comp.names[0]]
    keys = headline_keys(first.agenda, comp.results[comp.names[0]][0].summary)
    head = "".join(f"<th>{html.escape(n)}</th>" for n in comp.names)
    body_rows = []
    for key in keys:
        cells = []
        for r in comp.stats(key):
            cell = f"{fmt(r['mean'])} <small>[{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]</small>"
            if r["scenario"] != comp.names[0] and r["diff"] == r["diff"]:
                sig = r["diff_low"] > 0 or r["diff_high"] < 0
                cell += f"<br><small class='{'sig' if sig else ''}'>Δ {fmt(r['diff'])} [{fmt(r['diff_low'])}, {fmt(r['diff_high'])}]</small>"
            cells.append(cell)
        body_rows.append(_metric_row(key, cells))
    imgs = []
    for name in comp.names:
        spec = specs[name]
        adoption = _mean_adoption([r.tables["adoption"] for r in comp.results[name]])
        reforms = _reforms_seen(comp.results[name][0].tables["adoption"], spec.agenda) or spec.agenda[:1]
        imgs.append((f"{name}: adoption curves (mean over {len(comp.seeds)} runs)", plot_adoption(adoption, reforms)))
        townships = [x.name for x in spec.townships]
        years = sorted(set(comp.results[name][0].tables["yearly"].column("year").to_pylist()))
        for rid in reforms:
            share = _share_in_force([r.tables["yearly"] for r in comp.results[name]], rid)
            imgs.append((f"{name}: {_name(rid)}", plot_value_heatmap(share, townships, years,
                         f"{name}: share of runs with {_name(rid)} in force, township × year")))
    series = {name: _mean_rows([r.tables["county_yearly"].to_pylist() for r in comp.results[name]]) for name in comp.names}
    imgs.append(("county by year", plot_county_years(series)))
    body = (f"<p>{len(comp.seeds)} replications per county scenario, seeds {comp.seeds[0]}–{comp.seeds[-1]} (the same seeds for every "
            f"scenario). Each cell: mean [95% CI]; Δ: paired difference to <b>{html.escape(comp.names[0])}</b> [95% CI], red where the "
            f"interval excludes zero.</p><table><tr><th>metric 指标</th>{head}</tr>{''.join(body_rows)}</table>"
            + "".join(f"<h2>{html.escape(title)}</h2><img src='{src}'>" for title, src in imgs))
    return _page("County comparison", body)


def _mean_adoption(tables):
    import pyarrow as pa

    rows = [t.to_pylist() for t in tables]
    out = []
    for i, r in enumerate(rows[0]):
        row = dict(r)
        for k in r:
            if k.startswith("share_"):
                row[k] = sum(x[i][k] for x in rows) / len(rows)
        out.append(row)
    return pa.Table.from_pylist(out)


def _share_in_force(tables, rid: str) -> dict[tuple[str, int], float]:
    counts: dict[tuple[str, int], list[int]] = {}
    for t in tables:
        for r in t.to_pylist():
            counts.setdefault((r["township"], r["year"]), []).append(r[f"stage_{rid}"] != STAGES[0])
    return {k: sum(v) / len(v) for k, v in counts.items()}


def _mean_rows(runs: list[list[dict]]) -> list[dict]:
    out = []
    for i, r in enumerate(runs[0]):
        out.append({k: (sum(run[i][k] for run in runs if run[i][k] is not None) / len(runs)) if k != "year" else r[k] for k in r})
    return out
