"""The trainee's page (/class): join with the class code and a display name, then follow the
instructor: the step and its view, the question to answer, the class's answers and the model's.

No account: the page's address keeps the trainee (`/class?room=CODE&me=ID`), so a reload or a
dropped connection rejoins as the same person, with the same answers. A link opens the trainee's
own sandbox in a new browser tab on the step's scenario and levers (a session of its own).
"""

from __future__ import annotations

import solara

from sandbox.viz import classroom, levers
from sandbox.viz.chart import Boundary
from sandbox.viz.class_export import choice_label
from sandbox.viz.classroom import ASKING, CLOSED, REVEALED, ClassError, Room, Trainee, choices
from sandbox.viz.controls import PAGE_STYLE, LanguageSwitch
from sandbox.viz.i18n import language, ui
from sandbox.viz.lesson_view import ClassAnswers, Discussion, ModelAnswer, StepBody, text, use_room
from sandbox.viz.teach import CLASS_STYLE, attempt, message, params


@solara.component
def TraineePage():
    router = solara.use_router()
    lang = language.value
    p = params(router.search)
    joined, set_joined = solara.use_state((p["room"], p["me"]) if p.get("room") and p.get("me") else None)
    solara.Title(ui("join_title"))
    solara.Style(PAGE_STYLE + CLASS_STYLE)
    with solara.AppBar():
        solara.AppBarTitle(f"{ui('title')} · {ui('join_title')}")
        LanguageSwitch()

    def on_joined(room: Room, trainee: Trainee) -> None:
        set_joined((room.code, trainee.id))
        router.push(f"/class?room={room.code}&me={trainee.id}")

    if joined is not None:
        try:
            room = classroom.find(joined[0])
            trainee = room.trainees.get(joined[1])
        except ClassError as exc:
            solara.Error(message(exc, lang), classes=["msg-error"])
            room, trainee = None, None
        if trainee is not None:
            with Boundary():
                Following(room, trainee)
            return
    JoinForm(p.get("room", ""), on_joined)


@solara.component
def JoinForm(code: str, on_joined):
    lang = language.value
    code_text, set_code = solara.use_state(code)
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state(None)

    def join():
        def go():
            room = classroom.find(code_text)
            on_joined(room, room.join(name))

        attempt(go, set_error, "join")

    with solara.Card(ui("join_title"), style={"max-width": "520px"}), solara.Column():
        solara.InputText(ui("class_code"), value=code_text, on_value=set_code, classes=["input-code"])
        solara.InputText(ui("display_name"), value=name, on_value=set_name, classes=["input-name"])
        solara.Button(ui("join"), color="primary", on_click=join, classes=["btn-join"])
        if error:
            solara.Error(error, classes=["msg-error"])
    del lang


@solara.component
def Following(room: Room, trainee: Trainee):
    """The class as this trainee sees it; redrawn when the instructor moves it on."""
    seen = use_room(room, stage=True)
    show_view, set_show_view = solara.use_state(False)
    lang = language.value
    step = room.step
    if room.ended:
        solara.Info(ui("class_error_no_such_class", code=room.code), classes=["class-ended"])
        return
    solara.Text(ui("hello", name=trainee.name, code=room.code), classes=["hello"], style={"font-size": "16px", "color": "#555"})
    solara.Text(ui("step_n", n=step + 1, total=len(room.lesson.steps)), classes=["step-n"],
                style={"font-size": "18px", "font-weight": "600"})
    StepBody(room, step, view=False, seen=seen)
    q = room.question()
    if q is None:
        solara.Info(ui("wait_for_instructor"), classes=["wait-hint"])
    else:
        with solara.Card(ui("question"), classes=["question-card"]), solara.Column():
            solara.Text(text(q.prompt, lang), classes=["prompt"])
            if room.phase == ASKING:
                AnswerForm(room, trainee, step, seen)
            else:
                Feedback(room, trainee, step, seen)
            if room.phase == REVEALED:
                ModelAnswer(room, step, height=220, seen=seen)
            if room.phase in (CLOSED, REVEALED):
                ClassAnswers(room, step, room.version, height=240)
    if room.lesson.steps[step].view:
        # the view is on the projector; on a laptop it is drawn only on request (forty screens redrawing a
        # map at every step would cost the server more than the rest of the class together)
        with solara.Column(classes=["show-view"]):
            solara.Checkbox(label=ui("show_view"), value=show_view, on_value=set_show_view)
        if show_view:
            StepBody(room, step, words=False, seen=seen)
    Discussion(room, step, seen)
    SandboxLink(room, step)


@solara.component
def AnswerForm(room: Room, trainee: Trainee, step: int, seen: int = 0):
    lang = language.value
    q = room.question(step)
    mine = room.response_of(trainee.id, step)
    draft, set_draft = solara.use_state("" if mine is None else f"{mine.value:g}" if q.kind == "number" else "")
    error, set_error = solara.use_state(None)
    _, set_answered = solara.use_state(0)

    def answer(value) -> None:
        if attempt(lambda: room.respond(trainee.id, step, value), set_error, "submit"):
            set_answered(lambda n: n + 1)

    if q.kind == "number":
        hint = ui("number_hint", low=f"{q.range[0]:g}", high=f"{q.range[1]:g}") if q.range else ui("number_any")
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.InputText(hint, value=draft, on_value=set_draft, classes=["input-number"])
            solara.Button(ui("submit"), color="primary", on_click=lambda: answer(draft), classes=["btn-submit"])
    else:
        with solara.Column(style={"gap": "8px"}):
            for c in choices(q):
                chosen = mine is not None and str(mine.value) == c
                solara.Button(choice_label(q, c, lang), color="primary", outlined=not chosen, on_click=lambda c=c: answer(c),
                              classes=["btn-choice", f"choice-{c}"] + (["chosen"] if chosen else []),
                              style={"justify-content": "flex-start", "text-transform": "none", "font-size": "17px"})
    if mine is not None:
        shown = f"{mine.value:g}" if q.kind == "number" else choice_label(q, str(mine.value), lang)
        solara.Success(ui("your_answer", answer=shown), classes=["my-answer"], dense=True)
    if error:
        solara.Error(error, classes=["msg-error"])


@solara.component
def Feedback(room: Room, trainee: Trainee, step: int, seen: int = 0):
    """After the question closes: the trainee's own answer, and once revealed, whether it matched."""
    lang = language.value
    q = room.question(step)
    mine = room.response_of(trainee.id, step)
    if mine is None:
        solara.Warning(ui("no_answer"), classes=["my-answer"], dense=True)
    else:
        shown = f"{mine.value:g}" if q.kind == "number" else choice_label(q, str(mine.value), lang)
        solara.Text(ui("your_answer", answer=shown).split("（")[0].split(" (")[0], classes=["my-answer"], style={"font-size": "17px"})
    if room.phase == REVEALED and mine is not None and q.kind != "number":
        right = room.computations[step].answer.is_correct(mine.value)
        (solara.Success if right else solara.Info)(ui("you_were_right" if right else "you_differ"), classes=["my-verdict"])
    elif room.phase == CLOSED:
        solara.Info(ui("answers_closed"), dense=True, classes=["answers-closed"])


@solara.component
def SandboxLink(room: Room, step: int):
    """Open my own sandbox (a new browser tab) on this step's township, or the question's B side
    (a county step: the sandbox's county tab on the step's county scenario)."""
    s = room.lesson.steps[step]
    setup = s.setup()
    if s.question is not None and s.question.kind == "direction":
        setup = s.question.b
    if setup is None:
        return
    href = levers.county_link(setup.county, dict(setup.levers)) if setup.is_county else levers.link(setup.scenario, dict(setup.levers))
    solara.Button(ui("try_sandbox"), href=href, target="_blank", outlined=True, icon_name="mdi-open-in-new",
                  classes=["btn-sandbox"], style={"margin-top": "12px"})
