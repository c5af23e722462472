"""Cadre: a village cadre or community worker who splits a limited day between work owed upward
and residents waiting, and tires when the day runs long.

Each morning the cadre weighs what is owed upward (forms with deadlines, meetings and
inspections, campaigns, the year-end review, escalations to answer for) against what waits in
the village (residents at the service station, disputes, co-creation to facilitate): time goes to
each side in proportion to its urgency-weighted demand, the upward side weighted by
`accountability_pressure`. Time left over goes to household visits. Work owed upward that is due
and undone is finished in overtime, at a cost in fatigue; a tired cadre works slower and may
leave. Face-to-face time is what these choices leave for residents, not a fixed share.
"""

from __future__ import annotations

import mesa

from sandbox.metric_registry import activities

# hours spent today, by activity, as the metric registry lists them (cadre_<activity>_hours)
UPWARD = activities(faces=("above",))
RESIDENT = activities(faces=("residents",))
ACTIVITIES = activities()
TASK_ACTIVITY = {"form": "reporting", "delivery": "delivery", "meeting": "inspections", "campaign": "inspections",
                 "review": "inspections", "escalation": "stability"}


class Task:
    """A piece of work owed upward: hours of effort left, and the day it is due."""

    __slots__ = ("kind", "hours", "due", "span", "paper", "perfunctory", "share")

    def __init__(self, kind: str, hours: float, due: int, span: int, paper: bool = False):
        self.kind, self.hours, self.due, self.span, self.paper = kind, hours, due, max(1, span), paper
        self.perfunctory = False
        self.share = 1.0  # the part of one piece of work this task is (a form divided among cadres)


class Cadre(mesa.Agent):
    """One cadre of a village (village_cadre) or urban community (community_worker)."""

    def __init__(self, model, village: int, role: str):
        super().__init__(model)
        self.village = village
        self.role = role
        self.tasks: list[Task] = []
        self.fatigue = 0.0
        self.vacant_until = -1          # a post that fell vacant is filled on this day
        self.hours = dict.fromkeys(ACTIVITIES, 0.0)
        self.resident_hours = 0.0       # hours given to the village this morning
        self.demanded = 0.0             # hours of work asked of the cadre today (for "worked vs demanded")
        self.on_duty = True
        self.load = 0.0                 # hours owed, kept up to date while work is handed out

    @property
    def active(self) -> bool:
        return self.vacant_until <= self.model.steps

    def owed(self) -> float:
        return sum(t.hours for t in self.tasks)

    def productivity(self) -> float:
        return 1.0 - self.model.p.cadres.fatigue_slowdown * self.fatigue

    # -- morning: split the day ------------------------------------------------------------
    def plan_day(self, village_demand: float, village_weight: float) -> float:
        """Choose today's hours for residents, given the village's resident-facing demand (hours,
        shared by its cadres) and its urgency weight. Returns the hours given to residents."""
        h = self.hours
        for k in h:
            h[k] = 0.0
        self.resident_hours = 0.0
        self.on_duty = self.active  # serving today (a cadre who leaves tonight still worked today)
        if not self.on_duty:
            return 0.0
        p = self.model.p
        day = self.model.steps
        budget = p.staffing.hours_per_day
        groups = min(budget, p.digital.work_groups * p.digital.minutes_per_group / 60.0)
        h["work_groups"] = groups
        free = budget - groups
        prod = self.productivity()
        upward = self.owed() / prod  # real hours the owed work would take today
        # urgency: a task due today weighs 1, one due in k days 1/(1+k); overdue tasks more
        up_weight = 0.0
        for t in self.tasks:
            late = day - t.due
            urgency = 1.0 + p.cadres.overdue_urgency * late / t.span if late >= 0 else 1.0 / (1.0 - late)
            up_weight += t.hours / prod * urgency
        a = p.cadres.accountability_pressure
        w_up, w_res = a * up_weight, (1.0 - a) * village_weight
        share = w_up / (w_up + w_res) if w_up + w_res > 0 else 0.0
        to_up = min(upward, share * free)
        to_res = min(village_demand, free - to_up)  # what the upward side does not need goes to residents
        self.resident_hours = to_res
        self.demanded = groups + upward + village_demand
        self._planned_up = free - to_res  # the evening decides what of it upward work really takes
        return to_res

    # -- evening: do the upward work, visit households, overtime, fatigue ------------------
    def end_day(self, unused_resident_hours: float, planned_visits: float) -> float:
        """Work owed upward with the planned hours; resident time nobody needed today, and time
        upward work did not need, goes to household visits (beyond the `planned_visits`, up to a
        cap), the rest back to upward work. Overtime finishes what is due, as far as pressure and
        strength allow. Returns the hours of household visits."""
        if not self.active:
            return 0.0
        p = self.model.p
        c = p.cadres
        day = self.model.steps
        h = self.hours
        prod = self.productivity()
        free = self._planned_up - self._work(self._planned_up, prod, day, due_only=False) + unused_resident_hours
        extra = min(max(0.0, c.visit_hours_cap - planned_visits), free)
        free -= extra
        visits = planned_visits + extra
        free -= self._work(free, prod, day, due_only=False)
        h["face_to_face"] += visits
        h["slack"] = max(0.0, free)
        due_hours = sum(t.hours for t in self.tasks if t.due <= day) / prod
        overtime = min(c.accountability_pressure * due_hours, p.staffing.overtime_cap * (1.0 - self.fatigue))
        if overtime > 1e-12:
            h["overtime"] = self._work(overtime, prod, day, due_only=True)
        h["unfinished"] = sum(t.hours for t in self.tasks if t.due <= day) / prod
        load = h["overtime"] / p.staffing.overtime_cap if p.staffing.overtime_cap > 0 else 0.0
        self.fatigue = min(1.0, self.fatigue * (1.0 - c.fatigue_recovery) + c.fatigue_gain * load)
        self._age_tasks(day)
        if self.model.random.random() < c.quit_rate * self.fatigue:
            self.leave(day)
        return visits

    def _work(self, hours: float, prod: float, day: int, due_only: bool) -> float:
        """Spend up to `hours` on owed tasks, earliest deadline first; return hours spent."""
        spent = 0.0
        effort = hours * prod
        self.tasks.sort(key=lambda t: t.due)
        done = []
        for t in self.tasks:
            if effort <= 1e-12 or (due_only and t.due > day):
                break
            use = min(effort, t.hours)
            t.hours -= use
            effort -= use
            spent += use / prod
            self.hours[TASK_ACTIVITY[t.kind]] += use / prod
            if t.hours <= 1e-9:
                done.append(t)
        if done:
            self.tasks = [t for t in self.tasks if t.hours > 1e-9]
            for t in done:
                self.model.task_done(self, t, day)
        return spent

    def _age_tasks(self, day: int) -> None:
        """A form past its deadline is from now on filled perfunctorily (应付: a fraction of the
        effort); one long past it is written off as missed."""
        p = self.model.p.reporting
        keep = []
        for t in self.tasks:
            if t.kind == "form" and day > t.due and not t.perfunctory:
                t.perfunctory = True
                t.hours *= p.perfunctory_effort
            if day - t.due > p.overdue_drop_days:
                self.model.task_missed(self, t)
                continue
            keep.append(t)
        self.tasks = keep

    def leave(self, day: int) -> None:
        """Worn out, the cadre leaves; the village shares the work until the post is filled."""
        self.model.cadre_left(self, day)
        self.fatigue = 0.0
        self.vacant_until = day + self.model.p.cadres.vacancy_days + 1
