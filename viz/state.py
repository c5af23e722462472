"""One browser session's sandbox: applied settings, the model (and its comparison twin), messages.

The dashboard only presents: building and stepping models is TownshipModel's job, replicated
comparisons are sandbox.replicates' (run by viz.background). This class decides WHEN (apply,
Step, Play, Compare) and turns bad input into a visible message in the session's language,
with no server path, instead of an exception, so the session keeps working.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Any

import solara
from mesa.visualization.utils import force_update

from sandbox.consistency import inert_levers
from sandbox.defaults import DEFAULT_SEED  # one default seed everywhere: the CLI and this dashboard
from sandbox.errors import InputError
from sandbox.glossary import term
from sandbox.model import TownshipModel
from sandbox.replicates import Plan, Setting, seeds
from sandbox.viz import levers, sessions
from sandbox.viz.background import SANDBOX, Busy, Job, runner
from sandbox.viz.chart import model_lock
from sandbox.viz.i18n import tr

log = logging.getLogger(__name__)
DEFAULT_SCENARIO = "base"
TOWNSHIP = ("residents", "villages")
COMPARE_REPLICATIONS = 8
COMPARE_DAYS = 60
PRESET = ("vertical_grid", "integrated_grid")  # the one-click comparison: vertical vs integrated


@dataclass(frozen=True)
class Settings:
    """What a model was built from: scenario, seed and the levers changed from that scenario."""

    scenario: str = DEFAULT_SCENARIO
    seed: int = DEFAULT_SEED
    overrides: tuple[tuple[str, Any], ...] = ()

    def build(self) -> TownshipModel:
        return TownshipModel(self.scenario, rng=self.seed, **dict(self.overrides))

    @property
    def residents(self) -> int:
        return int(dict(self.overrides).get("residents", levers.default_residents()))

    def setting(self) -> Setting:
        """The scenario and levers without the township's size (shared by both sides of a comparison)."""
        return Setting(self.scenario, tuple((k, v) for k, v in self.overrides if k not in TOWNSHIP))

    def size(self) -> tuple[tuple[str, Any], ...]:
        return tuple((k, v) for k, v in self.overrides if k in TOWNSHIP)


@dataclass(frozen=True)
class Twin:
    """Comparison model B: the same township and seed as A, scenario B and one lever changed."""

    scenario: str
    lever: str | None = None
    value: Any = None

    def settings(self, a: Settings) -> Settings:
        o = dict(a.overrides)
        if self.lever:
            o[self.lever] = self.value
        return replace(a, scenario=self.scenario, overrides=tuple(sorted(o.items())))


@dataclass
class Replicated:
    """A side-by-side comparison over replications with common random numbers, run in the background."""

    a: Settings
    b: Settings
    job: Job
    queued: int = 0

    @property
    def plan(self) -> Plan:
        return self.job.plan


@dataclass(frozen=True)
class Notice:
    """A lever that does nothing under the others (sandbox.consistency), in both languages."""

    lever: str
    why_en: str
    key: str = field(default="")

    def text(self, lang: str) -> str:
        try:
            why = term("ui", self.key, lang)
        except KeyError:
            why = self.why_en
        return tr("ui", "inert", lang, lever=tr("params", self.lever, lang), why=why)


def notices_for(model: TownshipModel) -> list[Notice]:
    out = []
    for lever, why in inert_levers(model.p):
        key = f"inert_{lever}"
        if lever == "co_creation":
            key += "_empty" if model.p.governance.co_creation else "_off"
        out.append(Notice(lever, why, key))
    return out


def default_settings() -> Settings:
    return Settings(overrides=(("residents", levers.default_residents()), ("villages", levers.default_villages())))


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/:'\"]+)+[\\/]?")


def for_people(message: str) -> str:
    """A model's message without server paths: a file is named by its name only."""
    return _PATH.sub(lambda m: m.group(0).rstrip("/\\").rsplit("/", 1)[-1].rsplit("\\", 1)[-1], message)


def guarded(what: str):
    """An event handler of the session that cannot crash it: anything unexpected is logged on the
    server and shown as one translated line (what was not done), never a traceback or a path."""
    def wrap(fn):
        @functools.wraps(fn)
        def handler(self: Session, *args, **kwargs):
            try:
                return fn(self, *args, **kwargs)
            except Exception:
                log.exception("dashboard handler %s failed", fn.__name__)
                lang = kwargs.get("lang") or next((a for a in args if a in ("zh", "en")), "zh")
                self.error.set(tr("ui", "unexpected_error", lang, what=tr("ui", what, lang)))
                self.playing.set(False)
                return False
        return handler
    return wrap


class Session:
    """Everything one browser tab owns. Reactive fields re-render what shows them;
    stepping mutates the models in place and calls Mesa's force_update()."""

    def __init__(self, settings: Settings | None = None, draft: dict[str, Any] | None = None):
        settings = settings or default_settings()
        model = settings.build()
        self.settings = solara.Reactive(settings)
        self.model = solara.Reactive(model)
        self.twin_spec: solara.Reactive[Twin | None] = solara.Reactive(None)
        self.twin: solara.Reactive[TownshipModel | None] = solara.Reactive(None)
        self.replicated: solara.Reactive[Replicated | None] = solara.Reactive(None)
        self.followed: solara.Reactive[int | None] = solara.Reactive(None)
        self.notices = solara.Reactive(notices_for(model))
        self.error: solara.Reactive[str | None] = solara.Reactive(None)
        self.playing = solara.Reactive(False)
        self.days_per_step = solara.Reactive(1)  # the session's, not the app bar's: a redrawn bar keeps the choice
        # the sidebar's values, applied by "apply and restart"
        residents = dict(settings.overrides).get("residents", levers.default_residents())
        self.draft = solara.Reactive({
            "scenario": settings.scenario, "seed": str(settings.seed),
            "levers": draft or {**levers.draft_for(settings.scenario), **{k: v for k, v in settings.overrides if k in levers.MAIN},
                                "residents": str(residents)},
        })
        self._lock = threading.RLock()
        self.render_context = None  # set by the page: lets one Step re-render once, not once per view
        self.county_link: str | None = None  # a county scenario the address asked the county tab to open on
        self.county_levers: dict[str, Any] = {}  # and the county levers it set

    def batch(self):
        """Group the re-renders that follow several changes into one pass."""
        return self.render_context if self.render_context is not None else contextlib.nullcontext()

    def release(self) -> None:
        """The browser session is gone: stop its background comparison, drop its models."""
        self.playing.value = False
        rep = self.replicated.value
        if rep is not None:
            rep.job.cancel()

    # -- time ------------------------------------------------------------------------
    @guarded("step")
    def step(self, days: int = 1, lang: str = "zh") -> bool:
        """Advance A (and B, in lockstep) by `days` working days, up to the session's size limit."""
        with self._lock:
            a, b = self.model.value, self.twin.value
            limit = sessions.max_days(self.settings.value.residents)
            days = min(days, limit - a.day)
            if days <= 0:
                self.playing.set(False)
                self.error.set(tr("ui", "session_limit", lang, days=f"{limit:,}", residents=f"{self.settings.value.residents:,}"))
                return False
            for _ in range(days):
                with model_lock(a):
                    a.step()
                if b is not None:
                    with model_lock(b):
                        b.step()
        with self.batch():
            force_update()
        return True

    # -- apply and restart: rebuild from the sidebar ------------------------------------
    @guarded("reset")
    def apply(self, scenario: str, seed_text: Any, draft: dict[str, Any], lang: str) -> bool:
        """Rebuild A (and B) from the sidebar. Bad input → a message, the old model stays."""
        self.playing.set(False)
        try:
            scenario = levers.check_scenario(scenario, lang)
            seed = levers.parse_seed(seed_text, lang)
            o = levers.overrides(scenario, draft, lang)
            settings = Settings(scenario, seed, tuple(sorted(o.items())))
            model = settings.build()
            spec = self.twin_spec.value
            twin = spec.settings(settings).build() if spec else None
        except InputError as exc:
            self.error.set(tr("ui", "cannot_apply", lang, message=for_people(exc.message)))
            return False
        with self._lock, self.batch():
            self.settings.set(settings)
            self.model.set(model)
            self.twin.set(twin)
            self.followed.set(None)
            self.error.set(None)
            self.notices.set(notices_for(model))
            force_update()
        return True

    # -- side by side ----------------------------------------------------------------
    @guarded("start_compare")
    def compare(self, spec: Twin, lang: str, replications: int = COMPARE_REPLICATIONS, days: int = COMPARE_DAYS) -> bool:
        """Build B from A's settings and catch it up to A's day (both then step together), and
        start the replicated comparison of A and B in the background."""
        self.playing.set(False)
        try:
            spec = replace(spec, scenario=levers.check_scenario(spec.scenario, lang))
            if spec.lever is not None and spec.lever not in levers.MAIN:
                raise InputError(tr("ui", "link_ignored", lang, message=str(spec.lever)[:30]))
            b_settings = spec.settings(self.settings.value)
            levers.overrides(b_settings.scenario, {**levers.draft_for(b_settings.scenario), **dict(b_settings.overrides)}, lang)
            twin = b_settings.build()
        except InputError as exc:
            self.error.set(tr("ui", "cannot_apply", lang, message=for_people(exc.message)))
            return False
        a = self.settings.value
        plan = Plan((a.setting(), b_settings.setting()), int(days), seeds(a.seed, int(replications)), a.size())
        old = self.replicated.value
        if old is not None:
            old.job.cancel()
        try:
            queued = runner().waiting()
            job = runner().submit(plan, SANDBOX)
        except Busy as busy:
            self.error.set(tr("ui", "compare_busy", lang, n=busy.args[0]))
            job = None
        with self._lock:
            for _ in range(self.model.value.day):
                twin.step()
            with self.batch():
                self.twin_spec.set(spec)
                self.twin.set(twin)
                self.replicated.set(Replicated(a, b_settings, job, queued) if job is not None else None)
                if job is not None:
                    self.error.set(None)
                force_update()
        return True

    @guarded("preset_vertical_integrated")
    def preset(self, lang: str, replications: int = COMPARE_REPLICATIONS, days: int = COMPARE_DAYS) -> bool:
        """One click: A = the vertical township, B = the integrated one, same size and seed."""
        a_name, b_name = PRESET
        draft = levers.draft_for(a_name, keep=self.draft.value["levers"])
        self.draft.set({**self.draft.value, "scenario": a_name, "levers": draft})
        if not self.apply(a_name, self.draft.value["seed"], draft, lang):
            return False
        return self.compare(Twin(b_name), lang, replications, days)

    @guarded("stop_compare")
    def stop_compare(self, lang: str = "zh") -> bool:
        rep = self.replicated.value
        if rep is not None:
            rep.job.cancel()
        with self._lock, self.batch():
            self.twin.set(None)
            self.twin_spec.set(None)
            self.replicated.set(None)
            force_update()
        return True
