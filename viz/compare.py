"""Side by side, honestly: A and B compared over replications with common random numbers.

The table is computed from R runs of each (the same seeds for both, run in the background): every
metric's mean and 95 % interval for A and for B, and the paired difference B − A with its
interval. A row is coloured only when that interval excludes zero; otherwise it says the model
cannot tell the two apart. Below it, one run of each, stepped in lockstep with the session, shows
the days unfold (a difference between single runs includes chance, and the caption says so).
A one-click preset compares the vertical township with the integrated one.
"""

from __future__ import annotations

import html
import math

import solara
from mesa.visualization.utils import update_counter

from sandbox.replicates import Estimate
from sandbox.viz import levers
from sandbox.viz.chart import Chart, base, points, series, unit_axis
from sandbox.viz.controls import LeverInput, guard, scenario_items
from sandbox.viz.i18n import language, tr, ui
from sandbox.viz.state import COMPARE_DAYS, COMPARE_REPLICATIONS, Replicated, Session, Twin

# (metric, +1 if more is better / -1 if less is better, digits)
ROWS = (
    ("trips_per_matter", -1, ".2f"), ("trips_per_counter_matter", -1, ".2f"), ("share_one_trip", +1, ".1%"), ("days_to_settle", -1, ".1f"),
    ("share_abandoned", -1, ".1%"), ("trips_gap_elderly", -1, "+.2f"), ("trips_gap_low_literacy", -1, "+.2f"),
    ("cadre_reporting_hours", -1, ".2f"), ("cadre_face_to_face_hours", +1, ".2f"), ("cadre_overtime_hours", -1, ".2f"),
    ("open_disputes", -1, ".1f"), ("escalations", -1, ".1f"), ("problem_backlog", -1, ".1f"),
    ("participation", +1, ".1%"), ("order_index", +1, ".3f"), ("vitality_index", +1, ".3f"), ("fairness_index", +1, ".3f"),
)
PANELS = ("trips_per_matter", "share_one_trip", "cadre_face_to_face_hours", "order_index", "vitality_index", "fairness_index")


def verdict(diff: Estimate, direction: int) -> str:
    """'better' / 'worse' for B against A when the 95 % interval of B − A excludes zero, else ''."""
    s = diff.sign()
    return "" if s == 0 else "better" if s * direction > 0 else "worse"


def _f(x: float, spec: str) -> str:
    return format(x, spec) if math.isfinite(x) else "–"


def _shows_as_zero(x: float, spec: str) -> bool:
    return float(format(abs(x), spec.lstrip("+")).rstrip("%")) == 0


def _ci(e: Estimate, spec: str) -> str:
    if not math.isfinite(e.mean):
        return "–"
    if e.excludes_zero and _shows_as_zero(e.mean, spec):
        # certain, yet too small for the column's digits: two significant digits, fixed point
        digits = min(9, 1 - math.floor(math.log10(abs(e.mean) * (100 if spec.endswith("%") else 1))))
        spec = ("+" if spec.startswith("+") else "") + f".{digits}{'%' if spec.endswith('%') else 'f'}"
    if not (math.isfinite(e.low) and math.isfinite(e.high)):
        return _f(e.mean, spec)
    return f"{_f(e.mean, spec)} <span class='ci'>[{_f(e.low, spec)}, {_f(e.high, spec)}]</span>"


def table_html(rep: Replicated, lang: str) -> str:
    """Means with 95 % intervals, paired differences; colour only where the interval excludes zero."""
    res = rep.job.results
    head = "".join(f"<th>{html.escape(tr('ui', k, lang))}</th>" for k in ("metric", "side_a", "side_b", "b_minus_a"))
    rows = []
    for key, direction, spec in ROWS:
        a, b, d = res.estimate(0, key), res.estimate(1, key), res.difference(0, 1, key)
        v = verdict(d, direction)
        dspec = spec if spec.startswith("+") else "+" + spec
        mark = tr("ui", v, lang) if v else tr("ui", "no_clear_difference", lang)
        rows.append(f'<tr class="{v or "unclear"}" data-metric="{key}"><td>{html.escape(tr("metrics", key, lang))}</td>'
                    f"<td>{_ci(a, spec)}</td><td>{_ci(b, spec)}</td>"
                    f"<td>{_ci(d, dspec)} <span class='verdict'>{html.escape(mark)}</span></td></tr>")
    style = ("<style>.compare-table td,.compare-table th{padding:3px 12px;text-align:right;font-size:15px}"
             ".compare-table td:first-child,.compare-table th:first-child{text-align:left}"
             ".compare-table .ci{color:#555;font-size:14px}.compare-table tr.unclear .verdict{color:#666}"
             ".compare-table tr.better td{background:#e8f5e9;color:#1b5e20;font-weight:600}"
             ".compare-table tr.worse td{background:#ffebee;color:#b71c1c;font-weight:600}</style>")
    return f'{style}<table class="compare-table"><tr>{head}</tr>{"".join(rows)}</table>'


def compare_option(a, lang: str, b, _day: int = 0) -> dict:
    """Six panels (2 × 3), one run of A solid and of B dashed, over the same days."""
    grid, titles, xs, ys, lines = [], [], [], [], []
    for i, key in enumerate(PANELS):
        row, column = divmod(i, 3)
        left = f"{5 + column * 33}%"
        top = 55 + row * 200
        grid.append({"left": left, "width": "26%", "top": top, "height": 140})
        titles.append({"text": tr("metrics", key, lang), "left": left, "top": top - 24, "textStyle": {"fontSize": 14}})
        xs.append({"type": "value", "gridIndex": i, "min": 0, "max": max(1, a.day), "minInterval": 1,
                   "name": tr("ui", "working_day", lang) if row == 1 else "", "nameLocation": "middle", "nameGap": 24})
        ys.append(unit_axis(gridIndex=i, interval=0.5) if key.endswith("_index") or key.startswith("share")
                  else {"type": "value", "gridIndex": i, "splitNumber": 3})
        for side, model, colour, dash in (("side_a", a, "#1f77b4", "solid"), ("side_b", b, "#ff7f0e", "dashed")):
            lines.append({"type": "line", "name": tr("ui", side, lang), "xAxisIndex": i, "yAxisIndex": i, "showSymbol": False,
                          "data": points(series(model, key)), "color": colour, "lineStyle": {"width": 2.2, "type": dash}})
    return base(title=titles, grid=grid, xAxis=xs, yAxis=ys, series=lines,
                legend={"top": 0, "data": [tr("ui", "side_a", lang), tr("ui", "side_b", lang)]})


def heading(session: Session, lang: str) -> str:
    a = levers.scenario_label(session.settings.value.scenario, lang)
    spec = session.twin_spec.value
    b = levers.scenario_label(spec.scenario, lang) + (f" + {levers.describe_change(spec.lever, spec.value, lang)}" if spec.lever else "")
    return tr("ui", "compare_heading", lang, a=a, b=b, day=session.model.value.day)


@solara.component
def CompareControls(session: Session):
    """Choose B (a scenario and one lever), how many runs and days; compare, or the preset."""
    lang = language.value
    scenario, set_scenario = solara.use_state(session.settings.value.scenario)
    lever, set_lever = solara.use_state("")
    value, set_value = solara.use_state(None)
    reps, set_reps = solara.use_state(COMPARE_REPLICATIONS)
    days, set_days = solara.use_state(COMPARE_DAYS)
    if not isinstance(scenario, str) or scenario not in levers.scenario_names():
        scenario = session.settings.value.scenario  # only listed names are ever read
    if lever and lever not in levers.MAIN:
        lever = ""
    current = levers.draft_for(scenario)
    shown = value if value is not None else (not current[lever] if lever and levers.kind(lever) is bool else current.get(lever))
    solara.Text(ui("compare_hint"), style={"color": "#444", "font-size": "15px"})
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.v.Select(label=ui("compare_scenario"), items=scenario_items(lang), v_model=scenario, on_v_model=set_scenario,
                        dense=True, hide_details=True, style_="max-width: 300px", class_="compare-scenario")
        choices = [{"text": ui("no_change"), "value": ""}] + [
            {"text": tr("params", k, lang), "value": k} for k in levers.MAIN if k not in levers.TEXT_BOXES]
        solara.v.Select(label=ui("change_lever"), items=choices, v_model=lever,
                        on_v_model=lambda v: (set_lever(v or ""), set_value(None)), dense=True, hide_details=True,
                        style_="max-width: 260px", class_="compare-lever")
        if lever:
            LeverInput(lever, shown, set_value, label=ui("lever_value"))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "16px"}):
        for key, value, setter, lo, hi, step in (("replications", reps, set_reps, 3, 20, 1), ("compare_days", days, set_days, 20, 250, 10)):
            with solara.Row(style={"align-items": "center", "min-width": "300px", "gap": "8px"}, classes=[f"compare-{key}"]):
                with solara.Column(style={"flex": "1"}):
                    solara.SliderInt(ui(key), value=value, min=lo, max=hi, step=step, on_value=setter, thumb_label=False)
                solara.Text(ui("range_hint", value=value, low=lo, high=hi), classes=["lever-value"])
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button(ui("start_compare"), color="primary", classes=["compare-start"],
                      on_click=guard(session, "start_compare", lambda: session.compare(
                          Twin(scenario, lever or None, shown if lever else None), lang, reps, days)))
        solara.Button(ui("preset_vertical_integrated"), color="primary", outlined=True, classes=["compare-preset"],
                      on_click=guard(session, "preset_vertical_integrated", lambda: session.preset(lang, reps, days)))
        if session.twin.value is not None:
            solara.Button(ui("stop_compare"), outlined=True, on_click=guard(session, "stop_compare", lambda: session.stop_compare(lang)),
                          classes=["compare-stop"])


@solara.component
def ReplicatedTable(rep: Replicated):
    """Progress while the runs go on (polled: the runs finish in worker processes), then the table."""
    tick, set_tick = solara.use_state(0)

    def poll(cancel):
        while not cancel.is_set() and not rep.job.done.wait(0.5):
            set_tick(lambda t: t + 1)
        set_tick(lambda t: t + 1)

    solara.use_thread(poll, dependencies=[rep.job])
    lang = language.value
    done, total = rep.job.progress
    if rep.job.error:
        solara.Error(ui("compare_failed", error=rep.job.error), classes=["compare-failed"])
        return
    if done < total:
        text = ui("compare_running", done=done, total=total, queued=rep.queued) if rep.queued else ui("compare_progress", done=done, total=total)
        solara.Text(text, classes=["compare-progress"], style={"font-size": "15px"})
        solara.ProgressLinear(value=100 * done / max(1, total))
        return
    seeds = rep.plan.seeds
    solara.Text(ui("compare_table_note", r=len(seeds), first=seeds[0], last=seeds[-1], days=rep.plan.days,
                   residents=f"{rep.a.residents:,}"), classes=["compare-note"], style={"font-size": "15px"})
    solara.HTML(tag="div", unsafe_innerHTML=table_html(rep, lang), classes=["compare"])


@solara.component
def CompareView(model, session: Session):
    update_counter.get()
    lang = language.value
    CompareControls(session)
    a, b = session.model.value, session.twin.value
    if b is None or session.twin_spec.value is None:
        solara.Info(ui("compare_none"))
        return
    solara.Text(heading(session, lang), classes=["compare-heading"], style={"font-size": "17px", "font-weight": "600"})
    rep = session.replicated.value
    if rep is not None:
        ReplicatedTable(rep)
    solara.Text(ui("one_run_note", seed=session.settings.value.seed), classes=["one-run-note"], style={"font-size": "14px", "color": "#555"})
    Chart(compare_option, a, lang, options=(b, b.day), name="compare", height=470)
