"""Classes in the server's memory: rooms, the trainees in them, their answers, the model's answers.

An instructor opens a room for a lesson and gets a short code (shown on the projector) and a
secret key (in the instructor page's address: only it can move the class on). Trainees join
with the code and a display name, no account. The instructor walks the steps; at a question
trainees answer (one answer each: answering again replaces it), the instructor closes the
question (the class's distribution appears), then reveals the model's answer, computed in the
background by replications (sandbox.answers). Every change bumps `version` and wakes the pages
waiting in `wait()`, so all trainees' screens follow the instructor.

Everything is bounded: rooms, trainees per room, name length; idle rooms are dropped.
"""

from __future__ import annotations

import math
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.answers import DIRECTIONS, Answer, answer_from, plan_for
from sandbox.county import CountyModel
from sandbox.errors import InputError
from sandbox.lesson import Lesson, Question, cached_lesson
from sandbox.model import TownshipModel

CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: read off a projector
CODE_LENGTH = 4
MAX_ROOMS = int(os.environ.get("SANDBOX_MAX_CLASSES", "8"))
MAX_TRAINEES = int(os.environ.get("SANDBOX_MAX_TRAINEES", "60"))
NAME_MAX = 20
IDLE_SECONDS = 8 * 3600  # a room nobody touched for a working day is dropped
CLASS_RESIDENTS = os.environ.get("SANDBOX_CLASS_RESIDENTS")  # a smaller class township on a slow server (and in tests)

SHOW, ASKING, CLOSED, REVEALED = "show", "asking", "closed", "revealed"


class ClassError(Exception):
    """A trainee's or instructor's action that cannot be done; `key` is a glossary [ui] entry
    (class_error_<key>) filled with `fields`."""

    def __init__(self, key: str, **fields: Any):
        super().__init__(key)
        self.key = key
        self.fields = fields


@dataclass(frozen=True)
class Trainee:
    id: str
    name: str
    joined: float


@dataclass(frozen=True)
class Response:
    trainee: str
    value: str | float
    at: float


@dataclass
class Computation:
    """The model's answer to one question, as its runs come in."""

    done: int = 0
    total: int = 0
    answer: Answer | None = None
    error: str | None = None


@dataclass(eq=False)  # a room is itself: compared and hashed by identity
class Room:
    code: str
    token: str
    lesson_name: str
    lesson: Lesson
    opened: float = field(default_factory=time.time)
    step: int = 0
    phase: str = SHOW
    version: int = 0  # any change (answers arriving, joins, progress): what the instructor's page follows
    stage: int = 0    # the step or its phase changed: what trainees' pages follow
    trainees: dict[str, Trainee] = field(default_factory=dict)
    responses: dict[int, dict[str, Response]] = field(default_factory=dict)
    computations: dict[int, Computation] = field(default_factory=dict)
    revealed: set[int] = field(default_factory=set)
    ended: bool = False
    touched: float = field(default_factory=time.time)

    def __post_init__(self):
        self._cond = threading.Condition(threading.RLock())
        self._models: dict[tuple, TownshipModel | CountyModel] = {}
        self._building: dict[tuple, threading.Lock] = {}
        self._model_lock = threading.Lock()
        self._jobs: list = []
        self.phase = self._phase_of(0)

    # -- waiting for changes (every page of the class) --------------------------------
    def wait(self, seen: int, timeout: float, stage: bool = False) -> int:
        """Block until the version (or, with `stage`, the stage) differs from `seen` or `timeout`
        seconds pass; return it. A trainee's page waits for the stage only: forty answers coming
        in must not redraw forty screens forty times."""
        with self._cond:
            now = lambda: self.stage if stage else self.version  # noqa: E731
            if now() == seen:
                self._cond.wait_for(lambda: now() != seen, timeout)
            return now()

    def _changed(self, stage: bool = False) -> None:
        with self._cond:
            self.version += 1
            if stage:
                self.stage += 1
            self.touched = time.time()
            self._cond.notify_all()

    # -- the lesson ------------------------------------------------------------------
    @property
    def current(self):
        return self.lesson.steps[self.step]

    def question(self, step: int | None = None) -> Question | None:
        return self.lesson.steps[self.step if step is None else step].question

    def _phase_of(self, step: int) -> str:
        return ASKING if self.lesson.steps[step].question is not None else SHOW

    def model_for(self, step: int) -> TownshipModel | CountyModel | None:
        """The class's township (or county) for a step's view (built and run once, shared by every
        screen). A model already built is returned at once, even while another step's is being
        built (a county takes seconds)."""
        key = self._key(step)
        if key is None:
            return None
        with self._model_lock:
            if key in self._models:
                return self._models[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one build per model; a second screen asking for it waits for that one
            with self._model_lock:
                if key in self._models:
                    return self._models[key]
            m = self._build(self.lesson.steps[step])
            with self._model_lock:
                self._models[key] = m
                self._building.pop(key, None)
            self._changed(stage=True)  # pages showing "preparing" draw it now
            return m

    def built(self, step: int) -> TownshipModel | CountyModel | None:
        """The step's model if it is built already (a page never waits for one: it says it is
        being prepared and is drawn again when it is)."""
        key = self._key(step)
        with self._model_lock:
            return self._models.get(key) if key is not None else None

    def request(self, step: int) -> None:
        """Build the step's model in the background, unless it is built or being built already."""
        key = self._key(step)
        with self._model_lock:
            if key is None or key in self._models.keys() | self._building.keys():
                return
        threading.Thread(target=self.model_for, args=(step,), daemon=True, name=f"class-{self.code}-step{step + 1}").start()

    def _key(self, step: int) -> tuple | None:
        """What decides a step's model (steps showing the same model share it); None: the step shows none."""
        s = self.lesson.steps[step]
        setup = s.setup()
        if setup is None:
            return None
        return (setup.is_county, setup.name, tuple(sorted(setup.levers.items())), s.quarters if setup.is_county else s.days)

    def _build(self, s) -> TownshipModel | CountyModel:
        c, setup = self.lesson.class_, s.setup()
        if setup.is_county:
            m = CountyModel(setup.county, rng=c.seed, years=c.years, overrides={**setup.levers, **c.county_size()})
            m.run(s.quarters)
            return m
        m = TownshipModel(setup.scenario, rng=c.seed, **c.size(), **{k.replace(".", "__"): v for k, v in setup.levers.items()})
        for _ in range(s.days):
            m.step()
        return m

    def prepare(self) -> None:
        """Build every step's model now (a background thread at opening), so Next is instant."""
        for i in range(len(self.lesson.steps)):
            self.model_for(i)

    # -- the instructor ----------------------------------------------------------------
    def check(self, token: str | None) -> None:
        if not token or not secrets.compare_digest(str(token), self.token):
            raise ClassError("not_instructor")

    def go(self, token: str | None, step: int) -> None:
        """Move the class to `step` (next, previous); a question opens for answers."""
        self.check(token)
        with self._cond:
            step = max(0, min(len(self.lesson.steps) - 1, step))
            if step != self.step:
                self.step = step
                if self.question() is None:
                    self.phase = SHOW
                elif step in self.revealed:
                    self.phase = REVEALED  # going back to a question already revealed
                else:
                    self.phase = ASKING
                self._changed(stage=True)

    def close(self, token: str | None) -> None:
        """Stop taking answers and show the class's distribution."""
        self.check(token)
        with self._cond:
            if self.phase == ASKING:
                self.phase = CLOSED
                self._changed(stage=True)

    def reveal(self, token: str | None) -> None:
        """Show the model's answer (once it is computed)."""
        self.check(token)
        with self._cond:
            comp = self.computations.get(self.step)
            if self.phase not in (ASKING, CLOSED):
                return
            if comp is None or comp.answer is None:
                raise ClassError("still_computing", done=comp.done if comp else 0, total=comp.total if comp else 0)
            self.phase = REVEALED
            self.revealed.add(self.step)
            self._changed(stage=True)

    # -- trainees ----------------------------------------------------------------------
    def join(self, name: str, trainee_id: str | None = None) -> Trainee:
        """A trainee with a display name; the same id (a reload) rejoins as the same trainee."""
        name = " ".join(str(name).split())
        if not name:
            raise ClassError("name_empty")
        if len(name) > NAME_MAX:
            raise ClassError("name_too_long", limit=NAME_MAX)
        if not name.isprintable():
            raise ClassError("name_empty")
        with self._cond:
            if trainee_id and trainee_id in self.trainees:
                return self.trainees[trainee_id]
            if any(t.name.casefold() == name.casefold() for t in self.trainees.values()):
                raise ClassError("name_taken", name=name)
            if len(self.trainees) >= MAX_TRAINEES:
                raise ClassError("class_full", limit=MAX_TRAINEES)
            t = Trainee(secrets.token_urlsafe(9), name, time.time())
            self.trainees[t.id] = t
            self._changed()
            return t

    def respond(self, trainee_id: str, step: int, value: Any) -> Response:
        """Record (or replace) a trainee's answer to the open question."""
        with self._cond:
            if trainee_id not in self.trainees:
                raise ClassError("not_joined")
            if step != self.step or self.phase != ASKING:
                raise ClassError("question_closed")
            q = self.question()
            r = Response(trainee_id, parse_answer(q, value), time.time())
            self.responses.setdefault(step, {})[trainee_id] = r
            self._changed()
            return r

    def response_of(self, trainee_id: str, step: int | None = None) -> Response | None:
        return self.responses.get(self.step if step is None else step, {}).get(trainee_id)

    # -- what the class answered ------------------------------------------------------
    def distribution(self, step: int | None = None) -> dict[str, int]:
        """Choice → number of trainees (direction / which questions), in the choices' order."""
        step = self.step if step is None else step
        q = self.question(step)
        counts = dict.fromkeys(choices(q), 0)
        for r in self.responses.get(step, {}).values():
            counts[str(r.value)] = counts.get(str(r.value), 0) + 1
        return counts

    def numbers(self, step: int | None = None) -> list[float]:
        step = self.step if step is None else step
        return sorted(float(r.value) for r in self.responses.get(step, {}).values())

    # -- the model's answers ----------------------------------------------------------
    def start(self, runner) -> None:
        """Queue every question's replications (class priority)."""
        from sandbox.viz.background import CLASS

        for i, q in self.lesson.questions():
            plan = plan_for(self.lesson, q)
            comp = self.computations[i] = Computation(total=len(plan.runs()))
            job = runner.submit(plan, CLASS, on_change=lambda job, i=i, q=q, comp=comp: self._progress(i, q, comp, job))
            self._jobs.append(job)

    def _progress(self, i: int, q: Question, comp: Computation, job) -> None:
        comp.done = job.progress[0]
        if job.error:
            comp.error = job.error
        elif job.results.complete and comp.answer is None:
            comp.answer = answer_from(q, job.results)
        self._changed()

    def compute_here(self) -> None:
        """Compute every answer in this thread (tests and the headless run)."""
        from sandbox.replicates import run_all

        for i, q in self.lesson.questions():
            res = run_all(plan_for(self.lesson, q))
            self.computations[i] = Computation(len(res.summaries), len(res.summaries), answer_from(q, res))
        self._changed()

    def close_room(self) -> None:
        """The class is over: stop its runs, drop its models, tell every page."""
        for job in self._jobs:
            job.cancel()
        self._models.clear()
        self.ended = True
        self._changed(stage=True)


def choices(q: Question | None) -> list[str]:
    """The answer values a question accepts (empty for a number question)."""
    if q is None or q.kind == "number":
        return []
    if q.kind == "direction":
        return list(DIRECTIONS)
    return [str(i + 1) for i in range(len(q.options))]


def parse_answer(q: Question, value: Any) -> str | float:
    if q.kind != "number":
        if str(value) not in choices(q):
            raise ClassError("bad_choice")
        return str(value)
    text = str(value).strip().replace(",", "").replace("，", "").replace("。", ".")
    try:
        x = float(text)
    except ValueError:
        raise ClassError("not_a_number", value=str(value).strip()[:20]) from None
    if not math.isfinite(x):
        raise ClassError("not_a_number", value=str(value).strip()[:20])
    if q.range is not None and not q.range[0] <= x <= q.range[1]:
        raise ClassError("out_of_range", low=f"{q.range[0]:g}", high=f"{q.range[1]:g}")
    return x


# -- the server's rooms -------------------------------------------------------------------------
_rooms: dict[str, Room] = {}
_rooms_lock = threading.Lock()


def open_room(lesson_name: str, runner=None) -> Room:
    """A new room for a listed lesson; ClassError when the server already holds MAX_ROOMS."""
    try:
        lesson = sized(cached_lesson(lesson_name))
    except InputError:
        raise ClassError("no_such_lesson") from None
    with _rooms_lock:
        _drop_idle()
        if len(_rooms) >= MAX_ROOMS:
            raise ClassError("too_many_classes", limit=MAX_ROOMS)
        code = _new_code()
        room = Room(code, secrets.token_urlsafe(16), lesson_name, lesson)
        _rooms[code] = room
    if runner is not None:
        room.start(runner)
    threading.Thread(target=room.prepare, daemon=True, name=f"class-{code}").start()
    return room


def sized(lesson: Lesson, residents: int | str | None = None) -> Lesson:
    """The lesson on a township of `residents`, and a county of townships that size (default
    SANDBOX_CLASS_RESIDENTS; unset: the lesson's own)."""
    residents = residents or CLASS_RESIDENTS
    if not residents:
        return lesson
    c = lesson.class_.model_copy(update={"residents": int(residents), "villages": None, "county_residents": int(residents)})
    return lesson.model_copy(update={"class_": c})


def find(code: str) -> Room:
    """The room with this code (case and spaces ignored); ClassError if there is none."""
    code = "".join(str(code).split()).upper()
    with _rooms_lock:
        room = _rooms.get(code)
    if room is None:
        raise ClassError("no_such_class", code=code[:CODE_LENGTH + 2])
    return room


def close(code: str) -> None:
    with _rooms_lock:
        room = _rooms.pop(code, None)
    if room is not None:
        room.close_room()


def rooms() -> list[Room]:
    with _rooms_lock:
        return list(_rooms.values())


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in _rooms:
            return code


def _drop_idle() -> None:
    now = time.time()
    for code, room in list(_rooms.items()):
        if now - room.touched > IDLE_SECONDS:
            _rooms.pop(code).close_room()
