"""What an escalation (越级上访) sets off: the county takes the resident's dispute up, and the
village answers for it upward — hours of receiving, calming and reporting (接访, 稳控) that
come out of the same cadres' day as everything else."""

from __future__ import annotations

from sandbox.agents.cadre import Task


def respond(model, escalated, day: int) -> None:
    """Consequences of today's escalations."""
    e = model.p.escalation
    rng = model.random
    pop = model.population
    for r in escalated.tolist():
        v = int(pop.village[r])
        if e.escalation_hours > 0:
            model.assign_task(v, Task("escalation", e.escalation_hours, day + 1, 1))
        if pop.open_disputes[r] and rng.random() < e.county_settle_prob:
            for m in [m for m in model.open_disputes if m.resident == r]:
                m.log(day, "county", "settled_by_county")
                model.close_dispute(m, day)
