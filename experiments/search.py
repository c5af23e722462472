"""The search: NSGA-II (pymoo, ask and tell) proposes packages of decision levers generation by
generation; the sweep engine runs them (local pool or Dask); the Pareto set is kept over every
package evaluated. Packages over a cost budget are known to be infeasible without a run.

Levers are encoded as reals for SBX crossover and polynomial mutation: a ranged lever on its
range (whole-number levers rounded), a listed lever on [0, 1) cut into one bin per value — the
same coding the sweep designs use (experiments/design.py `Factor.value`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.experiments.engine import Backend, run_tasks
from sandbox.experiments.ledger import Ledger, package_key
from sandbox.experiments.search_plan import SearchPlan

INFEASIBLE_F = 1e30  # objectives of a package never run (over budget, failed): NSGA-II ranks infeasible ones by violation only


@dataclass
class Package:
    id: int
    decisions: dict[str, Any]
    costs: dict[str, float]
    affordable: bool
    generation: int                      # first proposed in this generation
    means: dict[str, float] | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        if not self.affordable:
            return "over budget"
        if self.means is None:
            return "failed" if self.error else "undefined"
        return "ok"


@dataclass
class SearchResult:
    packages: list[Package]
    generations: list[dict[str, Any]]    # generation, slot, package
    pareto: list[int]                    # package ids, ascending
    feasible: dict[int, bool] = field(default_factory=dict)
    runs: int = 0                        # runs executed by this invocation
    reused: int = 0                      # runs found recorded (a resumed search)


def objective_matrix(plan: SearchPlan, means: dict[str, float]) -> np.ndarray:
    """Objectives as pymoo minimises them: a maximised metric enters negated."""
    return np.array([means[m] if d == "min" else -means[m] for m, d in plan.objectives.items()], dtype=float)


def violations(plan: SearchPlan, pkg: Package) -> np.ndarray:
    """pymoo's G (≤ 0 feasible): each budget, each metric bound, then 'the run failed'."""
    g = [b.violation(pkg.costs[r]) for r, b in plan.cost_bounds.items()]
    for m, b in plan.metric_bounds.items():
        g.append(b.violation(pkg.means[m]) if pkg.means is not None else 0.0)
    g.append(1.0 if pkg.affordable and pkg.means is None else 0.0)
    return np.array(g, dtype=float)


def run(plan: SearchPlan, ledger: Ledger, backend: Backend,
        on_generation: Callable[[int, int, int], None] | None = None,
        on_run: Callable[[Any], None] | None = None) -> SearchResult:
    """The whole search; `on_generation(g, runs to do, runs recorded)` before each generation's runs,
    `on_run(outcome)` after each run is recorded."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    s = plan.search
    lo, hi = np.array([f.bounds for f in plan.decisions], dtype=float).T
    n_g = len(plan.cost_bounds) + len(plan.metric_bounds) + 1
    problem = Problem(n_var=len(plan.decisions), n_obj=len(plan.objectives), n_ieq_constr=n_g, xl=lo, xu=hi)
    algorithm = NSGA2(pop_size=s.algorithm.population, eliminate_duplicates=True)
    algorithm.setup(problem, termination=("n_gen", s.algorithm.generations), seed=s.seed, verbose=False)

    packages: dict[str, Package] = {}
    generations: list[dict[str, Any]] = []
    reused = 0
    reference = dict(plan.reference)
    ledger.on_run = on_run
    gen = 0
    while algorithm.has_next():
        pop = algorithm.ask()
        X = pop.get("X")
        proposed = []
        for slot, x in enumerate(X):
            decisions = {f.name: f.value(v) for f, v in zip(plan.decisions, x)}
            key = package_key(decisions)
            if key not in packages:
                costs = plan.package_costs(decisions)
                affordable = all(b.violation(costs[r]) <= 0 for r, b in plan.cost_bounds.items())
                pkg = packages[key] = Package(len(packages), decisions, costs, affordable, gen)
                ledger.add(pkg.id, decisions, reference)
            proposed.append(packages[key])
            generations.append({"generation": gen, "slot": slot, "package": packages[key].id})
        todo = sorted({p.id for p in proposed if p.affordable and p.means is None and p.error is None})
        tasks = list(ledger.tasks(todo, s.replications))
        reused += len(todo) * s.replications - len(tasks)
        if on_generation is not None:
            on_generation(gen, len(tasks), len(todo) * s.replications - len(tasks))
        run_tasks(tasks, backend, ledger.record)
        for p in proposed:
            if p.affordable and p.means is None and p.error is None:
                p.means = ledger.means(p.id, s.replications)
                p.error = ledger.error(p.id, s.replications) if p.means is None else None
        F = np.array([objective_matrix(plan, p.means) if p.means is not None else np.full(len(plan.objectives), INFEASIBLE_F)
                      for p in proposed])
        G = np.array([violations(plan, p) for p in proposed])
        Evaluator().eval(StaticProblem(problem, F=F, G=G), pop)
        algorithm.tell(infills=pop)
        gen += 1

    ordered = sorted(packages.values(), key=lambda p: p.id)
    feasible = {p.id: p.means is not None and bool(np.all(violations(plan, p) <= 0)) for p in ordered}
    return SearchResult(ordered, generations, pareto_set(plan, ordered, feasible), feasible, ledger.executed, reused)


def pareto_set(plan: SearchPlan, packages: list[Package], feasible: dict[int, bool]) -> list[int]:
    """Ids of the feasible packages no other feasible package dominates, over all generations.
    Costs count here too: of two packages equal on every objective, the dearer one is dropped."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    ok = [p for p in packages if feasible[p.id]]
    if not ok:
        return []
    F = np.array([[*objective_matrix(plan, p.means), *(p.costs[r] for r in plan.search.resources())] for p in ok])
    front = NonDominatedSorting().do(F, only_non_dominated_front=True)
    return sorted(ok[i].id for i in front)
