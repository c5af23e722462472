"""Metrics: running tallies of closed matters, and the daily snapshot the DataCollector records.

Every metric is defined in docs/metrics.md; names match the glossary keys.
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np

from sandbox.metric_registry import activities, participation_window_days

GROUPS = ("all", "elderly", "not_elderly", "low_literacy", "not_low_literacy", "remote", "not_remote")
MAX_TRIPS = 64
# Reference points of the indices (measurement, not behaviour; docs/metrics.md). Each index term
# is x / (x + reference) or 1 / (1 + x / reference): it is 0.5 at the reference and never capped.
ORDER_REFERENCE = 5.0      # disorder residents see per 1,000 residents that halves the order index
PARTICIPATION_REFERENCE = 0.15  # share participating that gives half marks on that vitality term
GROUPS_REFERENCE = 1.0     # active resident groups per 1,000 residents that give half marks


class Outcomes:
    """Tallies of closed service matters, overall and by group (conserved: settled + abandoned = closed)."""

    def __init__(self):
        g = len(GROUPS)
        self.closed = np.zeros(g, np.int64)
        self.settled = np.zeros(g, np.int64)
        self.abandoned = np.zeros(g, np.int64)
        self.trips_settled = np.zeros(g, np.int64)
        self.one_trip = np.zeros(g, np.int64)
        self.days_settled = np.zeros(g, np.int64)
        self.hist = np.zeros((g, MAX_TRIPS + 1), np.int64)  # trips of every closed matter
        self.online = np.zeros(g, np.int64)  # settled matters the resident filed online unaided
        self.counter_settled = 0  # settled matters that went through a counter at least once
        self.counter_trips = 0

    def add(self, groups: tuple[int, ...], trips: int, days: int, settled: bool, counter: bool = False,
            online: bool = False) -> None:
        t = min(trips, MAX_TRIPS)
        for g in groups:
            self.closed[g] += 1
            self.hist[g, t] += 1
            if settled:
                self.settled[g] += 1
                self.online[g] += online
                self.trips_settled[g] += trips
                self.days_settled[g] += days
                self.one_trip[g] += trips <= 1
            else:
                self.abandoned[g] += 1
        if settled and counter:
            self.counter_settled += 1
            self.counter_trips += trips


def group_indices(elderly: bool, low_literacy: bool, remote: bool) -> tuple[int, int, int, int]:
    return (0, 1 if elderly else 2, 3 if low_literacy else 4, 5 if remote else 6)


def _ratio(a, b) -> float:
    return float(a) / float(b) if b else float("nan")


def gini_from_hist(hist: np.ndarray) -> float:
    """Gini coefficient of a non-negative integer variable given its histogram."""
    n = hist.sum()
    if n == 0:
        return 0.0
    values = np.arange(len(hist), dtype=float)
    total = (hist * values).sum()
    if total == 0:
        return 0.0
    cum_share = np.cumsum(hist * values) / total
    # area under the Lorenz curve by trapezoids over groups of equal value
    prev_share = np.concatenate([[0.0], cum_share[:-1]])
    area = ((hist / n) * (cum_share + prev_share) / 2.0).sum()
    return float(max(0.0, min(1.0, 1.0 - 2.0 * area)))


def percentile_from_hist(hist: np.ndarray, q: float) -> float:
    n = hist.sum()
    if n == 0:
        return float("nan")
    return float(np.searchsorted(np.cumsum(hist), q * n, side="left"))


def snapshot(model) -> dict[str, float]:
    """Every daily metric of the model, as a flat dict."""
    o = model.outcomes
    pop = model.population
    n = pop.n
    day = model.day
    s: dict[str, float] = {"day": day}
    s["matters_raised"] = model.matters_raised
    s["matters_open"] = model.matters_open
    s["matters_settled"] = int(o.settled[0])
    s["matters_abandoned"] = int(o.abandoned[0])
    s["trips_per_matter"] = _ratio(o.trips_settled[0], o.settled[0])
    s["trips_per_counter_matter"] = _ratio(o.counter_trips, o.counter_settled)
    s["trips_p90"] = percentile_from_hist(o.hist[0], 0.9)
    s["share_one_trip"] = _ratio(o.one_trip[0], o.settled[0])
    s["days_to_settle"] = _ratio(o.days_settled[0], o.settled[0])
    s["share_abandoned"] = _ratio(o.abandoned[0], o.closed[0])
    s["share_online"] = _ratio(o.online[0], o.settled[0])
    for gi, g in enumerate(GROUPS):
        if g == "all":
            continue
        s[f"trips_per_matter_{g}"] = _ratio(o.trips_settled[gi], o.settled[gi])
        s[f"share_one_trip_{g}"] = _ratio(o.one_trip[gi], o.settled[gi])
        s[f"days_to_settle_{g}"] = _ratio(o.days_settled[gi], o.settled[gi])
        s[f"share_abandoned_{g}"] = _ratio(o.abandoned[gi], o.closed[gi])
        s[f"share_online_{g}"] = _ratio(o.online[gi], o.settled[gi])
    # cadre burden: mean hours per serving cadre today, by activity; what was asked; fatigue
    hours = model.cadre_hours_today()
    for k in (*activities(), "demanded", "owed"):
        s[f"cadre_{k}_hours"] = hours.get(k, 0.0)
    s["cadre_fatigue"] = hours.get("fatigue", 0.0)
    s["cadres_left"] = model.cadres_left
    s["forms_per_village"] = model.reporting_load.forms
    s["fields_per_village"] = model.reporting_load.fields
    s["duplicate_fields_per_village"] = model.reporting_load.duplicate_fields
    s["share_forms_perfunctory"] = _ratio(model.forms_perfunctory, model.forms_done)
    s["forms_missed"] = model.forms_missed
    s["mediation_hours"] = model.mediation_hours_today
    s["assisted_matters"] = model.assisted_today()
    s["turned_away"] = model.turned_away_today()
    s["households_visited"] = model.households_visited
    # order
    s["open_disputes"] = len(model.open_disputes)
    s["disputes_at_township"] = len(model.disputes_up)
    s["open_problems"] = len(model.undetected) + len(model.backlog)
    s["problem_backlog"] = len(model.backlog)
    s["undetected_problems"] = len(model.undetected)
    s["escalations"] = model.escalations_total
    s["escalating_residents"] = int(np.count_nonzero(pop.escalations))
    s["escalations_30d"] = sum(model.escalation_window)
    s["detection_lag"] = _ratio(*model.lags["detection"])
    s["resolution_lag"] = _ratio(*model.lags["resolution"])
    detected = model.problems_raised - len(model.undetected)
    s["share_problems_closed"] = _ratio(model.problems_resolved, detected)
    s["share_problems_on_time"] = _ratio(model.problems_on_time, detected)
    s["dispute_days"] = _ratio(model.dispute_days_total, model.disputes_settled)
    s["disputes_settled"] = model.disputes_settled
    s["share_disputes_mediated"] = _ratio(model.disputes_settled, model.disputes_settled + model.disputes_faded)
    # vitality
    recent = (day - pop.last_part) <= participation_window_days()
    s["participation"] = float(recent.mean())
    s["ever_participated"] = float(np.mean(pop.last_part >= 0))
    s["active_groups"] = float(np.sum(model.groups))
    s["trust"] = float(pop.trust.mean())
    s["ties"] = float(pop.ties.mean())
    s["civic_propensity"] = float(pop.civic.mean())
    # fairness
    s["gini_trips"] = gini_from_hist(o.hist[0])
    low = pop.low_voice
    rate_low = float(recent[low].mean()) if low.any() else 0.0
    rate_other = float(recent[~low].mean()) if (~low).any() else 0.0
    top = max(rate_low, rate_other)
    s["voice_equality"] = min(rate_low, rate_other) / top if top > 0 else 1.0
    s["proposals_low_voice_share"] = _ratio(model.proposals_low_voice, model.proposals_adopted)
    s["group_gap"] = group_gap(o)
    s["trips_gap_elderly"] = s["trips_per_matter_elderly"] - s["trips_per_matter_not_elderly"]
    s["trips_gap_low_literacy"] = s["trips_per_matter_low_literacy"] - s["trips_per_matter_not_low_literacy"]
    # indices in [0, 1], none capped: each term is 0.5 at its reference point
    # order counts the disorder residents see: disputes between people, problems nobody has
    # reported yet, reported problems still standing (the service backlog of 解决靠格外 is
    # disorder to those who live with it), and escalations this month
    load = (s["open_disputes"] + s["undetected_problems"] + s["problem_backlog"] + s["escalations_30d"]) / (n / 1000.0)
    s["order_index"] = 1.0 / (1.0 + load / ORDER_REFERENCE)
    groups_per_1000 = s["active_groups"] / (n / 1000.0)
    s["vitality_index"] = (
        s["participation"] / (s["participation"] + PARTICIPATION_REFERENCE)
        + groups_per_1000 / (groups_per_1000 + GROUPS_REFERENCE)
        + s["trust"]
    ) / 3.0
    s["fairness_index"] = ((1.0 - s["gini_trips"]) + 1.0 / (1.0 + s["group_gap"]) + s["voice_equality"]) / 3.0
    return s


def group_gap(o: Outcomes) -> float:
    """How much worse the elderly, the low-literate and the remote fare than the others: the mean,
    over those three pairs, of their relative excess trips and relative excess abandonment."""
    terms = []
    for a, b in ((1, 2), (3, 4), (5, 6)):
        ta, tb = _ratio(o.trips_settled[a], o.settled[a]), _ratio(o.trips_settled[b], o.settled[b])
        if np.isfinite(ta) and np.isfinite(tb) and tb > 0:
            terms.append(max(0.0, ta / tb - 1.0))
        aa, ab = _ratio(o.abandoned[a], o.closed[a]), _ratio(o.abandoned[b], o.closed[b])
        if np.isfinite(aa) and np.isfinite(ab) and ab > 0:
            terms.append(max(0.0, aa / ab - 1.0))
    return float(np.mean(terms)) if terms else 0.0


class DailyMetrics(mesa.DataCollector):
    """Mesa's DataCollector over the day's snapshot (`model.metrics`), one column per metric.

    Mesa deep-copies every reporter's value on every collection; the snapshot holds plain numbers,
    so the copies buy nothing and cost about a tenth of a county run. The values are stored as
    they are; everything else (model_vars, the data frame) is Mesa's."""

    def __init__(self, keys):
        super().__init__(model_reporters={k: partial(_metric, key=k) for k in keys})

    def collect(self, model) -> None:
        self._collection_steps.append(model.time)
        day = model.metrics
        for key, column in self.model_vars.items():
            column.append(day[key])


def _metric(model, key: str) -> float:
    """The reporter Mesa keeps for a column: one key of the day's snapshot (a partial pickles, a lambda would not)."""
    return model.metrics[key]
