"""Disputes and who mediates them: village cadres on the spot (枫桥经验) or the township."""

from __future__ import annotations


def takes_on_locally(p, matter, rng) -> bool:
    """小事不出村: with local mediation on, the village takes on a village-level dispute with
    chance local_mediation_share (a mediator there who is trusted and has the time)."""
    g = p.governance
    return g.local_mediation and matter.type.level == "village" and rng.random() < g.local_mediation_share


def handled_locally(p, matter) -> bool:
    """Whether a dispute was taken on by its village (decided when it was raised)."""
    return matter.local


def mediate(model, day: int) -> None:
    """Work the open disputes with today's spare counter or face-to-face time."""
    p = model.p
    minutes = p.governance.mediation_hours * 60.0
    rng = model.random
    still_open = []
    for m in model.open_disputes:
        if m.next_day > day:
            still_open.append(m)
            continue
        local = handled_locally(p, m)
        if local:
            door = model.village_office[int(model.population.village[m.resident])]
            success = p.governance.mediation_success_local
        else:
            door = model.door_for(m.type.steps[0], int(model.population.village[m.resident]))
            success = p.governance.mediation_success_township
        if door.minutes_left < minutes:
            still_open.append(m)
            continue
        door.minutes_left -= minutes
        if local:
            model.mediation_hours_today += p.governance.mediation_hours
        m.trips += 0 if local else 1  # township mediation means the parties travel
        if rng.random() < success:
            m.log(day, door.key, "mediated")
            model.close_dispute(m, day)
        else:
            m.log(day, door.key, "mediation_failed")
            g = model.population.grievance
            g[m.resident] = min(1.0, g[m.resident] + p.escalation.failed_mediation_grievance)
            m.next_day = day + (1 if local else max(1, p.structure.processing_days))
            still_open.append(m)
    model.open_disputes = still_open
