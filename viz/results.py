"""The results view: a finished scenario discovery (its PRIM boxes) or policy search (its Pareto set),
read only, from the folder `sandbox discover` / `sandbox search` wrote; a click on a package (or on
a case inside a box) loads it into this session's sandbox for a live run.

It reads discovery.json / search.json and computes nothing: every figure shown was written there.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import solara
from mesa.visualization.utils import force_update

from sandbox.errors import InputError
from sandbox.experiments.labels import lever_label, metric_label
from sandbox.viz import levers
from sandbox.viz.i18n import language, tr
from sandbox.viz.state import Session, Settings, notices_for

DEFAULT_ROOT = "results"   # where `sandbox discover` and `sandbox search` write by default
MANIFESTS = {"discovery.json": ("grassroots-sandbox-discovery/", "discovery"),
             "search.json": ("grassroots-sandbox-search/", "search")}
DEPTH = 3                  # results/sweep-NAME/discovery-QUESTION is two levels down


def default_root() -> str:
    return os.environ.get("SANDBOX_RESULTS_DIR", DEFAULT_ROOT)


def find_results(root: Path) -> list[Path]:
    """Finished discovery and search folders at or under `root` (a few levels deep), sorted."""
    found = []
    if not root.is_dir():
        return found
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        if any((folder / name).is_file() for name in MANIFESTS):
            found.append(folder)
        if depth < DEPTH:
            try:
                stack += [(p, depth + 1) for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")
                          and p.name not in ("runs", "robustness")]
            except OSError:
                continue
    return sorted(found)


def read_result(folder: Path) -> tuple[str, dict[str, Any]]:
    """('discovery' | 'search', manifest); InputError for anything else, or a search still running."""
    for name, (prefix, kind) in MANIFESTS.items():
        path = folder / name
        if path.is_file():
            try:
                m = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"{path}: {exc}") from None
            if not str(m.get("format", "")).startswith(prefix):
                raise InputError(f"{path}: format {m.get('format')!r} is not a {kind} folder's")
            if kind == "search" and m.get("status") != "finished":
                raise InputError(f"{path}: the search has not finished; rerun `sandbox search` to complete it")
            return kind, m
    raise InputError(f"{folder}: neither discovery.json nor search.json here")


def leaf_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """`structure.one_window` → `one_window` (leaves are unique, and the model takes them by leaf)."""
    return {k.split(".")[-1]: v for k, v in values.items()}


def load_into(session: Session, scenario: str, values: dict[str, Any], what: str, lang: str) -> str | None:
    """Rebuild this session's model from a scenario and levers; the message to show, or None if
    the model refused them (the session's error message says why, and the old model stays)."""
    overrides = leaf_overrides(values)
    residents = overrides.get("residents", levers.default_residents())
    if residents > levers.RESIDENTS_LIMIT:
        session.error.set(tr("ui", "cannot_apply", lang, message=tr("ui", "too_many_residents", lang, limit=f"{levers.RESIDENTS_LIMIT:,}")))
        return None
    settings = Settings(scenario, session.settings.value.seed, tuple(sorted(overrides.items())))
    session.playing.set(False)
    try:
        model = settings.build()
    except InputError as exc:
        session.error.set(tr("ui", "cannot_apply", lang, message=exc.message))
        return None
    draft = {**levers.draft_for(scenario), **{k: v for k, v in overrides.items() if k in levers.MAIN}, "residents": str(residents)}
    with session.batch():
        session.settings.set(settings)
        session.model.set(model)
        session.twin.set(None)
        session.twin_spec.set(None)
        session.error.set(None)
        session.notices.set(notices_for(model))
        session.draft.set({"scenario": scenario, "seed": str(settings.seed), "levers": draft})
        force_update()
    return tr("results", "loaded", lang, what=what, scenario=scenario)


def _num(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "✓" if x else "✗"
    if isinstance(x, float):
        return f"{x:.3g}"
    return html.escape(str(x))


def _table(css: str, head: list[str], rows: list[list[str]]) -> str:
    style = (f"<style>.{css} td,.{css} th{{padding:3px 10px;text-align:right;font-size:14px;border-bottom:1px solid #eee}}"
             f".{css} td:first-child,.{css} th:first-child{{text-align:left}}</style>")
    h = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'{style}<table class="{css}"><tr>{h}</tr>{body}</table>'


def limits_html(box: dict[str, Any], lang: str) -> str:
    t = lambda k: tr("results", k, lang)  # noqa: E731
    rows = []
    for r in box["limits"]:
        inside = f"{r['low']:.3g} … {r['high']:.3g}" if r["kind"] == "range" else "{" + ", ".join(r["values"]) + "}"
        swept = f"{r['full_low']:.3g} … {r['full_high']:.3g}" if r["kind"] == "range" else "{" + ", ".join(r["full_values"]) + "}"
        qp = ", ".join(f"{q:.1e}" for q in (r["qp_low"], r["qp_high"]) if q is not None)
        rows.append([html.escape(lever_label(r["lever"], lang)), html.escape(inside), html.escape(swept), qp,
                     t("sig_yes") if r["significant"] else t("sig_no")])
    return _table("box-limits", [t("lever"), t("in_box"), t("swept"), t("quasi_p"), t("significant")], rows)


def pareto_html(m: dict[str, Any], lang: str) -> str:
    t = lambda k, **f: tr("results", k, lang, **f)  # noqa: E731
    decisions = [d["name"] for d in m["decisions"]]
    resources = list(dict.fromkeys(r for d in m["decisions"] for r in d.get("cost", {})))
    objectives = m["objectives"]
    head = [t("rank"), t("package"), *(lever_label(d, lang) for d in decisions), *(t("cost", resource=r) for r in resources),
            *(f"{metric_label(k, lang)} ({t('lower_better') if d == 'min' else t('higher_better')})" for k, d in objectives),
            t("satisficing"), t("regret")]
    rows = []
    for p in m["pareto"]:
        sat = "–" if p["satisficing"] is None else f"{100 * p['satisficing']:.0f}%"
        rows.append([_num(p["rank"]), f"#{p['package']}", *(_num(p["decisions"][d]) for d in decisions),
                     *(_num(p["costs"][r]) for r in resources), *(_num(p["objectives"][k]) for k, _ in objectives),
                     sat, _num(p["regret"])])
    return _table("pareto-table", head, rows)


@solara.component
def DiscoveryPanel(m: dict[str, Any], session: Session, on_loaded):
    lang = language.value
    w = m["where"]
    if w["effect"]:
        e = w["effect"]
        show = lambda v: tr("ui", "yes" if v else "no", lang) if isinstance(v, bool) else str(v)  # noqa: E731
        what = tr("results", "effect_of", lang, factor=lever_label(e["factor"], lang), reference=show(e["reference"]),
                  treatment=show(e["treatment"]), metric=metric_label(w["metric"], lang))
        question = f"{what} {w['op']} {w['threshold']:g}"
    else:
        question = f"{metric_label(w['metric'], lang)} {w['op']} {w['threshold']:g}"
    solara.Text(tr("results", "question", lang, where=question), classes=["results-question"],
                style={"font-size": "16px", "font-weight": "600"})
    solara.Text(tr("results", "cases", lang, cases=m["counts"]["cases"], rows=m["counts"]["rows"]))
    for box in m["boxes"]:
        solara.Text(tr("results", "box_heading", lang, box=box["box"], coverage=f"{box['coverage']:.2f}",
                       density=f"{box['density']:.2f}", restricted=box["restricted"]),
                    classes=[f"box-heading-{box['box']}"], style={"font-weight": "600", "margin-top": "12px"})
        solara.HTML(tag="div", unsafe_innerHTML=limits_html(box, lang), classes=[f"box-{box['box']}"])
        cases = [c for c in box["cases_in_box"] if c["scenario"]]
        if not cases:
            continue
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text(tr("results", "load_case", lang))
            for c in cases:
                label = tr("results", "point_n", lang, point=c["point"])
                solara.Button(label, outlined=True, dense=True, classes=["load-case", f"load-case-{c['point']}"],
                              on_click=lambda c=c, label=label: on_loaded(load_into(session, c["scenario"], c["values"], label, lang)))


@solara.component
def SearchPanel(m: dict[str, Any], session: Session, on_loaded):
    lang = language.value
    c = m["counts"]
    solara.Text(m.get("description_zh" if lang == "zh" else "description") or m["search"],
                style={"font-size": "16px", "font-weight": "600"})
    solara.Text(tr("results", "pareto_heading", lang, n=c["pareto"], packages=c["packages"], evaluated=c["evaluated"]),
                classes=["pareto-heading"])
    solara.HTML(tag="div", unsafe_innerHTML=pareto_html(m, lang), classes=["pareto"])
    if not m.get("base"):
        solara.Info(tr("results", "not_a_model", lang))
        return
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(tr("results", "load_package", lang))
        for p in m["pareto"]:
            label = tr("results", "package_n", lang, id=p["package"])
            solara.Button(f"#{p['package']}", outlined=True, dense=True, classes=["load-package", f"load-package-{p['package']}"],
                          on_click=lambda p=p, label=label: on_loaded(load_into(session, m["base"], p["levers"], label, lang)))


@solara.component
def ResultsTab(model, session: Session):
    """The dashboard's tab: results load into this browser session (the model is not shown here)."""
    ResultsView(session)


@solara.component
def ResultsView(session: Session):
    """Pick a results folder, then one finished discovery or search in it."""
    lang = language.value
    root, set_root = solara.use_state(default_root())
    chosen, set_chosen = solara.use_state("")
    loaded, set_loaded = solara.use_state(None)
    found = solara.use_memo(lambda: find_results(Path(root).expanduser()), [root])
    solara.InputText(tr("results", "folder", lang), value=root, on_value=lambda v: (set_root(v.strip()), set_chosen(""), set_loaded(None)),
                     continuous_update=False, classes=["results-folder"])
    if not found:
        solara.Info(tr("results", "none_found", lang), classes=["results-none"])
        return
    current = chosen if chosen in {str(p) for p in found} else str(found[0])
    items = [{"text": _describe(p, Path(root).expanduser(), lang), "value": str(p)} for p in found]
    solara.v.Select(label=tr("results", "choose", lang), items=items, v_model=current,
                    on_v_model=lambda v: (set_chosen(v), set_loaded(None)), dense=True, class_="results-select")
    try:
        kind, m = read_result(Path(current))
    except InputError as exc:
        solara.Error(tr("results", "unreadable", lang, message=exc.message), classes=["results-error"])
        return
    if loaded:
        solara.Success(loaded, classes=["results-loaded"])
        solara.Text(tr("results", "sidebar_note", lang), style={"font-size": "13px", "color": "#555"})
    with solara.Column(classes=[f"results-{kind}"]):
        if kind == "discovery":
            DiscoveryPanel(m, session, set_loaded)
        else:
            SearchPanel(m, session, set_loaded)


def _describe(folder: Path, root: Path, lang: str) -> str:
    kind = "discovery" if (folder / "discovery.json").is_file() else "search"
    try:
        shown = folder.relative_to(root)
    except ValueError:
        shown = folder
    return f"{tr('results', kind, lang)} · {shown if str(shown) != '.' else folder.name}"
