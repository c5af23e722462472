"""Resident: raises matters, travels to doors, goes online where able, asks for help, gives up."""

from __future__ import annotations

import mesa

from sandbox.agents.department import ACCEPTED, MISSING, PUSHED


class Resident(mesa.Agent):
    """One resident. Personal state lives in the model's Population arrays (row `index`)
    so that everyday drift (grievance, escalation, civic spirit) is vectorised; this
    agent makes the decisions about its own matters, and only when one is due."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    # -- views of the population row ------------------------------------------------
    def _get(self, name):
        return getattr(self.model.population, name)[self.index].item()

    digital_literacy = property(lambda self: self._get("literacy"))
    income = property(lambda self: self._get("income"))
    village = property(lambda self: self._get("village"))
    cell = property(lambda self: self._get("cell"))
    distance_km = property(lambda self: self._get("distance_km"))
    trust = property(lambda self: self._get("trust"))
    civic_propensity = property(lambda self: self._get("civic"))
    ties = property(lambda self: self._get("ties"))
    grievance = property(lambda self: self._get("grievance"))

    # -- behaviour ---------------------------------------------------------------------
    def pursue(self, matter, day: int) -> None:
        """Act on a matter that is due today."""
        if matter.state == "new":
            self.choose_channel(matter, day)
        if matter.state == "processing" and matter.next_day <= day:
            if not matter.pending:
                self.model.close_matter(matter, day, settled=True)
                return
            matter.state = "counter"
        if matter.next_day > day:
            return
        if matter.state == "assist":
            self.ask_grid_worker(matter, day)
        elif matter.state == "counter":
            self.visit(matter, day)

    def can_use_app(self) -> bool:
        return self.model.random.random() < self.digital_literacy

    def choose_channel(self, matter, day: int) -> None:
        """Online if able, a grid worker's help if offered, else the counter."""
        p = self.model.p
        if matter.type.online and p.digital.online_channel:
            if self.can_use_app():
                self.file_remotely(matter, day, "online", "app")
                return
            if p.digital.assisted_service:
                matter.state = "assist"
                return
        matter.state = "counter"
        matter.channel = "counter"
        if p.structure.notify_all_requirements and matter.missing:
            # 一次性告知: a published list, known before the first trip, names each gap with chance
            # notice_fidelity; a listed gap the resident notices costs days, not a trip
            rnd = self.model.random.random
            listed = sum(rnd() < p.structure.notice_fidelity for _ in range(matter.missing))
            matter.hidden = matter.missing - listed
            noticed = sum(rnd() < p.matters.notice_effect for _ in range(listed))
            if noticed:
                matter.missing -= noticed
                matter.next_day = day + max(1, p.matters.days_to_fetch_doc)
                matter.log(day, "home", "fetching_documents")

    def file_remotely(self, matter, day: int, channel: str, place: str) -> None:
        """Filed without a trip: the first department's back office routes every step internally,
        one after another unless approval is parallel."""
        p = self.model.p
        matter.channel = channel
        n = max(1, len(matter.pending))
        serial = 1 if p.structure.parallel_approval else n
        first = matter.pending[0]
        door = self.model.door_for(first, self._get("village"), matter.type.id)
        matter.pending = []
        matter.missing = matter.hidden = 0  # an online form will not submit with a gap
        matter.log(day, place, "filed_" + channel)
        door.enqueue(matter, first, n, day, serial * p.structure.processing_days)

    def ask_grid_worker(self, matter, day: int) -> None:
        """帮办代办: the cell's grid worker files for the resident when time allows."""
        worker = self.model.grid_worker_of(self._get("cell"))
        if worker is None or not worker.trained:
            # this cell's grid worker cannot file for residents: to the counter after all
            matter.log(day, "grid_worker", "cannot_assist")
            matter.state = "counter"
            matter.channel = "counter"
            matter.next_day = day + 1
        elif worker.assist():
            self.file_remotely(matter, day, "assisted", "grid_worker")
        else:
            matter.log(day, "grid_worker", "waiting")
            matter.next_day = day + 1

    def visit(self, matter, day: int) -> None:
        """One physical trip to the door of the next step."""
        p = self.model.p
        door = self.model.door_for(matter.pending[0], self._get("village"), matter.type.id)
        matter.trips += 1
        outcome = door.receive(matter, day)
        matter.log(day, door.key, outcome)
        if outcome == ACCEPTED:
            covered = self.model.steps_covered(matter, door)
            first = matter.pending[0]
            matter.pending = [s for s in matter.pending if s not in covered]
            door.enqueue(matter, first, len(covered), day, p.structure.processing_days)
            return
        matter.wasted += 1
        if outcome == MISSING:
            matter.next_day = day + max(1, p.matters.days_to_fetch_doc)
        elif outcome == PUSHED:
            if self.can_use_app():
                self.file_remotely(matter, day, "online", "app")
                return
            matter.log(day, "app", "app_failed")
            if p.digital.assisted_service:
                matter.state = "assist"
                matter.next_day = day + 1
            else:
                matter.next_day = day + max(1, p.digital.app_failure_days)
        else:  # turned away (full) or redirected (推诿): come back tomorrow
            matter.next_day = day + 1
        if self.gives_up(matter):
            self.model.close_matter(matter, day, settled=False)

    def gives_up(self, matter) -> bool:
        """After a wasted trip: half of residents quit after `patience_trips` wasted trips; remote and non-urgent sooner."""
        p = self.model.p.population
        patience = p.patience_trips * (p.urgency_patience + matter.type.urgency)
        if self._get("remote"):
            patience *= p.remote_patience
        return self.model.random.random() < 1.0 - 0.5 ** (1.0 / patience)
