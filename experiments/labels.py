"""Names of levers and metrics in Chinese and English for discovery and search outputs, from the one glossary."""

from __future__ import annotations

from sandbox.glossary import term

SCENARIO_COLUMN = "base_scenario"  # EMA Workbench's Prim silently drops a column named "scenario"


def lever_label(name: str, lang: str) -> str:
    """`structure.leftover_station_share` → 保留站所比例 / Share of leftover stations; unknown names as written."""
    if name in (SCENARIO_COLUMN, "scenario"):
        return term("ui", "scenario", lang)
    try:
        return term("params", name.split(".")[-1], lang)
    except KeyError:
        return name


def metric_label(name: str, lang: str) -> str:
    """A metric's glossary name (group variants composed); unknown names (a custom function's) as written."""
    try:
        return term("metrics", name, lang)
    except KeyError:
        return name


def both(label) -> str:
    """`中文 / English` of a labelling function, once when they are equal."""
    def show(name: str) -> str:
        zh, en = label(name, "zh"), label(name, "en")
        return zh if zh == en else f"{zh} / {en}"
    return show
