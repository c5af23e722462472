"""Top-down reporting (多头报表 vs 一张表): forms, fields and paper trips landing on one village per day."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportingLoad:
    forms: float            # forms per village per day
    fields: float           # fields filled per village per day
    duplicate_fields: float  # of which already asked by another bureau
    paper_trips: float      # paper deliveries to the township per village per day


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
    k = mergeable * merged                      # bureaus behind the one form (may be fractional: an expectation)
    own = (bureaus - k) * per_day               # forms still sent separately
    # union of the merged forms' fields: each brings its own share once, the shared part once
    union = k * r.fields_per_form * (1.0 - r.field_overlap) + min(k, 1.0) * r.fields_per_form * r.field_overlap
    one = per_day * min(k, 1.0)                 # the consolidated form itself
    forms = one + own
    fields = per_day * union + own * r.fields_per_form
    dup = own * r.fields_per_form * r.field_overlap
    return ReportingLoad(forms=forms, fields=fields, duplicate_fields=dup, paper_trips=forms * r.paper_share)
