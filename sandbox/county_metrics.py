"""County measures (scenarios/data/county_metrics.toml): what a township reports each quarter, the
county-wide figures by year, the adoption curves, and the run's summary (time to 50 % adoption,
survival after the champion left, pilots that spread or stayed showcases, inequality between
townships). Definitions: docs/county.md.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from sandbox.scenarios import DATA_DIR

KINDS = ("mean", "count", "ratio", "end")


@dataclass(frozen=True)
class Indicator:
    key: str
    kind: str
    over: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountyMetric:
    key: str
    zh: str
    en: str
    table: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    per_reform: bool = False


@cache
def _data() -> dict:
    with (DATA_DIR / "county_metrics.toml").open("rb") as fh:
        return tomllib.load(fh)


@cache
def settings() -> dict[str, Any]:
    return dict(_data()["settings"])


@cache
def indicators() -> dict[str, Indicator]:
    """What a township reports at a decision point, in file order."""
    out = {}
    for key, v in _data()["indicators"].items():
        ind = Indicator(key, v["kind"], tuple(v.get("over", ())))
        if ind.kind not in KINDS:
            raise ValueError(f"county_metrics.toml: indicators.{key}: kind {ind.kind!r} is not one of {KINDS}")
        out[key] = ind
    for ind in out.values():
        if any(out.get(o) is None or out[o].kind != "count" for o in ind.over):
            raise ValueError(f"county_metrics.toml: indicators.{ind.key}: `over` must name count indicators")
    return out


@cache
def metrics() -> dict[str, CountyMetric]:
    return {k: CountyMetric(key=k, **v) for k, v in _data()["metrics"].items()}


@cache
def stage_names() -> dict[str, tuple[str, str]]:
    return {k: (v["zh"], v["en"]) for k, v in _data()["stages"].items()}


@cache
def reasons() -> dict[str, dict[str, Any]]:
    return dict(_data()["reasons"])


def glossary_sections() -> dict[str, dict[str, tuple[str, str]]]:
    """The county's names for the one glossary: stages, reasons, county metric templates, reforms."""
    from sandbox.reforms import catalogue

    return {
        "stages": stage_names(),
        "reasons": {k: (v["zh"], v["en"]) for k, v in reasons().items()},
        "county_metrics": {k: (m.zh, m.en) for k, m in metrics().items()},
        "reforms": {k: (r.zh, r.en) for k, r in catalogue().items()},
    }


def metric_name(key: str, lang: str = "en") -> str:
    """Name of a county metric key, per-reform keys composed (`in_force_share_one_form`)."""
    from sandbox.glossary import term

    ms = metrics()
    if key in ms and not ms[key].per_reform:
        return term("county_metrics", key, lang)
    if key.endswith("_last_year") and key[: -len("_last_year")] in ms:
        return term("county_metrics", key[: -len("_last_year")], lang) + ("（末年）" if lang == "zh" else " (last year)")
    from sandbox.reforms import catalogue

    for rid in catalogue():
        base = key[: -len(rid) - 1]
        if key.endswith("_" + rid) and base in ms and ms[base].per_reform:
            return term("county_metrics", base, lang).format(reform=term("reforms", rid, lang))
    raise KeyError(f"no county metric {key!r}")


# -- one township's quarter (computed where the township lives) ----------------------------------

def _num(v) -> float:
    return math.nan if v is None else float(v)


def quarter_summary(model, start_day: int) -> dict[str, float]:
    """The township's indicators over days start_day+1 .. model.day, from its daily metrics."""
    cols = model.datacollector.model_vars
    end = model.day
    out: dict[str, float] = {"days": float(end - start_day)}
    for key, ind in indicators().items():
        values = cols[key]
        if ind.kind == "mean":
            vals = [x for x in (_num(v) for v in values[start_day + 1: end + 1]) if not math.isnan(x)]
            out[key] = sum(vals) / len(vals) if vals else math.nan
        elif ind.kind == "end":
            out[key] = _num(values[end])
        elif ind.kind == "count":
            out[key] = _num(values[end]) - _num(values[start_day])
        else:
            den = [sum(_num(cols[o][d]) for o in ind.over) for d in (start_day, end)]
            tot = [0.0 if math.isnan(_num(values[d])) else _num(values[d]) * den[i] for i, d in enumerate((start_day, end))]
            out[key] = (tot[1] - tot[0]) / (den[1] - den[0]) if den[1] > den[0] else math.nan
    return out


# -- reforms' gains, as a leader reads them ------------------------------------------------------

def relative_gain(evidence: dict[str, float], before: dict[str, float], after: dict[str, float]) -> float | None:
    """Weighted relative improvement of the reform's evidence indicators, each term capped at ±1
    (positive weight: higher is better). None when no term can be computed."""
    num = den = 0.0
    for key, w in evidence.items():
        b, a = before.get(key, math.nan), after.get(key, math.nan)
        if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
            continue
        change = (a - b) / abs(b)
        num += abs(w) * max(-1.0, min(1.0, change if w > 0 else -change))
        den += abs(w)
    return num / den if den else None


# -- aggregation over quarters and townships -----------------------------------------------------

def combine(quarters: list[dict[str, float]]) -> dict[str, float]:
    """Several quarters of one township as one period (a year): counts summed, ratios re-weighted
    by their denominators, means weighted by days, ends taken from the last quarter."""
    out: dict[str, float] = {"days": sum(q["days"] for q in quarters)}
    for key, ind in indicators().items():
        if ind.kind == "count":
            out[key] = sum(q[key] for q in quarters)
        elif ind.kind == "end":
            out[key] = quarters[-1][key]
        elif ind.kind == "mean":
            pairs = [(q[key], q["days"]) for q in quarters if math.isfinite(q[key])]
            w = sum(d for _, d in pairs)
            out[key] = sum(v * d for v, d in pairs) / w if w else math.nan
        else:
            pairs = [(q[key], sum(q[o] for o in ind.over)) for q in quarters]
            pairs = [(v, d) for v, d in pairs if d > 0 and math.isfinite(v)]
            w = sum(d for _, d in pairs)
            out[key] = sum(v * d for v, d in pairs) / w if w else math.nan
    return out


def gini(values: list[float]) -> float:
    """Gini coefficient between townships (each township one unit); NaNs dropped."""
    x = np.sort(np.array([v for v in values if math.isfinite(v)], dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return 0.0 if n else math.nan
    return float((2.0 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))


def county_year(periods: list[dict[str, float]], residents: list[int], cadres: list[int]) -> dict[str, float]:
    """County-wide figures of one year from each township's year: trips re-weighted by matters
    settled, cadre hours by cadres, indices by residents; Gini between townships."""
    settled = [p["matters_settled"] for p in periods]
    closed = [p["matters_settled"] + p["matters_abandoned"] for p in periods]
    out = {
        "trips_per_matter": _weighted([p["trips_per_matter"] for p in periods], settled),
        "share_abandoned": _weighted([p["share_abandoned"] for p in periods], closed),
        "escalations_per_1000": 1000.0 * sum(p["escalations"] for p in periods) / max(1, sum(residents)),
    }
    for key in ("cadre_reporting_hours", "cadre_face_to_face_hours", "cadre_overtime_hours"):
        out[key] = _weighted([p[key] for p in periods], cadres)
    for key in ("order_index", "vitality_index", "fairness_index"):
        out[key] = _weighted([p[key] for p in periods], residents)
    out["gini_townships_trips"] = gini([p["trips_per_matter"] for p in periods])
    out["gini_townships_face_time"] = gini([p["cadre_face_to_face_hours"] for p in periods])
    return out


def _weighted(values: list[float], weights: list[float]) -> float:
    pairs = [(v, w) for v, w in zip(values, weights) if math.isfinite(v) and w > 0]
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total else math.nan


# -- a county run's measures ---------------------------------------------------------------------

def _mean(xs: list[float]) -> float:
    xs = [x for x in xs if x is not None and math.isfinite(x)]
    return sum(xs) / len(xs) if xs else math.nan


def in_force_share(county, rid: str, quarter: int) -> float:
    """Share of townships with the reform in force during `quarter`."""
    return sum(t.during[quarter - 1][rid][0] > 0 for t in county.townships) / len(county.townships)


def stage_shares(county, rid: str, quarter: int) -> dict[str, float]:
    from sandbox.reforms import STAGES

    n = len(county.townships)
    counts = [0] * len(STAGES)
    for t in county.townships:
        counts[t.during[quarter - 1][rid][0]] += 1
    return {f"share_{s}": c / n for s, c in zip(STAGES, counts)}


def designated(county) -> list[tuple[int, str]]:
    """(township index, reform) of every designated pilot, in file order."""
    index = {t.name: t.index for t in county.townships}
    return list(dict.fromkeys((index[p.township], p.reform) for p in county.p.pilots if p.quarter <= county.quarter))


def summary(county) -> dict[str, float]:
    """One value per metric for the whole run (scenarios/data/county_metrics.toml, table = "summary";
    plus every yearly county metric of the last year as KEY_last_year)."""
    s = settings()
    Q = len(county.townships[0].during)
    years = county.p.horizon.years
    out: dict[str, float] = {}
    pilots = designated(county)
    for rid in county.spec.agenda:
        final = [t.during[Q - 1][rid] for t in county.townships]
        out[f"in_force_share_{rid}"] = in_force_share(county, rid, Q)
        q_half = next((q for q in range(1, Q + 1) if in_force_share(county, rid, q) >= s["half"] - 1e-12), None)
        out[f"years_to_half_{rid}"] = (q_half - 1) / 4.0 if q_half is not None else float(years)
        out[f"half_reached_{rid}"] = 1.0 if q_half is not None else 0.0
        out[f"mean_fidelity_{rid}"] = _mean([d[1] for d in final if d[0] > 0])
        out[f"gain_{rid}"] = _mean([county.gain(t, rid, Q) for t in county.townships if t.during[Q - 1][rid][0] > 0])
        piloted = {i for i, r in pilots if r == rid}
        others = [t for t in county.townships if t.index not in piloted]
        out[f"spread_share_{rid}"] = (sum(t.during[Q - 1][rid][0] > 0 for t in others) / len(others)) if piloted and others else math.nan
        eps = [e for e in county.episodes if e.reform == rid and e.reason != "initial"]
        out[f"adoptions_{rid}"] = float(len(eps))
        out[f"drops_{rid}"] = float(sum(e.end is not None for e in county.episodes if e.reform == rid))
    w = s["survival_window_quarters"]
    left = [e for e in county.episodes if e.champion_left is not None and e.champion_left + w <= Q]
    out["survival_after_champion"] = _mean([1.0 if e.end is None or e.end >= e.champion_left + w else 0.0 for e in left])
    out["champions_left"] = float(len(left))
    spread = isolated = 0
    for _, rid in pilots:
        others = [t for t in county.townships if t.index not in {j for j, r in pilots if r == rid}]
        share = sum(t.during[Q - 1][rid][0] > 0 for t in others) / len(others) if others else 0.0
        spread += share >= s["landscape_share"]
        isolated += share == 0
    out["pilots_spread"], out["pilots_isolated"] = float(spread), float(isolated)
    out["rotations"] = float(county.rotations)
    last = county_years(county)[-1]
    for key, m in metrics().items():
        if m.table == "yearly":
            out[f"{key}_last_year"] = last[key]
    return out


def summary_keys(agenda: list[str] | None = None) -> list[str]:
    """The keys `summary` reports for a county with this agenda (default: every reform in the catalogue)."""
    from sandbox.reforms import catalogue

    out = []
    for key, m in metrics().items():
        if m.table == "summary":
            out += [f"{key}_{rid}" for rid in (catalogue() if agenda is None else agenda)] if m.per_reform else [key]
        elif m.table == "yearly":
            out.append(f"{key}_last_year")
    return out


def county_years(county) -> list[dict[str, float]]:
    """County-wide figures, one dict a year (year 1 first)."""
    residents = [int(t.info["residents"]) for t in county.townships]
    cadres = [int(t.info["cadres"]) for t in county.townships]
    n_years = len(county.townships[0].history) // 4
    out = []
    for y in range(1, n_years + 1):
        periods = [combine(t.history[4 * (y - 1): 4 * y]) for t in county.townships]
        row = {"year": y, **county_year(periods, residents, cadres)}
        row["rotations"] = float(sum(1 for L in county.leader_log if L.left is not None and 4 * (y - 1) < L.left <= 4 * y))
        out.append(row)
    return out
