"""The trade-off view: order, vitality and fairness together (a three-axis radar) and their trajectory."""

from __future__ import annotations

import numpy as np
import solara

from sandbox.viz.chart import ChartView, base, fmt, num, points, series, unit_axis
from sandbox.viz.i18n import tr

INDICES = ("order_index", "vitality_index", "fairness_index")
SHORT = {"order_index": "order", "vitality_index": "vitality", "fairness_index": "fairness"}
COLOURS = {"order_index": "#1f77b4", "vitality_index": "#2ca02c", "fairness_index": "#d62728"}
SNAPSHOTS = 6  # earlier triangles drawn, fading with age


def values(model, day: int) -> list[float | None]:
    return [num(series(model, k)[day], 3) for k in INDICES]


def snapshot_days(day: int) -> list[int]:
    """Earlier days whose triangles are drawn (the trajectory), oldest first."""
    return sorted(set(np.linspace(0, day, SNAPSHOTS + 1, dtype=int)[:-1].tolist())) if day > 0 else []


def radar_series(model, lang: str, colour: str = "#444444", name: str | None = None, history: bool = True,
                 radar_index: int = 0) -> dict:
    """Today's triangle filled; earlier days as fading outlines."""
    data = []
    days = snapshot_days(model.day) if history else []
    for k, d in enumerate(days):
        data.append({"value": values(model, d), "name": tr("ui", "day_n", lang, day=d), "symbol": "none",
                     "lineStyle": {"color": colour, "width": 1, "opacity": 0.15 + 0.5 * k / SNAPSHOTS},
                     "areaStyle": {"opacity": 0}})
    data.append({"value": values(model, model.day), "name": name or tr("ui", "today", lang), "symbolSize": 7,
                 "lineStyle": {"color": colour, "width": 3}, "itemStyle": {"color": colour},
                 "areaStyle": {"color": colour, "opacity": 0.25}})
    return {"type": "radar", "radarIndex": radar_index, "data": data, "name": name or tr("ui", "today", lang)}


def radar_axes(model, lang: str, show_values: bool = True) -> list[dict]:
    v = values(model, model.day)
    return [{"name": f"{tr('ui', SHORT[k], lang)} {fmt(x if x is not None else float('nan'))}" if show_values
             else tr("ui", SHORT[k], lang), "max": 1, "min": 0} for k, x in zip(INDICES, v)]


def tradeoff_option(model, lang: str) -> dict:
    """Left: the triangle today and earlier; right: the three indices over time."""
    lines = [{"type": "line", "name": tr("metrics", k, lang), "data": points(series(model, k)), "showSymbol": False,
              "color": COLOURS[k], "lineStyle": {"width": 2.5}} for k in INDICES]
    return base(
        tooltip={"trigger": "item"},  # an axis tooltip breaks a radar
        title={"text": f"{tr('ui', 'today', lang)} · {tr('ui', 'day_n', lang, day=model.day)}", "left": 20, "top": 0,
               "textStyle": {"fontSize": 14}},
        radar={"indicator": radar_axes(model, lang), "center": ["25%", "55%"], "radius": "62%", "shape": "polygon",
               "splitNumber": 4, "axisName": {"color": "#222", "fontSize": 14, "fontWeight": "bold"}},
        grid={"left": "56%", "right": 25, "top": 60, "bottom": 50},
        xAxis={"type": "value", "min": 0, "max": max(1, model.day), "minInterval": 1, "name": tr("ui", "working_day", lang),
               "nameLocation": "middle", "nameGap": 26},
        yAxis=unit_axis(name=tr("ui", "index_value", lang), nameLocation="middle", nameGap=40),
        legend={"top": 28, "left": "56%", "data": [tr("metrics", k, lang) for k in INDICES]},
        series=[radar_series(model, lang)] + lines,
    )


def tradeoff_caption(model, lang: str) -> str:
    return " · ".join(f"{tr('metrics', k, lang)} {fmt(model.metrics[k])}" for k in INDICES)


@solara.component
def TradeoffView(model, session=None):
    """The triangle and the three indices over time; today's values under it."""
    ChartView(tradeoff_option, tradeoff_caption, model, "tradeoff", 440)
