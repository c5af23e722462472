"""Top-down work that comes in waves: inspections and meetings on some days, campaigns (专项工作)
that land on every village at once with a deadline, and the year-end review (年终考核)."""

from __future__ import annotations

from sandbox.agents.cadre import Task

WORKING_DAYS_PER_YEAR = 250


def arrive(model, day: int) -> None:
    """Today's inspections, meetings, campaign work and review for every active cadre."""
    p = model.p
    r = p.reporting
    rng = model.rng
    cadres = model.active_cadres()
    if r.inspection_hours_week > 0:
        rate = r.inspection_hours_week / 5.0 / r.inspection_length
        for c, k in zip(cadres, rng.poisson(rate, len(cadres)).tolist()):
            if k:
                c.tasks.append(Task("meeting", k * r.inspection_length, day, 1))
    for _ in range(rng.poisson(r.campaigns_per_year / WORKING_DAYS_PER_YEAR)):
        model.campaigns += 1
        for c in cadres:
            c.tasks.append(Task("campaign", r.campaign_hours, day + r.campaign_days, r.campaign_days))
    if r.review_days and (day - 1) % WORKING_DAYS_PER_YEAR >= WORKING_DAYS_PER_YEAR - r.review_days:
        for c in cadres:
            c.tasks.append(Task("review", r.review_hours, day, 1))
