"""The county view: townships on a map coloured by the stage of a reform, the adoption curves, the
leaders' terms and rotations, and a click-through to a township's own views (its map, residents'
trips, cadres' day).

It presents what the county model measured (sandbox/county.py, sandbox/county_metrics.py); it
computes no metric. Each browser session has its own county, built when the user starts it (the
township views' page stays as fast as before), with every township scaled down to
SANDBOX_DASHBOARD_COUNTY_RESIDENTS residents (default 2,000) so a quarter takes about a second.
"""

from __future__ import annotations

import os
import threading

import solara
from mesa.visualization.utils import force_update, update_counter

from sandbox.county import CountyModel
from sandbox.county_metrics import designated, stage_shares
from sandbox.county_scenario import county_names, describe_county
from sandbox.defaults import DEFAULT_SEED
from sandbox.errors import InputError
from sandbox.reforms import STAGES
from sandbox.replicates import villages_for
from sandbox.viz import county_levers, levers
from sandbox.viz.chart import base, num
from sandbox.viz.charts import CadresView, TripsView
from sandbox.viz.controls import RangeSlider
from sandbox.viz.echarts_widget import Opaque, SafeEchartsWidget
from sandbox.viz.i18n import language, tr
from sandbox.viz.map import MapView
from sandbox.viz.state import for_people

DEFAULT_COUNTY = "pilot_spreads"
STAGE_COLOURS = ("#bdbdbd", "#fdae61", "#f46d43", "#2b8cbe", "#045a8d")  # not adopted → optimised
MAP = {"left": 20, "top": 10, "width": 440, "height": 440}  # px of the county map's plot area


def county_residents() -> int:
    """Residents of every township in the dashboard's county (scaled down from the scenario)."""
    return int(os.environ.get("SANDBOX_DASHBOARD_COUNTY_RESIDENTS", "2000"))


def cu(key: str, lang: str, **fields) -> str:
    """A county view label (glossary section [county_ui])."""
    return tr("county_ui", key, lang, **fields)


class CountySession:
    """One browser session's county: built on demand with the county levers set, stepped a quarter
    (or a year) at a time."""

    def __init__(self):
        self.county: solara.Reactive[CountyModel | None] = solara.Reactive(None)
        self.scenario = solara.Reactive(DEFAULT_COUNTY)
        self.draft: solara.Reactive[dict] = solara.Reactive(county_levers.scenario_values(DEFAULT_COUNTY))
        self.applied: solara.Reactive[dict] = solara.Reactive({})  # the levers the built county changed
        self.levers_open = solara.Reactive(False)
        self.reform = solara.Reactive("")
        self.selected: solara.Reactive[int | None] = solara.Reactive(None)
        self.error: solara.Reactive[str | None] = solara.Reactive(None)
        self.version = solara.Reactive(0)
        self._lock = threading.RLock()

    def choose(self, scenario: str, lang: str = "zh") -> None:
        """Another county scenario in the picker: the levers show its values. Only a listed name:
        a path sent over the websocket loads nothing."""
        if not isinstance(scenario, str) or scenario not in county_names():
            self.error.set(tr("ui", "not_a_listed_scenario", lang, name=levers.unpathed(scenario)))
            return
        self.scenario.set(scenario)
        self.draft.set(county_levers.scenario_values(scenario))

    def set_lever(self, path: str, value) -> None:
        self.draft.set({**self.draft.value, path: value})

    def start(self, scenario: str, seed: int = DEFAULT_SEED, lang: str = "zh") -> None:
        """Build the county from its scenario and the levers' values, every township scaled down
        for the dashboard; a lever that does not fit is one message, and the county stays as it was."""
        n = county_residents()
        try:
            changed = county_levers.overrides(scenario, self.draft.value, lang)
            with self._lock:
                county = CountyModel(scenario, rng=seed, overrides={**changed, "township.residents": n,
                                                                    "township.villages": villages_for(n)})
        except InputError as exc:
            self.error.set(for_people(exc.message))  # a county file's error names its file, never the server's path
            return
        self.county.set(county)
        self.scenario.set(scenario)
        self.applied.set(changed)
        self.reform.set(_focus_reform(county))
        self.selected.set(None)
        self.error.set(None)
        self.version.set(self.version.value + 1)

    def advance(self, quarters: int) -> None:
        county = self.county.value
        if county is None:
            return
        with self._lock:
            for _ in range(quarters):
                county.step()
        self.version.set(self.version.value + 1)
        force_update()  # the township views of the selected township read Mesa's update counter


def _opened(session) -> CountySession:
    """The session's county: built at once on the county scenario (and levers) the page's address named."""
    cs = CountySession()
    name = getattr(session, "county_link", None)
    if name:
        cs.choose(name)
        cs.draft.set({**cs.draft.value, **getattr(session, "county_levers", {})})
        cs.start(name, lang=language.value)
    return cs


def _focus_reform(county: CountyModel) -> str:
    """The reform the scenario is about: its first pilot's or mandate's, else the first that some
    but not all of its townships start with (a champion's), else the first on the agenda."""
    for item in (*county.p.pilots, *county.p.mandates):
        return item.reform
    for rid in county.spec.agenda:
        if 0 < sum(t.plan.stages.get(rid, 0) > 0 for t in county.townships) < len(county.townships):
            return rid
    return county.spec.agenda[0]


def _stage(county: CountyModel, t, rid: str) -> int:
    """Stage of a reform in township t now (during the coming quarter)."""
    return t.reforms[rid].stage


def _name(t, lang: str) -> str:
    return t.plan.zh if lang == "zh" else t.name


# -- charts ----------------------------------------------------------------------------------------

def map_extent(xs: list[float], ys: list[float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The km shown on the county map: a square around the townships (same km per pixel both ways)."""
    span = max(max(xs) - min(xs), max(ys) - min(ys), 10.0) * 1.25
    mid = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    return ((num(mid[0] - span / 2, 1), num(mid[0] + span / 2, 1)), (num(mid[1] - span / 2, 1), num(mid[1] + span / 2, 1)))


def map_option(county: CountyModel, lang: str, rid: str, selected: int | None) -> dict:
    """Townships where they lie, sized by residents in the scenario, coloured by the reform's stage;
    neighbours joined by grey lines, paired-assistance partners by dashed green ones."""
    ts = county.townships
    xs = [t.plan.x for t in ts]
    ys = [t.plan.y for t in ts]
    (x0, x1), (y0, y1) = map_extent(xs, ys)
    x_axis = {"type": "value", "min": x0, "max": x1, "show": False}
    y_axis = {"type": "value", "min": y0, "max": y1, "show": False}
    ties = []
    for kind, pairs, style in (("neighbours", county.spec.neighbours, {"color": "#aaaaaa", "width": 1.5}),
                               ("pairs", county.spec.pairs, {"color": "#1a9850", "width": 2, "type": "dashed"})):
        data = [{"coords": [[xs[a], ys[a]], [xs[b], ys[b]]]} for a, others in sorted(pairs.items()) for b in sorted(others) if a < b]
        ties.append({"type": "lines", "coordinateSystem": "cartesian2d", "name": cu(kind, lang), "data": data,
                     "lineStyle": style, "silent": True, "z": 1})
    pilots = {i for i, r in designated(county) if r == rid}
    series = []
    biggest = max(t.plan.scenario.township.residents for t in ts)
    for s, stage in enumerate(STAGES):
        data = []
        for t in ts:
            if _stage(county, t, rid) != s:
                continue
            size = 22 + 26 * (t.plan.scenario.township.residents / biggest) ** 0.5
            item = {"name": _name(t, lang), "value": [t.plan.x, t.plan.y, t.index], "symbolSize": round(size),
                    "itemStyle": {"borderColor": "#000" if t.index == selected else "#fff", "borderWidth": 3 if t.index == selected else 1}}
            if t.index in pilots:
                item["symbol"] = "diamond"
            data.append(item)
        series.append({"type": "scatter", "name": tr("stages", stage, lang), "data": data, "color": STAGE_COLOURS[s], "z": 3,
                       "label": {"show": True, "position": "bottom", "formatter": "{b}", "fontSize": 12, "fontWeight": "bold"}})
    legend = [tr("stages", s, lang) for s in STAGES] + [cu("neighbours", lang), cu("pairs", lang)]
    return base(tooltip={"show": False}, grid=dict(MAP), xAxis=x_axis, yAxis=y_axis, series=ties + series,
                legend={"left": MAP["left"], "top": MAP["top"] + MAP["height"] + 10, "width": MAP["width"], "data": legend},
                graphic=[{"type": "text", "left": MAP["left"], "top": MAP["top"] + MAP["height"] + 62, "style": {
                    "text": f"◆ {cu('designated_pilot', lang)}", "fontSize": 12, "fill": "#333"}}])


def adoption_option(county: CountyModel, lang: str, rid: str) -> dict:
    """Share of townships at each stage by quarter (stacked), with the 50 % line. Quarters are
    categories: ECharts stacks areas reliably only on a category axis."""
    quarters = list(range(1, len(county.townships[0].during) + 1))
    rows = [stage_shares(county, rid, q) for q in quarters]
    series = []
    for s, stage in enumerate(STAGES[1:], start=1):
        series.append({"type": "line", "name": tr("stages", stage, lang), "stack": "stages", "areaStyle": {}, "showSymbol": False,
                       "color": STAGE_COLOURS[s], "data": [num(r[f"share_{stage}"]) or 0.0 for r in rows]})
    if series:
        series[0]["markLine"] = {"silent": True, "symbol": "none", "data": [{"yAxis": 0.5}], "lineStyle": {"type": "dashed", "color": "#555"}}
    total = max(1, county.spec.quarters)
    return base(title={"text": f"{cu('adoption_curve', lang)} · {tr('reforms', rid, lang)}", "left": 10, "textStyle": {"fontSize": 14},
                       "subtext": cu("share_of_townships", lang)},
                grid={"left": 45, "right": 30, "top": 55, "bottom": 75},
                legend={"bottom": 0, "data": [tr("stages", s, lang) for s in STAGES[1:]]},
                xAxis={"type": "category", "data": [str(q) for q in range(1, total + 1)], "boundaryGap": False,
                       "name": cu("quarter", lang), "nameLocation": "middle", "nameGap": 26},
                yAxis={"type": "value", "min": 0, "max": 1}, series=series)


def leaders_option(county: CountyModel, lang: str) -> dict:
    """One bar per leader's term in each township; a new colour at every rotation."""
    names = [_name(t, lang) for t in county.townships]
    now = county.quarter
    data = []
    for L in county.leader_log:
        start, end = max(0, L.started), (L.left if L.left is not None else max(now, 0))
        if end <= start and L.left is not None:
            continue
        data.append({"coords": [[start, L.township], [max(end, start + 0.05), L.township]],
                     "lineStyle": {"color": _colour(L.unique_id), "width": 16}})
    marks = [[L.left, L.township] for L in county.leader_log if L.left is not None]
    return base(title={"text": cu("rotation_timeline", lang), "left": 10, "textStyle": {"fontSize": 14}},
                grid={"left": 80, "right": 20, "top": 40, "bottom": 40},
                xAxis={"type": "value", "min": 0, "max": max(1, county.spec.quarters), "minInterval": 1, "name": cu("quarter", lang),
                       "nameLocation": "middle", "nameGap": 24},
                yAxis={"type": "category", "data": names, "inverse": True},
                series=[{"type": "lines", "coordinateSystem": "cartesian2d", "polyline": False, "silent": True, "data": data},
                        {"type": "scatter", "name": "rotation", "symbol": "triangle", "symbolSize": 10, "color": "#000", "data": marks}])


def _colour(i: int) -> str:
    palette = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
    return palette[i % len(palette)]


@solara.component
def CountyChart(build, county, quarter: int, lang: str, options: tuple = (), name: str = "county", height: int = 420,
                on_click=None):
    """`build(county, lang, *options)` drawn by ECharts in `<div class="chart chart-{name}">`; redrawn
    when the quarter (passed so that a new quarter re-renders it), language or options change."""
    deps = [county, quarter, lang, *options]
    option = solara.use_memo(lambda: Opaque(build(county, lang, *options)), deps)
    with solara.Column(classes=["chart", f"chart-{name}"], style={"width": "100%"}):
        SafeEchartsWidget.element(option=option, attributes={"style": f"height: {height}px; width: 100%;"}, responsive=True,
                                  on_click=on_click)


# -- the view --------------------------------------------------------------------------------------

@solara.component
def CountyControls(cs: CountySession):
    lang = language.value
    items = []
    for n in county_names():
        en, zh = describe_county(n)
        items.append({"text": f"{n} — {zh if lang == 'zh' else en}", "value": n})
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.v.Select(label=cu("county_scenario", lang), items=items, v_model=cs.scenario.value, on_v_model=lambda name: cs.choose(name, lang), dense=True,
                        hide_details=True, style_="max-width: 520px", class_="county-scenario")
        solara.Button(cu("new_county", lang), color="primary", on_click=lambda: cs.start(cs.scenario.value, lang=lang),
                      classes=["county-start"])
        county = cs.county.value
        if county is not None:
            solara.Button(cu("next_quarter", lang), color="primary", on_click=lambda: cs.advance(1), disabled=county.done,
                          classes=["county-quarter"])
            solara.Button(cu("next_year", lang), color="primary", on_click=lambda: cs.advance(4), disabled=county.done,
                          classes=["county-year"])
    CountyLevers(cs)


@solara.component
def CountyLevers(cs: CountySession):
    """The county levers by section: a slider with its value and range, or a switch."""
    lang = language.value
    draft = cs.draft.value
    # the fold-out keeps its state in the session: solara.Details would fold up on every redraw
    with solara.v.ExpansionPanels(v_model=0 if cs.levers_open.value else None, on_v_model=lambda v: cs.levers_open.set(v == 0),
                                  class_="county-levers"), solara.v.ExpansionPanel():
        solara.v.ExpansionPanelHeader(children=[cu("county_levers", lang)])
        with solara.v.ExpansionPanelContent(), solara.Row(style={"flex-wrap": "wrap", "gap": "4px 24px", "align-items": "flex-start"}):
            for section, paths in county_levers.GROUPS.items():
                with solara.Column(style={"flex": "1 1 260px", "min-width": "220px", "gap": "0"}):
                    solara.Text(tr("county_sections", section, lang), style={"font-weight": "600", "font-size": "14px"})
                    for path in paths:
                        CountyLeverInput(path, draft[path], lambda v, p=path: cs.set_lever(p, v))
                        if (why := county_levers.idle(cs.scenario.value, path)) is not None:
                            solara.Text(cu(why, lang), classes=["lever-idle", f"idle-{path.replace('.', '-')}"],
                                        style={"font-size": "14px", "color": "#777", "margin": "-6px 0 6px 0"})
    if cs.applied.value:
        shown = " · ".join(levers.describe_change(p, v, lang, name=county_levers.label(p, lang)) for p, v in cs.applied.value.items())
        solara.Text(cu("county_levers_changed", lang, levers=shown), classes=["county-applied"], style={"font-size": "14px", "color": "#555"})


@solara.component
def CountyLeverInput(path: str, value, on_value):
    lang = language.value
    name = county_levers.label(path, lang)
    css = "county-lever-" + path.replace(".", "-")
    if county_levers.kind(path) is bool:
        with solara.Row(classes=[css]):
            solara.Checkbox(label=name, value=bool(value), on_value=on_value)
        return
    RangeSlider(name, value, county_levers.SLIDERS[path], county_levers.kind(path) is int, on_value, css=css)


def quarter_label(county: CountyModel, lang: str) -> str:
    q = county.quarter
    if q == 0:
        return cu("not_started", lang)
    text = cu("quarter_n", lang, year=(q - 1) // 4 + 1, q=(q - 1) % 4 + 1)
    return text + (f" · {cu('horizon_end', lang)}" if county.done else "")


@solara.component
def CountyView(model=None, session=None):
    """The county tab (a View in viz/views.py). In the sandbox the page's township `model` and
    `session` are not needed: the county is the session's own, and a township of it opens below
    with its own views. A lesson's county step passes the class's `CountyModel` as `model`: it is
    shown as it stands, without the controls that would build or step it."""
    if isinstance(model, CountyModel):
        CountyPanel(model)
    else:
        CountySandbox(session)


@solara.component
def CountySandbox(session=None):
    """The session's own county: choose a scenario, build it, step it by quarters or years."""
    cs = solara.use_memo(lambda: _opened(session), [])
    _ = cs.version.value  # re-render after every quarter
    lang = language.value
    CountyControls(cs)
    if cs.error.value:
        solara.Error(cs.error.value, classes=["county-error"])
    county = cs.county.value
    if county is None:
        solara.Info(tr("county_ui", "open_township", lang))
        return
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(quarter_label(county, lang), classes=["county-quarter-label"], style={"font-size": "16px", "font-weight": "600"})
        solara.Text(cu("county_size", lang, townships=len(county.townships), residents=f"{county_residents():,}"),
                    style={"color": "#555", "margin-left": "16px"})
    CountyPanel(county, reform=cs.reform, selected=cs.selected, quarter=county.quarter)


@solara.component
def CountyPanel(county: CountyModel, reform: solara.Reactive[str] | None = None, selected: solara.Reactive[int | None] | None = None,
                quarter: int = 0):
    """The county as it stands: its map, adoption curve and leaders' terms, and a township's own
    views on a click. `reform` and `selected` are the session's (the sandbox) or this panel's own
    (a lesson's county, shared by every screen and changed by none); `quarter` is passed so that
    a county stepped in place is drawn again."""
    lang = language.value
    own_reform = solara.use_reactive(_focus_reform(county))
    own_selected = solara.use_reactive(None)
    reform = reform if reform is not None else own_reform
    selected = selected if selected is not None else own_selected
    rid = reform.value or county.spec.agenda[0]
    items = [{"text": tr("reforms", r, lang), "value": r} for r in county.spec.agenda]
    solara.v.Select(label=cu("colour_reform", lang), items=items, v_model=rid, on_v_model=reform.set, dense=True,
                    hide_details=True, style_="max-width: 320px", class_="county-reform")

    def clicked(event):
        value = (event or {}).get("value")
        if isinstance(value, list) and len(value) == 3:
            selected.set(int(value[2]))

    with solara.Columns([3, 2]):
        CountyChart(map_option, county, county.quarter, lang, options=(rid, selected.value), name="county-map", height=560, on_click=clicked)
        with solara.Column():
            CountyChart(adoption_option, county, county.quarter, lang, options=(rid,), name="county-adoption", height=300)
            CountyChart(leaders_option, county, county.quarter, lang, name="county-leaders", height=60 + 34 * len(county.townships))
    solara.Text(cu("open_township", lang), style={"color": "#555"})
    with solara.Row(style={"flex-wrap": "wrap"}):
        for t in county.townships:
            solara.Button(_name(t, lang), outlined=selected.value != t.index, color="primary", dense=True,
                          on_click=lambda i=t.index: selected.set(i), classes=["county-township-button", f"county-township-{t.name}"])
    TownshipViews(county, selected.value, lang)


@solara.component
def TownshipViews(county: CountyModel, i: int | None, lang: str):
    """The selected township's own views (the township tabs' map, trips and cadres components)."""
    update_counter.get()
    models = getattr(county.host, "models", {})
    if i is None or i not in models:
        return
    t, model = county.townships[i], models[i]
    with solara.Column(classes=["county-township"]):
        solara.Text(cu("township_detail", lang, township=_name(t, lang), day=model.day, residents=f"{model.population.n:,}"),
                    classes=["county-township-title"], style={"font-size": "16px", "font-weight": "600"})
        with solara.lab.Tabs(lazy=True):
            with solara.lab.Tab(tr("ui", "tab_map", lang)):
                MapView(model)
            with solara.lab.Tab(tr("ui", "tab_trips", lang)):
                TripsView(model)
            with solara.lab.Tab(tr("ui", "tab_cadres", lang)):
                CadresView(model)
