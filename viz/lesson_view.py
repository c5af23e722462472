"""What the instructor's and the trainees' pages both show of a class: the step (its text and the
view of the class's township), the class's answers, the model's answer with its interval, and
the discussion with the article's passage."""

from __future__ import annotations

import math
import threading

import solara

from sandbox.lesson import Question
from sandbox.viz.chart import Boundary, Figure, base
from sandbox.viz.class_export import choice_label, metric_label, setting_labels
from sandbox.viz.classroom import REVEALED, Room, choices
from sandbox.viz.i18n import language, tr, ui
from sandbox.viz.views import VIEWS

VIEWS_BY_KEY = {v.key: v for v in VIEWS}
CORRECT, OTHER, MODEL = "#43a047", "#90a4ae", "#1e88e5"


def text(pair, lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def use_room(room: Room, stage: bool) -> int:
    """Re-render when the room changes (its stage only, for a trainee). A thread per page waits on
    the room; pages of other browser sessions are woken the moment the instructor acts."""
    seen, set_seen = solara.use_state(room.stage if stage else room.version)

    def follow(cancel: threading.Event):
        last = room.stage if stage else room.version
        while not cancel.is_set():
            now = room.wait(last, 2.0, stage=stage)
            if now != last:
                last = now
                set_seen(now)

    solara.use_thread(follow, dependencies=[room, stage])
    return seen


@solara.component
def StepBody(room: Room, step: int, words: bool = True, view: bool = True, seen: int = 0):
    """The step's title and text, and the view of the class's township."""
    lang = language.value
    s = room.lesson.steps[step]
    if words:
        solara.Text(text(s.title, lang), classes=["step-title"], style={"font-size": "26px", "font-weight": "700"})
        if s.text:
            solara.Text(text(s.text, lang), classes=["step-text"], style={"font-size": "18px", "line-height": "1.6"})
    model = room.built(step) if view else None
    if view and model is None and s.setup() is not None and s.view in VIEWS_BY_KEY:
        room.request(step)
        solara.Info(ui("class_preparing"), dense=True, classes=["class-preparing"])
        return
    if model is not None and s.view in VIEWS_BY_KEY:
        solara.Text(caption(model, lang), classes=["class-township"], style={"font-size": "14px", "color": "#555"})
        with Boundary():
            VIEWS_BY_KEY[s.view].load()(model, None)


def caption(model, lang: str) -> str:
    """What the class is looking at: its township on a working day, or its county in a quarter."""
    from sandbox.county import CountyModel

    if isinstance(model, CountyModel):
        from sandbox.viz.county import quarter_label

        return ui("class_county", townships=len(model.townships), residents=f"{int(model.townships[0].info['residents']):,}",
                  when=quarter_label(model, lang))
    return ui("class_township", residents=f"{model.population.n:,}", day=model.day)


@solara.component
def Discussion(room: Room, step: int, seen: int = 0):
    """The step's discussion note and the article's passage (after the reveal on a question step).
    `seen` is the room's version or stage the page has seen: a new value redraws this part."""
    lang = language.value
    s = room.lesson.steps[step]
    if s.question is not None and not (room.step == step and room.phase == REVEALED) and step not in room.revealed:
        return
    if s.discussion:
        with solara.Card(ui("discussion"), classes=["discussion"]), solara.Column():
            solara.Text(text(s.discussion, lang), style={"font-size": "18px", "line-height": "1.6"})
    if s.passage:
        with solara.Card(ui("passage"), classes=["passage"]), solara.Column():
            solara.Text(s.passage.zh if lang == "zh" else s.passage.en, style={"font-size": "17px", "line-height": "1.7"})
            solara.Text(f"—— {text(s.passage.source, lang)}", style={"font-size": "14px", "color": "#555"})


def distribution_option(room: Room, lang: str, step: int, revealed: bool, _version: int = 0) -> dict:
    """The class's answers: a bar a choice (the model's answer green once revealed), or the numbers
    typed, with the model's interval once revealed."""
    q = room.question(step)
    comp = room.computations.get(step)
    ans = comp.answer if (comp and revealed) else None
    if q.kind == "number":
        nums = room.numbers(step)
        data = [[i + 1, x] for i, x in enumerate(nums)]
        series = [{"type": "scatter", "data": data, "symbolSize": 14, "color": OTHER, "name": ui("class_answers_n", n=len(nums))}]
        if ans is not None and math.isfinite(ans.estimates[0].mean):
            e = ans.estimates[0]
            band = [[{"yAxis": e.low}, {"yAxis": e.high}]] if math.isfinite(e.low) else []
            series[0]["markArea"] = {"silent": True, "itemStyle": {"color": "rgba(67,160,71,0.25)"}, "data": band}
            series[0]["markLine"] = {"silent": True, "symbol": "none", "lineStyle": {"color": CORRECT, "width": 3},
                                     "label": {"formatter": f"{tr('ui', 'model', lang)} {e.mean:.3g}", "fontSize": 14},
                                     "data": [{"yAxis": e.mean}]}
        return base(tooltip={"show": False}, grid={"left": 70, "right": 90, "top": 30, "bottom": 40},
                    xAxis={"type": "value", "min": 0, "max": max(2, len(nums) + 1), "show": False},
                    yAxis={"type": "value", "name": text(q.unit, lang) if q.unit else "", "scale": True}, series=series)
    dist = room.distribution(step)
    cats = [choice_label(q, c, lang) for c in choices(q)]
    bars = [{"value": n, "itemStyle": {"color": CORRECT if ans is not None and c in ans.correct else OTHER}}
            for c, n in dist.items()]
    return base(tooltip={"show": False}, grid={"left": 50, "right": 20, "top": 20, "bottom": 70, "containLabel": True},
                xAxis={"type": "category", "data": cats, "axisLabel": {"fontSize": 15, "interval": 0, "width": 160, "overflow": "break"}},
                yAxis={"type": "value", "minInterval": 1},
                series=[{"type": "bar", "data": bars, "barMaxWidth": 90,
                         "label": {"show": True, "position": "top", "fontSize": 18, "fontWeight": "bold"}}])


def result_option(room: Room, lang: str, step: int) -> dict:
    """The model's answer: each setting's mean (dot) with its 95 % interval (bar), side by side."""
    q = room.question(step)
    ans = room.computations[step].answer
    labels = setting_labels(q, lang)
    dots, bars = [], []
    for lab, e in zip(labels, ans.estimates):
        if math.isfinite(e.mean):
            dots.append({"value": [round(e.mean, 6), lab], "label": {"formatter": f"{e.mean:.3g}"}})
        if math.isfinite(e.low) and math.isfinite(e.high):
            bars.append({"type": "line", "silent": True, "showSymbol": False, "color": MODEL,
                         "lineStyle": {"width": 10, "opacity": 0.35},
                         "data": [[round(e.low, 6), lab], [round(e.high, 6), lab]]})
    return base(tooltip={"show": False}, grid={"left": 20, "right": 40, "top": 30, "bottom": 40, "containLabel": True},
                xAxis={"type": "value", "scale": True, "name": metric_label(q, lang), "nameLocation": "middle", "nameGap": 28},
                yAxis={"type": "category", "data": labels, "inverse": True, "axisLabel": {"fontSize": 15, "width": 260, "overflow": "break"}},
                series=[*bars,
                        {"type": "scatter", "data": dots, "symbolSize": 16, "color": MODEL,
                         "label": {"show": True, "position": "top", "fontSize": 15}}])


def verdict(q: Question, room: Room, step: int, lang: str) -> str:
    from sandbox.viz.class_export import _verdict_text

    return _verdict_text(q, room.computations[step].answer, lang)


@solara.component
def ClassAnswers(room: Room, step: int, version: int, height: int = 300):
    lang = language.value
    revealed = step in room.revealed
    n = len(room.responses.get(step, {}))
    solara.Text(ui("class_answers_n", n=n), classes=["class-answers-title"], style={"font-size": "17px", "font-weight": "600"})
    Figure(distribution_option, (room, lang, step, revealed, version), name="distribution", height=height)


@solara.component
def ModelAnswer(room: Room, step: int, height: int = 260, seen: int = 0):
    lang = language.value
    q = room.question(step)
    solara.Text(verdict(q, room, step, lang), classes=["model-verdict"], style={"font-size": "20px", "font-weight": "700", "color": "#1b5e20"})
    solara.Text(ui("model_result_n", r=room.lesson.class_.replications) + " · " + metric_label(q, lang),
                style={"font-size": "14px", "color": "#555"})
    Figure(result_option, (room, lang, step), name="model-result", height=height)

