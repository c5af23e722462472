"""The sidebar: Step / Play / Reset, language, scenario, seed and the main levers, and messages.

Levers take effect on Reset (Mesa's convention); until then a notice says so. A value the
model rejects, a seed that is not a whole number or a lever the others make inert is
shown as a message: the session keeps its model and keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization.utils import update_counter

from sandbox.scenario import describe, scenario_names
from sandbox.viz import levers
from sandbox.viz.i18n import language, tr, ui
from sandbox.viz.state import Session

DAYS_PER_STEP = (1, 5, 22)  # a day, a working week, a working month


def scenario_items(lang: str) -> list[dict[str, str]]:
    out = []
    for name in scenario_names():
        en, zh = describe(name)
        text = zh if lang == "zh" else en
        out.append({"text": f"{name} — {text}" if text else name, "value": name})
    return out


@solara.component
def LanguageSwitch():
    """中文 | English, for this browser session only."""
    names = {"zh": tr("ui", "lang_zh", "zh"), "en": tr("ui", "lang_en", "en")}
    solara.ToggleButtonsSingle(value=names[language.value], values=list(names.values()),
                               on_value=lambda v: language.set("zh" if v == names["zh"] else "en"),
                               classes=["lang-switch"])


@solara.component
def LeverInput(leaf: str, value: Any, on_value: Callable[[Any], None], label: str | None = None):
    """The widget for one lever: a checkbox, a slider or (township size) a text box."""
    label = label or tr("params", leaf, language.value)
    kind = levers.kind(leaf)
    if leaf in levers.TEXT_BOXES:
        solara.InputText(label, value=str(value), on_value=on_value, continuous_update=False, classes=[f"lever-{leaf}"])
    elif kind is bool:
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
    elif leaf in levers.SLIDERS:
        lo, hi, step = levers.SLIDERS[leaf]
        if kind is int:
            solara.SliderInt(label, value=int(value), min=int(lo), max=int(hi), step=int(step), on_value=on_value)
        else:
            solara.SliderFloat(label, value=float(value), min=lo, max=hi, step=step, on_value=on_value)
    else:
        solara.InputText(label, value=str(value), on_value=on_value, continuous_update=False)


@solara.component
def RunControls(session: Session):
    """Reset / Play-Pause / Step, days per step, and the day."""
    update_counter.get()
    days, set_days = solara.use_state(1)
    playing = session.playing.value
    with solara.Row(justify="space-between"):
        solara.Button(ui("reset"), color="primary", on_click=lambda: session.apply(*_pending(session)), classes=["btn-reset"])
        solara.Button(ui("pause") if playing else ui("play"), color="primary", on_click=lambda: session.playing.set(not playing),
                      classes=["btn-play"])
        solara.Button(ui("step"), color="primary", on_click=lambda: session.step(days), disabled=playing, classes=["btn-step"])
    with solara.Row(style={"align-items": "center"}):
        solara.Text(ui("days_per_step"), style={"font-size": "13px", "color": "#555"})
        solara.ToggleButtonsSingle(value=days, values=list(DAYS_PER_STEP), on_value=set_days, dense=True,
                                   classes=["days-per-step"])


def _pending(session: Session) -> tuple[str, str, dict[str, Any], str]:
    d = session.draft.value
    return d["scenario"], d["seed"], d["levers"], language.value


@solara.component
def Information(session: Session):
    update_counter.get()
    m = session.model.value
    solara.Text(ui("day_n", day=m.day), classes=["day-label"], style={"font-size": "20px", "font-weight": "600"})
    solara.Text(ui("township_size", residents=f"{m.population.n:,}", villages=len(m.village_sizes),
                   cells=len(m.grid_workers), cadres=sum(m.cadres_in_village)), classes=["township-size"])
    order = {k: i for i, k in enumerate(levers.MAIN)}
    applied = sorted(session.settings.value.overrides, key=lambda kv: order.get(kv[0], len(order)))
    changed = [levers.describe_change(k, v, language.value) for k, v in applied]
    solara.Text(ui("changed_levers", levers=" · ".join(changed) if changed else "–"), classes=["applied-levers"],
                style={"font-size": "13px"})
    en, zh = describe(session.settings.value.scenario)
    solara.Text(f"{ui('scenario')}: {session.settings.value.scenario} — {zh if language.value == 'zh' else en}",
                style={"font-size": "13px", "color": "#555"})


@solara.component
def Messages(session: Session):
    """The error of the last Reset/Compare, inert levers of the running model, unapplied changes."""
    lang = language.value
    if session.error.value:
        solara.Error(session.error.value, classes=["msg-error"])
    for n in session.notices.value:
        solara.Warning(n.text(lang), classes=["msg-inert"])
    if _is_pending(session):
        solara.Info(ui("pending"), classes=["msg-pending"], dense=True)


def _is_pending(session: Session) -> bool:
    d = session.draft.value
    s = session.settings.value
    if d["scenario"] != s.scenario or str(d["seed"]).strip() != str(s.seed):
        return True
    try:
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

    def set_scenario(name: str) -> None:
        cur = session.draft.value
        session.draft.set({**cur, "scenario": name, "levers": levers.draft_for(name, keep=cur["levers"])})

    solara.v.Select(label=ui("scenario"), items=scenario_items(lang), v_model=d["scenario"], on_v_model=set_scenario,
                    dense=True, class_="scenario-select")
    solara.InputText(ui("seed"), value=str(d["seed"]), on_value=lambda v: set_field("seed", v), continuous_update=False,
                     classes=["seed-input"])
    for section, leaves in levers.GROUPS.items():
        solara.Text(tr("sections", section, lang), style={"font-weight": "600", "margin-top": "8px"})
        for leaf in leaves:
            LeverInput(leaf, d["levers"][leaf], lambda v, leaf=leaf: set_lever(leaf, v))
        if section == "governance":
            with solara.Details(ui("five_stages")):
                for leaf in levers.STAGES:
                    LeverInput(leaf, d["levers"][leaf], lambda v, leaf=leaf: set_lever(leaf, v))
