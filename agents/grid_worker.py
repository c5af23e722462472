"""Grid worker (网格员): patrols one cell, collects data for upper levels, helps residents file matters."""

from __future__ import annotations

import math

import mesa


class GridWorker(mesa.Agent):
    """One per grid cell. Patrol hours set how fast problems in the cell are found."""

    def __init__(self, model, cell: int, village: int):
        super().__init__(model)
        self.cell = cell
        self.village = village
        self.assist_minutes_left = 0.0
        self.assisted_today = 0
        self.trained = model.random.random() < model.p.digital.assist_coverage  # can file for residents

    def plan_day(self) -> None:
        p = self.model.p
        free = max(0.0, p.staffing.hours_per_day - p.grid.patrol_hours - self.model.grid_data_hours())
        self.assist_minutes_left = free * 60.0
        self.assisted_today = 0

    def detection_prob(self) -> float:
        """Daily chance that patrol finds a given open problem in the cell: sooner with more
        patrol hours, later in a cell of more households."""
        g = self.model.p.grid
        scale = g.detection_hours * self.model.cell_households[self.cell] / 400.0
        return 1.0 - math.exp(-g.patrol_hours / scale)

    def assist(self) -> bool:
        """File one matter for a resident (帮办代办) if time is left today."""
        need = self.model.p.digital.assist_minutes
        if self.assist_minutes_left < need:
            return False
        self.assist_minutes_left -= need
        self.assisted_today += 1
        return True
