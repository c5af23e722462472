"""Robustness of the Pareto set: every package re-run over a Latin-hypercube sample of the uncertain
levers (states of the world), then ranked.

- Satisficing (Starr's domain criterion): the share of states in which the package meets every
  threshold ([robustness].satisfice, else the metric constraints). Higher is better.
- Regret (Savage's minimax regret): in each state, how far the package falls behind the best
  package of the set on an objective; its largest regret over the states, per objective in the
  metric's units, and overall as the largest over objectives after scaling each objective by its
  range over the sample. Lower is better.

Rank: by satisficing share (when thresholds exist), then by overall regret, then package id.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from sandbox.experiments.design import sample
from sandbox.experiments.engine import Backend, run_tasks
from sandbox.experiments.ledger import Ledger
from sandbox.experiments.search import Package
from sandbox.experiments.search_plan import SearchPlan


@dataclass
class Robustness:
    states: list[dict[str, Any]]        # the sampled uncertain levers
    table: list[dict[str, Any]]         # one row per package, ranked
    runs: int = 0
    reused: int = 0


def point_id(package: int, state: int, states: int) -> int:
    """A (package, state) run's design point in the robustness folder, stable whatever the Pareto set's order."""
    return package * states + state


def states(plan: SearchPlan) -> list[dict[str, Any]]:
    n = plan.search.robustness.scenarios
    if not n:
        return []
    _, rows = sample("lhs", plan.uncertain, plan.search.seed, n)
    return [dict(zip((f.name for f in plan.uncertain), row)) for row in rows]


def evaluate(plan: SearchPlan, ledger: Ledger, backend: Backend, pareto: list[Package],
             on_start: Callable[[int, int], None] | None = None, on_run: Callable[[Any], None] | None = None) -> Robustness:
    world = states(plan)
    if not world or not pareto:
        return Robustness(world, [])
    reps = plan.search.robustness.replications
    ids = []
    for p in pareto:
        for k, state in enumerate(world):
            q = point_id(p.id, k, len(world))
            ledger.add(q, p.decisions, state)
            ids.append(q)
    tasks = list(ledger.tasks(ids, reps))
    ledger.on_run = on_run
    if on_start is not None:
        on_start(len(tasks), len(ids) * reps - len(tasks))
    run_tasks(tasks, backend, ledger.record)
    values = {(p.id, k): ledger.means(point_id(p.id, k, len(world)), reps) for p in pareto for k in range(len(world))}
    return Robustness(world, rank(plan, pareto, values, len(world)), ledger.executed, len(ids) * reps - len(tasks))


def rank(plan: SearchPlan, pareto: list[Package], values: dict[tuple[int, int], dict[str, float] | None],
         n_states: int) -> list[dict[str, Any]]:
    objectives = plan.objectives
    thresholds = plan.satisfice
    sign = {m: 1.0 if d == "min" else -1.0 for m, d in objectives.items()}
    # oriented[p, k, j]: smaller is better; NaN where the run failed
    oriented = np.full((len(pareto), n_states, len(objectives)), np.nan)
    for i, p in enumerate(pareto):
        for k in range(n_states):
            v = values[(p.id, k)]
            if v is not None:
                oriented[i, k] = [sign[m] * v[m] for m in objectives]
    with _quiet():
        best = np.nanmin(oriented, axis=0)                         # [state, objective]
        regret = oriented - best[None]
        span = np.nanmax(oriented, axis=(0, 1)) - np.nanmin(oriented, axis=(0, 1))
        scaled = regret / np.where(span > 0, span, 1.0)[None, None]
    rows = []
    for i, p in enumerate(pareto):
        ok = [values[(p.id, k)] for k in range(n_states) if values[(p.id, k)] is not None]
        row: dict[str, Any] = {"package": p.id, "states": n_states, "states_failed": n_states - len(ok)}
        if thresholds:
            met = sum(1 for v in ok if all(b.violation(v[m]) <= 0 for m, b in thresholds.items()))
            row["satisficing"] = met / n_states
        else:
            row["satisficing"] = None
        for j, m in enumerate(objectives):
            with _quiet():
                row[f"max_regret.{m}"] = _num(np.nanmax(regret[i, :, j]))
                row[f"mean.{m}"] = _num(sign[m] * np.nanmean(oriented[i, :, j]))
        with _quiet():
            row["regret"] = _num(np.nanmax(scaled[i]))
        rows.append(row)
    rows.sort(key=lambda r: (-(r["satisficing"] or 0.0), math.inf if r["regret"] is None else r["regret"], r["package"]))
    for k, r in enumerate(rows, 1):
        r["rank"] = k
    return rows


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@contextmanager
def _quiet():
    """All-NaN slices (a package whose every run failed) are expected: no RuntimeWarning."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
