"""A chart of a model, drawn by ECharts in the browser (its script is served locally by solara-assets).

The server only builds the chart's option (data and labels) — a few milliseconds — and
sends it; the browser draws it. An option is rebuilt only when the model, its day, the
language or a view option changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization.utils import update_counter

from sandbox.viz.echarts_widget import Opaque, figure_echarts
from sandbox.viz.i18n import language

FONT = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', 'DejaVu Sans', sans-serif"
Build = Callable[..., dict]


@solara.component
def Chart(build: Build, model, lang: str, options: tuple[Any, ...] = (), name: str = "chart", height: int = 520):
    """`build(model, lang, *options) -> ECharts option`, shown in `<div class="chart chart-{name}">`.

    Follows Mesa's component convention: reads `update_counter`, so Step/Play re-render it."""
    update_counter.get()
    deps = [model, model.day, lang, *options]
    option = solara.use_memo(lambda: Opaque(build(model, lang, *options)), deps)
    with solara.Column(classes=["chart", f"chart-{name}"], style={"width": "100%"}):
        figure_echarts(option, attributes={"style": f"height: {height}px; width: 100%;"})


@solara.component
def ChartView(build: Build, caption: Callable[[Any, str], str], model, name: str, height: int = 520):
    """A chart with a one-line caption of today's figures under it (in the session's language)."""
    update_counter.get()
    lang = language.value
    Chart(build, model, lang, name=name, height=height)
    solara.Text(caption(model, lang), classes=["caption", f"caption-{name}"])


def base(**extra) -> dict:
    """Common settings: no animation (a projector shows the new state at once), CJK-capable fonts."""
    return {"animation": False, "textStyle": {"fontFamily": FONT, "fontSize": 13},
            "tooltip": {"trigger": "axis"}, **extra}


def num(x: Any, digits: int = 4) -> float | None:
    """JSON-safe number: NaN/inf become null (a gap in the line)."""
    x = float(x)
    return round(x, digits) if math.isfinite(x) else None


def points(values, start: int = 0) -> list[list]:
    """[[day, value], ...] from a daily series."""
    return [[start + i, num(v)] for i, v in enumerate(values)]


def series(model, key: str) -> list[float]:
    """One metric's daily values (DataCollector column; day 0 is the initial state)."""
    return model.datacollector.model_vars[key]


def fmt(value: float, digits: int = 2) -> str:
    return "–" if value != value else f"{value:.{digits}f}"  # NaN → dash


def pct(value: float) -> str:
    return "–" if value != value else f"{100 * value:.0f}%"
