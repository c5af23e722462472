"""Disputes and who mediates them: village cadres on the spot (枫桥经验) or the township.

A mediation attempt needs `mediation_hours` of someone's time; it progresses over days with the
hours the village's cadres chose to give it (or the township's mediators have), at most one
attempt's worth a day, and carries over. A dispute the village cannot settle in time goes to the
township: its parties travel. Open disputes also end on their own now and then (the parties make
up, give up, or go to court), so the stock of disputes settles to a steady state.
"""

from __future__ import annotations


def takes_on_locally(p, matter, rng) -> bool:
    """小事不出村: with local mediation on, the village takes on a village-level dispute with
    chance local_mediation_share (a mediator there who is trusted and has the time)."""
    g = p.governance
    return g.local_mediation and matter.type.level == "village" and rng.random() < g.local_mediation_share


def demand(model, village: int, day: int) -> tuple[float, float]:
    """(hours, urgency-weighted hours) of mediation the village's open disputes ask for today."""
    p = model.p
    hours = weight = 0.0
    for m in model.disputes_in[village]:
        if m.next_day <= day:
            need = min(m.effort, p.governance.mediation_hours)
            hours += need
            weight += need * (1.0 + p.cadres.waiting_urgency * (day - m.created))
    return hours, weight


def mediate(model, day: int, village_hours: list[float]) -> list[float]:
    """Work the open disputes: the villages' own with the hours their cadres gave (oldest first),
    the township's with its mediators' hours. Returns the hours each village used."""
    p = model.p
    g = p.governance
    used = [0.0] * len(village_hours)
    for v, hours in enumerate(village_hours):
        left = hours
        for m in list(model.disputes_in[v]):
            if day - m.created >= g.local_wait_days:
                to_township(model, m, day)
                continue
            if left <= 1e-12 or m.next_day > day:
                continue
            use = min(left, m.effort, g.mediation_hours)
            left -= use
            m.effort -= use
            if m.effort <= 1e-9:
                attempt(model, m, day, g.mediation_success_local, local=True)
        used[v] = hours - left
    township = g.township_mediators_per_10k * model.population.n / 10000.0 * p.staffing.hours_per_day
    for m in list(model.disputes_up):
        if township <= 1e-12:
            break
        if m.next_day > day:
            continue
        use = min(township, m.effort, g.mediation_hours)
        township -= use
        m.effort -= use
        if m.effort <= 1e-9:
            m.trips += 1  # the parties travel to the township for the session
            attempt(model, m, day, g.mediation_success_township, local=False)
    return used


def attempt(model, m, day: int, success: float, local: bool) -> None:
    """An attempt is complete: it settles the dispute, or fails and leaves more grievance."""
    p = model.p
    place = "village_office" if local else m.type.steps[0]
    m.attempts += 1
    if model.random.random() < success:
        m.log(day, place, "mediated")
        model.close_dispute(m, day)
        return
    m.log(day, place, "mediation_failed")
    g = model.population.grievance
    g[m.resident] = min(1.0, g[m.resident] + p.escalation.failed_mediation_grievance)
    m.effort = p.governance.mediation_hours
    m.next_day = day + 1


def to_township(model, m, day: int) -> None:
    """The village ran out of time: the parties take the dispute to the township."""
    model.disputes_in[model.population.village[m.resident]].remove(m)
    m.local = False
    m.effort = model.p.governance.mediation_hours
    m.trips += 1
    m.log(day, m.type.steps[0], "taken_to_township")
    model.disputes_up.append(m)


def fade(model, day: int) -> None:
    """Some open disputes end without mediation."""
    rate = model.p.governance.dispute_fade
    if rate <= 0:
        return
    rng = model.random
    for m in [m for m in model.open_disputes if rng.random() < rate]:
        m.log(day, "home", "dispute_faded")
        model.close_dispute(m, day, settled=False)
