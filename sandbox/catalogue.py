"""The matter catalogue and the departments, read from scenarios/data (data, not code)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sandbox.scenarios import DATA_DIR

KINDS = ("service", "dispute", "public", "task")
LEVELS = ("village", "township", "county")


@dataclass(frozen=True)
class MatterType:
    id: str
    zh: str
    en: str
    kind: str
    steps: tuple[str, ...]
    level: str
    documents: int
    online: bool
    urgency: float
    rate: float  # per 1,000 residents per year


@dataclass(frozen=True)
class DepartmentSpec:
    id: str
    zh: str
    en: str
    level: str
    staff_weight: float
    sends_forms: bool


def _read(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@cache
def departments(path: Path = DATA_DIR / "departments.toml") -> dict[str, DepartmentSpec]:
    """Departments keyed by id, in file order."""
    return {key: DepartmentSpec(id=key, **value) for key, value in _read(path).items()}


@cache
def matter_types(path: Path = DATA_DIR / "matters.toml") -> dict[str, MatterType]:
    """Matter types keyed by id, in file order; steps must name known departments."""
    known = departments()
    out = {}
    for key, value in _read(path).items():
        mt = MatterType(id=key, **{**value, "steps": tuple(value["steps"])})
        unknown = [s for s in mt.steps if s not in known]
        if unknown or mt.kind not in KINDS or mt.level not in LEVELS:
            raise ValueError(f"{path}: [{key}] has unknown steps {unknown} or kind/level {mt.kind}/{mt.level}")
        out[key] = mt
    return out
