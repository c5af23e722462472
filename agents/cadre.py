"""Cadre: a village cadre or community worker with a fixed daily time budget."""

from __future__ import annotations

import mesa

ACTIVITIES = ("reporting", "delivery", "work_groups", "inspections", "facilitation", "face_to_face", "overtime", "unfinished")


class Cadre(mesa.Agent):
    """Top-down work comes first (pressure from above); what is left of the day faces residents."""

    def __init__(self, model, village: int, role: str):
        super().__init__(model)
        self.village = village
        self.role = role  # village_cadre / community_worker
        self.hours = dict.fromkeys(ACTIVITIES, 0.0)

    def plan_day(self) -> None:
        """Split today's hours; credit the face-to-face time to the village service station."""
        p = self.model.p
        share = 1.0 / self.model.cadres_in_village[self.village]
        load = self.model.reporting_load
        h = self.hours
        h["reporting"] = load.fields * p.reporting.minutes_per_field / 60.0 * share
        h["delivery"] = load.paper_trips * p.reporting.delivery_hours * share
        h["work_groups"] = p.digital.work_groups * p.digital.minutes_per_group / 60.0
        h["inspections"] = p.reporting.inspection_hours_week / 5.0
        h["facilitation"] = p.governance.facilitation_hours if p.governance.co_creation else 0.0
        demanded = h["reporting"] + h["delivery"] + h["work_groups"] + h["inspections"] + h["facilitation"]
        budget = p.staffing.hours_per_day
        h["overtime"] = min(p.staffing.overtime_cap, max(0.0, demanded - budget))
        h["unfinished"] = max(0.0, demanded - budget - p.staffing.overtime_cap)
        h["face_to_face"] = max(0.0, budget - demanded)
        self.model.village_office[self.village].minutes_left += h["face_to_face"] * 60.0
