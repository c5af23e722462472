"""TownshipModel: the wiring of one township; one step is one working day."""

from __future__ import annotations

import math
from collections import deque
from functools import partial
from typing import Any

import mesa
import numpy as np

from sandbox.agents import Cadre, Department, GridWorker, Resident
from sandbox.agents.population import Population
from sandbox import cocreation, mediation, public_problems
from sandbox.catalogue import departments, matter_types
from sandbox.errors import InputError
from sandbox.matter import ABANDONED, OPEN, SETTLED, Matter
from sandbox.metrics import Outcomes, group_indices, snapshot
from sandbox.params import Scenario
from sandbox.reporting import daily_load, merged_share
from sandbox.scenario import build_scenario

WORKING_DAYS_PER_YEAR = 250


class TownshipModel(mesa.Model):
    """One township: residents raise matters and walk to doors; cadres split their day
    between upward reporting and residents; grid workers patrol; villages may co-create.

    Parameters are a scenario (name, path or Scenario) plus any lever by its leaf name
    (`one_window=True`) or `section__leaf`; `rng` seeds everything.
    """

    def __init__(self, scenario: str | Scenario = "base", rng: int | None = None, **params: Any):
        if rng is not None and not isinstance(rng, (int, np.integer)):
            raise InputError(f"seed = {rng!r}: must be a whole number")
        super().__init__(rng=rng)
        self.p = p = build_scenario(scenario, **params)
        self.day = 0
        self._build_township()
        self._build_departments()
        self._build_people()
        self.one_form_since = 0  # the day 一张表 took effect (form creep counts from it)
        self._update_reporting()
        self.matters: list[Matter] = []
        self.due: dict[int, list[Matter]] = {}
        self.matters_raised = 0
        self.matters_open = 0
        self.outcomes = Outcomes()
        self.open_disputes: list[Matter] = []
        self.disputes_settled = 0
        self.dispute_days_total = 0
        self.undetected: list = []
        self.backlog: list = []
        self.outside_credit = 0.0
        self.problems_raised = 0
        self.problems_resolved = 0
        self.detection_lags: list[int] = []
        self.resolution_lags: list[int] = []
        self.groups = np.zeros(len(self.village_sizes))
        self.escalations_total = 0
        self.escalation_window: deque[int] = deque(maxlen=22)  # about a month of working days
        self.proposals_adopted = 0
        self.proposals_low_voice = 0
        self.participations_today = 0
        self.mediation_hours_today = 0.0
        self._service_types = [t for t in matter_types().values() if t.kind == "service"]
        self._dispute_types = [t for t in matter_types().values() if t.kind == "dispute"]
        self.metrics = snapshot(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={k: partial(_metric, key=k) for k in self.metrics if k != "day"}
        )
        self.datacollector.collect(self)

    # -- construction -----------------------------------------------------------------
    def _build_township(self) -> None:
        p = self.p
        nv = p.township.villages
        rng = self.rng
        dist = np.sort(rng.uniform(0.5, p.township.max_distance_km, nv))
        angle = rng.uniform(0.0, 2.0 * math.pi, nv)
        self.village_xy = np.column_stack([dist * np.cos(angle), dist * np.sin(angle)])
        self.village_urban = np.arange(nv) < round(p.township.urban_share * nv)  # the nearest are urban
        weights = rng.uniform(0.7, 1.3, nv)
        self.village_sizes = rng.multinomial(p.township.residents, weights / weights.sum())
        households = self.village_sizes / p.township.household_size
        self.cells_per_village = np.maximum(1, np.ceil(households / p.staffing.households_per_cell)).astype(int)
        self.first_cell = np.concatenate([[0], np.cumsum(self.cells_per_village)[:-1]]).astype(int)

    def _build_departments(self) -> None:
        p = self.p
        s = p.structure
        specs = departments()
        township = [d for d in specs.values() if d.level == "township"]
        total_staff = s.window_staff_per_10k * p.township.residents / 10000.0
        weight_sum = sum(d.staff_weight for d in township)
        staff = {d.id: total_staff * d.staff_weight / weight_sum for d in township}
        rng = self.rng
        self.leftover: set[str] = set()
        self.stations: dict[str, Department] = {}
        self.desks: dict[str, Department] = {}
        self.centre = None
        # (matter type, department) steps really moved behind the window, and county steps the
        # township routes itself: reforms carried out in part, drawn once per township
        self.window_ready: set[tuple[str, str]] = set()
        self.delegated: set[tuple[str, str]] = set()
        if s.one_window:
            k = round(s.leftover_station_share * len(township))
            ids = [d.id for d in township]
            self.leftover = set(rng.choice(ids, size=k, replace=False).tolist()) if k else set()
            hosted = tuple(i for i in ids if i not in self.leftover)
            for t in matter_types().values():
                for step in t.steps:
                    if step in hosted and rng.random() < s.window_fidelity:
                        self.window_ready.add((t.id, step))
            # a hosted department keeps its own desk (a door of its own) for the matter types
            # the window cannot take, with the matching share of its staff
            desk_share = {i: _not_ready_share(self.window_ready, i) for i in hosted}
            self.centre = Department(self, "service_centre", "township",
                                     sum(staff[i] * (1.0 - desk_share[i]) for i in hosted), hosts=hosted)
            for i in hosted:
                if desk_share[i] > 0:
                    self.desks[i] = Department(self, i, "township", staff[i] * desk_share[i], hosts=(i,))
        if s.parallel_approval:
            for t in matter_types().values():
                for step in t.steps:
                    if specs[step].level == "county" and rng.random() < s.county_delegation:
                        self.delegated.add((t.id, step))
        for d in township:
            if self.centre is None or d.id in self.leftover:
                self.stations[d.id] = Department(self, d.id, "township", staff[d.id], hosts=(d.id,), sends_forms=d.sends_forms)
        self.county = {d.id: Department(self, d.id, "county", 0.0, hosts=(d.id,)) for d in specs.values() if d.level == "county"}
        self.village_office = [Department(self, "village_office", "village", 0.0, village=v) for v in range(p.township.villages)]
        self.form_bureaus = sum(1 for d in specs.values() if d.sends_forms)
        self.form_bureaus_outside = sum(1 for i in self.leftover if specs[i].sends_forms)

    def _build_people(self) -> None:
        p = self.p
        self.population = pop = Population(p, self.rng, self.village_xy, self.village_urban, self.village_sizes, self.cells_per_village)
        self.residents = [Resident(self, i) for i in range(pop.n)]
        self.group_of = [group_indices(e, l, r) for e, l, r in zip(pop.elderly.tolist(), pop.low_literacy.tolist(), pop.remote.tolist())]
        bounds = np.concatenate([[0], np.cumsum(self.village_sizes)])
        self.village_rows = [np.arange(bounds[v], bounds[v + 1]) for v in range(len(self.village_sizes))]
        self.cadres_in_village = []
        for v, size in enumerate(self.village_sizes):
            if self.village_urban[v]:
                k = max(1, round(p.staffing.community_workers_per_10k * size / 10000.0))
                role = "community_worker"
            else:
                k, role = p.staffing.cadres_per_village, "village_cadre"
            self.cadres_in_village.append(k)
            for _ in range(k):
                Cadre(self, v, role)
        self.grid_workers = [GridWorker(self, c, v) for v in range(len(self.village_sizes))
                             for c in range(self.first_cell[v], self.first_cell[v] + self.cells_per_village[v])]

    # -- reforms during a run ---------------------------------------------------------
    FIXED_SECTIONS = ("township", "population")  # who lives where is set once, at construction

    def set_levers(self, **levers: Any) -> None:
        """Change levers mid-run (a reform adopted, dropped or weakened): validated like any
        scenario; the front desk and the form load are rebuilt from the new structure. Open
        matters carry on: they name the departments they still need, not the doors."""
        new = build_scenario(self.p, **levers)
        for section in self.FIXED_SECTIONS:
            if getattr(new, section) != getattr(self.p, section):
                raise InputError(f"{section}: cannot change during a run (residents and villages are built once)")
        old, self.p = self.p, new
        if new.structure.one_form and not old.structure.one_form:
            self.one_form_since = self.day
        if new.structure != old.structure:
            for d in [*self.stations.values(), *self.desks.values(), *([self.centre] if self.centre else []),
                      *self.county.values(), *self.village_office]:
                d.remove()
            self._build_departments()
        self._update_reporting()

    def _update_reporting(self) -> None:
        years = (self.day - self.one_form_since) / WORKING_DAYS_PER_YEAR
        self.form_merged = merged_share(self.p, years)
        self.reporting_load = daily_load(self.p, self.form_bureaus, self.form_bureaus_outside, self.form_merged)

    def grid_data_hours(self) -> float:
        """A grid worker's daily hours collecting data for upper levels, less what merged forms remove."""
        return self.p.grid.data_hours * (1.0 - self.p.reporting.grid_data_relief * self.form_merged)

    # -- lookups used by agents -------------------------------------------------------
    def door_for(self, dept: str, village: int, mtype: str | None = None) -> Department:
        """The door a resident walks to for a step owned by `dept` (for a matter of type `mtype`)."""
        if dept == "village_office":
            return self.village_office[village]
        if dept in self.county:
            return self.county[dept]
        if self.centre is not None and dept not in self.leftover:
            if mtype is None or (mtype, dept) in self.window_ready:
                return self.centre
            return self.desks[dept]
        return self.stations[dept]

    def steps_covered(self, matter, door: Department) -> set[str]:
        """Steps one accepted submission clears. Without parallel approval, just the first. With
        it, each further step the machine can route (not a leftover station's, not a county step
        the township cannot handle, not a step the window cannot take) is routed inside with
        chance `parallel_fidelity`. A separate door (station or desk) clears only its own step."""
        pending = matter.pending
        s = self.p.structure
        first = pending[0]
        if not s.parallel_approval or door.key in self.leftover or door in self.desks.values():
            return {first}
        rng = self.random
        mtype = matter.type.id
        covered = {first}
        for step in pending[1:]:
            if step in self.leftover or step == "village_office":
                continue
            if step in self.county:
                routable = (mtype, step) in self.delegated
            else:
                routable = self.centre is None or (mtype, step) in self.window_ready
            if routable and rng.random() < s.parallel_fidelity:
                covered.add(step)
        return covered

    def grid_worker_of(self, cell: int) -> GridWorker | None:
        return self.grid_workers[cell] if 0 <= cell < len(self.grid_workers) else None

    # -- events -----------------------------------------------------------------------
    def _schedule(self, m: Matter, day: int) -> None:
        self.due.setdefault(day, []).append(m)

    def _raise_matters(self, day: int) -> None:
        p = self.p
        n = self.population.n
        rng = self.rng
        for t in self._service_types:
            lam = t.rate * p.matters.rate_scale * n / 1000.0 / WORKING_DAYS_PER_YEAR
            k = rng.poisson(lam)
            if not k:
                continue
            who = rng.integers(0, n, k)
            missing = rng.binomial(t.documents, p.matters.missing_doc_prob, k)
            for r, miss in zip(who.tolist(), missing.tolist()):
                m = Matter(len(self.matters), t, r, day, miss)
                self.matters.append(m)
                self._schedule(m, day)
                self.matters_open += 1
        for t in self._dispute_types:
            k = rng.poisson(t.rate * p.matters.rate_scale * n / 1000.0 / WORKING_DAYS_PER_YEAR)
            for r in rng.integers(0, n, k).tolist():
                m = Matter(len(self.matters), t, r, day, 0)
                m.channel = "mediation"
                m.local = mediation.takes_on_locally(p, m, rng)
                m.next_day = day + (0 if m.local else max(1, p.structure.processing_days))
                m.log(day, "village_office" if m.local else t.steps[0], "dispute_raised")
                self.matters.append(m)
                self.open_disputes.append(m)
                self.population.open_disputes[r] += 1
        self.matters_raised = len(self.matters)

    def close_matter(self, m: Matter, day: int, settled: bool) -> None:
        """A service matter ends: settled or given up; the resident remembers."""
        m.status = SETTLED if settled else ABANDONED
        m.closed = day
        m.log(day, "home", "settled" if settled else "abandoned")
        self.matters_open -= 1
        self.outcomes.add(self.group_of[m.resident], m.trips, day - m.created, settled, m.trips > 0)
        pop = self.population
        r = m.resident
        if settled:
            if m.trips <= 1:
                pop.trust[r] += 0.03 * (1.0 - pop.trust[r])
            else:  # every extra trip costs a little trust
                pop.trust[r] -= 0.01 * min(m.trips - 1, 5) * pop.trust[r]
        else:
            pop.trust[r] *= 0.9
            pop.grievance[r] = min(1.0, pop.grievance[r] + self.p.escalation.abandon_grievance)

    def close_dispute(self, m: Matter, day: int) -> None:
        m.status = SETTLED
        m.closed = day
        self.disputes_settled += 1
        self.dispute_days_total += day - m.created
        self.population.open_disputes[m.resident] -= 1

    def resolve_problem(self, pr, day: int, by: str) -> None:
        public_problems.resolve(self, pr, day, by)

    def record_proposals(self, participants: np.ndarray) -> None:
        """决策共谋: a few proposals adopted per cycle; outreach decides whose."""
        k = min(3, len(participants))
        outreach = self.p.governance.inclusive_outreach
        low = self.population.low_voice[participants]
        # without outreach the well-connected and better-off carry the day
        weight = outreach + (1.0 - outreach) * (self.population.ties[participants] * self.population.income[participants]) * np.where(low, 0.3, 1.0)
        chosen = self.rng.choice(len(participants), size=k, replace=False, p=weight / weight.sum())
        self.proposals_adopted += k
        self.proposals_low_voice += int(low[chosen].sum())

    # -- one working day --------------------------------------------------------------
    def step(self) -> None:
        self.day += 1
        day = self.day
        self._update_reporting()
        for d in self.stations.values():
            d.open_counter()
        if self.centre is not None:
            self.centre.open_counter()
        for d in self.county.values():
            d.open_counter()
        for office in self.village_office:
            office.minutes_left = 0.0
            office.visits_today = office.turned_away_today = 0
        self.mediation_hours_today = 0.0
        self.participations_today = 0
        self.agents_by_type[Cadre].do("plan_day")
        self.agents_by_type[GridWorker].do("plan_day")

        self._raise_matters(day)
        self._work_matters(day)
        mediation.mediate(self, day)
        public_problems.arise(self, day)
        public_problems.detect(self, day)
        public_problems.solve_outside(self, day)
        for v in cocreation.due_villages(self, day):
            cocreation.cycle(self, v, day)
        escalated = self.population.drift(self.p, self.rng, day)
        self.escalations_total += escalated
        self.escalation_window.append(escalated)
        self.metrics = snapshot(self)
        self.datacollector.collect(self)

    def _work_matters(self, day: int) -> None:
        todo = self.due.pop(day, [])
        self.random.shuffle(todo)
        limit = self.p.matters.max_days_open
        residents = self.residents
        for m in todo:
            residents[m.resident].pursue(m, day)
            if m.status != OPEN:
                continue
            if day - m.created >= limit:
                m.log(day, "home", "gave_up_waiting")
                self.close_matter(m, day, settled=False)
                continue
            self._schedule(m, max(m.next_day, day + 1))

    # -- aggregates -------------------------------------------------------------------
    def cadre_hours_today(self) -> dict[str, float]:
        """Mean hours per cadre today by activity."""
        cadres = self.agents_by_type[Cadre] if Cadre in self.agents_by_type else []
        n = len(cadres)
        if not n:
            return {}
        totals: dict[str, float] = {}
        for c in cadres:
            for k, v in c.hours.items():
                totals[k] = totals.get(k, 0.0) + v
        out = {k: v / n for k, v in totals.items()}
        out["mediation"] = self.mediation_hours_today / n
        return out

    def assisted_today(self) -> int:
        return sum(g.assisted_today for g in self.grid_workers)

    def turned_away_today(self) -> int:
        doors = [*self.stations.values(), *self.desks.values(), *self.village_office, *([self.centre] if self.centre else [])]
        return sum(d.turned_away_today for d in doors)

    def run(self, days: int | None = None) -> None:
        """Advance `days` working days (default: the scenario's run.days)."""
        for _ in range(days if days is not None else self.p.run.days):
            self.step()


def _not_ready_share(ready: set[tuple[str, str]], dept: str) -> float:
    """Share of the matter types needing `dept` that the window cannot take."""
    types = [t.id for t in matter_types().values() if dept in t.steps]
    return sum((t, dept) not in ready for t in types) / len(types) if types else 0.0


def _metric(model: TownshipModel, key: str) -> float:
    """DataCollector reporter: one key of the day's snapshot (a partial of it pickles, a lambda would not)."""
    return model.metrics[key]


__all__ = ["TownshipModel", "build_scenario"]
