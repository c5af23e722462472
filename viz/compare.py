"""Side by side: model A and its twin B (same township and seed, one lever changed), stepped in lockstep."""

from __future__ import annotations

import html
import math

import solara
from mesa.visualization.utils import update_counter

from sandbox.viz import levers
from sandbox.viz.chart import Chart, base, points, series
from sandbox.viz.controls import LeverInput, scenario_items
from sandbox.viz.i18n import language, tr, ui
from sandbox.viz.state import Session, Twin

# (metric, +1 if more is better / -1 if less is better, format)
ROWS = (
    ("trips_per_matter", -1, "{:.2f}"), ("share_one_trip", +1, "{:.0%}"), ("days_to_settle", -1, "{:.1f}"),
    ("share_abandoned", -1, "{:.1%}"), ("trips_gap_elderly", -1, "{:+.2f}"), ("trips_gap_low_literacy", -1, "{:+.2f}"),
    ("cadre_reporting_hours", -1, "{:.2f}"), ("cadre_face_to_face_hours", +1, "{:.2f}"), ("cadre_overtime_hours", -1, "{:.2f}"),
    ("open_disputes", -1, "{:.0f}"), ("escalations", -1, "{:.0f}"), ("problem_backlog", -1, "{:.0f}"),
    ("participation", +1, "{:.1%}"), ("order_index", +1, "{:.3f}"), ("vitality_index", +1, "{:.3f}"), ("fairness_index", +1, "{:.3f}"),
)
PANELS = ("trips_per_matter", "share_one_trip", "cadre_face_to_face_hours", "order_index", "vitality_index", "fairness_index")
RELATIVE = 0.02  # a difference under 2% of the larger value is not highlighted


def verdict(a: float, b: float, direction: int) -> str:
    """'better' / 'worse' for B against A, '' when equal, undefined or too small to matter."""
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        return ""
    if abs(b - a) <= RELATIVE * max(abs(a), abs(b)):
        return ""
    return "better" if (b - a) * direction > 0 else "worse"


def _cell(fmt: str, x: float) -> str:
    return "–" if not math.isfinite(x) else fmt.format(x)


def table_html(a, b, lang: str) -> str:
    head = "".join(f"<th>{html.escape(tr('ui', k, lang))}</th>" for k in ("metric", "side_a", "side_b", "b_minus_a"))
    rows = []
    for key, direction, fmt in ROWS:
        x, y = float(a.metrics[key]), float(b.metrics[key])
        v = verdict(x, y, direction)
        diff = "–" if not (math.isfinite(x) and math.isfinite(y)) else fmt.replace("{:", "{:+").replace("++", "+").format(y - x)
        mark = f" ({tr('ui', v, lang)})" if v else ""
        rows.append(f'<tr class="{v}" data-metric="{key}"><td>{html.escape(tr("metrics", key, lang))}</td>'
                    f"<td>{_cell(fmt, x)}</td><td>{_cell(fmt, y)}</td><td>{diff}{html.escape(mark)}</td></tr>")
    style = ("<style>.compare-table td,.compare-table th{padding:3px 12px;text-align:right;font-size:14px}"
             ".compare-table td:first-child,.compare-table th:first-child{text-align:left}"
             ".compare-table tr.better td{background:#e8f5e9;color:#1b5e20;font-weight:600}"
             ".compare-table tr.worse td{background:#ffebee;color:#b71c1c;font-weight:600}</style>")
    return f'{style}<table class="compare-table"><tr>{head}</tr>{"".join(rows)}</table>'


def compare_option(a, lang: str, b, _day: int = 0) -> dict:
    """Six panels (2 × 3), A solid and B dashed, over the same days."""
    grid, titles, xs, ys, lines = [], [], [], [], []
    for i, key in enumerate(PANELS):
        row, column = divmod(i, 3)
        left = f"{5 + column * 33}%"
        top = 55 + row * 200
        grid.append({"left": left, "width": "26%", "top": top, "height": 140})
        titles.append({"text": tr("metrics", key, lang), "left": left, "top": top - 24, "textStyle": {"fontSize": 13}})
        xs.append({"type": "value", "gridIndex": i, "min": 0, "max": max(1, a.day), "minInterval": 1,
                   "name": tr("ui", "working_day", lang) if row == 1 else "", "nameLocation": "middle", "nameGap": 24})
        y = {"type": "value", "gridIndex": i, "splitNumber": 3}
        if key.endswith("_index") or key.startswith("share"):
            y.update(min=0, max=1)
        ys.append(y)
        for side, model, colour, dash in (("side_a", a, "#1f77b4", "solid"), ("side_b", b, "#ff7f0e", "dashed")):
            lines.append({"type": "line", "name": tr("ui", side, lang), "xAxisIndex": i, "yAxisIndex": i, "showSymbol": False,
                          "data": points(series(model, key)), "color": colour, "lineStyle": {"width": 2.2, "type": dash}})
    return base(title=titles, grid=grid, xAxis=xs, yAxis=ys, series=lines,
                legend={"top": 0, "data": [tr("ui", "side_a", lang), tr("ui", "side_b", lang)]})


def heading(session: Session, lang: str) -> str:
    a = session.settings.value.scenario
    spec = session.twin_spec.value
    b = spec.scenario + (f" + {levers.describe_change(spec.lever, spec.value, lang)}" if spec.lever else "")
    return tr("ui", "compare_heading", lang, a=a, b=b, day=session.model.value.day)


@solara.component
def CompareControls(session: Session):
    """Choose B: a scenario and one lever to change; start or stop the comparison."""
    lang = language.value
    scenario, set_scenario = solara.use_state(session.settings.value.scenario)
    lever, set_lever = solara.use_state("")
    value, set_value = solara.use_state(None)
    current = levers.draft_for(scenario)
    shown = value if value is not None else (not current[lever] if lever and levers.kind(lever) is bool else current.get(lever))
    solara.Text(ui("compare_hint"), style={"color": "#555"})
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.v.Select(label=ui("compare_scenario"), items=scenario_items(lang), v_model=scenario, on_v_model=set_scenario,
                        dense=True, hide_details=True, style_="max-width: 260px", class_="compare-scenario")
        choices = [{"text": ui("no_change"), "value": ""}] + [
            {"text": tr("params", k, lang), "value": k} for k in levers.MAIN if k not in levers.TEXT_BOXES]
        solara.v.Select(label=ui("change_lever"), items=choices, v_model=lever,
                        on_v_model=lambda v: (set_lever(v or ""), set_value(None)), dense=True, hide_details=True,
                        style_="max-width: 260px", class_="compare-lever")
        if lever:
            LeverInput(lever, shown, set_value, label=ui("lever_value"))
    with solara.Row():
        solara.Button(ui("start_compare"), color="primary",
                      on_click=lambda: session.compare(Twin(scenario, lever or None, shown if lever else None), lang),
                      classes=["compare-start"])
        if session.twin.value is not None:
            solara.Button(ui("stop_compare"), outlined=True, on_click=session.stop_compare, classes=["compare-stop"])


@solara.component
def CompareView(session: Session):
    update_counter.get()
    lang = language.value
    CompareControls(session)
    a, b = session.model.value, session.twin.value
    if b is None or session.twin_spec.value is None:
        solara.Info(ui("compare_none"))
        return
    solara.Text(heading(session, lang), classes=["compare-heading"], style={"font-size": "16px", "font-weight": "600"})
    solara.HTML(tag="div", unsafe_innerHTML=table_html(a, b, lang), classes=["compare"])
    Chart(compare_option, a, lang, options=(b, b.day), name="compare", height=470)
