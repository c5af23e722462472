"""Leader: a township's party secretary / head, with a term that ends by rotation, an appetite for
innovation, and attention that top-down work competes for.

A leader's choices are graded: each is a chance from a logit that adds what the leader sees
(a gain expected from peers or read in the own township), the county's 考核 points, residents'
support, the leader's own appetite, and the cost against what is left of the township's spare
budget and staff. Every weight is a county lever ([leaders], [learning], [lifecycle], [decay]).
"""

from __future__ import annotations

import math

import mesa


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -500 else 0.0


class Leader(mesa.Agent):
    """One term of office in one township (a successor is a new Leader)."""

    def __init__(self, model, township: int, appetite: float, term_quarters: int, started: int):
        super().__init__(model)
        self.township = township
        self.appetite = appetite
        self.term_quarters = term_quarters
        self.started = started          # decision point at which the term began (may be < 0)
        self.left: int | None = None    # decision point at which the leader was rotated out

    @property
    def leaves_at(self) -> int:
        return self.started + self.term_quarters

    # -- what a reform is worth to this leader ------------------------------------------
    def value(self, gain: float, kaohe: float, support: float, cost_share: float) -> float:
        """Logit of a reform: the gain the leader expects or sees, 考核 points, residents' support
        (their trust), the leader's appetite, less the cost as a share of the spare budget and staff."""
        p = self.model.p
        return (p.learning.evidence_weight * gain
                + p.incentives.kaohe_weight * kaohe
                + p.leaders.support_weight * (support - 0.5)
                + p.leaders.appetite_weight * (self.appetite - 0.5)
                - p.leaders.cost_weight * cost_share)

    def adoption_chance(self, expected_gain: float, kaohe: float, support: float, cost_share: float) -> float:
        """Chance of adopting a reform this quarter (learning and imitation, 学习模仿)."""
        return sigmoid(self.value(expected_gain, kaohe, support, cost_share) - self.model.p.leaders.adoption_threshold)

    def keeps_pilot(self, own_gain: float, expected_at_adoption: float, kaohe: float, support: float,
                    cost_share: float) -> bool:
        """Review after the pilot: keep (and adapt) or drop. A gain below what was expected at
        adoption disappoints (a showcase copied without its resources falls short)."""
        p = self.model.p
        shortfall = max(0.0, expected_at_adoption - own_gain)
        v = self.value(own_gain, kaohe, support, cost_share) - p.learning.evidence_weight * p.lifecycle.disappointment * shortfall
        return self.model.random.random() < sigmoid(v - p.leaders.keep_threshold)

    def keeps_predecessors(self, own_gain: float, kaohe: float, support: float) -> bool:
        """A new leader's view of a reform someone else championed: its results in this township
        against the new broom (新官不理旧账): leaders get credit for their own initiatives."""
        v = self.value(own_gain, kaohe, support, 0.0) - self.model.p.decay.new_broom
        return self.model.random.random() < sigmoid(v)

    def ownership(self, quarterly_chance: float, how: str) -> float:
        """How far the reform is the leader's own: a free choice is fully owned; a designated
        pilot as far as the county lever says; a mandated one only as far as the leader would
        have adopted it within a year anyway."""
        if how == "mandated":
            return 1.0 - (1.0 - quarterly_chance) ** 4
        if how == "designated":
            return max(self.model.p.incentives.designation_ownership, quarterly_chance)
        return 1.0
