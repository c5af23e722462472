"""Department: a station, the service centre, a department's own desk, a village service station
or a county bureau — a door residents walk through, and the back office behind it."""

from __future__ import annotations

import math
from collections import deque

import mesa

# What a counter visit can end in; each is a journey event with a glossary entry.
FULL, REDIRECTED, MISSING, PUSHED, ACCEPTED = "full", "redirected", "missing_document", "pushed_to_app", "accepted"


class Department(mesa.Agent):
    """Staff minutes per day serve the counter first and then the back office, where accepted
    submissions wait their turn for approval (first come, first served)."""

    def __init__(self, model, key: str, level: str, staff: float, village: int | None = None,
                 hosts: tuple[str, ...] = (), sends_forms: bool = False):
        super().__init__(model)
        self.key = key            # department id, or "service_centre"
        self.level = level        # village / township / county
        self.staff = staff        # front-desk and back-office staff (township); villages get cadres' time
        self.village = village
        self.hosts = hosts        # departments served behind this door (one window hosts many)
        self.sends_forms = sends_forms  # relays its county bureau's own forms to villages (多头报表)
        self.minutes_left = 0.0
        self.capacity = 0.0           # staff minutes at today's opening
        self.turned_away_today = 0
        self.served_today = 0
        self.callers_yesterday = self.served_yesterday = 0
        self.queue: deque = deque()  # accepted matters awaiting approval: (matter, minutes left, day accepted)

    def open_counter(self) -> None:
        """Start of day: staff minutes, less the time an 办 that commands its 中心 pulls upward.
        Village stations are credited by their cadres' choices instead (Cadre.plan_day)."""
        p = self.model.p
        if self.level == "county":
            self.minutes_left = math.inf
        elif self.level == "township":
            s = p.structure
            pull = s.centre_pull_share if (self.key == "service_centre" and s.office_commands_centre) else 0.0
            self.minutes_left = self.staff * p.staffing.hours_per_day * 60.0 * (1.0 - pull)
        else:
            self.minutes_left = 0.0
        self.capacity = self.minutes_left
        self.callers_yesterday = self.served_today + self.turned_away_today
        self.served_yesterday = self.served_today
        self.turned_away_today = 0
        self.served_today = 0

    def receive(self, matter, day: int) -> str:
        """One counter visit: turned away if full, redirected if nobody answers for it, told of a
        missing document, pushed to the app, or accepted."""
        p = self.model.p
        rng = self.model.random
        serve = p.structure.serve_minutes
        if self.minutes_left < serve or rng.random() < self.crowding():
            self.turned_away_today += 1
            return FULL
        self.minutes_left -= serve
        self.served_today += 1
        if self.level == "township" and rng.random() < self.redirect_chance():
            return REDIRECTED
        if (
            matter.type.online and p.digital.online_channel and not matter.pushed
            and rng.random() < p.digital.app_push
        ):
            matter.pushed = True
            return PUSHED
        if matter.missing > 0:
            # the one-time notice (一次性告知) tells every gap it lists at once; a gap it does not
            # list, like every gap without it, surfaces one visit at a time
            listed = matter.missing - matter.hidden if p.structure.notify_all_requirements else 0
            revealed = 1 if matter.hidden > 0 or listed == 0 else 0
            matter.missing -= listed + revealed
            matter.hidden -= min(matter.hidden, revealed)
            return MISSING
        return ACCEPTED

    def crowding(self) -> float:
        """Chance a caller is not seen today (the queue outlasts the opening hours, or the caller
        will not wait): it grows smoothly as the counter's day fills up."""
        if not math.isfinite(self.capacity) or self.capacity <= 0:
            return 0.0
        used = 1.0 - self.minutes_left / self.capacity
        return used ** self.model.p.structure.crowding_exponent if used > 0 else 0.0

    def redirect_chance(self) -> float:
        """推诿: a visit is sent elsewhere when nobody clearly answers for the matter. One responsible
        body cuts that by its fidelity, except at a leftover station, which overlaps the centre."""
        s = self.model.p.structure
        if s.one_responsible_body and self.key not in self.model.leftover:
            return s.redirect_prob * (1.0 - s.responsible_body_fidelity)
        return s.redirect_prob

    # -- back office ---------------------------------------------------------------------
    def enqueue(self, matter, dept: str, steps: int, day: int, days: int) -> None:
        """An accepted submission of `steps` approval steps, the first owned by `dept`, joins the
        back-office queue; once approved it is ready no sooner than `days` after acceptance."""
        matter.state = "queued"
        self.queue.append([matter, steps * self.model.p.structure.approval_minutes, day + days, dept])

    def work_queue(self, day: int) -> None:
        """End of day: the minutes the counter left approve queued submissions in order; an approved
        one is ready after the least processing time. Residents tired of waiting give up."""
        model = self.model
        p = model.p
        limit = p.matters.max_days_open
        q = self.queue
        waiting = deque()
        while q:
            entry = q.popleft()
            matter, need, ready, _ = entry
            if day - matter.created >= limit:
                matter.log(day, "home", "gave_up_waiting")
                model.close_matter(matter, day, settled=False)
                continue
            if self.minutes_left >= need:
                self.minutes_left -= need
                matter.state = "processing"
                model.schedule(matter, max(day + 1, ready))
            else:
                entry[1] = need - self.minutes_left
                self.minutes_left = 0.0
                waiting.append(entry)
        self.queue = waiting
