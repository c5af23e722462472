"""A lesson question's answer, computed by running the model: never read from the lesson file.

Each setting the question names runs `replications` times with the same seeds (common random
numbers) on the class's township. A direction question's answer is the sign of the paired
difference B − A when its 95 % interval excludes zero (else "stays": the model cannot tell the
two apart); a "which" question's is the option with the best mean, together with every option
whose paired difference to it is not distinguishable from zero; a number question's is the mean
with its interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sandbox.lesson import Lesson, Question
from sandbox.replicates import Estimate, Plan, Results, run_all, seeds

DIRECTIONS = ("up", "down", "same")


@dataclass(frozen=True)
class Answer:
    """What the model says: an estimate per setting, B − A for a direction question, the right choices."""

    kind: str
    metric: str
    estimates: tuple[Estimate, ...]
    difference: Estimate | None
    correct: tuple[str, ...]  # direction: one of DIRECTIONS; which: option numbers "1".."6"; number: ()
    replications: int
    days: int

    def is_correct(self, value) -> bool | None:
        """Whether a trainee's answer matches (None for a number: there it is a distance, not a verdict)."""
        return None if self.kind == "number" else str(value) in self.correct


def plan_for(lesson: Lesson, q: Question) -> Plan:
    c = lesson.class_
    settings = tuple(s.setting() for _, s in q.setups())
    if q.is_county:
        return Plan(settings, 0, seeds(c.seed, c.replications), tuple(sorted(c.county_size().items())), q.years or c.years)
    return Plan(settings, q.days or c.days, seeds(c.seed, c.replications), tuple(sorted(c.size().items())))


def answer_from(q: Question, res: Results) -> Answer:
    """The answer from finished runs (all of the plan's)."""
    n = len(res.plan.settings)
    est = tuple(res.estimate(i, q.metric) for i in range(n))
    diff = None
    if q.kind == "direction":
        diff = res.difference(0, 1, q.metric)
        tol = q.same_within * abs(est[0].mean) if math.isfinite(est[0].mean) else 0.0
        if diff.low > 0 and diff.mean > tol:
            correct = ("up",)
        elif diff.high < 0 and diff.mean < -tol:
            correct = ("down",)
        else:
            correct = ("same",)
    elif q.kind == "which":
        sign = 1 if q.best == "highest" else -1
        finite = [i for i in range(n) if math.isfinite(est[i].mean)]
        best = max(finite, key=lambda i: sign * est[i].mean) if finite else 0
        ties = [i for i in finite if i != best and not res.difference(best, i, q.metric).excludes_zero]
        correct = tuple(str(i + 1) for i in sorted([best, *ties]))
    else:
        correct = ()
    return Answer(q.kind, q.metric, est, diff, correct, len(res.plan.seeds), res.plan.days)


def compute(lesson: Lesson, q: Question) -> Answer:
    """Run every replication here, one after another, and answer (tests, scripts)."""
    return answer_from(q, run_all(plan_for(lesson, q)))
