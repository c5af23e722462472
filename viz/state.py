"""One browser session's sandbox: applied settings, the model (and its comparison twin), messages.

The dashboard only presents: building and stepping models is TownshipModel's job; this
class decides WHEN (Reset, Step, Play, Compare) and turns bad input into a visible message
instead of an exception, so the session keeps working.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field, replace
from typing import Any

import solara
from mesa.visualization.utils import force_update

from sandbox.consistency import inert_levers
from sandbox.errors import InputError
from sandbox.model import TownshipModel
from sandbox.glossary import term
from sandbox.viz import levers
from sandbox.viz.i18n import tr

DEFAULT_SCENARIO = "base"
DEFAULT_SEED = 42


@dataclass(frozen=True)
class Settings:
    """What a model was built from: scenario, seed and the levers changed from that scenario."""

    scenario: str = DEFAULT_SCENARIO
    seed: int = DEFAULT_SEED
    overrides: tuple[tuple[str, Any], ...] = ()

    def build(self) -> TownshipModel:
        return TownshipModel(self.scenario, rng=self.seed, **dict(self.overrides))


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


class Session:
    """Everything one browser tab owns. Reactive fields re-render what shows them;
    stepping mutates the models in place and calls Mesa's force_update()."""

    def __init__(self, settings: Settings | None = None):
        settings = settings or default_settings()
        model = settings.build()
        self.settings = solara.Reactive(settings)
        self.model = solara.Reactive(model)
        self.twin_spec: solara.Reactive[Twin | None] = solara.Reactive(None)
        self.twin: solara.Reactive[TownshipModel | None] = solara.Reactive(None)
        self.notices = solara.Reactive(notices_for(model))
        self.error: solara.Reactive[str | None] = solara.Reactive(None)
        self.playing = solara.Reactive(False)
        # the sidebar's values, applied on Reset
        residents = dict(settings.overrides).get("residents", levers.default_residents())
        self.draft = solara.Reactive({
            "scenario": settings.scenario, "seed": str(settings.seed),
            "levers": {**levers.draft_for(settings.scenario), **{k: v for k, v in settings.overrides if k in levers.MAIN}, "residents": str(residents)},
        })
        self._lock = threading.RLock()
        self.render_context = None  # set by the page: lets one Step re-render once, not once per view

    def batch(self):
        """Group the re-renders that follow several changes into one pass."""
        return self.render_context if self.render_context is not None else contextlib.nullcontext()

    # -- time ------------------------------------------------------------------------
    def step(self, days: int = 1) -> None:
        """Advance A (and B, in lockstep) by `days` working days."""
        with self._lock:
            a, b = self.model.value, self.twin.value
            for _ in range(days):
                a.step()
                if b is not None:
                    b.step()
        with self.batch():
            force_update()

    # -- Reset: rebuild from the sidebar ---------------------------------------------
    def apply(self, scenario: str, seed_text: Any, draft: dict[str, Any], lang: str) -> bool:
        """Rebuild A (and B) from the sidebar. Bad input → a message, the old model stays."""
        self.playing.set(False)
        try:
            seed = levers.parse_int(seed_text, tr("ui", "seed", lang), lang)
            o = levers.overrides(scenario, draft, lang)
            settings = Settings(scenario, seed, tuple(sorted(o.items())))
            model = settings.build()
            spec = self.twin_spec.value
            twin = spec.settings(settings).build() if spec else None
        except InputError as exc:
            self.error.set(tr("ui", "cannot_apply", lang, message=exc.message))
            return False
        with self._lock, self.batch():
            self.settings.set(settings)
            self.model.set(model)
            self.twin.set(twin)
            self.error.set(None)
            self.notices.set(notices_for(model))
            force_update()
        return True

    # -- side by side ----------------------------------------------------------------
    def compare(self, spec: Twin, lang: str) -> bool:
        """Build B from A's settings and catch it up to A's day, so both then step together."""
        self.playing.set(False)
        try:
            twin = spec.settings(self.settings.value).build()
        except InputError as exc:
            self.error.set(tr("ui", "cannot_apply", lang, message=exc.message))
            return False
        with self._lock:
            for _ in range(self.model.value.day):
                twin.step()
            with self.batch():
                self.twin_spec.set(spec)
                self.twin.set(twin)
                self.error.set(None)
                force_update()
        return True

    def stop_compare(self) -> None:
        with self._lock, self.batch():
            self.twin.set(None)
            self.twin_spec.set(None)
            force_update()
