"""Public-space problems: found inside the grid, mostly solved outside it (发现靠格内，解决靠格外).

A grid worker's patrol finds a problem in the cell sooner the more hours it patrols and the
fewer households the cell has; residents report some too, more where resident groups keep
watch. The grid worker settles the easy share on the spot; the rest wait for departments
outside the grid, oldest first, at their capacity. A reported problem nobody acts on fades now
and then (someone deals with it privately, or people stop seeing it) and, while it stands,
irritates the residents of its cell.
"""

from __future__ import annotations

import math
from collections import Counter

ON_TIME_DAYS = 5  # a measurement, not behaviour: "closed on time" = within a working week of being reported


class Problem:
    __slots__ = ("cell", "village", "created", "detected", "resolved", "by", "ready")

    def __init__(self, cell: int, village: int, day: int):
        self.cell, self.village, self.created = cell, village, day
        self.detected = self.resolved = None
        self.by = None
        self.ready = 0.0  # the day departments outside the grid can act on it


def arise(model, day: int) -> None:
    """New problems per village; resident groups that manage together (共管) prevent some."""
    p = model.p
    rng = model.rng
    prevention = p.cocreation.group_prevention
    for v, size in enumerate(model.village_sizes):
        lam = p.grid.problem_rate * size / 1000.0 / (1.0 + prevention * model.groups[v])
        for _ in range(rng.poisson(lam)):
            cell = int(model.first_cell[v] + rng.integers(model.cells_per_village[v]))
            model.undetected.append(Problem(cell, v, day))
            model.problems_raised += 1


def detect(model, day: int) -> None:
    """Grid patrol and residents' reports find problems; grid workers settle the easy share on the spot."""
    p = model.p
    rng = model.random
    c = p.cocreation
    left = []
    for pr in model.undetected:
        p_patrol = model.grid_workers[pr.cell].detection_prob()
        p_report = 1.0 - (1.0 - c.base_reporting) * (1.0 - c.group_reporting) ** model.groups[pr.village]
        if rng.random() < 1.0 - (1.0 - p_patrol) * (1.0 - p_report):
            pr.detected = day
            lag = model.lags["detection"]
            lag[0] += day - pr.created
            lag[1] += 1
            if rng.random() < p.grid.in_grid_resolution:
                resolve(model, pr, day, "grid")
            else:
                # handing a problem outside the grid takes time: filing, dispatch, arranging the work
                pr.ready = day + model.rng.exponential(p.grid.outside_response_days) if p.grid.outside_response_days > 0 else day
                model.backlog.append(pr)
        else:
            left.append(pr)
    model.undetected = left


def solve_outside(model, day: int) -> None:
    """Departments outside the grid settle the oldest reported problems they can act on yet, at
    their capacity; some others fade."""
    g = model.p.grid
    model.outside_credit += g.outside_capacity * model.population.n / 10000.0
    n = int(math.floor(model.outside_credit))
    keep = []
    for pr in model.backlog:
        if n > 0 and pr.ready <= day:
            resolve(model, pr, day, "department")
            n -= 1
            model.outside_credit -= 1
        else:
            keep.append(pr)
    model.backlog = keep
    if n > 0:  # capacity unused today is not saved up
        model.outside_credit = min(model.outside_credit, 1.0)
    if g.problem_fade > 0 and model.backlog:
        rng = model.random
        keep = []
        for pr in model.backlog:
            if rng.random() < g.problem_fade:
                pr.resolved, pr.by = day, "faded"
                model.problems_faded += 1
            else:
                keep.append(pr)
        model.backlog = keep


def irritate(model) -> None:
    """Residents of a cell with reported problems left unsolved grow a little more aggrieved."""
    rate = model.p.grid.backlog_grievance
    if rate <= 0 or not model.backlog:
        return
    g = model.population.grievance
    for cell, count in Counter(pr.cell for pr in model.backlog).items():
        g[model.cell_rows[cell]] += rate * count


def resolve(model, pr: Problem, day: int, by: str) -> None:
    pr.resolved = day
    pr.by = by
    lag = model.lags["resolution"]
    lag[0] += day - pr.detected
    lag[1] += 1
    model.problems_resolved += 1
    if day - pr.detected <= ON_TIME_DAYS:
        model.problems_on_time += 1
