"""The dashboard page (`solara run viz.app`): one sandbox per browser session.

Built the way Mesa's SolaraViz is (a reactive model, components that take the model and
re-render on Mesa's `update_counter`, controls in the sidebar, views in tabs), but with
its own controller: every label comes from the glossary in the session's language, bad
input becomes a message, and a comparison model steps in lockstep with the main one.
"""

from __future__ import annotations

import time

import reacton.core
import solara

from sandbox.viz.charts import CadresView, TripsView
from sandbox.viz.compare import CompareView
from sandbox.viz.controls import Information, LanguageSwitch, Levers, Messages, RunControls
from sandbox.viz.i18n import ui
from sandbox.viz.journey import JourneyView
from sandbox.viz.map import MapView
from sandbox.viz.results import ResultsView
from sandbox.viz.state import Session
from sandbox.viz.tradeoff import TradeoffView

PLAY_INTERVAL = 0.25  # seconds between days while playing

# (tab label key, view taking the model or the session)
TABS = (
    ("tab_map", MapView, "model"),
    ("tab_trips", TripsView, "model"),
    ("tab_cadres", CadresView, "model"),
    ("tab_tradeoff", TradeoffView, "model"),
    ("tab_journey", JourneyView, "model"),
    ("tab_compare", CompareView, "session"),
    ("tab_results", ResultsView, "session"),
)


@solara.component
def Dashboard(session: Session):
    """App bar, sidebar and tabbed views of one session (not re-rendered by a step: only the
    components that show the day read Mesa's update_counter)."""
    tab, set_tab = solara.use_state(0)

    def play_loop():
        while session.playing.value:
            time.sleep(PLAY_INTERVAL)
            if session.playing.value:
                session.step(1)

    solara.use_thread(play_loop, dependencies=[session.playing.value])

    solara.Title(ui("title"))
    with solara.AppBar():
        solara.AppBarTitle(ui("title"))
        LanguageSwitch()
    with solara.Sidebar(), solara.Column(style={"width": "370px", "max-width": "370px"}):
        with solara.Card(ui("controls")):
            RunControls(session)
            Information(session)
        Messages(session)
        with solara.Card(ui("levers")):
            Levers(session)
    model = session.model.value
    with solara.lab.Tabs(value=tab, on_value=set_tab):
        for key, view, arg in TABS:
            with solara.lab.Tab(ui(key), classes=[f"tab-{key}"]), solara.Column(style={"padding-top": "16px"}):
                view(model if arg == "model" else session)


@solara.component
def Page():
    # one sandbox per browser session (a module-level model would be shared by every trainee)
    session = solara.use_memo(Session, [])
    session.render_context = reacton.core.get_render_context(required=False)
    Dashboard(session)
