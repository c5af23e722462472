"""TownshipModel: the wiring of one township; one step is one working day."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import mesa
import numpy as np

from sandbox import campaigns, cocreation, escalation, mediation, public_problems, reporting
from sandbox.agents import Cadre, Department, GridWorker, Resident
from sandbox.agents.cadre import Task
from sandbox.agents.population import Population
from sandbox.catalogue import departments, matter_types
from sandbox.errors import InputError
from sandbox.matter import ABANDONED, OPEN, SETTLED, Matter
from sandbox.metrics import DailyMetrics, Outcomes, group_indices, snapshot
from sandbox.params import Scenario
from sandbox.scenario import build_scenario

WORKING_DAYS_PER_YEAR = campaigns.WORKING_DAYS_PER_YEAR


class TownshipModel(mesa.Model):
    """One township: residents raise matters and walk to doors; cadres split their day between
    work owed upward and residents; grid workers patrol; villages may co-create.

    Parameters are a scenario (name, path or Scenario) plus any lever by its leaf name
    (`one_window=True`) or `section__leaf`; `rng` seeds everything. `Model.steps` is the
    working day.
    """

    FIXED_SECTIONS = ("township", "population")  # who lives where is set once, at construction

    def __init__(self, scenario: str | Scenario = "base", rng: int | None = None, **params: Any):
        if rng is not None and (not isinstance(rng, (int, np.integer)) or isinstance(rng, bool) or not 0 <= rng < 2**63):
            raise InputError(f"seed = {rng!r}: must be a whole number from 0 to {2**63 - 1}")
        super().__init__(rng=rng)
        # a Scenario is used as given (resolved once); a name or path is loaded and validated here
        self.p = scenario if isinstance(scenario, Scenario) and not params else build_scenario(scenario, **params)
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
        nv = len(self.village_sizes)
        self.disputes_in: list[list[Matter]] = [[] for _ in range(nv)]  # held by their village (枫桥)
        self.disputes_up: list[Matter] = []                            # at the township
        self.disputes_settled = 0
        self.disputes_faded = 0
        self.dispute_days_total = 0
        self.undetected: list = []
        self.backlog: list = []
        self.outside_credit = 0.0
        self.problems_raised = 0
        self.problems_resolved = 0
        self.problems_faded = 0
        self.problems_on_time = 0
        self.lags = {"detection": [0, 0], "resolution": [0, 0]}  # [sum of days, count]
        self.groups = np.zeros(nv)
        self.facilitation_delivered = np.zeros(nv)  # cadre hours since the village's last cycle
        self.station_demand = np.zeros(nv)          # callers' hours the cadres expect at each station
        self.escalations_total = 0
        self.escalation_window: deque[int] = deque(maxlen=22)  # about a month of working days
        self.proposals_adopted = 0
        self.proposals_low_voice = 0
        self.participations_today = 0
        self.mediation_hours_today = 0.0
        self.forms_arrived = self.forms_done = self.forms_perfunctory = self.forms_missed = 0
        self.campaigns = 0
        self.cadres_left = 0
        self.households_visited = 0
        self._service_types = [t for t in matter_types().values() if t.kind == "service"]
        self._dispute_types = [t for t in matter_types().values() if t.kind == "dispute"]
        self.metrics = snapshot(self)
        self.datacollector = DailyMetrics(k for k in self.metrics if k != "day")
        self.datacollector.collect(self)

    @property
    def day(self) -> int:
        """The working day (Mesa's step count)."""
        return self.steps

    # -- construction -----------------------------------------------------------------
    def _build_township(self) -> None:
        p = self.p
        t = p.township
        nv = t.villages
        rng = self.rng
        dist = np.sort(rng.uniform(0.5, t.max_distance_km, nv))
        angle = rng.uniform(0.0, 2.0 * math.pi, nv)
        self.village_xy = np.column_stack([dist * np.cos(angle), dist * np.sin(angle)])
        self.village_urban = np.arange(nv) < round(t.urban_share * nv)  # the nearest are urban
        weights = rng.uniform(1.0 - t.village_size_spread, 1.0 + t.village_size_spread, nv)
        self.village_sizes = rng.multinomial(t.residents, weights / weights.sum())
        households = self.village_sizes / t.household_size
        self.cells_per_village = np.maximum(1, np.ceil(households / p.staffing.households_per_cell)).astype(int)
        self.first_cell = np.concatenate([[0], np.cumsum(self.cells_per_village)[:-1]]).astype(int)
        self.cell_households = np.repeat(households / self.cells_per_village, self.cells_per_village)
        r = p.reporting
        # forms take longer in bigger villages, and some villages are asked more than others
        self.size_factor = (np.maximum(self.village_sizes, 1) / r.reference_village) ** r.size_elasticity
        self.form_multiplier = rng.lognormal(-0.5 * r.village_form_spread**2, r.village_form_spread, nv)

    def _build_departments(self) -> None:
        p = self.p
        s = p.structure
        specs = departments()
        township = [d for d in specs.values() if d.level == "township"]
        total_staff = s.window_staff_per_10k * p.township.residents / 10000.0
        weight_sum = sum(d.staff_weight for d in township)
        staff = {d.id: max(s.min_station_staff, total_staff * d.staff_weight / weight_sum) for d in township}
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
        if not hasattr(self, "village_office"):
            self.village_office = [Department(self, "village_office", "village", 0.0, village=v) for v in range(p.township.villages)]
        self.form_bureaus = sum(1 for d in specs.values() if d.sends_forms)
        self.form_bureaus_outside = sum(1 for i in self.leftover if specs[i].sends_forms)

    def _build_people(self) -> None:
        p = self.p
        self.population = pop = Population(p, self.rng, self.village_xy, self.village_urban, self.village_sizes, self.cells_per_village)
        self.residents = [Resident(self, i) for i in range(pop.n)]
        self.group_of = [group_indices(e, lo, r) for e, lo, r in zip(pop.elderly.tolist(), pop.low_literacy.tolist(), pop.remote.tolist())]
        bounds = np.concatenate([[0], np.cumsum(self.village_sizes)])
        self.village_rows = [np.arange(bounds[v], bounds[v + 1]) for v in range(len(self.village_sizes))]
        order = np.argsort(pop.cell, kind="stable")
        cuts = np.searchsorted(pop.cell[order], np.arange(len(self.cell_households) + 1))
        self.cell_rows = [order[cuts[c]:cuts[c + 1]] for c in range(len(self.cell_households))]
        self.cadres_in_village = []
        self.village_cadres: list[list[Cadre]] = []
        for v, size in enumerate(self.village_sizes):
            if self.village_urban[v]:
                k = max(1, round(p.staffing.community_workers_per_10k * size / 10000.0))
                role = "community_worker"
            else:
                k, role = p.staffing.cadres_per_village, "village_cadre"
            self.cadres_in_village.append(k)
            self.village_cadres.append([Cadre(self, v, role) for _ in range(k)])
        self.grid_workers = [GridWorker(self, c, v) for v in range(len(self.village_sizes))
                             for c in range(self.first_cell[v], self.first_cell[v] + self.cells_per_village[v])]

    # -- reforms during a run ---------------------------------------------------------
    def set_levers(self, **levers: Any) -> None:
        """Change levers mid-run (a reform adopted, dropped or weakened): validated like any
        scenario; the front desk and the form load are rebuilt from the new structure. Open
        matters carry on: those waiting for approval move to the back office of the door that
        now owns their step."""
        new = build_scenario(self.p, **levers)
        for section in self.FIXED_SECTIONS:
            if getattr(new, section) != getattr(self.p, section):
                raise InputError(f"{section}: cannot change during a run (residents and villages are built once)")
        old, self.p = self.p, new
        if new.structure.one_form and not old.structure.one_form:
            self.one_form_since = self.day
        if new.structure != old.structure:
            doors = [*self.stations.values(), *self.desks.values(), *([self.centre] if self.centre else []), *self.county.values()]
            waiting = [entry for d in doors for entry in d.queue]
            for d in doors:
                d.remove()
            self._build_departments()
            for entry in waiting:
                matter, dept = entry[0], entry[3]
                self.door_for(dept, int(self.population.village[matter.resident]), matter.type.id).queue.append(entry)
        self._update_reporting()

    def _update_reporting(self) -> None:
        years = (self.day - self.one_form_since) / WORKING_DAYS_PER_YEAR
        self.form_merged = reporting.merged_share(self.p, years)
        self.reporting_load = reporting.daily_load(self.p, self.form_bureaus, self.form_bureaus_outside, self.form_merged)

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

    def active_cadres(self) -> list[Cadre]:
        return [c for c in self.agents_by_type[Cadre] if c.active]

    def assign_task(self, village: int, task) -> None:
        """Work owed upward lands on the village: the cadre with the least owed takes it."""
        cadres = [c for c in self.village_cadres[village] if c.active] or self.village_cadres[village]
        c = min(cadres, key=lambda c: c.load)
        c.tasks.append(task)
        c.load += task.hours

    def share_task(self, village: int, kind: str, hours: float, due: int, span: int, paper: bool = False) -> None:
        """Work of more than a day (a consolidated form) is divided among the village's cadres;
        one of them carries the paper."""
        cadres = [c for c in self.village_cadres[village] if c.active] or self.village_cadres[village]
        for i, c in enumerate(cadres):
            part = Task(kind, hours / len(cadres), due, span, paper=paper and i == 0)
            part.share = 1.0 / len(cadres)
            c.tasks.append(part)
            c.load += part.hours

    def task_done(self, cadre: Cadre, task, day: int) -> None:
        reporting.done(self, cadre, task, day)

    def task_missed(self, cadre: Cadre, task) -> None:
        if task.kind == "form":
            self.forms_missed += task.share

    def cadre_left(self, cadre: Cadre, day: int) -> None:
        """A cadre leaves: the owed work passes to the colleagues who stay."""
        self.cadres_left += 1
        tasks, cadre.tasks = cadre.tasks, []
        for t in tasks:
            self.assign_task(cadre.village, t)

    # -- events -----------------------------------------------------------------------
    def schedule(self, m: Matter, day: int) -> None:
        """`m` is due again on `day` (its resident acts on it then)."""
        m.next_day = day
        self.due.setdefault(day, []).append(m)

    def _raise_matters(self, day: int) -> None:
        p = self.p
        n = self.population.n
        rng = self.rng
        for t in self._service_types:
            k = rng.poisson(t.rate * p.matters.rate_scale * n / 1000.0 / WORKING_DAYS_PER_YEAR)
            if not k:
                continue
            who = rng.integers(0, n, k)
            missing = rng.binomial(t.documents, p.matters.missing_doc_prob, k)
            for r, miss in zip(who.tolist(), missing.tolist()):
                m = Matter(len(self.matters), t, r, day, miss)
                self.matters.append(m)
                self.schedule(m, day)
                self.matters_open += 1
        for t in self._dispute_types:
            k = rng.poisson(t.rate * p.matters.rate_scale * n / 1000.0 / WORKING_DAYS_PER_YEAR)
            for r in rng.integers(0, n, k).tolist():
                m = Matter(len(self.matters), t, r, day, 0)
                m.channel = "mediation"
                m.local = mediation.takes_on_locally(p, m, self.random)
                m.effort = p.governance.mediation_hours
                m.next_day = day
                m.log(day, "village_office" if m.local else t.steps[0], "dispute_raised")
                self.matters.append(m)
                (self.disputes_in[int(self.population.village[r])] if m.local else self.disputes_up).append(m)
                self.population.open_disputes[r] += 1
        self.matters_raised = len(self.matters)

    @property
    def open_disputes(self) -> list[Matter]:
        return [m for held in self.disputes_in for m in held] + self.disputes_up

    def close_matter(self, m: Matter, day: int, settled: bool) -> None:
        """A service matter ends: settled or given up; the resident remembers."""
        m.status = SETTLED if settled else ABANDONED
        m.closed = day
        m.log(day, "home", "settled" if settled else "abandoned")
        self.matters_open -= 1
        self.outcomes.add(self.group_of[m.resident], m.trips, day - m.created, settled, m.trips > 0, m.channel == "online")
        pop = self.population
        mp = self.p.matters
        r = m.resident
        if settled:
            if m.trips <= 1:
                pop.trust[r] += mp.trust_gain_one_trip * (1.0 - pop.trust[r])
            else:  # every extra trip costs a little trust
                pop.trust[r] -= mp.trust_loss_per_trip * min(m.trips - 1, 5) * pop.trust[r]
        else:
            pop.trust[r] *= 1.0 - mp.trust_loss_abandon
            pop.grievance[r] = min(1.0, pop.grievance[r] + self.p.escalation.abandon_grievance)

    def close_dispute(self, m: Matter, day: int, settled: bool = True) -> None:
        """A dispute ends: settled (by mediation or the county), or faded."""
        m.status = SETTLED
        m.closed = day
        (self.disputes_in[int(self.population.village[m.resident])] if m.local else self.disputes_up).remove(m)
        pop = self.population
        pop.open_disputes[m.resident] -= 1
        if settled:
            self.disputes_settled += 1
            self.dispute_days_total += day - m.created
            pop.grievance[m.resident] *= 1.0 - self.p.escalation.settle_relief
        else:
            self.disputes_faded += 1

    def resolve_problem(self, pr, day: int, by: str) -> None:
        public_problems.resolve(self, pr, day, by)

    def record_proposals(self, participants: np.ndarray) -> None:
        """决策共谋: a few proposals adopted per cycle; outreach decides whose."""
        c = self.p.cocreation
        k = min(c.proposals_per_cycle, len(participants))
        if not k:
            return
        outreach = self.p.governance.inclusive_outreach
        pop = self.population
        low = pop.low_voice[participants]
        # without outreach the well-connected and better-off carry the day
        weight = outreach + (1.0 - outreach) * (pop.ties[participants] + 1.0) * pop.income[participants] * np.where(low, c.low_voice_weight, 1.0)
        chosen = self.rng.choice(len(participants), size=k, replace=False, p=weight / weight.sum())
        self.proposals_adopted += k
        self.proposals_low_voice += int(low[chosen].sum())

    # -- one working day --------------------------------------------------------------
    def step(self) -> None:
        day = self.steps
        self._update_reporting()
        for c in self.agents_by_type[Cadre]:
            c.load = c.owed()
        for d in self.agents_by_type[Department]:
            d.open_counter()
        self.mediation_hours_today = 0.0
        self.participations_today = 0
        reporting.arrive(self, day)
        campaigns.arrive(self, day)
        demand = self._plan_cadres(day)
        self.agents_by_type[GridWorker].do("plan_day")

        self._raise_matters(day)
        self._work_matters(day)
        for d in self.agents_by_type[Department]:
            if d.queue:
                d.work_queue(day)
        used = mediation.mediate(self, day, [d[1] for d in demand])
        mediation.fade(self, day)
        public_problems.arise(self, day)
        public_problems.detect(self, day)
        public_problems.solve_outside(self, day)
        public_problems.irritate(self)
        for v in cocreation.due_villages(self, day):
            cocreation.cycle(self, v, day)
        escalated = self.population.drift(self.p, self.rng, day)
        escalation.respond(self, escalated, day)
        self.escalations_total += len(escalated)
        self.escalation_window.append(len(escalated))
        self._close_cadres(day, demand, used)
        self.metrics = snapshot(self)
        self.datacollector.collect(self)

    def _plan_cadres(self, day: int) -> list[tuple[float, float, float, float]]:
        """Morning: each village's cadres choose hours for its residents, given what waits there:
        callers at the station (as many as lately), disputes, co-creation to facilitate, and the
        households they would like to call on. Returns per village the hours given to (station,
        mediation, facilitation, household visits)."""
        p = self.p
        memory = p.cadres.demand_memory
        out = []
        for v, cadres in enumerate(self.village_cadres):
            office = self.village_office[v]
            callers = office.callers_yesterday * p.structure.serve_minutes / 60.0
            self.station_demand[v] += memory * (callers - self.station_demand[v])
            station = self.station_demand[v]
            med, med_weight = mediation.demand(self, v, day)
            active = [c for c in cadres if c.active]
            facil = p.governance.facilitation_hours * len(active) if p.governance.co_creation else 0.0
            visits = p.cadres.visit_hours_cap * len(active)
            total = station + med + facil + visits
            # callers turned away yesterday have waited a day already
            turned_away = office.callers_yesterday - office.served_yesterday
            weight = station + turned_away * p.structure.serve_minutes / 60.0 * p.cadres.waiting_urgency + med_weight + facil + visits
            given = sum(c.plan_day(total / len(active), weight / len(active)) for c in active) if active else 0.0
            for c in cadres:
                if not c.active:
                    c.plan_day(0.0, 0.0)
            share = given / total if total > 0 else 0.0
            office.minutes_left = office.capacity = station * share * 60.0
            self.facilitation_delivered[v] += facil * share
            out.append((station * share, med * share, facil * share, visits * share))
        return out

    def _close_cadres(self, day: int, demand, used_mediation: list[float]) -> None:
        """Evening: credit each cadre with its share of what residents really took; time nobody
        needed goes to household visits or back to work owed upward."""
        c = self.p.cadres
        for v, cadres in enumerate(self.village_cadres):
            station, med, facil, planned_visits = demand[v]
            unused_station = self.village_office[v].minutes_left / 60.0
            used_station = station - unused_station
            unused = unused_station + (med - used_mediation[v])
            self.mediation_hours_today += used_mediation[v]
            given = sum(x.resident_hours for x in cadres)
            visits = 0.0
            for x in cadres:
                if not x.active:
                    continue
                share = x.resident_hours / given if given > 0 else 0.0
                x.hours["face_to_face"] += used_station * share
                x.hours["mediation"] += used_mediation[v] * share
                x.hours["facilitation"] += facil * share
                visits += x.end_day(unused * share, planned_visits * share)
            if visits > 0 and c.visit_reach > 0:
                self._visit_households(v, visits)

    def _visit_households(self, v: int, hours: float) -> None:
        """走访入户: cadres with time to spare call on households; those met trust them a little more
        and air (and so ease) a grievance."""
        c = self.p.cadres
        rows = self.village_rows[v]
        k = min(len(rows), int(self.rng.poisson(hours * c.visit_reach)))
        if not k:
            return
        met = rows[self.rng.choice(len(rows), size=k, replace=False)]
        pop = self.population
        pop.trust[met] += c.visit_trust_gain * (1.0 - pop.trust[met])
        pop.grievance[met] *= 1.0 - c.visit_grievance_relief
        self.households_visited += k

    def _work_matters(self, day: int) -> None:
        todo = self.due.pop(day, [])
        self.random.shuffle(todo)
        limit = self.p.matters.max_days_open
        residents = self.residents
        for m in todo:
            residents[m.resident].pursue(m, day)
            if m.status != OPEN or m.state == "queued":
                continue
            if day - m.created >= limit:
                m.log(day, "home", "gave_up_waiting")
                self.close_matter(m, day, settled=False)
                continue
            self.schedule(m, max(m.next_day, day + 1))

    # -- aggregates -------------------------------------------------------------------
    def cadre_hours_today(self) -> dict[str, float]:
        """Mean hours per serving cadre today by activity, and what was asked of them."""
        cadres = [c for c in self.agents_by_type[Cadre] if c.on_duty] if Cadre in self.agents_by_type else []
        n = len(cadres)
        if not n:
            return {}
        totals: dict[str, float] = {}
        for c in cadres:
            for k, v in c.hours.items():
                totals[k] = totals.get(k, 0.0) + v
        out = {k: v / n for k, v in totals.items()}
        out["demanded"] = sum(c.demanded for c in cadres) / n
        out["owed"] = sum(c.owed() for c in cadres) / n
        out["fatigue"] = sum(c.fatigue for c in cadres) / n
        return out

    def assisted_today(self) -> int:
        return sum(g.assisted_today for g in self.grid_workers)

    def turned_away_today(self) -> int:
        return sum(d.turned_away_today for d in self.agents_by_type[Department])


def _not_ready_share(ready: set[tuple[str, str]], dept: str) -> float:
    """Share of the matter types needing `dept` that the window cannot take."""
    types = [t.id for t in matter_types().values() if dept in t.steps]
    return sum((t, dept) not in ready for t in types) / len(types) if types else 0.0


__all__ = ["TownshipModel", "build_scenario"]
