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
from sandbox.params import LEAVES, SECTIONS
from sandbox.scenario import build_scenario
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
RESIDENTS_PER_VILLAGE = 1700  # as in the calibrated base: small villages would drown in forms
RESIDENTS_LIMIT = 50_000  # a browser session stays interactive up to this size


def default_residents() -> int:
    """Dashboard township size: 5,000 residents unless SANDBOX_DASHBOARD_RESIDENTS says otherwise."""
    return int(os.environ.get("SANDBOX_DASHBOARD_RESIDENTS", "5000"))


def default_villages() -> int:
    """Villages for the dashboard's township: about 1,700 residents each, as in the base."""
    return max(1, round(default_residents() / RESIDENTS_PER_VILLAGE))


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
        if leaf in TEXT_BOXES:
            value = parse_int(value, tr("params", leaf, lang), lang)
            if leaf == "residents" and value > RESIDENTS_LIMIT:
                raise InputError(tr("ui", "too_many_residents", lang, limit=f"{RESIDENTS_LIMIT:,}"))
        elif kind(leaf) is float:
            value = float(value)
        elif kind(leaf) is int:
            value = int(round(value))
        if leaf in ALWAYS_SENT or value != base[leaf]:
            out[leaf] = value
    return out


def parse_int(text: Any, label: str, lang: str) -> int:
    """A whole number typed in a box; InputError in `lang` otherwise."""
    raw = str(text).strip().replace(",", "").replace("，", "").replace("_", "")
    try:
        return int(raw)
    except ValueError:
        raise InputError(tr("ui", "not_a_whole_number", lang, label=label, value=str(text).strip())) from None


def describe_change(lever: str | None, value: Any, lang: str) -> str:
    """`一窗受理 = 是` style text for the comparison heading."""
    if not lever:
        return ""
    if isinstance(value, bool):
        shown = tr("ui", "yes" if value else "no", lang)
    else:
        shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{tr('params', lever, lang)} = {shown}"
