"""Time series: residents' trips and days by group; cadres' hours by activity (stacked)."""

from __future__ import annotations

import math

import numpy as np
import solara

from sandbox.metric_registry import activities, activity_metric
from sandbox.viz.chart import ChartView, base, fmt, num, pct, points, series, unit_axis
from sandbox.viz.i18n import tr

GROUPS = ("all", "elderly", "low_literacy", "remote")
GROUP_COLOURS = {"all": "#222222", "elderly": "#d95f02", "low_literacy": "#7570b3", "remote": "#1b9e77"}
TRIP_METRICS = ("trips_per_matter", "share_one_trip", "days_to_settle")

# stacking order from the metric registry: upward-facing work first (it comes first in a cadre's
# day), then the hours that face residents
TOP_DOWN = activities(faces=("above",))
ACTIVITIES = activities(faces=("above", "residents"))
ACTIVITY_COLOURS = {
    "reporting": "#c0392b", "delivery": "#e67e22", "work_groups": "#f1c40f", "inspections": "#95a5a6",
    "stability": "#7f8c8d", "facilitation": "#8e44ad", "face_to_face": "#27ae60", "mediation": "#16a085",
}
_SPARE = ("#2980b9", "#d35400", "#2c3e50", "#1abc9c")  # an activity added to the registry later still gets a colour
OVERFLOW_COLOURS = ("#34495e", "#bdc3c7")


def _key(metric: str, group: str) -> str:
    return metric if group == "all" else f"{metric}_{group}"


def _group_name(group: str, lang: str) -> str:
    return tr("ui", "all_residents", lang) if group == "all" else tr("groups", group, lang)


def panels(n: int, top: int = 40, height: int = 120, gap: int = 45, left: int = 60, right: int = 25) -> list[dict]:
    """`n` grids stacked vertically."""
    return [{"left": left, "right": right, "top": top + i * (height + gap), "height": height} for i in range(n)]


def day_axes(n: int, last_day: int, lang: str, first: int = 0) -> list[dict]:
    """Shared day axis for `n` stacked grids; labelled on the bottom one."""
    return [{"type": "value", "gridIndex": i, "min": first, "max": max(first + 1, last_day), "minInterval": 1,
             "axisLabel": {"show": i == n - 1}, "name": tr("ui", "working_day", lang) if i == n - 1 else "",
             "nameLocation": "middle", "nameGap": 26} for i in range(n)]


def trips_option(model, lang: str) -> dict:
    """Three panels sharing the day axis: trips per matter, share ≤ 1 trip, days to settle; a line per group."""
    last = len(series(model, "trips_per_matter")) - 1
    grid = panels(3)
    titles, y_axes, lines = [], [], []
    for i, metric in enumerate(TRIP_METRICS):
        titles.append({"text": tr("metrics", metric, lang), "top": grid[i]["top"] - 24, "left": 55,
                       "textStyle": {"fontSize": 15, "fontWeight": "bold"}})
        axis = {"type": "value", "gridIndex": i, "min": 0, "splitNumber": 3}
        if metric == "share_one_trip":
            axis = unit_axis(gridIndex=i, interval=0.5)
        y_axes.append(axis)
        for g in GROUPS:
            lines.append({"type": "line", "name": _group_name(g, lang), "xAxisIndex": i, "yAxisIndex": i,
                          "data": points(series(model, _key(metric, g))), "showSymbol": False,
                          "color": GROUP_COLOURS[g], "lineStyle": {"width": 3 if g == "all" else 1.6}})
    return base(title=titles, grid=grid, xAxis=day_axes(3, last, lang), yAxis=y_axes, series=lines,
                legend={"top": 0, "right": 10, "data": [_group_name(g, lang) for g in GROUPS]})


def activity_colour(activity: str) -> str:
    return ACTIVITY_COLOURS.get(activity) or _SPARE[ACTIVITIES.index(activity) % len(_SPARE)]


def cadre_day(model) -> dict[str, np.ndarray]:
    """Per day (from day 1), mean hours per cadre on each activity as worked (cadres choose what to
    do with their day: the hours never exceed the day and its overtime), what was demanded from
    above (worked top-down hours plus the work due and left undone), overtime and undone."""
    def col(key: str) -> np.ndarray:
        return np.nan_to_num(np.asarray(series(model, key)[1:], float))

    out = {a: col(activity_metric(a)) for a in ACTIVITIES}
    undone = col("cadre_unfinished_hours")
    out["demanded"] = sum(out[a] for a in TOP_DOWN) + undone
    out["overtime"] = col("cadre_overtime_hours")
    out["undone"] = undone
    return out


def cadres_option(model, lang: str) -> dict:
    """Top: hours per cadre per day actually worked, stacked by activity, with the working-hours line
    and a dashed line for what was demanded from above (forms can ask for more hours than a day
    has: the stack never shows more than was worked). Bottom: overtime and work left undone."""
    n = len(series(model, "cadre_reporting_hours"))
    day = cadre_day(model)
    names = {a: tr("ui", "face_to_face_service", lang) if a == "face_to_face" else tr("metrics", f"cadre_{a}_hours", lang)
             for a in ACTIVITIES}
    budget = model.p.staffing.hours_per_day
    grid = [{"left": 60, "right": 25, "top": 90, "height": 260}, {"left": 60, "right": 25, "top": 395, "height": 75}]
    out = []
    for a in ACTIVITIES:
        s = {"type": "line", "name": names[a], "stack": "day", "areaStyle": {"opacity": 0.85}, "showSymbol": False,
             "lineStyle": {"width": 0}, "color": activity_colour(a), "data": [num(v) for v in day[a]]}
        if a == "reporting":
            s["markLine"] = {"symbol": "none", "silent": True, "lineStyle": {"type": "solid", "color": "#000", "width": 2},
                             "label": {"formatter": tr("ui", "working_hours_line", lang), "position": "insideEndTop"},
                             "data": [{"yAxis": budget}]}
        out.append(s)
    out.append({"type": "line", "name": tr("ui", "hours_demanded", lang), "showSymbol": False, "color": "#000",
                "lineStyle": {"type": "dashed", "width": 2}, "data": [num(v) for v in day["demanded"]]})
    for key, colour in zip(("overtime", "undone"), OVERFLOW_COLOURS):
        out.append({"type": "line", "name": tr("metrics", f"cadre_{'unfinished' if key == 'undone' else key}_hours", lang),
                    "stack": "over", "xAxisIndex": 1, "yAxisIndex": 1, "areaStyle": {"opacity": 0.9}, "showSymbol": False,
                    "lineStyle": {"width": 0}, "color": colour, "data": [num(v) for v in day[key]]})
    worked = sum(day[a] for a in ACTIVITIES)
    top = float(max(worked.max(), day["demanded"].max())) if len(worked) else budget
    legend = [names[a] for a in ACTIVITIES] + [tr("ui", "hours_demanded", lang)] + [
        tr("metrics", k, lang) for k in ("cadre_overtime_hours", "cadre_unfinished_hours")]
    return base(
        grid=grid, series=out, legend={"top": 0, "left": 10, "right": 10, "data": legend, "icon": "rect"},
        graphic=[{"type": "text", "left": 65, "top": 70, "style": {"text": tr("ui", "cadres_note", lang), "fontSize": 13, "fill": "#555"}}],
        xAxis=[{"type": "category", "gridIndex": i, "data": list(range(1, n)), "boundaryGap": False,
                "axisLabel": {"show": i == 1}, "name": tr("ui", "working_day", lang) if i == 1 else "",
                "nameLocation": "middle", "nameGap": 26} for i in range(2)],  # categories: ECharts stacks by index
        yAxis=[{"type": "value", "gridIndex": 0, "min": 0, "max": math.ceil(max(budget, top) * 1.05),  # whole hours: no crowded top label
                "name": tr("ui", "hours_per_cadre", lang), "nameLocation": "middle", "nameGap": 38},
               {"type": "value", "gridIndex": 1, "min": 0, "splitNumber": 2, "name": tr("ui", "overflow_hours", lang),
                "nameLocation": "middle", "nameGap": 38}],
    )


def trips_caption(model, lang: str) -> str:
    m = model.metrics
    return " | ".join(f"{_group_name(g, lang)}: {fmt(m[_key('trips_per_matter', g)])} · "
                      f"{pct(m[_key('share_one_trip', g)])} · {fmt(m[_key('days_to_settle', g)], 1)}" for g in GROUPS)


def cadres_caption(model, lang: str) -> str:
    """Today: hours worked (never more than the day and its overtime), demanded, left undone."""
    if model.day == 0:
        return ""
    day = {k: v[-1] for k, v in cadre_day(model).items()}
    worked = sum(day[a] for a in ACTIVITIES)
    return tr("ui", "cadres_caption", lang, worked=fmt(worked, 1), overtime=fmt(day["overtime"], 1),
              face=fmt(day["face_to_face"] + day["mediation"], 1), demanded=fmt(day["demanded"], 1), undone=fmt(day["undone"], 1))


@solara.component
def TripsView(model, session=None):
    """Residents' trips, share done in one trip, and days, by group; today's figures under it."""
    ChartView(trips_option, trips_caption, model, "trips", 540)


@solara.component
def CadresView(model, session=None):
    """Cadres' day by activity; today's hours under it."""
    ChartView(cadres_option, cadres_caption, model, "cadres", 530)
