"""The county levers the county tab shows, and turning their values into a county's overrides.

A policy designer asks the county question with these: terms of office, how fast a reform is
written into rules, how far results travel, what the county rewards and pays for, and how hard
a successor's new broom sweeps. Ranges, defaults and sources are the scenario schema's
(sandbox/county_params.py); what is sent to the county is only what differs from the chosen
county scenario, so the scenario keeps its own pilots, mandates and leaders.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sandbox.county_params import LEVER_SECTIONS
from sandbox.county_scenario import CountySpec, load_county
from sandbox.errors import InputError
from sandbox.params import range_of
from sandbox.viz.i18n import tr

# the county tab's levers by section, in the order of the essay's question (who decides, what
# they see, what becomes of a reform, what the county does, what a successor does)
GROUPS: dict[str, tuple[str, ...]] = {
    "leaders": ("leaders.tenure_min_years", "leaders.tenure_max_years", "leaders.topdown_attention"),
    "learning": ("learning.delay_quarters", "learning.observe_pairs"),
    "lifecycle": ("lifecycle.pilot_quarters", "lifecycle.adapted_min_quarters", "lifecycle.institutionalise_rate"),
    "incentives": ("incentives.publicise_pilots", "incentives.package_for_adopters", "incentives.mandate_compliance"),
    "budget": ("budget.money_per_10k",),
    "decay": ("decay.new_broom", "decay.institution_protection"),
}
SHOWN: tuple[str, ...] = tuple(p for paths in GROUPS.values() for p in paths)

# slider ranges the county tab offers (within each lever's valid range in the schema)
SLIDERS: dict[str, tuple[float, float, float]] = {
    "leaders.tenure_min_years": (1, 10, 1),
    "leaders.tenure_max_years": (1, 10, 1),
    "leaders.topdown_attention": (0.0, 1.0, 0.05),
    "learning.delay_quarters": (0, 12, 1),
    "lifecycle.pilot_quarters": (1, 12, 1),
    "lifecycle.adapted_min_quarters": (0, 20, 1),
    "lifecycle.institutionalise_rate": (0.0, 5.0, 0.1),
    "incentives.mandate_compliance": (0.0, 1.0, 0.05),
    "budget.money_per_10k": (0.0, 200.0, 5.0),
    "decay.new_broom": (-3.0, 5.0, 0.25),
    "decay.institution_protection": (0.0, 1.0, 0.05),
}


def _field(path: str):
    section, leaf = path.split(".")
    return LEVER_SECTIONS[section].model_fields[leaf]


def kind(path: str) -> type:
    """bool, int or float."""
    return _field(path).annotation


def bounds(path: str) -> tuple[float | None, float | None]:
    """The lever's valid range in the schema."""
    return range_of(_field(path))


def label(path: str, lang: str) -> str:
    return tr("county_params", path, lang)


@cache
def _scenario(county: str) -> CountySpec:
    """A listed county scenario as its file has it (read once: every redraw of the tab asks)."""
    return load_county(county)


def scenario_values(county: str) -> dict[str, Any]:
    """The shown levers' values in a county scenario."""
    c = _scenario(county).county
    return {p: getattr(getattr(c, p.split(".")[0]), p.split(".")[1]) for p in SHOWN}


# levers that act only through something a county scenario may not have: what it needs, and the
# glossary key ([county_ui]) saying it is missing
NEEDS: dict[str, tuple[str, str]] = {
    "incentives.mandate_compliance": ("mandates", "idle_no_mandate"),
    "incentives.publicise_pilots": ("pilots", "idle_no_pilot"),
    "incentives.package_for_adopters": ("packages", "idle_no_package"),
}


def idle(county: str, path: str) -> str | None:
    """The [county_ui] key saying why `path` changes nothing in this county scenario (it has no
    mandate, no designated pilot, or no pilot with a package), None where it acts."""
    if path not in NEEDS:
        return None
    need, key = NEEDS[path]
    c = _scenario(county).county
    has = {"mandates": bool(c.mandates), "pilots": bool(c.pilots),
           "packages": any(p.money or p.staff or p.fidelity_boost or p.levers for p in c.pilots)}
    return None if has[need] else key


def value(path: str, raw: Any, lang: str) -> Any:
    """A lever's value from a control or an address; InputError in `lang` if it is not allowed."""
    k = kind(path)
    if k is bool:
        text = str(raw).strip().lower()
        if isinstance(raw, bool) or text in ("1", "0", "true", "false"):
            return raw if isinstance(raw, bool) else text in ("1", "true")
        raise InputError(tr("ui", "true_or_false", lang, label=label(path, lang)))
    lo, hi = bounds(path)
    try:
        x = float(raw)
        if k is int and not x.is_integer():
            raise ValueError
    except (TypeError, ValueError):
        x = None
    if x is None or not (lo is None or x >= lo) or not (hi is None or x <= hi):
        raise InputError(tr("ui", "lever_range", lang, label=label(path, lang), low=f"{lo:g}", high=f"{hi:g}",
                            kind=tr("ui", "whole_number" if k is int else "number", lang), value=str(raw)[:30]))
    return int(x) if k is int else x


def overrides(county: str, draft: dict[str, Any], lang: str) -> dict[str, Any]:
    """What differs from the county scenario, checked: every value in range, and terms of office
    that fit the county (InputError in `lang`, naming the levers)."""
    base = scenario_values(county)
    checked = {p: value(p, draft[p], lang) for p in SHOWN if p in draft}
    merged = {**base, **checked}
    lo, hi = merged["leaders.tenure_min_years"], merged["leaders.tenure_max_years"]
    if lo > hi:
        raise InputError(tr("county_ui", "tenure_order", lang, low=lo, high=hi))
    spec = _scenario(county)
    if lo > spec.county.horizon.years:
        raise InputError(tr("county_ui", "tenure_past_horizon", lang, low=lo, years=spec.county.horizon.years))
    for t in spec.townships:
        term = t.leader.tenure_years
        if term is not None and not lo <= term <= hi:
            raise InputError(tr("county_ui", "tenure_of_leader", lang, township=t.zh if lang == "zh" else t.name,
                                term=term, low=lo, high=hi))
    return {p: v for p, v in checked.items() if v != base[p]}
