"""Residents' shared state as arrays, and the day-to-day drift of all residents at once.

Why arrays: grievance, escalation and civic spirit change for everyone every day;
stepping 100,000 Resident agents in Python for that would dominate the run, so
those rules are vectorised here while each Resident agent decides about its own
matters only on the days one is due.
"""

from __future__ import annotations

import numpy as np


class Population:
    """Attributes of every resident (row i = Resident with index i)."""

    def __init__(self, p, rng: np.random.Generator, village_xy: np.ndarray, village_urban: np.ndarray,
                 village_sizes: np.ndarray, cells_per_village: np.ndarray):
        n = p.township.residents
        nv = len(village_xy)
        self.n = n
        self.village = np.repeat(np.arange(nv, dtype=np.int32), village_sizes)
        self.cell = np.empty(n, np.int32)
        first_cell = np.concatenate([[0], np.cumsum(cells_per_village)[:-1]])
        for v in range(nv):
            rows = np.flatnonzero(self.village == v)
            # contiguous blocks of households form a cell
            self.cell[rows] = first_cell[v] + (np.arange(len(rows)) * cells_per_village[v]) // max(1, len(rows))
        self.elderly = rng.random(n) < p.population.elderly_share
        mean_lit = np.where(self.elderly, p.population.literacy_elderly, p.population.literacy_young)
        self.literacy = _beta_with_mean(rng, mean_lit, 4.0)
        self.low_literacy = self.literacy < p.population.low_literacy_below
        self.income = rng.lognormal(0.0, 0.6, n)
        self.low_income = self.income < np.quantile(self.income, 0.2)
        jitter = rng.normal(0.0, 0.6, (n, 2))
        self.xy = village_xy[self.village] + jitter
        self.distance_km = np.hypot(self.xy[:, 0], self.xy[:, 1])
        self.remote = self.distance_km > p.township.remote_km
        self.urban = village_urban[self.village]
        self.trust = _beta_with_mean(rng, np.full(n, p.population.trust), 6.0)
        self.civic = _beta_with_mean(rng, np.full(n, p.population.civic_propensity), 4.0)
        self.ties = rng.poisson(3.0, n).astype(np.float64)
        self.grievance = np.zeros(n)
        self.open_disputes = np.zeros(n, np.int16)
        self.last_part = np.full(n, -10_000, np.int32)
        self.low_voice = self.elderly | self.low_literacy | self.low_income

    def drift(self, p, rng: np.random.Generator, day: int) -> int:
        """One day for everyone: grievance grows in open disputes and fades, some escalate (越级上访),
        and grid control without participation erodes civic spirit. Returns escalations today."""
        g = self.grievance
        g += p.escalation.dispute_grievance * self.open_disputes
        g *= 0.995
        np.clip(g, 0.0, 1.0, out=g)
        above = np.flatnonzero(g > p.escalation.grievance_threshold)
        escalated = above[rng.random(len(above)) < p.escalation.escalation_prob] if len(above) else above
        if len(escalated):
            g[escalated] *= 0.5  # the county takes it up; the resident trusts the township less
            self.trust[escalated] *= 0.9
        erosion = p.governance.crowding_out * (p.grid.patrol_hours / 4.0)
        if erosion > 0.0:
            idle = (day - self.last_part) > 90
            self.civic -= erosion * self.civic * idle
        return int(len(escalated))


def _beta_with_mean(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    m = np.clip(mean, 0.01, 0.99)
    return rng.beta(m * concentration, (1.0 - m) * concentration)
