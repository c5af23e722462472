"""Every lever of the schema as rows (section, key, names, default, range, source): for
`sandbox levers` and for the table in docs/calibration.md, which is generated from it."""

from __future__ import annotations

from typing import Any

from sandbox.glossary import term
from sandbox.params import SECTIONS, range_of, source_of


def lever_rows() -> list[dict[str, Any]]:
    rows = []
    for section, cls in SECTIONS.items():
        for leaf, field in cls.model_fields.items():
            lo, hi = range_of(field)
            rows.append({"section": section, "key": leaf, "zh": term("params", leaf, "zh"), "en": term("params", leaf, "en"),
                         "default": field.default, "range": "true/false" if field.annotation is bool else f"{lo}–{hi}",
                         "description": field.description or "", "source": source_of(field)})
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("|", "\\|")


def markdown() -> str:
    """The lever table of docs/calibration.md."""
    lines = ["| section | key | 中文 | default | range | what it is | source |", "|---|---|---|---|---|---|---|"]
    for r in lever_rows():
        lines.append(f"| {r['section']} | `{r['key']}` | {r['zh']} | {_cell(r['default'])} | {r['range']} | "
                     f"{_cell(r['description'])} | {_cell(r['source'])} |")
    return "\n".join(lines) + "\n"
