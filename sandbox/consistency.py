"""Lever combinations where one lever has nothing to act on: said out loud, never silently ignored."""

from __future__ import annotations

from sandbox.params import Scenario


def inert_levers(p: Scenario) -> list[tuple[str, str]]:
    """(lever, why it does nothing here) for every lever the other levers make inert."""
    s, d, g = p.structure, p.digital, p.governance
    out = []
    if not s.one_window and s.leftover_station_share > 0:
        out.append(("leftover_station_share", "leftover stations exist only after the one-window reform (one_window = false)"))
    if not s.one_window and s.office_commands_centre:
        out.append(("office_commands_centre", "there is no service centre without one_window"))
    if not d.online_channel and d.assisted_service:
        out.append(("assisted_service", "grid workers file online for residents, but there is no online channel"))
    if not d.online_channel and d.app_push > 0:
        out.append(("app_push", "there is no app to push without an online channel"))
    stages = ("decide_together", "build_together", "manage_together", "evaluate_together", "share_results")
    if not g.co_creation and not all(getattr(g, k) for k in stages):
        out.append(("co_creation", "the five stages are switched individually, but co-creation itself is off"))
    if g.co_creation and not any(getattr(g, k) for k in stages):
        out.append(("co_creation", "co-creation is on with all five stages off: cadres pay facilitation time for nothing"))
    if p.grid.patrol_hours + p.grid.data_hours > p.staffing.hours_per_day:
        out.append(("patrol_hours", "patrol and data collection exceed a grid worker's day; no time is left for assisted service"))
    return out
