"""Department: a station, office, service centre, village service station or county bureau."""

from __future__ import annotations

import math

import mesa

# What a counter visit can end in; each is a journey event with a glossary entry.
FULL, REDIRECTED, MISSING, PUSHED, ACCEPTED = "full", "redirected", "missing_document", "pushed_to_app", "accepted"


class Department(mesa.Agent):
    """A door residents walk through: counter minutes per day, and how it treats a visit."""

    def __init__(self, model, key: str, level: str, staff: float, village: int | None = None,
                 hosts: tuple[str, ...] = (), sends_forms: bool = False):
        super().__init__(model)
        self.key = key            # department id, or "service_centre"
        self.level = level        # village / township / county
        self.staff = staff        # front-desk staff (township); village offices get cadres' face time instead
        self.village = village
        self.hosts = hosts        # departments served behind this door (one window hosts many)
        self.sends_forms = sends_forms  # relays its county bureau's own forms to villages (多头报表)
        self.minutes_left = 0.0
        self.visits_today = 0
        self.turned_away_today = 0

    def open_counter(self) -> None:
        """Start of day: counter minutes from staff hours, less time pulled upward by the 办."""
        p = self.model.p
        if self.level == "county":
            self.minutes_left = math.inf
        elif self.level == "township":
            pull = p.structure.centre_pull_share if (self.key == "service_centre" and p.structure.office_commands_centre) else 0.0
            self.minutes_left = self.staff * p.staffing.hours_per_day * 60.0 * (1.0 - pull)
        # village offices are credited by their cadres' plan_day
        self.visits_today = 0
        self.turned_away_today = 0

    def receive(self, matter, day: int) -> str:
        """One counter visit: turned away if full, redirected if nobody answers for it, told of a missing document, pushed to the app, or accepted."""
        p = self.model.p
        rng = self.model.random
        serve = p.structure.serve_minutes
        if self.minutes_left < serve:
            self.turned_away_today += 1
            return FULL
        self.minutes_left -= serve
        self.visits_today += 1
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

    def redirect_chance(self) -> float:
        """推诿: a visit is sent elsewhere when nobody clearly answers for the matter. One responsible
        body cuts that by its fidelity, except at a leftover station, which overlaps the centre."""
        s = self.model.p.structure
        if s.one_responsible_body and self.key not in self.model.leftover:
            return s.redirect_prob * (1.0 - s.responsible_body_fidelity)
        return s.redirect_prob
