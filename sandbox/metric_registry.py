"""The metric registry (scenarios/data/metrics.toml): every metric's key, names, aggregation over
a run, headline flag, unit and bounds; the resident groups; the cadre activities in stacking order.

One list, read by the model, run/compare, sweeps, the reports and the glossary.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from sandbox.scenarios import DATA_DIR

AGGREGATES = ("mean", "second_half", "end")
FACES = ("above", "residents", "spare", "overtime", "undone")


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    aggregate: str                  # mean / second_half / end (see metrics.toml)
    unit: str = ""
    low: float | None = None
    high: float | None = None
    headline: bool = False
    by_group: bool = False
    group: str | None = None        # set on a group variant (trips_per_matter_elderly → "elderly")
    activity: str | None = None     # cadre activity of a cadre_*_hours metric
    faces: str | None = None
    by: str | None = None
    within: str | None = None       # an activity whose hours include these

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@cache
def _data() -> dict:
    with (DATA_DIR / "metrics.toml").open("rb") as fh:
        return tomllib.load(fh)


@cache
def settings() -> dict[str, int | float]:
    """[settings]: numbers that define metrics (the participation window)."""
    return dict(_data()["settings"])


def participation_window_days() -> int:
    """Residents who joined a collective activity within this many days count as taking part."""
    return int(settings()["participation_window_days"])


@cache
def groups() -> dict[str, tuple[str, str]]:
    """Resident group → (中文, English), in file order."""
    return {k: (v["zh"], v["en"]) for k, v in _data()["groups"].items()}


@cache
def metrics() -> dict[str, Metric]:
    """Every metric key (group variants included, right after their base), in file order."""
    out: dict[str, Metric] = {}
    fill = settings()
    for key, spec in _data()["metrics"].items():
        if spec["aggregate"] not in AGGREGATES:
            raise ValueError(f"metrics.toml: {key}.aggregate = {spec['aggregate']!r}: one of {', '.join(AGGREGATES)}")
        if spec.get("faces") is not None and spec["faces"] not in FACES:
            raise ValueError(f"metrics.toml: {key}.faces = {spec['faces']!r}: one of {', '.join(FACES)}")
        spec = {**spec, "zh": spec["zh"].format(**fill), "en": spec["en"].format(**fill)}
        m = Metric(key=key, **spec)
        out[key] = m
        if m.by_group:
            for g, (gzh, gen) in groups().items():
                out[f"{key}_{g}"] = Metric(key=f"{key}_{g}", zh=f"{m.zh}（{gzh}）", en=f"{m.en} ({gen})",
                                           aggregate=m.aggregate, unit=m.unit, low=m.low, high=m.high, group=g)
    return out


def metric(key: str) -> Metric:
    """The registry entry of `key`; a KeyError naming the registry file when it has none."""
    try:
        return metrics()[key]
    except KeyError:
        raise KeyError(f"metric '{key}' is not in {DATA_DIR / 'metrics.toml'}: add it there") from None


@cache
def headline() -> tuple[str, ...]:
    """The headline metrics, in file order."""
    return tuple(k for k, m in metrics().items() if m.headline)


def activities(faces: tuple[str, ...] = FACES, by: str | None = None) -> tuple[str, ...]:
    """Cadre activities in stacking order, those facing `faces` (and planned `by` cadre/model)."""
    return tuple(m.activity for m in metrics().values()
                 if m.activity and m.faces in faces and (by is None or m.by == by))


def stacked_hours(hours: dict[str, float]) -> dict[str, float]:
    """Activity → hours with no hour counted twice: an activity's hours less those of the
    activities `within` it (face-to-face less mediation), for stacked charts."""
    out = dict(hours)
    for m in metrics().values():
        if m.activity in hours and m.within in out:
            out[m.within] -= hours[m.activity]
    return out


def activity_metric(activity: str) -> str:
    """The metric key of a cadre activity's hours."""
    return f"cadre_{activity}_hours"
