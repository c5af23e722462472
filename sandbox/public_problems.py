"""Public-space problems: found inside the grid, mostly solved outside it (发现靠格内，解决靠格外)."""

from __future__ import annotations

import math


class Problem:
    __slots__ = ("cell", "village", "created", "detected", "resolved", "by")

    def __init__(self, cell: int, village: int, day: int):
        self.cell, self.village, self.created = cell, village, day
        self.detected = self.resolved = None
        self.by = None


def arise(model, day: int) -> None:
    """New problems per village; resident groups that manage together (共管) prevent some."""
    p = model.p
    rng = model.rng
    for v, size in enumerate(model.village_sizes):
        lam = p.grid.problem_rate * size / 1000.0 / (1.0 + 0.15 * model.groups[v])
        for _ in range(rng.poisson(lam)):
            cell = int(model.first_cell[v] + rng.integers(model.cells_per_village[v]))
            model.undetected.append(Problem(cell, v, day))
            model.problems_raised += 1


def detect(model, day: int) -> None:
    """Grid patrol and residents' reports find problems; grid workers settle the easy share on the spot."""
    p = model.p
    rng = model.random
    left = []
    for pr in model.undetected:
        worker = model.grid_workers[pr.cell]
        p_patrol = worker.detection_prob() if worker is not None else 0.0
        p_report = 0.02 + 0.03 * min(model.groups[pr.village], 5.0)
        if rng.random() < 1.0 - (1.0 - p_patrol) * (1.0 - p_report):
            pr.detected = day
            model.detection_lags.append(day - pr.created)
            if rng.random() < p.grid.in_grid_resolution:
                resolve(model, pr, day, "grid")
            else:
                model.backlog.append(pr)
        else:
            left.append(pr)
    model.undetected = left


def solve_outside(model, day: int) -> None:
    """Departments outside the grid settle the oldest reported problems, at their capacity."""
    cap = model.p.grid.outside_capacity * model.population.n / 10000.0
    model.outside_credit = min(model.outside_credit + cap, max(cap, 1.0))
    n = min(int(math.floor(model.outside_credit)), len(model.backlog))
    for pr in model.backlog[:n]:
        resolve(model, pr, day, "department")
    model.backlog = model.backlog[n:]
    model.outside_credit -= n


def resolve(model, pr: Problem, day: int, by: str) -> None:
    pr.resolved = day
    pr.by = by
    model.resolution_lags.append(day - pr.detected)
    model.problems_resolved += 1
