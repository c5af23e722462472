"""The levers the dashboard shows, and turning the sidebar's values into model overrides.

The dashboard shows the main levers of every scenario axis; a scenario file sets the
rest. What is sent to the model is only what differs from the chosen scenario (plus
the township size), so scenario B in a comparison keeps its own structure.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from sandbox.errors import InputError
from sandbox.glossary import term
from sandbox.params import LEAVES, SECTIONS, range_of
from sandbox.replicates import villages_for
from sandbox.scenario import build_scenario, scenario_names
from sandbox.viz.i18n import tr

STAGES = ("decide_together", "build_together", "manage_together", "evaluate_together", "share_results")

# sidebar sections, in the order an instructor walks through them
GROUPS: dict[str, tuple[str, ...]] = {
    "structure": ("one_window", "parallel_approval", "one_responsible_body", "notify_all_requirements",
                  "one_form", "leftover_station_share", "office_commands_centre"),
    "governance": ("co_creation", "local_mediation", "inclusive_outreach"),
    "digital": ("online_channel", "assisted_service", "app_push", "work_groups"),
    "staffing": ("cadres_per_village", "community_workers_per_10k", "households_per_cell"),
    "township": ("residents", "villages"),
}
MAIN: tuple[str, ...] = tuple(k for keys in GROUPS.values() for k in keys) + STAGES

# slider ranges the dashboard offers (within each lever's valid range in sandbox/params.py)
SLIDERS: dict[str, tuple[float, float, float]] = {
    "leftover_station_share": (0.0, 1.0, 0.05),
    "inclusive_outreach": (0.0, 1.0, 0.05),
    "app_push": (0.0, 1.0, 0.05),
    "work_groups": (0, 100, 1),
    "cadres_per_village": (1, 12, 1),
    "community_workers_per_10k": (1.0, 40.0, 1.0),
    "households_per_cell": (100, 1000, 50),
    "villages": (1, 30, 1),
}
TEXT_BOXES = ("residents",)  # typed in: the one lever whose range is too wide for a slider
ALWAYS_SENT = ("residents", "villages")  # township size is the dashboard's, not the scenario's
RESIDENTS_LIMIT = 50_000  # a browser session stays interactive up to this size
MAX_SEED = 2**63 - 1  # numpy's seeds are unsigned 64-bit; the CLI and tables store int64


def default_residents() -> int:
    """Dashboard township size: 5,000 residents unless SANDBOX_DASHBOARD_RESIDENTS says otherwise."""
    return int(os.environ.get("SANDBOX_DASHBOARD_RESIDENTS", "5000"))


def default_villages() -> int:
    """Villages for the dashboard's township, as many residents each as in the calibrated base."""
    return villages_for(default_residents())


def scenario_label(name: str, lang: str) -> str:
    """A scenario's short name in `lang` (glossary [scenarios]); a user's own file shows its name."""
    return label("scenarios", name, lang)


def label(section: str, key: str, lang: str) -> str:
    """The glossary's name of `key` in `lang`, or the key itself where the glossary has none (a
    user's own file, a lever setting with no name of its own)."""
    try:
        return term(section, key, lang)
    except KeyError:
        return key


def check_scenario(name: Any, lang: str) -> str:
    """Only a listed scenario name: a path or anything else sent by a browser loads nothing."""
    if not isinstance(name, str) or name not in scenario_names():
        raise InputError(tr("ui", "not_a_listed_scenario", lang, name=unpathed(name)))
    return name


def unpathed(text: Any) -> str:
    """What a browser sent, as a message shows it back: cut at 40 characters, slashes replaced
    (never echo a path as a path)."""
    return str(text)[:40].replace("/", "∕").replace("\\", "∖")


def bounds(leaf: str) -> tuple[float | None, float | None]:
    """A lever's valid range from the scenario schema (None: unbounded or a switch)."""
    section, _ = LEAVES[leaf]
    lo, hi = range_of(SECTIONS[section].model_fields[leaf])
    if leaf == "residents":
        hi = RESIDENTS_LIMIT
    return lo, hi


def _check_range(leaf: str, value: Any, lang: str) -> None:
    lo, hi = bounds(leaf)
    if leaf == "residents" and value > RESIDENTS_LIMIT:
        raise InputError(tr("ui", "too_many_residents", lang, limit=f"{RESIDENTS_LIMIT:,}"))
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        whole = kind(leaf) is int
        raise InputError(tr("ui", "lever_range", lang, label=tr("params", leaf, lang), low=_fmt(lo), high=_fmt(hi),
                            kind=tr("ui", "whole_number" if whole else "number", lang), value=_fmt(value)))


def _fmt(x: Any) -> str:
    if isinstance(x, float) and not x.is_integer():
        return f"{x:g}"
    return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))


def parse_seed(text: Any, lang: str) -> int:
    """A seed from 0 to MAX_SEED typed in a box; InputError in `lang` otherwise."""
    label = tr("ui", "seed", lang)
    seed = parse_int(text, label, lang)
    if not 0 <= seed <= MAX_SEED:
        raise InputError(tr("ui", "seed_range", lang, max=f"{MAX_SEED:,}", value=str(text).strip()[:30]))
    return seed


def kind(leaf: str) -> type:
    section, _ = LEAVES[leaf]
    return SECTIONS[section].model_fields[leaf].annotation


@cache
def scenario_values(name: str) -> dict[str, Any]:
    """The chosen scenario's value of every lever the dashboard shows."""
    p = build_scenario(name)
    return {leaf: getattr(getattr(p, LEAVES[leaf][0]), leaf) for leaf in MAIN}


def draft_for(scenario: str, keep: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sidebar values for a scenario: its own levers, the township size kept from `keep`."""
    draft: dict[str, Any] = dict(scenario_values(scenario))
    draft["residents"] = str(default_residents())
    draft["villages"] = default_villages()
    for k in ALWAYS_SENT:
        if keep and k in keep:
            draft[k] = keep[k]
    return draft


def overrides(scenario: str, draft: dict[str, Any], lang: str) -> dict[str, Any]:
    """What to send to the model: levers that differ from the scenario, and the township size.
    Raises InputError (message in `lang`) for a value that is not a number."""
    base = scenario_values(scenario)
    out: dict[str, Any] = {}
    for leaf, value in draft.items():
        if leaf not in LEAVES:
            continue  # not a lever (a stale key): nothing to send
        if leaf in TEXT_BOXES:
            value = parse_int(value, tr("params", leaf, lang), lang)
        elif kind(leaf) is bool:
            if not isinstance(value, bool):
                raise InputError(tr("ui", "true_or_false", lang, label=tr("params", leaf, lang)))
        elif kind(leaf) is float:
            value = _number(leaf, value, lang)
        elif kind(leaf) is int:
            value = int(round(_number(leaf, value, lang)))
        if kind(leaf) is not bool:
            _check_range(leaf, value, lang)
        if leaf in ALWAYS_SENT or value != base[leaf]:
            out[leaf] = value
    return out


def _number(leaf: str, value: Any, lang: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = float("nan")
    if x != x or x in (float("inf"), float("-inf")):
        raise InputError(tr("ui", "not_a_whole_number" if kind(leaf) is int else "not_a_number", lang,
                            label=tr("params", leaf, lang), value=str(value)[:30]))
    return x


def parse_int(text: Any, label: str, lang: str) -> int:
    """A whole number typed in a box; InputError in `lang` otherwise."""
    raw = str(text).strip().replace(",", "").replace("，", "").replace("_", "")
    try:
        return int(raw)  # full-width digits (４２) are digits too
    except ValueError:
        raise InputError(tr("ui", "not_a_whole_number", lang, label=label, value=str(text).strip())) from None


def describe_change(lever: str | None, value: Any, lang: str, name: str | None = None) -> str:
    """`一窗受理 = 是` style text for the comparison heading (`name`: the lever's, if not a township lever's)."""
    if not lever:
        return ""
    if isinstance(value, bool):
        shown = tr("ui", "yes" if value else "no", lang)
    else:
        shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{name or tr('params', lever, lang)} = {shown}"


def link(scenario: str, changes: dict[str, Any]) -> str:
    """The address of a sandbox opened on `scenario` with `changes` (lesson steps link to it)."""
    from urllib.parse import urlencode

    shown = {k: (int(v) if isinstance(v, bool) else v) for k, v in changes.items() if k.rpartition(".")[2] in MAIN}
    return "/?" + urlencode({"scenario": scenario, **{k.rpartition(".")[2]: v for k, v in shown.items()}})


def county_link(county: str, changes: dict[str, Any] | None = None) -> str:
    """The address of a sandbox opened on its county tab with `county` built, with the county
    levers the tab shows set to `changes` (a lesson's county step links to it)."""
    from urllib.parse import urlencode

    from sandbox.viz.county_levers import SHOWN

    shown = {k: (int(v) if isinstance(v, bool) else v) for k, v in (changes or {}).items() if k in SHOWN}
    return "/?" + urlencode({"county": county, **shown})


def county_from_link(search: str | None, lang: str) -> tuple[str, dict[str, Any]] | None:
    """(county scenario, county levers) from a sandbox address such as
    `?county=dies_with_rotation&lifecycle.institutionalise_rate=4`; None if it names no county;
    InputError for anything but a listed county scenario and the levers the county tab shows."""
    from urllib.parse import parse_qsl

    from sandbox.county_scenario import county_names
    from sandbox.viz import county_levers

    values = dict(parse_qsl(search or "", keep_blank_values=True)[:len(county_levers.SHOWN) + 2])
    if "county" not in values:
        return None
    name = values.pop("county")
    unknown = [k for k in values if k not in county_levers.SHOWN]
    if unknown or name not in county_names():
        raise InputError(tr("ui", "link_ignored", lang, message=unpathed(unknown[0] if unknown else name)))
    draft = {k: county_levers.value(k, raw, lang) for k, raw in values.items()}
    county_levers.overrides(name, draft, lang)  # terms that do not fit the county are said now
    return name, draft


def from_link(search: str | None, lang: str) -> tuple[str, dict[str, Any]]:
    """(scenario, sidebar values) from a sandbox address such as `?scenario=integrated_grid&one_window=1`.
    Only a listed scenario and the levers the sidebar shows are read; InputError for anything else."""
    from urllib.parse import parse_qsl

    pairs = parse_qsl(search or "", keep_blank_values=True)[:len(MAIN) + 2]
    values = dict(pairs)
    scenario = check_scenario(values.pop("scenario", "base"), lang)
    draft = draft_for(scenario)
    for key, raw in values.items():
        if key not in MAIN:
            raise InputError(tr("ui", "link_ignored", lang, message=key[:30]))
        if kind(key) is bool:
            if raw.lower() not in ("1", "0", "true", "false"):
                raise InputError(tr("ui", "true_or_false", lang, label=tr("params", key, lang)))
            draft[key] = raw.lower() in ("1", "true")
        elif key in TEXT_BOXES:
            draft[key] = raw
        else:
            draft[key] = _number(key, raw, lang)
    overrides(scenario, draft, lang)  # every value checked now, so a bad link says so at once
    return scenario, draft
