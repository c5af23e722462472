"""Solara's ECharts widget, made safe for a chart that is updated while its script still loads.

Solara 1.58's template calls `this.chart.setOption` when the option changes even if ECharts
has not finished loading (a Step right after the page opens: a console TypeError), and
`echarts.init` on a chart that was removed meanwhile ("invalid dom"). The same template with
those two guards; the newest option is applied when the chart is created. Each drawn option
also bumps a `data-drawn` counter on the chart's element, so a test can tell it was redrawn.
"""

from __future__ import annotations

from pathlib import Path

import solara.components.echarts as solara_echarts
import traitlets

_SOURCE = (Path(solara_echarts.__file__).parent / "echarts.vue").read_text()
_INIT = "this.chart = this.echarts.init(this.$refs.echarts);"
PATCHED = _INIT in _SOURCE
_SET = "this.chart.setOption(this.option, true);"
PATCHED = PATCHED and _SET in _SOURCE
# guards, and a `data-drawn` counter on the chart's element (tests and benchmarks read it)
TEMPLATE = (_SOURCE.replace(_SET, "if (this.chart) { " + _SET + " this.$refs.echarts.dataset.drawn = "
                                  "String(Number(this.$refs.echarts.dataset.drawn || 0) + 1); }")
            .replace(_INIT, "if (!this.$refs.echarts) { return; } " + _INIT))


class Opaque:
    """A chart option Reacton sees as one value: it would otherwise walk every nested list of
    it (thousands of map points) on every render of the page, which made a Step take ~1 s."""

    __slots__ = ("value",)

    def __init__(self, value: dict):
        self.value = value


def _to_json(value, widget) -> dict:
    return value.value if isinstance(value, Opaque) else value


class SafeEchartsWidget(solara_echarts.EchartsWidget):
    template_file = None
    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    option = traitlets.Any({}).tag(sync=True, to_json=_to_json)


def figure_echarts(option: Opaque, attributes: dict, responsive: bool = True):
    """Like solara.FigureEcharts(option=..., attributes=..., responsive=...), with the guards."""
    if not PATCHED:  # another Solara version: its own template, a plain option
        return solara_echarts.EchartsWidget.element(option=option.value, attributes=attributes, responsive=responsive)
    return SafeEchartsWidget.element(option=option, attributes=attributes, responsive=responsive)
