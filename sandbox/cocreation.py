"""Collective activity in a village, and co-creation (共同缔造) in five stages on top of the grid.

Co-creation works through time and choices. Its reach is the facilitation hours the village's
cadres actually gave since the last cycle (they compete with forms and mediation); each invited
resident decides to take part by civic spirit and trust. Then, stage by stage:
决策共谋 (decide together) adopts a few proposals, whose authors depend on outreach;
发展共建 (build together) fixes reported problems with residents' own labour;
建设共管 (manage together) leaves resident groups that keep watch and prevent problems;
效果共评 (evaluate together) moves participants' trust by what was really fixed;
成果共享 (share the results) relieves the residents of cells whose problems were fixed.
Without co-creation, neighbours still gather now and then on their own. No stage changes a
whole village by a constant: every effect lands on residents who took part or whose cell changed.
"""

from __future__ import annotations

import math

import numpy as np


def due_villages(model, day: int) -> list[int]:
    c = model.p.governance.cycle_days
    return [v for v in range(len(model.village_sizes)) if (day + v) % c == 0]


def invited(model, v: int, rows: np.ndarray) -> np.ndarray:
    """Who is asked this cycle: those the facilitators reached, and those drawn in by neighbours."""
    p = model.p
    rng = model.rng
    c = p.cocreation
    low = model.population.low_voice[rows]
    mask = rng.random(len(rows)) < c.spontaneous_invitation * np.where(low, c.low_voice_reach, 1.0)
    hours = model.facilitation_delivered[v]
    if p.governance.co_creation and hours > 0:
        # facilitators reach a number of residents; a low-voice resident among them is reached
        # only as far as the facilitators seek such residents out
        k = min(len(rows), int(rng.poisson(hours * c.residents_per_facilitation_hour)))
        picked = rng.choice(len(rows), size=k, replace=False)
        reach_low = c.low_voice_reach + (1.0 - c.low_voice_reach) * p.governance.inclusive_outreach
        ok = rng.random(k) < np.where(low[picked], reach_low, 1.0)
        mask[picked[ok]] = True
    return rows[mask]


def cycle(model, v: int, day: int) -> None:
    """One cycle of collective activity in village `v`."""
    p = model.p
    g, c = p.governance, p.cocreation
    co = g.co_creation
    pop = model.population
    rng = model.rng
    rows = model.village_rows[v]
    asked = invited(model, v, rows)
    model.facilitation_delivered[v] = 0.0
    willing = pop.civic[asked] * (c.trust_floor + (1.0 - c.trust_floor) * pop.trust[asked])
    part = asked[rng.random(len(asked)) < willing]
    model.participations_today += len(part)
    model.groups[v] *= 1.0 - c.group_decay
    if len(part) == 0:
        return
    pop.last_part[part] = day
    pop.civic[part] += c.civic_learning * (1.0 - pop.civic[part])
    if co and g.decide_together:
        model.record_proposals(part)
    fixed: list = []
    if co and g.build_together:
        fixed = _build_together(model, v, len(part), day)
    per_group = len(part) / c.residents_per_group
    model.groups[v] += per_group if (co and g.manage_together) else per_group * c.spontaneous_group_factor
    if co and g.evaluate_together:
        remaining = sum(1 for pr in model.backlog if pr.village == v)
        share = len(fixed) / (len(fixed) + remaining) if fixed or remaining else 1.0
        pop.trust[part] += c.evaluation_trust_gain * share * (1.0 - pop.trust[part])
    else:
        pop.trust[part] += c.gathering_trust_gain * (1.0 - pop.trust[part])
    if co and g.share_results:
        for cell in {pr.cell for pr in fixed}:
            pop.grievance[model.cell_rows[cell]] *= 1.0 - c.share_relief
        pop.ties[part] += c.ties_gain
    else:
        pop.ties[part] += c.gathering_ties_gain


def _build_together(model, v: int, participants: int, day: int) -> list:
    """发展共建: residents fix some of their village's reported problems with their own labour."""
    expected = participants * model.p.cocreation.fixes_per_participant
    n = int(math.floor(expected)) + (model.random.random() < expected - math.floor(expected))
    mine = [pr for pr in model.backlog if pr.village == v][:n]
    if not mine:
        return []
    for pr in mine:
        model.resolve_problem(pr, day, "residents")
    gone = set(map(id, mine))
    model.backlog = [pr for pr in model.backlog if id(pr) not in gone]
    return mine
