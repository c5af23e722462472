"""The dashboard (`solara run sandbox.viz.app`): the sandbox at /, a class's instructor page at
/teach, trainees' page at /class. One sandbox per browser session.

Built the way Mesa's SolaraViz is (a reactive model, components that take the model and
re-render on Mesa's `update_counter`, controls in the sidebar, views in tabs), but with
its own controller: every label comes from the glossary in the session's language, bad
input becomes a message, and a comparison model steps in lockstep with the main one.
The tabs are the views listed in viz/views.py.
"""

from __future__ import annotations

import time

import reacton.core
import solara
import solara.server.settings
from mesa.visualization.utils import update_counter

from sandbox.errors import InputError
from sandbox.viz import levers, sessions
from sandbox.viz.chart import Boundary
from sandbox.viz.controls import PAGE_STYLE, Information, LanguageSwitch, Levers, Messages, ResetControls, RunControls, guard
from sandbox.viz.i18n import language, ui
from sandbox.viz.state import Session, Settings, default_settings, for_people
from sandbox.viz.teach import TeachPage
from sandbox.viz.trainee import TraineePage
from sandbox.viz.views import VIEWS

PLAY_INTERVAL = 0.25  # seconds between days while playing

# a closed tab's session (its models) is freed minutes after, not after Solara's default 24 h;
# Solara's "runs on Solara" badge would sit on the charts of a projected page
solara.server.settings.kernel.cull_timeout = sessions.CULL_TIMEOUT
solara.server.settings.theme.show_banner = False


@solara.component
def Dashboard(session: Session):
    """App bar (day, Step, Play), sidebar (apply and restart, levers) and the views as tabs (not
    re-rendered by a step: only the components that show the day read Mesa's update_counter)."""
    opens = next((i for i, v in enumerate(VIEWS) if v.county), 0) if session.county_link else 0  # a `?county=` link: the county tab
    tab, set_tab = solara.use_state(opens)

    def play_loop(cancel):
        while session.playing.value and not cancel.is_set():
            time.sleep(PLAY_INTERVAL)
            if session.playing.value:
                session.step(1, lang=language.value)

    solara.use_thread(play_loop, dependencies=[session.playing.value])

    solara.Title(ui("title"))
    solara.Style(PAGE_STYLE)
    with solara.AppBar():
        solara.AppBarTitle(ui("title"))
        RunControls(session)
        LanguageSwitch()
    with solara.Sidebar(), solara.Column(style={"width": "360px", "max-width": "360px"}):
        with solara.Card(ui("controls")):
            ResetControls(session)
            Information(session)
        Messages(session)
        with solara.Card(ui("levers")):
            Levers(session)
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.Button(ui("open_teach"), href="/teach", text=True, classes=["link-teach"])
            solara.Button(ui("open_join"), href="/class", text=True, classes=["link-join"])
    with solara.lab.Tabs(value=tab, on_value=guard(session, "tab_map", set_tab)):
        for view in VIEWS:
            with solara.lab.Tab(ui(f"tab_{view.key}"), classes=[f"tab-{view.key}"]), solara.Column(style={"padding-top": "12px"}):
                DayZeroHint(session)
                with Boundary():
                    view.load()(session.model.value, session)


@solara.component
def DayZeroHint(session: Session):
    update_counter.get()
    if session.model.value.day == 0:
        solara.Info(ui("day0_hint"), dense=True, classes=["day0-hint"])


@solara.component
def Page():
    """The sandbox. `/?scenario=NAME&LEVER=VALUE…` opens it on a listed scenario with some levers
    changed, `/?county=NAME` on the county tab with a listed county scenario built (lesson steps
    link here); anything else in the address is refused with a message."""
    router = solara.use_router()
    lang = language.value
    session = solara.use_memo(lambda: _session_from_link(router.search, lang), [])
    admitted = solara.use_memo(lambda: sessions.admit(session.release), [])
    session.render_context = reacton.core.get_render_context(required=False)
    if not admitted:
        solara.Title(ui("title"))
        with solara.AppBar():
            solara.AppBarTitle(ui("title"))
            LanguageSwitch()
        solara.Error(ui("server_full", n=sessions.MAX_SESSIONS), classes=["msg-server-full"])
        return
    with Boundary():
        Dashboard(session)


def _session_from_link(search: str | None, lang: str) -> Session:
    """A session on the address's settings, or on the defaults with a message saying what was refused."""
    if not search:
        return Session()
    try:
        county = levers.county_from_link(search, lang)
        if county is not None:
            session = Session()
            session.county_link, session.county_levers = county
            return session
        scenario, draft = levers.from_link(search, lang)
        o = levers.overrides(scenario, draft, lang)
        return Session(Settings(scenario, default_settings().seed, tuple(sorted(o.items()))), draft)
    except InputError as exc:
        session = Session()
        session.error.value = ui("link_ignored", message=for_people(exc.message))
        return session


@solara.component
def Layout(children=[]):  # noqa: B006 (Solara passes children this way)
    """Every page in Solara's app layout, without its route tabs (the pages link to each other)."""
    solara.AppLayout(children=children, navigation=False)


routes = [
    solara.Route(path="/", component=Page, layout=Layout),
    solara.Route(path="teach", component=TeachPage),
    solara.Route(path="class", component=TraineePage),
]
