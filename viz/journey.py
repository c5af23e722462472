"""Follow one matter: which doors a resident's matter went through, how many trips and days, where it waited."""

from __future__ import annotations

import html
from dataclasses import dataclass

import solara
from mesa.visualization.utils import update_counter

from sandbox.catalogue import matter_types
from sandbox.matter import OPEN
from sandbox.viz.chart import Chart, base
from sandbox.viz.i18n import language, tr, ui

WASTED = {"full", "redirected", "missing_document", "pushed_to_app", "app_failed", "waiting", "mediation_failed"}
DONE = {"settled", "mediated"}
GAVE_UP = {"abandoned", "gave_up_waiting"}
CHOICES = 60  # newest matters offered in the picker


@dataclass(frozen=True)
class Stop:
    day: int
    place: str
    event: str
    wait: int  # days until the next stop (or until today, for an open matter's last stop)


def stops(matter, today: int) -> list[Stop]:
    j = matter.journey
    out = []
    for i, (day, place, event) in enumerate(j):
        nxt = j[i + 1][0] if i + 1 < len(j) else (today if matter.status == OPEN else day)
        out.append(Stop(day, place, event, max(0, nxt - day)))
    return out


def place_name(place: str, lang: str) -> str:
    return tr("places", place, lang)


def status_name(matter, lang: str) -> str:
    return tr("ui", f"status_{matter.status}", lang)


def matter_label(matter, lang: str) -> str:
    return tr("ui", "matter_label", lang, id=matter.id, type=tr("matters", matter.type.id, lang),
              resident=matter.resident, created=matter.created, trips=matter.trips, status=status_name(matter, lang))


def candidates(model, type_id: str) -> list:
    """The newest matters of a type (all types: any), newest first."""
    out = []
    for m in reversed(model.matters):
        if type_id == "all" or m.type.id == type_id:
            out.append(m)
            if len(out) >= CHOICES:
                break
    return out


def most_trips(model):
    return max(model.matters, key=lambda m: (m.trips, len(m.journey), -m.id), default=None)


def summary(matter, today: int, lang: str) -> str:
    days = (matter.closed if matter.closed is not None else today) - matter.created
    return tr("ui", "journey_summary", lang, type=tr("matters", matter.type.id, lang), trips=matter.trips,
              days=days, status=status_name(matter, lang))


def who(model, matter, lang: str) -> str:
    pop = model.population
    r = matter.resident
    v = int(pop.village[r])
    village = tr("ui", "community_n" if model.village_urban[v] else "village_n", lang, n=v + 1)
    groups = [tr("groups", g, lang) for g, flag in (("elderly", pop.elderly[r]), ("low_literacy", pop.low_literacy[r]),
                                                       ("remote", pop.remote[r])) if flag]
    sep = "，" if lang == "zh" else ", "
    return tr("ui", "journey_who", lang, resident=r, village=village, km=f"{pop.distance_km[r]:.1f}",
              groups=(sep + sep.join(groups)) if groups else "")


def longest_wait(path: list[Stop], lang: str) -> str:
    if not path:
        return ""
    s = max(path, key=lambda s: s.wait)
    return tr("ui", "longest_wait", lang, place=place_name(s.place, lang), days=s.wait) if s.wait else ""


def table_html(path: list[Stop], lang: str) -> str:
    head = "".join(f"<th>{html.escape(tr('ui', k, lang))}</th>" for k in ("day", "place", "event", "waited"))
    rows = []
    for s in path:
        cls = "wasted" if s.event in WASTED else "done" if s.event in DONE else "gave-up" if s.event in GAVE_UP else ""
        rows.append(f'<tr class="{cls}"><td>{s.day}</td><td>{html.escape(place_name(s.place, lang))}</td>'
                    f"<td>{html.escape(tr('events', s.event, lang))}</td>"
                    f"<td>{html.escape(tr('ui', 'waited_days', lang, days=s.wait)) if s.wait else ''}</td></tr>")
    style = ("<style>.journey-table td,.journey-table th{padding:2px 10px;text-align:left;font-size:14px}"
             ".journey-table tr.wasted td{color:#b71c1c}.journey-table tr.done td{color:#1b5e20;font-weight:600}.journey-table tr.gave-up td{font-weight:600}</style>")
    return f'{style}<table class="journey-table"><tr>{head}</tr>{"".join(rows)}</table>'


def journey_option(model, lang: str, matter_id: int, _stops: int = 0) -> dict:
    """A timeline: day across, places down; red crosses for wasted trips, orange bars for waits."""
    matter = model.matters[matter_id]
    path = stops(matter, model.day)
    places: list[str] = []
    for s in path:
        if s.place not in places:
            places.append(s.place)
    names = [place_name(p, lang) for p in places]
    kinds = (("wasted", WASTED, "path://M0,0L10,10M10,0L0,10", "#c62828", 12), ("done", DONE, "pin", "#2e7d32", 22),
             ("gave_up", GAVE_UP, "rect", "#000000", 11))
    marks = []
    for key, events, symbol, colour, size in kinds:
        marks.append({"type": "scatter", "symbol": symbol, "symbolSize": size, "z": 3,
                      "itemStyle": {"color": colour, "borderColor": colour, "borderWidth": 2},
                      "data": [[s.day, place_name(s.place, lang)] for s in path if s.event in events]})
    marks.append({"type": "scatter", "symbolSize": 9, "color": "#1565c0", "z": 3,
                  "data": [[s.day, place_name(s.place, lang)] for s in path if not any(s.event in k[1] for k in kinds)]})
    route = {"type": "line", "data": [[s.day, place_name(s.place, lang)] for s in path], "showSymbol": False,
             "color": "#9e9e9e", "lineStyle": {"width": 1}, "z": 1}
    # one short line a wait (a "lines" series on a category axis fails in ECharts 5.4 when its data grows)
    waits = [{"type": "line", "silent": True, "z": 2, "showSymbol": False, "color": "#ffb74d",
              "lineStyle": {"width": 8, "opacity": 0.7},
              "data": [[s.day, place_name(s.place, lang)], [s.day + s.wait, place_name(s.place, lang)]]}
             for s in path if s.wait]
    end = max([s.day + s.wait for s in path] + [matter.created + 1])
    return base(
        tooltip={"show": False},
        grid={"left": 170, "right": 30, "top": 15, "bottom": 45},
        xAxis={"type": "value", "min": matter.created, "max": end, "minInterval": 1, "name": tr("ui", "working_day", lang),
               "nameLocation": "middle", "nameGap": 26},
        yAxis={"type": "category", "data": names, "inverse": True, "axisLabel": {"fontSize": 14}},
        series=[route, *waits] + marks,
    )


@solara.component
def JourneyView(model, session=None):
    """Pick a matter and follow it; in the sandbox the pick is the session's (the map draws its route)."""
    update_counter.get()
    lang = language.value
    type_id, set_type_id = solara.use_state("all")
    local, set_local = solara.use_state(None)
    picked = session.followed.value if session is not None else local
    set_picked = session.followed.set if session is not None else set_local
    solara.use_effect(lambda: set_local(None), [model])  # a rebuilt model has other matters
    if type_id != "all" and type_id not in matter_types():
        type_id = "all"  # whatever a browser sends, only known types are read
    if not isinstance(picked, int) or not 0 <= picked < len(model.matters) or (
            type_id != "all" and model.matters[picked].type.id != type_id):
        picked = None  # the model was rebuilt, another type was chosen, or a value no matter has
    choices = candidates(model, type_id)
    stored = picked
    if picked is None and choices:
        picked = choices[0].id  # the newest, kept from now on (below) so it does not jump every step
    solara.use_effect(lambda: set_picked(picked) if stored is None and picked is not None else None, [stored, picked])
    type_items = [{"text": ui("all_types"), "value": "all"}] + [
        {"text": tr("matters", k, lang), "value": k} for k in matter_types() if matter_types()[k].kind in ("service", "dispute")]
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.v.Select(label=ui("matter_type"), items=type_items, v_model=type_id,
                        on_v_model=lambda v: (set_type_id(v if v in matter_types() else "all"), set_picked(None)), dense=True,
                        hide_details=True, style_="max-width: 220px", class_="journey-type")
        items = [{"text": matter_label(m, lang), "value": m.id} for m in choices]
        if picked is not None and all(i["value"] != picked for i in items):
            items.insert(0, {"text": matter_label(model.matters[picked], lang), "value": picked})
        solara.v.Select(label=ui("pick_matter"), items=items, v_model=picked, on_v_model=set_picked, dense=True,
                        hide_details=True, style_="min-width: 420px", class_="journey-pick")
        solara.Button(ui("most_trips"), on_click=lambda: set_picked(getattr(most_trips(model), "id", None)),
                      outlined=True, classes=["journey-most"])
    if picked is None:
        solara.Info(ui("no_matters"))
        return
    matter = model.matters[picked]
    path = stops(matter, model.day)
    solara.Text(summary(matter, model.day, lang), classes=["journey-summary"], style={"font-size": "18px", "font-weight": "600"})
    solara.Text(who(model, matter, lang), classes=["journey-who"], style={"font-size": "15px"})
    wait = longest_wait(path, lang)
    if wait:
        solara.Text(wait, classes=["journey-wait"], style={"color": "#e65100", "font-size": "15px"})
    Chart(journey_option, model, lang, options=(picked, len(matter.journey)), name="journey", height=70 + 44 * max(2, len({s.place for s in path})))
    solara.HTML(tag="div", unsafe_innerHTML=table_html(path, lang), classes=["journey"])
