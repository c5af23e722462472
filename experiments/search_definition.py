"""Search definition files (experiments/searches/*.toml): TOML → a validated `Search`, or one
InputError naming file, key and value.

    base = "vertical_grid"            # the township the search starts from (or function = "pkg.mod:fn")
    seed = 1                          # master seed: the algorithm's and every run's
    replications = 2                  # runs per package, averaged (common random numbers)
    days = 120
    [fixed]                           # levers set everywhere
    [decisions]                       # what the township controls, with costs per unit (true = 1)
    one_window = { values = [false, true], cost = { staff = 1.0 } }
    window_staff_per_10k = { low = 2.0, high = 10.0, cost = { staff = 0.3 } }
    [uncertain]                       # what it cannot control: ranges (or lists), optional reference
    literacy_elderly = { low = 0.1, high = 0.45 }
    [objectives]                      # metric = "min" | "max"
    [constraints]                     # a cost (staff, hours, …) or a metric: { at_most = X } / { at_least = X }
    [algorithm]                       # population, generations (NSGA-II)
    [robustness]                      # scenarios, replications, satisfice = { metric = { at_most = X } }
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError, model_validator

from sandbox.errors import InputError
from sandbox.experiments.definition import MODEL_FUNCTION
from sandbox.scenario import read_toml_text, resolve_named_toml, toml_value

SEARCHES_DIR = Path(__file__).parent / "searches"
Number = StrictInt | StrictFloat
Scalar = bool | StrictInt | StrictFloat | str
DIRECTIONS = ("min", "max")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Decision(Strict):
    values: list[Scalar] | None = Field(None, description="listed values (e.g. [false, true])")
    low: Number | None = None
    high: Number | None = None
    cost: dict[str, Number] = Field({}, description="resource → cost per unit of the lever's value (true counts 1)")


class Uncertain(Strict):
    values: list[Scalar] | None = None
    low: Number | None = None
    high: Number | None = None
    reference: Scalar | None = Field(None, description="the value the search assumes (default: the base scenario's)")


class Bound(Strict):
    at_most: Number | None = None
    at_least: Number | None = None

    @model_validator(mode="after")
    def _one(self) -> Bound:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("give exactly one of at_most, at_least")
        return self

    def violation(self, value: float) -> float:
        """> 0 by how much the bound is broken, ≤ 0 when it holds (pymoo's G convention)."""
        return value - self.at_most if self.at_most is not None else self.at_least - value

    def describe(self) -> str:
        return f"≤ {self.at_most:g}" if self.at_most is not None else f"≥ {self.at_least:g}"


class Algorithm(Strict):
    name: Literal["nsga2"] = "nsga2"
    population: int = Field(ge=4, le=100_000, description="packages per generation")
    generations: int = Field(ge=1, le=100_000, description="generations, the first included")


class Robustness(Strict):
    scenarios: int = Field(0, ge=0, le=100_000, description="Latin-hypercube sample of the uncertain levers (0: skip)")
    replications: int = Field(1, ge=1, le=1000)
    satisfice: dict[str, Bound] = Field({}, description="metric → bound every scenario should meet (default: the metric constraints)")


class Search(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    description: str = ""
    description_zh: str = ""
    base: str | None = None
    function: str = MODEL_FUNCTION
    seed: int = Field(ge=0, le=2**63 - 1, description="master seed: the algorithm's and every run's")
    replications: int = Field(1, ge=1, le=1000)
    days: int | None = Field(None, ge=1, le=3650)
    fixed: dict[str, Any] = {}
    decisions: dict[str, Decision] = Field(min_length=1)
    uncertain: dict[str, Uncertain] = {}
    objectives: dict[str, Literal["min", "max"]] = Field(min_length=1)
    constraints: dict[str, Bound] = {}
    algorithm: Algorithm
    robustness: Robustness = Robustness()

    @property
    def uses_model(self) -> bool:
        return self.base is not None or self.function == MODEL_FUNCTION

    def resources(self) -> list[str]:
        """Cost resources named by the decision levers (staff, hours, …), in first-seen order."""
        return list(dict.fromkeys(r for d in self.decisions.values() for r in d.cost))


NESTED = {"decisions": Decision, "uncertain": Uncertain, "constraints": Bound, "algorithm": Algorithm,
          "robustness": Robustness, "satisfice": Bound}
KEYED = ("decisions", "uncertain", "constraints", "satisfice", "objectives", "fixed", "cost")  # tables keyed by a user's name


def search_names(directory: Path = SEARCHES_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))


def load_search(name_or_path: str | Path, directory: Path = SEARCHES_DIR) -> tuple[Path, Search, str]:
    """(path, search, source text); InputError on unreadable or invalid files."""
    path = resolve_named_toml(name_or_path, directory, "search", "search definition")
    text, data = read_toml_text(path)  # the scenario floor's reader: one message per kind of bad file
    data.setdefault("name", path.stem)
    for table in ("decisions", "uncertain"):  # `lever = [a, b]` is short for `lever = { values = [a, b] }`
        if isinstance(data.get(table), dict):
            data[table] = {k: {"values": v} if isinstance(v, list) else v for k, v in data[table].items()}
    try:
        search = Search.model_validate(data)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        raise InputError(_describe(path, errors[0])) from None
    if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", search.function):
        raise InputError(f"{path}: function = {toml_value(search.function)}: must be \"package.module:callable\"")
    return path, search, text


def _loc(loc: tuple) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int) and not str(p).startswith(("function-", "union[", "literal["))
             and p not in ("bool", "int", "float", "str", "none", "list[...]")]
    return ".".join(parts)


def _describe(path: Path, err: dict[str, Any]) -> str:
    loc = _loc(err["loc"])
    if err["type"] == "extra_forbidden":
        parent = _model_at(err["loc"][:-1])
        allowed = list(parent.model_fields)
        close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{path}: unknown key '{loc}'{hint}; allowed: {', '.join(allowed)}"
    if err["type"] == "missing":
        field = _model_at(err["loc"][:-1]).model_fields.get(str(err["loc"][-1]))
        what = f" ({field.description})" if field is not None and field.description else ""
        return f"{path}: missing key '{loc}'{what}"
    if err["loc"][:1] == ("objectives",):
        return f"{path}: {loc} = {shown(err.get('input'))}: must be \"min\" or \"max\""
    if loc == "name":
        return f"{path}: name = {toml_value(err['input'])}: must be letters, digits, '_' or '-' (it names the results folder)"
    msg = err["msg"].removeprefix("Value error, ")
    msg = msg[0].lower() + msg[1:]
    return f"{path}: {loc} = {shown(err.get('input'))}: {msg}"


def shown(value: Any) -> str:
    """A value as written in TOML, tables and arrays included."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {shown(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return toml_value(value)


def _model_at(loc: tuple) -> type[BaseModel]:
    """The model whose keys a location lists (a user's name inside a keyed table is skipped)."""
    model: type[BaseModel] = Search
    skip = False
    for part in loc:
        if isinstance(part, int) or skip:
            skip = False
            continue
        if part in NESTED:
            model = NESTED[part]
            skip = part in KEYED
        elif part in KEYED:
            skip = True
    return model
