"""Top-down reporting (多头报表 vs 一张表): forms, fields and paper trips landing on villages.

Each form-sending bureau sends each village forms at a steady rate; under 一张表 a share of the
bureaus (its fidelity, eroded by form creep) is merged into one deduplicated form. Forms arrive
at random, differ between villages (some are asked more) and take longer in bigger villages,
and each must be returned by a deadline; a paper one must then be carried to the township.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sandbox.agents.cadre import Task


@dataclass(frozen=True)
class ReportingLoad:
    forms: float             # forms per village per day (expected)
    fields: float            # fields per village per day
    duplicate_fields: float  # of which already asked by another bureau
    paper_trips: float       # paper deliveries to the township per village per day
    separate: float          # of the forms: those still sent separately
    merged_fields: float     # fields of one consolidated form (0 without one)


def merged_share(p, years_since_adoption: float) -> float:
    """Share of the mergeable bureaus whose forms 一张表 really merges: its fidelity at adoption,
    eroded as bureaus go back to sending their own forms (form creep)."""
    if not p.structure.one_form:
        return 0.0
    return p.reporting.one_form_fidelity * math.exp(-p.reporting.form_creep * years_since_adoption)


def daily_load(p, bureaus: int, bureaus_outside_form: int, merged: float = 1.0) -> ReportingLoad:
    """Expected load on one village. `bureaus` send forms; under 一张表 a share `merged` of
    those not outside the form (leftover stations keep their own) is merged into one
    deduplicated form; the rest still send theirs."""
    r = p.reporting
    per_day = r.forms_per_bureau_week / 5.0
    mergeable = max(0, bureaus - bureaus_outside_form) if p.structure.one_form else 0
    k = mergeable * merged                      # bureaus behind the one form (an expectation)
    own = (bureaus - k) * per_day               # forms still sent separately
    # union of the merged forms' fields: each brings its own share once, the shared part once
    union = k * r.fields_per_form * (1.0 - r.field_overlap) + min(k, 1.0) * r.fields_per_form * r.field_overlap
    one = per_day * min(k, 1.0)                 # the consolidated form itself
    forms = one + own
    fields = per_day * union + own * r.fields_per_form
    dup = own * r.fields_per_form * r.field_overlap
    return ReportingLoad(forms=forms, fields=fields, duplicate_fields=dup, paper_trips=forms * r.paper_share,
                         separate=own, merged_fields=union / min(k, 1.0) if k > 0 else 0.0)


def arrive(model, day: int) -> None:
    """Today's forms for every village, each handed to the village cadre with the least owed."""
    p = model.p
    r = p.reporting
    load = model.reporting_load
    rng = model.rng
    one = load.forms - load.separate
    for v in range(len(model.village_sizes)):
        mult = model.form_multiplier[v]
        effort_per_field = r.minutes_per_field / 60.0 * model.size_factor[v]
        for n_forms, fields in ((rng.poisson(load.separate * mult), r.fields_per_form),
                                (rng.poisson(one * mult) if one > 0 else 0, load.merged_fields)):
            for _ in range(n_forms):
                paper = rng.random() < r.paper_share
                hours = fields * effort_per_field
                if hours > p.staffing.hours_per_day:
                    model.share_task(v, "form", hours, day + r.form_deadline_days, r.form_deadline_days, paper)
                else:
                    model.assign_task(v, Task("form", hours, day + r.form_deadline_days, r.form_deadline_days, paper=paper))
                model.forms_arrived += 1


def done(model, cadre, task, day: int) -> None:
    """A finished paper form still has to be carried to the township."""
    if task.kind == "form":
        model.forms_done += task.share
        model.forms_perfunctory += task.share * task.perfunctory
        if task.paper and model.p.reporting.delivery_hours > 0:
            cadre.tasks.append(Task("delivery", model.p.reporting.delivery_hours, day + 1, 1))
