"""`--where`: the outcome of interest of a scenario discovery, as a yes/no per design point.

    METRIC OP NUMBER                          e.g.  cadre_overtime_hours > 1
    effect(FACTOR, METRIC) OP NUMBER          METRIC at FACTOR's last listed value minus at its first
    effect(FACTOR: A -> B, METRIC) OP NUMBER  METRIC at FACTOR = B minus at FACTOR = A

OP is <, <=, > or >=. A metric is the replication mean at a design point; an effect is the
mean over replications of the paired difference (same replication, same seed under common
random numbers) between two design points that differ only in FACTOR.
"""

from __future__ import annotations

import difflib
import operator
import re
from dataclasses import dataclass
from typing import Any

from sandbox.errors import InputError

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_COMPARISON = re.compile(rf"^\s*(?P<lhs>.+?)\s*(?P<op><=|>=|<|>)\s*(?P<number>{_NUMBER})\s*$")
_EFFECT = re.compile(r"^effect\s*\(\s*(?P<factor>[\w.]+)\s*(?::\s*(?P<a>[^,]+?)\s*->\s*(?P<b>[^,]+?)\s*)?,\s*(?P<metric>\w+)\s*\)$")
_METRIC = re.compile(r"^\w+$")
FORMS = ('"METRIC < NUMBER" (or <=, >, >=), "effect(FACTOR, METRIC) > NUMBER" '
         'or "effect(FACTOR: A -> B, METRIC) > NUMBER"')


@dataclass(frozen=True)
class Where:
    text: str
    metric: str
    op: str
    threshold: float
    factor: str | None = None   # an effect: the factor switched ...
    reference: str | None = None  # ... from this value (as written; resolved against the sweep)
    treatment: str | None = None  # ... to this one

    @property
    def is_effect(self) -> bool:
        return self.factor is not None

    def holds(self, value: float) -> bool:
        return OPS[self.op](value, self.threshold)

    def slug(self) -> str:
        """A folder name for this question: `cadre_overtime_hours-gt-1`."""
        word = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}[self.op]
        lhs = f"effect-{self.factor.split('.')[-1]}-{self.metric}" if self.is_effect else self.metric
        return re.sub(r"[^\w.-]", "_", f"{lhs}-{word}-{self.threshold:g}")


def parse_where(text: str) -> Where:
    """The --where text → a Where; InputError saying which forms are allowed."""
    m = _COMPARISON.match(text or "")
    if not m:
        raise InputError(f'--where "{text}": cannot read it; write {FORMS}')
    lhs, op, number = m["lhs"], m["op"], float(m["number"])
    if _METRIC.match(lhs):
        return Where(text, lhs, op, number)
    e = _EFFECT.match(lhs)
    if e:
        return Where(text, e["metric"], op, number, e["factor"], e["a"], e["b"])
    raise InputError(f'--where "{text}": "{lhs}" is neither a metric name nor effect(FACTOR, METRIC); write {FORMS}')


def check_metric(where: Where, metrics: list[str]) -> None:
    if where.metric not in metrics:
        close = difflib.get_close_matches(where.metric, metrics, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise InputError(f"--where \"{where.text}\": this sweep has no metric '{where.metric}'{hint}; it has: {', '.join(metrics)}")


def resolve_factor(where: Where, factors: list[dict[str, Any]]) -> tuple[str, Any, Any]:
    """(factor name, reference value, treatment value) of an effect, matched against the sweep's
    listed factors; a leaf name (`one_window`) finds its `section.leaf`."""
    listed = {f["name"]: f["values"] for f in factors if "values" in f}
    name = where.factor
    if name not in listed:
        by_leaf = [n for n in listed if n.split(".")[-1] == name]
        if len(by_leaf) == 1:
            name = by_leaf[0]
    if name not in listed:
        ranged = [f["name"] for f in factors if "values" not in f]
        why = "is ranged, not listed" if name in ranged or any(r.split(".")[-1] == name for r in ranged) else "is not varied in this sweep"
        raise InputError(f"--where \"{where.text}\": factor '{where.factor}' {why}; an effect switches a listed factor: "
                         f"{', '.join(listed) or 'this sweep has none'}")
    values = listed[name]
    if len(values) < 2:
        raise InputError(f"--where \"{where.text}\": factor '{name}' has one value only; an effect needs two")
    if where.reference is None:
        return name, values[0], values[-1]
    ref, treat = _match(where, name, values, where.reference), _match(where, name, values, where.treatment)
    if ref == treat and type(ref) is type(treat):
        raise InputError(f"--where \"{where.text}\": an effect switches '{name}' between two different values")
    return name, ref, treat


def _match(where: Where, name: str, values: list[Any], written: str) -> Any:
    for v in values:
        shown = ("true" if v else "false") if isinstance(v, bool) else str(v)
        if written == shown or written == str(v) or (isinstance(v, (int, float)) and not isinstance(v, bool)
                                                     and _is_number(written) and float(written) == v):
            return v
    allowed = ", ".join(("true" if v else "false") if isinstance(v, bool) else str(v) for v in values)
    raise InputError(f"--where \"{where.text}\": '{written}' is not a value of factor '{name}'; its values: {allowed}")


def _is_number(text: str) -> bool:
    return re.fullmatch(_NUMBER, text) is not None
