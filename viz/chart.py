"""A chart of a model, drawn by ECharts in the browser (its script is served locally by solara-assets).

The server only builds the chart's option (data and labels) — a few milliseconds — and
sends it; the browser draws it. An option is rebuilt only when the model, its day, the
language or a view option changes.
"""

from __future__ import annotations

import logging
import math
import threading
import weakref
from collections.abc import Callable
from typing import Any

import reacton
import solara
from mesa.visualization.utils import update_counter

from sandbox.viz.echarts_widget import Opaque, figure_echarts
from sandbox.viz.i18n import language, tr

log = logging.getLogger(__name__)
FONT = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', 'DejaVu Sans', sans-serif"
Build = Callable[..., dict]


_options: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_options_lock = threading.Lock()
_model_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_lock(model) -> threading.RLock:
    """Held while a model steps and while a chart of it is built: Play steps in its own thread, and a
    chart read half-way through a day (the day counted, its metrics not yet recorded) would fail."""
    with _options_lock:
        lock = _model_locks.get(model)
        if lock is None:
            lock = _model_locks[model] = threading.RLock()
        return lock


def shared_option(build: Build, model, lang: str, options: tuple[Any, ...] = ()) -> Opaque:
    """The option for (model, its day, language, view options), built once however many browser
    sessions show the same model (a class's projector and 40 trainees' screens); a model's
    options of earlier days are dropped."""
    key = (build, lang, options)
    with model_lock(model):
        day, cached = _options.get(model, (None, {}))
        if day != model.day:
            cached = {}
            _options[model] = (model.day, cached)
        if key not in cached:
            cached[key] = Opaque(build(model, lang, *options))
        return cached[key]


@solara.component
def Chart(build: Build, model, lang: str, options: tuple[Any, ...] = (), name: str = "chart", height: int = 520):
    """`build(model, lang, *options) -> ECharts option`, shown in `<div class="chart chart-{name}">`.

    Follows Mesa's component convention: reads `update_counter`, so Step/Play re-render it."""
    update_counter.get()
    deps = [model, model.day, lang, *options]
    option = solara.use_memo(lambda: shared_option(build, model, lang, options), deps)
    with solara.Column(classes=["chart", f"chart-{name}"], style={"width": "100%"}):
        figure_echarts(option, attributes={"style": f"height: {height}px; width: 100%;"})


@solara.component
def Figure(build: Build, args: tuple[Any, ...], name: str, height: int = 300):
    """A chart of anything: `build(*args) -> ECharts option`, rebuilt when `args` change."""
    option = solara.use_memo(lambda: Opaque(build(*args)), list(args))
    with solara.Column(classes=["chart", f"chart-{name}"], style={"width": "100%"}):
        figure_echarts(option, attributes={"style": f"height: {height}px; width: 100%;"})


@solara.component
def ChartView(build: Build, caption: Callable[[Any, str], str], model, name: str, height: int = 520):
    """A chart with a one-line caption of today's figures under it (in the session's language)."""
    update_counter.get()
    lang = language.value
    Chart(build, model, lang, name=name, height=height)
    with model_lock(model):
        text = caption(model, lang)
    solara.Text(text, classes=["chart-caption", f"caption-{name}"])


@solara.component
def Boundary(children=[]):  # noqa: B006 (Solara passes children this way)
    """Shows its children, or — if one of them fails to draw — one translated line and a retry
    button instead of Solara's traceback (which would show server paths); the error is logged."""
    error, clear = reacton.use_exception()
    if error is not None:
        log.error("a view failed to draw: %s: %s", type(error).__name__, error)
        with solara.Row(style={"align-items": "center"}):
            solara.Error(tr("ui", "view_failed", language.value), classes=["msg-view-failed"])
            solara.Button(tr("ui", "retry", language.value), on_click=clear, outlined=True)
        return
    solara.Column(children=children, style={"width": "100%"})


def base(**extra) -> dict:
    """Common settings: no animation (a projector shows the new state at once), CJK-capable fonts
    at 14 px (read from the back of a room)."""
    return {"animation": False, "textStyle": {"fontFamily": FONT, "fontSize": 14},
            "tooltip": {"trigger": "axis"}, **extra}


def unit_axis(**extra) -> dict:
    """A 0–1 value axis with ticks every 0.25: ECharts' own choice (…, 0.9, 1) prints 0.9 and 1 on top
    of each other."""
    return {"type": "value", "min": 0, "max": 1, "interval": 0.25, **extra}


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
