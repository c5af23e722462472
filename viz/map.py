"""The township map: grid cells, villages and communities, offices, residents and grid workers."""

from __future__ import annotations

import weakref

import numpy as np
import solara
from mesa.visualization.utils import update_counter
from scipy.spatial import ConvexHull, QhullError

from sandbox.viz.chart import Chart, base, num
from sandbox.viz.i18n import language, tr, ui

COLOUR_BY = ("open", "grievance", "participating")
GREY = "#b5b5b5"
ON = {"open": "#d62728", "participating": "#2ca02c"}
SIZE = 470  # px of the square plot area
_cells: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cell_shapes(model) -> tuple[np.ndarray, list[np.ndarray]]:
    """Centre and outline (convex hull of its residents' homes) of every grid cell; fixed per model."""
    if model not in _cells:
        pop = model.population
        n_cells = len(model.grid_workers)
        centres = np.zeros((n_cells, 2))
        outlines = []
        for c in range(n_cells):
            pts = pop.xy[pop.cell == c]
            centres[c] = pts.mean(axis=0) if len(pts) else (0.0, 0.0)
            try:
                hull = pts[ConvexHull(pts).vertices]
                outlines.append(np.vstack([hull, hull[:1]]))
            except (QhullError, ValueError, IndexError):
                outlines.append(pts)
        _cells[model] = (centres, outlines)
    return _cells[model]


def open_matter_residents(model) -> np.ndarray:
    """Mask of residents with a service matter or dispute still open."""
    mask = np.zeros(model.population.n, bool)
    for matters in model.due.values():
        for m in matters:
            mask[m.resident] = True
    for m in model.open_disputes:
        mask[m.resident] = True
    return mask


def participating(model) -> np.ndarray:
    return (model.day - model.population.last_part) <= 90


def _xy(a: np.ndarray) -> list[list[float]]:
    return np.round(a, 2).tolist()


GRIEVANCE_COLOURS = ("#cccccc", "#fcae91", "#fb6a4a", "#a50f15")


def _residents(model, colour_by: str, lang: str) -> list[dict]:
    """Resident scatter series: two for yes/no states, four grievance bands (the top one is
    above the escalation threshold: those residents may go over the township's head)."""
    pop = model.population
    if colour_by == "grievance":
        cut = model.p.escalation.grievance_threshold
        edges = sorted({0.0, min(0.1, cut), min(0.3, cut), cut, 1.0000001})
        out = []
        for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
            mask = (pop.grievance >= lo) & (pop.grievance < hi)
            out.append({"type": "scatter", "name": f"{tr('ui', 'colour_grievance', lang)} {lo:.1f}–{min(hi, 1.0):.1f} ({int(mask.sum())})",
                        "data": _xy(pop.xy[mask]), "symbolSize": 3 if k == 0 else 6, "z": 2 + k,
                        "color": GRIEVANCE_COLOURS[min(k, len(GRIEVANCE_COLOURS) - 1)]})
        return out
    if colour_by == "open":
        mask, on, off = open_matter_residents(model), "has_open_matter", "no_open_matter"
    else:
        mask, on, off = participating(model), "took_part", "did_not_take_part"
    return [
        {"type": "scatter", "name": tr("ui", off, lang), "data": _xy(pop.xy[~mask]), "symbolSize": 3, "color": GREY, "z": 2},
        {"type": "scatter", "name": f"{tr('ui', on, lang)} ({int(mask.sum())})", "data": _xy(pop.xy[mask]),
         "symbolSize": 6, "color": ON[colour_by], "z": 3},
    ]


def map_option(model, lang: str, colour_by: str = "open") -> dict:
    """Residents coloured by `colour_by`; cells outlined with their grid worker; village offices
    labelled; the township seat with its service centre or stations."""
    centres, outlines = cell_shapes(model)
    pop = model.population
    lo = np.minimum(pop.xy.min(axis=0), 0.0) - 0.8
    hi = np.maximum(pop.xy.max(axis=0), 0.0) + 0.8
    span = float(max(hi - lo))  # same km per pixel on both axes
    mid = (lo + hi) / 2
    x_axis = {"type": "value", "min": num(mid[0] - span / 2, 1), "max": num(mid[0] + span / 2, 1), "name": tr("ui", "km", lang),
              "nameLocation": "middle", "nameGap": 24, "splitLine": {"lineStyle": {"opacity": 0.3}},
              "axisLabel": {"showMinLabel": False, "showMaxLabel": False}, "axisLine": {"onZero": False}}
    y_axis = {**x_axis, "min": num(mid[1] - span / 2, 1), "max": num(mid[1] + span / 2, 1), "nameGap": 30}
    cells = {"type": "lines", "coordinateSystem": "cartesian2d", "polyline": True, "name": tr("ui", "grid_cell", lang),
             "data": [{"coords": _xy(o)} for o in outlines if len(o) >= 3], "silent": True, "z": 1,
             "lineStyle": {"color": "#7f9cc7", "width": 1.2}}
    residents = _residents(model, colour_by, lang)
    workers = {"type": "scatter", "name": f"{tr('ui', 'grid_worker', lang)} ({len(centres)})", "data": _xy(centres),
               "symbol": "triangle", "symbolSize": 11, "color": "#1f77b4", "z": 4}
    offices = {"type": "scatter", "name": tr("departments", "village_office", lang), "symbol": "rect", "symbolSize": 11,
               "color": "#ff7f0e", "z": 5, "itemStyle": {"borderColor": "#000", "borderWidth": 1},
               "label": {"show": True, "position": "right", "formatter": "{b}", "fontSize": 12, "fontWeight": "bold",
                         "backgroundColor": "rgba(255,255,255,0.7)"},
               "data": [{"name": tr("ui", "community_n" if model.village_urban[v] else "village_n", lang, n=v + 1),
                         "value": [num(x, 2), num(y, 2)]} for v, (x, y) in enumerate(model.village_xy)]}
    backlog = [pr.cell for pr in model.backlog]
    problems = {"type": "scatter", "name": f"{tr('metrics', 'problem_backlog', lang)} ({len(backlog)})", "symbol": "diamond",
                "symbolSize": 8, "color": "#9467bd", "z": 5, "data": _xy(centres[backlog] + [0.3, 0.0]) if backlog else []}
    if model.centre is not None:
        doors = tr("places", "service_centre", lang)
        if model.stations:
            doors += f" + {len(model.stations)} {tr('ui', 'stations', lang)}"
    else:
        doors = f"{tr('ui', 'stations', lang)} × {len(model.stations)}"
    seat = {"type": "scatter", "name": tr("ui", "township_seat", lang), "symbol": "pin", "symbolSize": 30, "color": "#d62728",
            "z": 6, "label": {"show": True, "position": "left", "formatter": "{b}", "fontSize": 12, "fontWeight": "bold",
                              "backgroundColor": "rgba(255,240,240,0.85)"},
            "data": [{"name": tr("ui", "seat_short", lang), "value": [0, 0]}]}
    all_series = [cells] + residents + [workers, offices, problems, seat]
    legend_names = [s["name"] for s in all_series]
    return base(
        tooltip={"show": False},
        grid={"left": 50, "top": 15, "width": SIZE, "height": SIZE},
        xAxis=x_axis, yAxis=y_axis, series=all_series,
        legend={"orient": "vertical", "left": SIZE + 75, "top": 10, "data": legend_names, "textStyle": {"fontSize": 12}},
        graphic=[{"type": "text", "left": SIZE + 75, "top": 250, "style": {
            "text": f"{tr('ui', 'township_seat', lang)}:\n{doors}", "fontSize": 12, "lineHeight": 18, "fill": "#333",
            "width": 220, "overflow": "break"}}],
    )


@solara.component
def MapView(model):
    """The map with a choice of how residents are coloured."""
    update_counter.get()
    lang = language.value
    colour_by, set_colour_by = solara.use_state("open")
    items = [{"text": ui(f"colour_{k}"), "value": k} for k in COLOUR_BY]
    solara.v.Select(label=ui("colour_by"), items=items, v_model=colour_by, on_v_model=set_colour_by,
                    dense=True, hide_details=True, style_="max-width: 320px", class_="map-colour")
    Chart(map_option, model, lang, options=(colour_by,), name="map", height=SIZE + 60)
