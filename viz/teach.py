"""The instructor's page (/teach): choose a lesson, open a class, walk it step by step on the projector.

Only this page runs the class, and only with the class's secret key in its address
(`/teach?room=CODE&key=KEY`, given when the class opens): the buttons call the room with that
key, so a trainee who types /teach?room=CODE sees a message and no controls.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import ipyvue
import solara
import traitlets

from sandbox.lesson import cached_lesson, lesson_names
from sandbox.viz import class_export, classroom, sessions
from sandbox.viz.background import runner
from sandbox.viz.chart import Boundary
from sandbox.viz.classroom import ASKING, CLOSED, REVEALED, ClassError, Room
from sandbox.viz.controls import PAGE_STYLE, LanguageSwitch
from sandbox.viz.i18n import language, tr, ui
from sandbox.viz.lesson_view import ClassAnswers, Discussion, ModelAnswer, StepBody, text, use_room

log = logging.getLogger(__name__)
CLASS_STYLE = """
.room-code { font-size: 64px !important; font-weight: 800; letter-spacing: 0.15em; line-height: 1.1; color: #0d47a1; }
.join-address { font-size: 20px; font-weight: 600; }
.prompt { font-size: 24px !important; font-weight: 700; line-height: 1.5; }
"""


class JoinAddress(ipyvue.VueTemplate):
    """This server's /class address as the instructor's browser reached it (the trainees in the room
    reach it the same way)."""

    template = traitlets.Unicode("""<template><span class="join-address">{{ origin }}/class</span></template>
<script>module.exports = { data() { return { origin: '' }; }, mounted() { this.origin = window.location.origin; } };</script>
""").tag(sync=True)


def message(exc: ClassError, lang: str) -> str:
    return tr("ui", f"class_error_{exc.key}", lang, **exc.fields)


def attempt(fn, set_error, what: str) -> bool:
    """Run a class action from a button: a ClassError becomes its message, anything unexpected is
    logged and one translated line (never a traceback). True when it went through."""
    try:
        fn()
    except ClassError as exc:
        set_error(message(exc, language.value))
        return False
    except Exception:
        log.exception("class action %s failed", what)
        set_error(tr("ui", "unexpected_error", language.value, what=tr("ui", what, language.value)))
        return False
    set_error(None)
    return True


def params(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(search or "").items() if v}


@solara.component
def TeachPage():
    router = solara.use_router()
    lang = language.value
    opened, set_opened = solara.use_state(None)  # (code, key) of the class this page opened
    p = params(router.search)
    code, key = (p.get("room"), p.get("key")) if p.get("room") else (opened or (None, None))
    solara.Title(ui("teach_title"))
    solara.Style(PAGE_STYLE + CLASS_STYLE)
    with solara.AppBar():
        solara.AppBarTitle(f"{ui('title')} · {ui('teach_title')}")
        LanguageSwitch()
    if not code:
        LessonPicker(lambda room: (set_opened((room.code, room.token)), router.push(f"/teach?room={room.code}&key={room.token}")))
        return
    try:
        room = classroom.find(code)
        room.check(key)
    except ClassError as exc:
        if exc.key == "not_instructor":
            solara.Error(ui("instructor_only"), classes=["msg-instructor-only"])
        else:
            solara.Error(message(exc, lang), classes=["msg-error"])
        if exc.key != "not_instructor":
            LessonPicker(lambda room: (set_opened((room.code, room.token)), router.push(f"/teach?room={room.code}&key={room.token}")))
        return
    with Boundary():
        Teaching(room, key)


@solara.component
def LessonPicker(on_open):
    """Every listed lesson with its summary and an "open the class" button."""
    lang = language.value
    error, set_error = solara.use_state(None)

    def open_class(name: str) -> None:
        attempt(lambda: on_open(classroom.open_room(name, runner())), set_error, "open_class")

    solara.Text(ui("pick_lesson"), style={"font-size": "24px", "font-weight": "700"})
    if error:
        solara.Error(error, classes=["msg-error"])
    for name in sorted(lesson_names(), key=_order):
        try:
            lesson = cached_lesson(name)
        except Exception as exc:  # a user's lesson that does not validate: said, not fatal
            solara.Warning(f"{name}: {getattr(exc, 'message', type(exc).__name__)}")
            continue
        with solara.Card(text(lesson.title, lang), classes=["lesson-card", f"lesson-{name}"]), solara.Column():
            solara.Text(text(lesson.summary, lang), style={"font-size": "16px"})
            solara.Text(ui("lesson_facts", minutes=lesson.minutes or "–", steps=len(lesson.steps), questions=len(lesson.questions())),
                        style={"font-size": "14px", "color": "#555"})
            solara.Button(ui("open_class"), color="primary", on_click=lambda name=name: open_class(name),
                          classes=["btn-open-class"])


def _order(name: str) -> tuple[int, str]:
    try:
        return (cached_lesson(name).order, name)
    except Exception:
        return (10**6, name)


@solara.component
def Teaching(room: Room, key: str):
    version = use_room(room, stage=False)
    lang = language.value
    error, set_error = solara.use_state(None)

    def act(fn, what: str = "next_step"):
        return lambda: attempt(fn, set_error, what)

    step = room.step
    total = len(room.lesson.steps)
    q = room.question()
    # the moves, where Step is in the sandbox: the projected page keeps its height for the lesson
    with solara.AppBar(), solara.Row(style={"align-items": "center", "gap": "8px", "flex-wrap": "nowrap"}):
        solara.Text(ui("step_n", n=step + 1, total=total), classes=["step-n", "appbar-day"])
        solara.Button(ui("prev_step"), color="white", depressed=True, disabled=step == 0,
                      on_click=act(lambda: room.go(key, room.step - 1), "prev_step"), classes=["btn-prev"], style={"color": "#0d47a1"})
        solara.Button(ui("next_step"), color="white", depressed=True, disabled=step == total - 1,
                      on_click=act(lambda: room.go(key, room.step + 1)), classes=["btn-next"], style={"color": "#0d47a1"})
    if error:
        solara.Error(error, classes=["msg-error"])
    with solara.Row(style={"flex-wrap": "wrap", "gap": "16px", "align-items": "flex-start"}):
        with solara.Column(style={"flex": "3 1 640px", "min-width": "0"}):
            solara.Text(text(room.lesson.title, lang), classes=["lesson-title"], style={"font-size": "16px", "color": "#555"})
            StepBody(room, step, seen=version)
        with solara.Column(style={"flex": "2 1 420px", "min-width": "0"}):
            with solara.Card(style={"padding": "4px 0"}), solara.Row(style={"align-items": "center", "gap": "20px", "flex-wrap": "wrap"}):
                solara.Text(room.code, classes=["room-code"])
                with solara.Column(style={"gap": "2px"}):
                    solara.Text(ui("join_at"), style={"font-size": "15px"})
                    JoinAddress.element()
                    solara.Text(ui("trainees_n", n=len(room.trainees)), classes=["trainees-count"],
                                style={"font-size": "20px", "font-weight": "600"})
            with solara.Details(ui("trainees_n", n=len(room.trainees))):
                solara.Text(" · ".join(t.name for t in room.trainees.values()) or "–", classes=["trainee-names"])
            if q is not None:
                with solara.Card(ui("question"), classes=["question-card"]), solara.Column():
                    solara.Text(text(q.prompt, lang), classes=["prompt"])
                    comp = room.computations.get(step)
                    answered = len(room.responses.get(step, {}))
                    solara.Text(ui("answered_n", n=answered, total=len(room.trainees)), classes=["answered-count"],
                                style={"font-size": "20px"})
                    # keyed: unkeyed, closing the answers turned the Close button's widget into Reveal while the
                    # old Reveal was still on the page, and a browser saw two Reveal buttons for a moment
                    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
                        if room.phase == ASKING:
                            solara.Button(ui("close_answers"), color="warning", on_click=act(lambda: room.close(key), "close_answers"),
                                          classes=["btn-close-answers"]).key("close-answers")
                        if room.phase in (ASKING, CLOSED):
                            ready = comp is not None and comp.answer is not None
                            solara.Button(ui("reveal"), color="success", disabled=not ready, on_click=act(lambda: room.reveal(key), "reveal"),
                                          classes=["btn-reveal"]).key("reveal")
                    if comp is not None and comp.answer is None:
                        status = ui("compare_failed", error=comp.error) if comp.error else ui("computing", done=comp.done, total=comp.total)
                        solara.Text(status, classes=["computing"], style={"font-size": "14px", "color": "#555"})
                    if room.phase in (CLOSED, REVEALED):
                        ClassAnswers(room, step, version, height=240)
                    if room.phase == REVEALED:
                        ModelAnswer(room, step, height=220, seen=version)
            Discussion(room, step, version)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "12px", "margin-top": "16px", "align-items": "center"}):
        solara.FileDownload(lambda: class_export.csv_bytes(room), filename=f"class-{room.code}.csv", label=ui("export_csv"),
                            mime_type="text/csv")
        solara.FileDownload(lambda: class_export.parquet_bytes(room), filename=f"class-{room.code}.parquet", label=ui("export_parquet"))
        solara.FileDownload(lambda: class_export.summary_png(room, language.value), filename=f"class-{room.code}.png",
                            label=ui("export_png"), mime_type="image/png")
        solara.Button(ui("end_class"), outlined=True, color="error", on_click=act(lambda: (room.check(key), classroom.close(room.code)), "end_class"),
                      classes=["btn-end-class"])
        solara.Text(ui("server_status", sessions=sessions.live(), classes=len(classroom.rooms()), rss=f"{sessions.rss_mb():.0f}"),
                    classes=["server-status"], style={"font-size": "14px", "color": "#555"})
