"""Residents' shared state as arrays, and the day-to-day drift of all residents at once.

Why arrays: grievance, escalation and civic spirit change for everyone every day; stepping
100,000 Resident agents in Python for that would dominate the run, so those rules are
vectorised here while each Resident agent decides about its own matters only on the days one
is due.
"""

from __future__ import annotations

import numpy as np


class Population:
    """Attributes of every resident (row i = Resident with index i)."""

    def __init__(self, p, rng: np.random.Generator, village_xy: np.ndarray, village_urban: np.ndarray,
                 village_sizes: np.ndarray, cells_per_village: np.ndarray):
        n = p.township.residents
        nv = len(village_xy)
        pp = p.population
        self.n = n
        self.village = np.repeat(np.arange(nv, dtype=np.int32), village_sizes)
        self.cell = np.empty(n, np.int32)
        first_cell = np.concatenate([[0], np.cumsum(cells_per_village)[:-1]])
        for v in range(nv):
            rows = np.flatnonzero(self.village == v)
            # contiguous blocks of households form a cell
            self.cell[rows] = first_cell[v] + (np.arange(len(rows)) * cells_per_village[v]) // max(1, len(rows))
        self.elderly = rng.random(n) < pp.elderly_share
        mean_lit = np.where(self.elderly, pp.literacy_elderly, pp.literacy_young)
        self.literacy = _beta_with_mean(rng, mean_lit, pp.literacy_concentration)
        self.low_literacy = self.literacy < pp.low_literacy_below
        self.income = rng.lognormal(0.0, pp.income_spread, n)
        self.low_income = self.income < np.quantile(self.income, 0.2)  # the bottom quintile: a group definition
        jitter = rng.normal(0.0, p.township.settlement_spread_km, (n, 2))
        self.xy = village_xy[self.village] + jitter
        self.distance_km = np.hypot(self.xy[:, 0], self.xy[:, 1])
        self.remote = self.distance_km > p.township.remote_km
        self.urban = village_urban[self.village]
        self.trust = _beta_with_mean(rng, np.full(n, pp.trust), pp.trust_concentration)
        self.civic = _beta_with_mean(rng, np.full(n, pp.civic_propensity), pp.civic_concentration)
        self.trust0, self.civic0 = self.trust.copy(), self.civic.copy()  # what each drifts back toward
        self.ties = rng.poisson(pp.mean_ties, n).astype(np.float64)
        self.grievance = np.zeros(n)
        self.open_disputes = np.zeros(n, np.int16)
        self.escalations = np.zeros(n, np.int16)  # times each resident has escalated
        self.last_part = np.full(n, -10_000, np.int32)
        self.low_voice = self.elderly | self.low_literacy | self.low_income

    def drift(self, p, rng: np.random.Generator, day: int) -> np.ndarray:
        """One day for everyone: grievance grows in open disputes and fades; some decide to go
        over the township's head (越级上访); grid control without participation erodes civic
        spirit. Returns the rows of residents who escalate today."""
        e = p.escalation
        g = self.grievance
        g += e.dispute_grievance * self.open_disputes
        g *= 1.0 - e.grievance_decay
        np.clip(g, 0.0, 1.0, out=g)
        # the chance rises smoothly from zero at the threshold, and each earlier escalation
        # makes another less likely (petitioners tire)
        above = np.flatnonzero(g > e.grievance_threshold)
        if len(above):
            x = (g[above] - e.grievance_threshold) / (1.0 - e.grievance_threshold)
            chance = e.escalation_prob * x ** e.escalation_curvature * e.repeat_damping ** self.escalations[above]
            escalated = above[rng.random(len(above)) < chance]
        else:
            escalated = above
        if len(escalated):
            g[escalated] *= 1.0 - e.escalation_relief
            self.trust[escalated] *= 1.0 - e.escalation_trust_loss
            self.escalations[escalated] += 1
        gov = p.governance
        erosion = gov.crowding_out * (p.grid.patrol_hours / 4.0)
        if erosion > 0.0:
            idle = (day - self.last_part) > gov.idle_days
            self.civic -= erosion * self.civic * idle
        if gov.civic_recovery > 0.0:
            self.civic += gov.civic_recovery * (self.civic0 - self.civic)
        if gov.trust_recovery > 0.0:
            self.trust += gov.trust_recovery * (self.trust0 - self.trust)
        return escalated


def _beta_with_mean(rng: np.random.Generator, mean: np.ndarray, concentration: float) -> np.ndarray:
    m = np.clip(mean, 0.01, 0.99)
    return rng.beta(m * concentration, (1.0 - m) * concentration)
