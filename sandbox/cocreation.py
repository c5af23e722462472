"""Collective activity in a village, and co-creation (共同缔造) in five stages on top of the grid.

Without co-creation residents still gather now and then on their own; co-creation
invites them (决策共谋), fixes problems with their labour (发展共建), leaves groups
that keep watch (建设共管), lets them judge the result (效果共评) and spreads the
gains (成果共享). Each stage is a switch in [governance].
"""

from __future__ import annotations

import math

import numpy as np

SPONTANEOUS = 0.15  # invitation strength without facilitation


def due_villages(model, day: int) -> list[int]:
    c = model.p.governance.cycle_days
    return [v for v in range(len(model.village_sizes)) if (day + v) % c == 0]


def cycle(model, v: int, day: int) -> None:
    g = model.p.governance
    co = g.co_creation
    pop = model.population
    rows = model.village_rows[v]
    rng = model.rng
    invited = co and g.decide_together
    strength = 1.0 if invited else SPONTANEOUS
    reach_low = 0.3 + 0.7 * g.inclusive_outreach if invited else 0.3
    reach = np.where(pop.low_voice[rows], reach_low, 1.0)
    prob = strength * pop.civic[rows] * (0.3 + 0.7 * pop.trust[rows]) * reach
    part = rows[rng.random(len(rows)) < prob]
    model.participations_today += len(part)
    if len(part) == 0:
        model.groups[v] *= 0.8
        return
    pop.last_part[part] = day
    pop.civic[part] += 0.05 * (1.0 - pop.civic[part])
    if invited:
        model.record_proposals(part)
    if co and g.build_together:
        fix = math.ceil(len(part) * 0.05)
        mine = [pr for pr in model.backlog if pr.village == v][:fix]
        for pr in mine:
            model.resolve_problem(pr, day, "residents")
        if mine:
            gone = set(map(id, mine))
            model.backlog = [pr for pr in model.backlog if id(pr) not in gone]
    formed = len(part) / (50.0 if (co and g.manage_together) else 200.0)
    model.groups[v] = 0.8 * model.groups[v] + formed
    gain = 0.1 if (co and g.evaluate_together) else 0.02
    pop.trust[part] += gain * (1.0 - pop.trust[part])
    if co and g.share_results:
        pop.grievance[rows] *= 0.9
        pop.ties[part] += 0.5
    else:
        pop.ties[part] += 0.1
