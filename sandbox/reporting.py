"""Top-down reporting (多头报表 vs 一张表): forms, fields and paper trips landing on one village per day."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportingLoad:
    forms: float            # forms per village per day
    fields: float           # fields filled per village per day
    duplicate_fields: float  # of which already asked by another bureau
    paper_trips: float      # paper deliveries to the township per village per day


def daily_load(p, bureaus: int, bureaus_outside_form: int) -> ReportingLoad:
    """Expected load on one village. `bureaus` send forms; under 一张表 all but
    `bureaus_outside_form` (leftover stations that keep their own forms) are merged
    into one deduplicated form."""
    r = p.reporting
    per_day = r.forms_per_bureau_week / 5.0
    if not p.structure.one_form:
        forms = bureaus * per_day
        fields = forms * r.fields_per_form
        dup = fields * r.field_overlap
    else:
        merged = max(0, bureaus - bureaus_outside_form)
        # union of the merged forms' fields: each brings its own share once, the shared part once
        union = merged * r.fields_per_form * (1.0 - r.field_overlap) + (r.fields_per_form * r.field_overlap if merged else 0.0)
        own = bureaus_outside_form * per_day
        forms = (per_day if merged else 0.0) + own
        fields = (per_day * union if merged else 0.0) + own * r.fields_per_form
        dup = own * r.fields_per_form * r.field_overlap
    return ReportingLoad(forms=forms, fields=fields, duplicate_fields=dup, paper_trips=forms * r.paper_share)
