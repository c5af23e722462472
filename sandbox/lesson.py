"""Lessons: bilingual TOML files of steps an instructor walks a class through (scenarios/lessons/).

A step sets a scenario and levers, runs the class's township some days and shows a view — or
sets a county scenario (`county = "dies_with_rotation"`) and runs the class's county some
quarters; it may ask a question (which way a metric moves, a number, or which option does best)
of townships or of counties, and carry a discussion note and the article's passage it
illustrates. A lesson never states an answer: the
revealed answer is computed by running the model (sandbox.answers). `load_lesson` checks a file
the way `load_scenario` does: the first problem is one message naming file, step and key.
"""

from __future__ import annotations

import difflib
import os
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sandbox.errors import InputError
from sandbox.params import LEAVES
from sandbox.replicates import Setting, villages_for
from sandbox.scenario import _read_toml, build_scenario, resolve_named_toml, scenario_names, toml_value
from sandbox.scenarios import SCENARIO_DIR

LESSON_DIR = SCENARIO_DIR / "lessons"
USER_DIR_ENV = "SANDBOX_LESSONS_DIR"  # a folder of the user's own lessons, listed beside the shipped ones
TOWNSHIP = ("residents", "villages")  # the class settings own the township's size
ANSWER_KEYS = ("answer", "answers", "expected", "correct", "solution")
Text = tuple[str, str]  # ["中文", "English"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)

    @field_validator("*", mode="after")
    @classmethod
    def _texts_not_blank(cls, v):
        if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, str) for x in v) and not all(x.strip() for x in v):
            raise ValueError("both texts must be written: [\"中文\", \"English\"]")
        return v


class Setup(_Part):
    """A township scenario or a county scenario (names from `sandbox list`) with some levers changed."""

    scenario: str | None = None
    county: str | None = None
    levers: dict[str, bool | int | float] = {}

    @model_validator(mode="after")
    def _one_place(self):
        if (self.scenario is None) == (self.county is None):
            raise ValueError("name either a township 'scenario' or a 'county' scenario (one of the two)")
        return self

    @property
    def is_county(self) -> bool:
        return self.county is not None

    @property
    def name(self) -> str:
        return self.county if self.is_county else self.scenario

    def setting(self) -> Setting:
        return Setting.of(self.name, self.levers, county=self.is_county)


class Option(Setup):
    label: Text


class Question(_Part):
    """direction: does `metric` go up, down or stay from `a` to `b`; number: the value of `metric`
    in `of`; which: the option with the highest / lowest `metric`. Township settings run `days`,
    county settings `years` (default: the class's)."""

    kind: Literal["direction", "number", "which"]
    prompt: Text
    metric: str
    days: int | None = Field(None, ge=5, le=1000)
    years: int | None = Field(None, ge=1, le=30)
    a: Setup | None = None
    b: Setup | None = None
    same_within: float = Field(0.0, ge=0.0, le=1.0)  # direction: |B−A| inside this share of A counts as "stays"
    of: Setup | None = None
    unit: Text | None = None
    range: tuple[float, float] | None = None  # number: what a trainee may type
    options: list[Option] | None = Field(None, min_length=2, max_length=6)
    best: Literal["highest", "lowest"] | None = None

    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {"direction": ("a", "b"), "number": ("of",), "which": ("options", "best")}
    ONLY: ClassVar[dict[str, str]] = {"a": "direction", "b": "direction", "of": "number", "unit": "number", "range": "number",
            "options": "which", "best": "which"}

    @model_validator(mode="after")
    def _fields_of_kind(self):
        for key in self.NEEDS[self.kind]:
            if getattr(self, key) is None:
                raise ValueError(f"a '{self.kind}' question needs '{key}'")
        for key, kind in self.ONLY.items():
            if getattr(self, key) is not None and kind != self.kind:
                raise ValueError(f"'{key}' belongs to a '{kind}' question, not a '{self.kind}' one")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError("range must be [lowest, highest] with lowest < highest")
        kinds = {s.is_county for _, s in self.setups()}
        if len(kinds) > 1:
            raise ValueError("a question compares townships or counties, not both")
        if self.is_county and self.days is not None:
            raise ValueError("a county question runs 'years', not 'days'")
        if not self.is_county and self.years is not None:
            raise ValueError("a township question runs 'days', not 'years'")
        return self

    @property
    def is_county(self) -> bool:
        return any(s.is_county for _, s in self.setups())

    def setups(self) -> list[tuple[str, Setup]]:
        """(where, setup) of every setting the answer runs."""
        if self.kind == "direction":
            return [("a", self.a), ("b", self.b)]
        if self.kind == "number":
            return [("of", self.of)]
        return [(f"options[{i + 1}]", o) for i, o in enumerate(self.options)]


class Passage(_Part):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    source: Text


class Step(_Part):
    """What the class sees: a township run `days` days, or a county run `quarters` quarters."""

    title: Text
    text: Text | None = None
    scenario: str | None = None
    county: str | None = None
    levers: dict[str, bool | int | float] = {}
    days: int = Field(0, ge=0, le=1000)
    quarters: int = Field(0, ge=0, le=120)
    view: str | None = None
    question: Question | None = None
    discussion: Text | None = None
    passage: Passage | None = None

    @model_validator(mode="after")
    def _model_needs_scenario(self):
        if self.scenario is not None and self.county is not None:
            raise ValueError("a step shows a township 'scenario' or a 'county', not both")
        if self.county is None and self.quarters:
            raise ValueError("quarters need a county in the same step")
        if self.county is not None and self.days:
            raise ValueError("a county step runs 'quarters', not 'days'")
        if self.scenario is None and self.county is None and (self.levers or self.days or self.view):
            raise ValueError("levers, days and view need a scenario in the same step")
        return self

    def setup(self) -> Setup | None:
        if self.scenario is None and self.county is None:
            return None
        return Setup(scenario=self.scenario, county=self.county, levers=self.levers)


class ClassSettings(_Part):
    """The class's township (or county) and how hard the model works for each revealed answer."""

    residents: int = Field(5000, ge=500, le=50_000)
    villages: int | None = Field(None, ge=1, le=200)
    seed: int = Field(1, ge=0, le=2**31 - 1)
    replications: int = Field(8, ge=3, le=50)
    days: int = Field(120, ge=5, le=1000)  # a question's runs, unless it says otherwise
    # a county's townships are scaled down alike (the scenario's own sizes would take minutes a run)
    county_residents: int = Field(2000, ge=500, le=50_000)
    years: int | None = Field(None, ge=1, le=30)  # a county question's runs (unset: the scenario's horizon)

    def size(self) -> dict[str, int]:
        return {"residents": self.residents, "villages": self.villages or villages_for(self.residents)}

    def county_size(self) -> dict[str, int]:
        """Every township of the class's county: `county_residents` residents in villages of the base's size."""
        return {"township.residents": self.county_residents, "township.villages": villages_for(self.county_residents)}


class Lesson(_Part):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    title: Text
    summary: Text
    order: int = Field(100, ge=0, le=10_000)  # where the lesson is listed (the article's order)
    minutes: int | None = Field(None, ge=1, le=600)
    class_: ClassSettings = Field(default_factory=ClassSettings, alias="class")
    steps: list[Step] = Field(min_length=1, max_length=40)

    def questions(self) -> list[tuple[int, Question]]:
        return [(i, s.question) for i, s in enumerate(self.steps) if s.question is not None]


# -- files ----------------------------------------------------------------------------------
def lesson_dirs() -> list[Path]:
    extra = os.environ.get(USER_DIR_ENV, "").strip()
    return [LESSON_DIR] + ([Path(extra)] if extra else [])


def lesson_names() -> list[str]:
    """Names of the shipped lessons and of the user's (SANDBOX_LESSONS_DIR), shipped first."""
    out: list[str] = []
    for d in lesson_dirs():
        for p in sorted(d.glob("*.toml")) if d.is_dir() else []:
            if p.stem not in out:
                out.append(p.stem)
    return out


def lesson_path(name_or_path: str | Path) -> Path:
    """A listed lesson name, or a path to a lesson file."""
    text = str(name_or_path)
    if not (text.endswith(".toml") or "/" in text or "\\" in text):
        for d in lesson_dirs():
            if (d / f"{text}.toml").is_file():
                return d / f"{text}.toml"
    return resolve_named_toml(text, LESSON_DIR, "lesson", "lesson")


def is_lesson_file(path: Path) -> bool:
    """A TOML file with [[steps]] is a lesson (a scenario has none)."""
    try:
        return "steps" in _read(path)
    except InputError:
        return path.parent.name == "lessons"


def _read(path: Path) -> dict[str, Any]:
    try:
        return _read_toml(path)  # the scenario floor's reader: its messages for bad TOML and unreadable files
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def load_lesson(name_or_path: str | Path) -> Lesson:
    """Read and check a lesson; InputError naming file, step and key on the first problem."""
    path = lesson_path(name_or_path)
    data = _read(path)
    _no_answers(path, data)
    try:
        lesson = Lesson.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{path}: {_describe(exc.errors()[0], data)}") from None
    check(lesson, str(path))
    return lesson


@cache
def cached_lesson(name: str) -> Lesson:
    """A listed lesson, loaded once per process (the dashboard opens the same lessons often)."""
    if name not in lesson_names():
        raise InputError(f"lesson '{name}' is not one of: {', '.join(lesson_names())}")
    return load_lesson(name)


def _no_answers(path: Path, data: Any, where: str = "") -> None:
    """A key that states an answer gets its own message: answers are the model's to compute."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k in ANSWER_KEYS:
                raise InputError(f"{path}: {where}{k}: a lesson does not state answers; "
                                 "the revealed answer is computed by running the model")
            _no_answers(path, v, f"{where}{k}." if k != "steps" else where)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _no_answers(path, v, f"{where}step {i + 1}: " if where == "" else f"{where[:-1]}[{i + 1}].")


def _describe(err: dict[str, Any], raw: dict[str, Any]) -> str:
    loc = list(err["loc"])
    value: Any = raw
    for part in loc:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            value = None
    prefix = ""
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        prefix = f"step {loc[1] + 1}: "
        loc = loc[2:]
    loc = [p for p in loc if not (isinstance(p, str) and p in ("bool", "int", "float"))]  # pydantic's union tags
    pair = bool(loc) and isinstance(loc[-1], int) and err["type"] in ("missing", "too_long", "tuple_type", "string_type")
    if pair:  # one of the two texts of a ["中文", "English"] pair
        loc = loc[:-1]
    key = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    kind = err["type"]
    if pair or "tuple" in kind:
        return f"{prefix}{key} must be two texts: [\"中文\", \"English\"]"
    if kind == "extra_forbidden":
        return f"{prefix}unknown key '{key}'{_dym(str(loc[-1]), _siblings(loc))}"
    if kind == "missing":
        return f"{prefix}missing key '{key}'"
    if kind == "value_error":
        return f"{prefix}{key + ': ' if key else ''}{err['msg'].removeprefix('Value error, ')}"
    if kind == "literal_error":
        return f"{prefix}{key} = {_short(value)}: must be one of {err['ctx']['expected']}"
    bound = {"greater_than_equal": "at least {ge}", "less_than_equal": "at most {le}",
             "too_short": "at least {min_length} long", "too_long": "at most {max_length} long"}
    if kind in bound:
        return f"{prefix}{key} = {_short(value)}: must be {bound[kind].format(**err.get('ctx', {}))}"
    return f"{prefix}{key} = {_short(value)}: {err['msg'].removeprefix('Input should be ').replace('Input should be ', '')}"


def _short(value: Any) -> str:
    text = toml_value(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _siblings(loc: list) -> list[str]:
    """Allowed keys where an unknown key was found."""
    models = {"question": Question, "passage": Passage, "class": ClassSettings}
    for part in reversed(loc[:-1]):
        if isinstance(part, str) and part in models:
            return [f.alias or k for k, f in models[part].model_fields.items()]
        if part in ("a", "b", "of"):
            return list(Setup.model_fields)
        if part == "options":
            return list(Option.model_fields)
    return [f.alias or k for k, f in (Step if len(loc) > 1 or loc[0] not in Lesson.model_fields else Lesson).model_fields.items()]


def _dym(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(choices)}"


# -- what the schema cannot see: names of scenarios, levers, metrics and views ----------------
def check(lesson: Lesson, source: str) -> None:
    c = lesson.class_
    for i, step in enumerate(lesson.steps, 1):
        where = f"{source}: step {i}: "
        setup = step.setup()
        if setup:
            _check_setup(setup, c, where)
            if setup.is_county and step.quarters > 4 * county_years(setup.county, c):
                raise InputError(f"{where}quarters = {step.quarters}: must be at most {4 * county_years(setup.county, c)} "
                                 f"(the county's horizon)")
        county = bool(setup and setup.is_county)
        if step.view is not None and step.view not in _views(county):
            what = "a county step can show" if county else "a lesson can show"
            raise InputError(f"{where}view = {toml_value(step.view)}: not a view {what}{_dym(step.view, _views(county))}")
        q = step.question
        if q is None:
            continue
        metrics = known_county_metrics() if q.is_county else known_metrics()
        if q.metric not in metrics:
            of = "a county" if q.is_county else "the model"
            raise InputError(f"{where}question.metric = {toml_value(q.metric)}: not a metric of {of}"
                             f"{_dym(q.metric, sorted(metrics))}")
        for name, setup in q.setups():
            spec = _check_setup(setup, c, f"{where}question.{name}.")
            if spec is not None and q.metric not in _county_summary_keys(tuple(spec.agenda)):
                raise InputError(f"{where}question.{name}.county = {toml_value(setup.county)}: does not report "
                                 f"{q.metric} (its reform is off this county's agenda)")


def _check_setup(setup: Setup, c: ClassSettings, where: str):
    """Check a setting; a county setting's loaded CountySpec is returned (None for a township)."""
    if setup.is_county:
        return _check_county(setup, c, where)
    names = scenario_names()
    if setup.scenario not in names:
        raise InputError(f"{where}scenario = {toml_value(setup.scenario)}: not a listed scenario"
                         f"{_dym(setup.scenario, names)}")
    for key in setup.levers:
        leaf = key.rpartition(".")[2]
        if leaf in TOWNSHIP:
            raise InputError(f"{where}levers.{key}: the township's size is set once, in [class]")
        if leaf not in LEAVES:
            raise InputError(f"{where}levers.{key}: not a lever{_dym(leaf, sorted(LEAVES))}")
    try:
        build_scenario(setup.scenario, **c.size(), **{k.replace(".", "__"): v for k, v in setup.levers.items()})
    except InputError as exc:
        raise InputError(f"{where}levers: {exc.message.split('(with overrides): ', 1)[-1]}") from None


def _check_county(setup: Setup, c: ClassSettings, where: str) -> None:
    from sandbox.county_scenario import county_names, load_county

    names = county_names()
    if setup.county not in names:
        raise InputError(f"{where}county = {toml_value(setup.county)}: not a listed county scenario{_dym(setup.county, names)}")
    for key in setup.levers:
        if key.rpartition(".")[2] in TOWNSHIP or key == "horizon.years":
            raise InputError(f"{where}levers.{key}: the county's size and horizon are set once, in [class]")
    try:
        return load_county(setup.county, {**setup.levers, **c.county_size(), **({"horizon.years": c.years} if c.years else {})})
    except InputError as exc:
        raise InputError(f"{where}levers: {exc.message.split('(with overrides): ', 1)[-1]}") from None


def county_years(county: str, c: ClassSettings) -> int:
    """Years the class's county runs: the class's `years`, else the county scenario's horizon."""
    from sandbox.county_scenario import load_county

    return c.years or load_county(county).county.horizon.years


@cache
def known_metrics() -> frozenset[str]:
    """Every metric a run reports (read from a tiny model's day-0 metrics, so the list is the model's own)."""
    from sandbox.model import TownshipModel

    return frozenset(k for k in TownshipModel("base", rng=0, residents=200, villages=1).metrics if k != "day")


def known_county_metrics() -> frozenset[str]:
    """Every figure a county run's summary can report (a county with every reform on its agenda)."""
    return _county_summary_keys(None)


@cache
def _county_summary_keys(agenda: tuple[str, ...] | None) -> frozenset[str]:
    from sandbox.county_metrics import summary_keys

    return frozenset(summary_keys(None if agenda is None else list(agenda)))


def _views(county: bool = False) -> list[str]:
    from sandbox.viz.views import lesson_views

    return lesson_views(county)
