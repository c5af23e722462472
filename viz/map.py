"""The township map: villages cut into grid cells with their grid workers, residents in their cells,
the township seat with its doors (nine station doors, or one window and any leftover stations),
and the route of the matter being followed.

Shapes and positions come from viz/map_layout.py; what is drawn there (open matters, grievance,
participation, problems awaiting a department) is read from the model.
"""

from __future__ import annotations

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from sandbox.catalogue import departments
from sandbox.viz.chart import Chart, base, num
from sandbox.viz.i18n import language, tr, ui
from sandbox.viz.map_layout import doors, layout

COLOUR_BY = ("open", "grievance", "participating")
GREY = "#b5b5b5"
ON = {"open": "#d62728", "participating": "#2ca02c"}
GRIEVANCE_COLOURS = ("#cccccc", "#fcae91", "#fb6a4a", "#a50f15")
DOOR_COLOURS = {"window": "#2e7d32", "station": "#546e7a", "leftover": "#ef6c00"}
NARROW_SIZE = 480
DOOR_ROW = 78  # px per row of doors (a door and a two-line label)
# (ECharts media query on the chart's width, px of the square map): the map grows with the screen
LAYOUTS = ((None, NARROW_SIZE), ({"minWidth": 960}, 620), ({"minWidth": 1250}, 800))
HEIGHT = 900  # fits the largest map, and the narrow arrangement's map + legend + doors
VISITS = {"full", "redirected", "missing_document", "pushed_to_app", "accepted", "dispute_raised", "mediated", "mediation_failed"}


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


def _residents(model, xy: np.ndarray, colour_by: str, lang: str) -> list[dict]:
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
                        "data": _xy(xy[mask]), "symbolSize": 3 if k == 0 else 6, "z": 2 + k,
                        "color": GRIEVANCE_COLOURS[min(k, len(GRIEVANCE_COLOURS) - 1)]})
        return out
    if colour_by == "open":
        mask, on, off = open_matter_residents(model), "has_open_matter", "no_open_matter"
    else:
        mask, on, off = participating(model), "took_part", "did_not_take_part"
    return [
        {"type": "scatter", "name": tr("ui", off, lang), "data": _xy(xy[~mask]), "symbolSize": 3, "color": GREY, "z": 2},
        {"type": "scatter", "name": f"{tr('ui', on, lang)} ({int(mask.sum())})", "data": _xy(xy[mask]),
         "symbolSize": 6, "color": ON[colour_by], "z": 3},
    ]


def _place(model, lay, matter, place: str, corner) -> list[float] | None:
    """Where a journey stop is on the map (None: no trip, e.g. the app)."""
    pop = model.population
    r = matter.resident
    if place in ("home", "app"):
        return None
    if place == "village_office":
        return list(model.village_xy[int(pop.village[r])])
    if place == "grid_worker":
        return list(lay.cell_centres[int(pop.cell[r])])
    spec = departments().get(place)
    if spec is not None and spec.level == "county":
        return corner
    return [0.0, 0.0]  # the township seat: a station or the service centre


def trail(model, lay, matter_id: int, corner) -> list[list[float]]:
    """The followed matter's route: from home to each door it visited and back."""
    m = model.matters[matter_id]
    home = [float(x) for x in lay.xy[m.resident]]
    path = [home]
    for _, place, event in m.journey:
        at = _place(model, lay, m, place, corner)
        if at is None or event not in VISITS:
            continue
        path += [[float(at[0]), float(at[1])], home]
    return path


def doors_series(model, lang: str) -> tuple[list[dict], int]:
    """The seat's doors in their own small panel: one symbol a door, labelled."""
    ds = doors(model)
    items = []
    col = 0
    for d in ds:
        wide = d.kind == "window"
        name = (f"{tr('ui', 'one_window_door', lang)}（{len(d.hosts)}）" if lang == "zh" else f"{tr('ui', 'one_window_door', lang)} ({len(d.hosts)})") \
            if wide else tr("departments", d.key, lang)
        if wide:
            x, y = 1, 0
        else:
            k = col + (3 if any(x.kind == "window" for x in ds) else 0)
            x, y = k % 3, k // 3
            col += 1
        items.append({"value": [x, y], "name": name, "symbolSize": [150, 40] if wide else [26, 38],
                      "itemStyle": {"color": DOOR_COLOURS[d.kind], "borderColor": "#222", "borderWidth": 1}})
    rows = max(1, max(i["value"][1] for i in items) + 1)
    series = [{"type": "scatter", "xAxisIndex": 1, "yAxisIndex": 1, "symbol": "rect", "data": items, "z": 5,
               "name": tr("ui", "doors_title", lang), "silent": True,
               "label": {"show": True, "position": "bottom", "formatter": "{b}", "fontSize": 12, "width": 90,
                         "overflow": "break", "lineHeight": 14}}]
    return series, rows


def map_option(model, lang: str, colour_by: str = "open", followed: int | None = None) -> dict:
    """Residents coloured by `colour_by`, in their cells; grid workers on top; village offices
    labelled; the township seat and, beside the map, its doors; the followed matter's route."""
    lay = layout(model)
    centres, xy = lay.cell_centres, lay.xy
    pts = np.vstack([xy, model.village_xy, [[0.0, 0.0]]])
    lo = pts.min(axis=0) - 0.8
    hi = pts.max(axis=0) + 0.8
    span = float(max(hi - lo))  # same km per pixel on both axes
    mid = (lo + hi) / 2
    x_axis = {"type": "value", "min": num(mid[0] - span / 2, 1), "max": num(mid[0] + span / 2, 1), "name": tr("ui", "km", lang),
              "nameLocation": "middle", "nameGap": 24, "splitLine": {"lineStyle": {"opacity": 0.3}},
              "axisLabel": {"showMinLabel": False, "showMaxLabel": False}, "axisLine": {"onZero": False}}
    y_axis = {**x_axis, "min": num(mid[1] - span / 2, 1), "max": num(mid[1] + span / 2, 1), "nameGap": 30}
    corner = [float(mid[0] + span / 2 - 0.4), float(mid[1] + span / 2 - 0.4)]
    cells = {"type": "lines", "coordinateSystem": "cartesian2d", "polyline": True, "name": tr("ui", "grid_cell", lang),
             "data": [{"coords": _xy(o)} for o in lay.cell_outlines if len(o) >= 3], "silent": True, "z": 1,
             "lineStyle": {"color": "#7f9cc7", "width": 1.2}}
    residents = _residents(model, xy, colour_by, lang)
    workers = {"type": "scatter", "name": f"{tr('ui', 'grid_worker', lang)} ({len(centres)})", "data": _xy(centres),
               "symbol": "triangle", "symbolSize": 14, "color": "#1f4e9c", "z": 9,
               "itemStyle": {"borderColor": "#fff", "borderWidth": 1.5}}
    offices = {"type": "scatter", "name": tr("departments", "village_office", lang), "symbol": "rect", "symbolSize": 11,
               "color": "#ff7f0e", "z": 7, "itemStyle": {"borderColor": "#000", "borderWidth": 1},
               "label": {"show": True, "position": "right", "formatter": "{b}", "fontSize": 13, "fontWeight": "bold",
                         "backgroundColor": "rgba(255,255,255,0.7)"},
               "data": [{"name": tr("ui", "community_n" if model.village_urban[v] else "village_n", lang, n=v + 1),
                         "value": [num(x, 2), num(y, 2)]} for v, (x, y) in enumerate(model.village_xy)]}
    backlog = [pr.cell for pr in model.backlog]
    problems = {"type": "scatter", "name": f"{tr('metrics', 'problem_backlog', lang)} ({len(backlog)})", "symbol": "diamond",
                "symbolSize": 9, "color": "#9467bd", "z": 8, "data": _xy(centres[backlog] + [0.25, 0.0]) if backlog else []}
    seat = {"type": "scatter", "name": tr("ui", "township_seat", lang), "symbol": "pin", "symbolSize": 32, "color": "#d62728",
            "z": 10, "label": {"show": True, "position": "left", "formatter": "{b}", "fontSize": 13, "fontWeight": "bold",
                               "backgroundColor": "rgba(255,240,240,0.85)"},
            "data": [{"name": tr("ui", "seat_short", lang), "value": [0, 0]}]}
    all_series = [cells] + residents + [workers, offices, problems, seat]
    route = trail(model, lay, followed, corner) if followed is not None and 0 <= followed < len(model.matters) else []
    if len(route) >= 2:  # a matter done online made no trip: nothing to draw
        all_series.append({"type": "lines", "coordinateSystem": "cartesian2d", "polyline": True, "z": 11, "silent": True,
                           "name": tr("ui", "trail", lang, trips=model.matters[followed].trips),
                           "data": [{"coords": route}], "lineStyle": {"color": "#000", "width": 2.5, "opacity": 0.85},
                           "effect": {"show": True, "period": 6, "trailLength": 0.25, "symbol": "arrow", "symbolSize": 9,
                                      "color": "#000"}})
        if any(p == corner for p in route):
            all_series.append({"type": "scatter", "z": 10, "symbol": "roundRect", "symbolSize": 14, "color": "#000",
                               "data": [{"name": tr("ui", "county_seat", lang), "value": corner}], "silent": True,
                               "label": {"show": True, "position": "left", "formatter": "{b}", "fontSize": 13}})
    door_series, rows = doors_series(model, lang)
    legend_names = [s["name"] for s in all_series if s.get("name")]
    n_doors = len(doors(model))
    option = base(
        tooltip={"show": False},
        xAxis=[x_axis, {"type": "value", "gridIndex": 1, "min": -0.5, "max": 2.5, "show": False}],
        yAxis=[y_axis, {"type": "value", "gridIndex": 1, "min": -0.5, "max": rows - 0.5, "inverse": True, "show": False}],
        series=all_series + door_series,
        legend={"data": legend_names, "textStyle": {"fontSize": 14}, "itemGap": 8},
        title=[{"text": f"{tr('ui', 'doors_title', lang)} · {tr('ui', 'doors_n', lang, n=n_doors)}",
                "textStyle": {"fontSize": 15, "fontWeight": "bold", "color": "#222"}, "padding": 0},
               {"text": tr("ui", "cells_note", lang), "padding": 0,
                "textStyle": {"fontSize": 13, "fontWeight": "normal", "color": "#555", "width": 320, "overflow": "break"}}],
    )
    return {"baseOption": option, "media": [{"option": arrangement(size, len(legend_names), rows)} if q is None else
                                            {"query": q, "option": arrangement(size, len(legend_names), rows)}
                                            for q, size in LAYOUTS]}


def arrangement(size: int, legend_items: int, door_rows: int) -> dict:
    """Where the map, the legend and the doors go for a map of `size` px: beside the map when there is
    room, under it on a narrow screen (a trainee's laptop, a 1024 px projector with the sidebar open)."""
    doors_h = DOOR_ROW * door_rows
    if size <= NARROW_SIZE:  # stacked: map, legend in rows, doors
        top = size + 55
        legend_h = 26 * ((legend_items + 2) // 3)
        doors_top = top + legend_h + 10
        return {"grid": [{"left": 50, "top": 15, "width": size, "height": size},
                         {"left": 40, "top": doors_top + 30, "width": 300, "height": doors_h}],
                "legend": {"orient": "horizontal", "left": 10, "right": 10, "top": top},
                "title": [{"left": 10, "top": doors_top}, {"left": 10, "top": doors_top + 40 + doors_h}]}
    panel = size + 80
    doors_top = 30 + 24 * legend_items
    return {"grid": [{"left": 50, "top": 15, "width": size, "height": size},
                     {"left": panel + 10, "top": doors_top + 30, "width": 300, "height": doors_h}],
            "legend": {"orient": "vertical", "left": panel, "right": "auto", "top": 10},
            "title": [{"left": panel, "top": doors_top}, {"left": panel, "top": doors_top + 40 + doors_h}]}


@solara.component
def MapView(model, session=None):
    """The map with a choice of how residents are coloured; in the sandbox, the route of the matter
    followed in "follow one matter"."""
    update_counter.get()
    lang = language.value
    colour_by, set_colour_by = solara.use_state("open")
    show_trail, set_show_trail = solara.use_state(True)
    if colour_by not in COLOUR_BY:
        colour_by = "open"  # whatever a browser sends, only the offered choices are drawn
    items = [{"text": ui(f"colour_{k}"), "value": k} for k in COLOUR_BY]
    followed = session.followed.value if session is not None else None
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.v.Select(label=ui("colour_by"), items=items, v_model=colour_by, on_v_model=set_colour_by,
                        dense=True, hide_details=True, style_="max-width: 320px", class_="map-colour")
        if followed is not None:
            solara.Checkbox(label=ui("show_trail"), value=show_trail, on_value=set_show_trail)
    Chart(map_option, model, lang, options=(colour_by, followed if show_trail else None), name="map", height=HEIGHT)
