"""The controls: day, Step and Play in the app bar; apply-and-restart, scenario, seed, the main
levers and messages in the sidebar; the language switch.

Levers take effect on "apply and restart" (Mesa's Reset); until then a notice says so. A value
the model rejects, a seed that is not a whole number in range, a scenario that is not listed or
a lever the others make inert is shown as a message: the session keeps its model and keeps
working. Every handler goes through `guard`, so nothing a browser sends can crash a session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization.utils import update_counter

from sandbox.errors import InputError
from sandbox.scenario import scenario_names
from sandbox.viz import levers
from sandbox.viz.i18n import language, tr, ui
from sandbox.viz.state import Session

log = logging.getLogger(__name__)
DAYS_PER_STEP = (1, 5, 22)  # a day, a working week, a working month

# the projector: captions and small texts at 14 px or more; tabs wrap onto a second row instead
# of hiding behind arrows (1024 px, English labels)
PAGE_STYLE = """
.chart-caption { font-size: 15px !important; line-height: 1.5; color: #222; }
.v-tabs-bar { height: auto !important; }
.v-window__container, .v-window-item { transition: none !important; }
.v-tabs-bar .v-slide-group__wrapper { overflow: visible !important; contain: none !important; flex: 1 1 auto !important; max-width: 100%; }
.v-tabs-bar .v-slide-group__content { flex-wrap: wrap !important; transform: none !important; flex: 1 1 auto !important; max-width: 100%; }
.v-tabs-bar .v-tab { min-height: 44px; font-size: 15px; }
.v-slide-group__prev, .v-slide-group__next { display: none !important; }
.v-tabs-slider-wrapper { display: none; }
.v-tab--active { border-bottom: 3px solid currentColor; }
.side-text { font-size: 14px !important; }
.appbar-day { font-size: 20px; font-weight: 600; white-space: nowrap; margin: 0 12px; }
.v-slider__thumb-label { font-size: 13px; }
.lever-value { font-size: 14px; color: #333; white-space: nowrap; }
"""


def guard(session: Session, what: str, fn: Callable) -> Callable:
    """`fn` as an event handler that cannot crash the session: anything unexpected is logged and
    becomes one translated line ("what" was not done), never a traceback or a server path."""
    def handler(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            from sandbox.viz.state import for_people

            session.error.set(tr("ui", "cannot_apply", language.value, message=for_people(exc.message)))
        except Exception:
            log.exception("dashboard handler for %s failed", what)
            session.error.set(tr("ui", "unexpected_error", language.value, what=tr("ui", what, language.value)))
    return handler


def scenario_items(lang: str) -> list[dict[str, str]]:
    """Listed scenarios by their names in `lang` (glossary [scenarios])."""
    return [{"text": levers.scenario_label(name, lang), "value": name} for name in scenario_names()]


@solara.component
def LanguageSwitch():
    """中文 | English, for this browser session only."""
    names = {"zh": tr("ui", "lang_zh", "zh"), "en": tr("ui", "lang_en", "en")}

    def choose(v: Any) -> None:
        language.set("en" if v == names["en"] else "zh")

    solara.ToggleButtonsSingle(value=names[language.value], values=list(names.values()), on_value=choose,
                               classes=["lang-switch"])


@solara.component
def LeverInput(leaf: str, value: Any, on_value: Callable[[Any], None], label: str | None = None):
    """The widget for one lever: a checkbox, a slider showing its value and range, or (township
    size) a text box."""
    label = label or tr("params", leaf, language.value)
    kind = levers.kind(leaf)
    if leaf in levers.TEXT_BOXES:
        solara.InputText(label, value=str(value), on_value=on_value, continuous_update=False, classes=[f"lever-{leaf}"])
    elif kind is bool:
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
    elif leaf in levers.SLIDERS:
        RangeSlider(label, value, levers.SLIDERS[leaf], kind is int, on_value, css=f"lever-{leaf}", value_css=f"value-{leaf}")
    else:
        solara.InputText(label, value=str(value), on_value=on_value, continuous_update=False)


@solara.component
def RangeSlider(label: str, value: Any, slider: tuple[float, float, float], whole: bool, on_value: Callable[[Any], None],
                css: str, value_css: str = ""):
    """A lever's slider (lowest, highest, step) with its value and range beside it (the sidebar's
    levers and the county tab's)."""
    lo, hi, step = slider
    shown = f"{int(value)}" if whole else f"{float(value):g}"
    with solara.Row(style={"align-items": "center", "gap": "8px"}, classes=[css]):
        with solara.Column(style={"flex": "1", "min-width": "0"}):
            if whole:
                solara.SliderInt(label, value=int(value), min=int(lo), max=int(hi), step=int(step), on_value=on_value,
                                 thumb_label=False, tick_labels=False)
            else:
                solara.SliderFloat(label, value=float(value), min=lo, max=hi, step=step, on_value=on_value,
                                   thumb_label=False, tick_labels=False)
        solara.Text(ui("range_hint", value=shown, low=f"{lo:g}", high=f"{hi:g}"), classes=["lever-value", *([value_css] if value_css else [])])


@solara.component
def RunControls(session: Session):
    """In the app bar: the day, Play / Pause, Step and days per step."""
    update_counter.get()
    days = session.days_per_step.value
    playing = session.playing.value
    m = session.model.value
    with solara.Row(style={"align-items": "center", "flex-wrap": "nowrap", "gap": "8px"}, classes=["run-controls"]):
        solara.Text(ui("day_n", day=m.day), classes=["day-label", "appbar-day"])
        solara.Button(ui("pause") if playing else ui("play"), color="white", text=False, depressed=True,
                      on_click=guard(session, "play", lambda: session.playing.set(not playing)), classes=["btn-play"],
                      style={"color": "#0d47a1"})
        # step-N: the days the server will step, as drawn by the server (the toggle's look is the browser's)
        solara.Button(ui("step"), color="white", depressed=True, on_click=guard(session, "step", lambda: session.step(days, lang=language.value)),
                      disabled=playing, classes=["btn-step", f"step-{days}"], style={"color": "#0d47a1"})
        solara.ToggleButtonsSingle(value=days, values=list(DAYS_PER_STEP), on_value=guard(session, "days_per_step", session.days_per_step.set),
                                   dense=True, classes=["days-per-step"])


@solara.component
def ResetControls(session: Session):
    """In the sidebar: apply the levers and restart."""
    solara.Button(ui("reset"), color="primary", on_click=guard(session, "reset", lambda: session.apply(*_pending(session))),
                  classes=["btn-reset"], style={"width": "100%"})


def _pending(session: Session) -> tuple[str, str, dict[str, Any], str]:
    d = session.draft.value
    return d["scenario"], d["seed"], d["levers"], language.value


@solara.component
def Information(session: Session):
    update_counter.get()
    m = session.model.value
    lang = language.value
    solara.Text(ui("township_size", residents=f"{m.population.n:,}", villages=len(m.village_sizes),
                   cells=len(m.grid_workers), cadres=sum(m.cadres_in_village)), classes=["township-size", "side-text"])
    order = {k: i for i, k in enumerate(levers.MAIN)}
    applied = sorted(session.settings.value.overrides, key=lambda kv: order.get(kv[0], len(order)))
    changed = [levers.describe_change(k, v, lang) for k, v in applied]
    solara.Text(ui("changed_levers", levers=" · ".join(changed) if changed else "–"), classes=["applied-levers", "side-text"])
    solara.Text(ui("scenario_line", name=levers.scenario_label(session.settings.value.scenario, lang)),
                classes=["scenario-line", "side-text"], style={"color": "#555"})


@solara.component
def Messages(session: Session):
    """The error of the last action, inert levers of the running model, unapplied changes."""
    lang = language.value
    if session.error.value:
        solara.Error(session.error.value, classes=["msg-error"])
    for n in session.notices.value:
        solara.Warning(n.text(lang), classes=["msg-inert"])
    if is_pending(session):
        solara.Info(ui("pending"), classes=["msg-pending"], dense=True)


def is_pending(session: Session) -> bool:
    """Whether the sidebar differs from the running model (values compared as the model would read them)."""
    d = session.draft.value
    s = session.settings.value
    try:
        if d["scenario"] != s.scenario or levers.parse_seed(d["seed"], language.value) != s.seed:
            return True
        o = levers.overrides(d["scenario"], d["levers"], language.value)
    except Exception:
        return True
    return tuple(sorted(o.items())) != s.overrides


@solara.component
def Levers(session: Session):
    """Scenario, seed and the main levers, grouped by section (names from the glossary)."""
    lang = language.value
    d = session.draft.value

    def set_field(name: str, value: Any) -> None:
        session.draft.set({**session.draft.value, name: value})

    def set_lever(leaf: str, value: Any) -> None:
        cur = session.draft.value
        session.draft.set({**cur, "levers": {**cur["levers"], leaf: value}})

    def set_scenario(name: Any) -> None:
        name = levers.check_scenario(name, language.value)  # a path sent over the websocket loads nothing
        cur = session.draft.value
        session.draft.set({**cur, "scenario": name, "levers": levers.draft_for(name, keep=cur["levers"])})
        session.error.set(None)

    solara.v.Select(label=ui("scenario"), items=scenario_items(lang), v_model=d["scenario"],
                    on_v_model=guard(session, "scenario", set_scenario), dense=True, class_="scenario-select")
    solara.InputText(ui("seed"), value=str(d["seed"]), on_value=guard(session, "seed", lambda v: set_field("seed", v)),
                     continuous_update=False, classes=["seed-input"])
    for section, leaves in levers.GROUPS.items():
        solara.Text(tr("sections", section, lang), style={"font-weight": "600", "margin-top": "8px"}, classes=["side-text"])
        for leaf in leaves:
            LeverInput(leaf, d["levers"][leaf], guard(session, "levers", lambda v, leaf=leaf: set_lever(leaf, v)))
        if section == "governance":
            with solara.Details(ui("five_stages")):
                for leaf in levers.STAGES:
                    LeverInput(leaf, d["levers"][leaf], guard(session, "levers", lambda v, leaf=leaf: set_lever(leaf, v)))
