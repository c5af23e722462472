"""Sweep definition files: TOML → a validated `Experiment`, or one InputError naming file, key and value.

The schema checks structure; experiments/plan.py then resolves every design point against the
scenario validator, so an out-of-range lever is caught before anything runs or is written.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sandbox.errors import InputError
from sandbox.experiments.runner import MODEL_FUNCTION
from sandbox.scenario import read_toml_text, resolve_named_toml, toml_value

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
KINDS = ("grid", "lhs", "sobol", "morris", "contrasts")
DIRECTIONS = ("increase", "decrease", "similar", "not_lower")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Design(Strict):
    kind: Literal["grid", "lhs", "sobol", "morris", "contrasts"]
    samples: int | None = Field(None, ge=1, le=1_000_000, description="lhs: points; sobol: base samples N (a power of 2); morris: trajectories")
    levels: int | None = Field(None, ge=2, le=1000, description="grid: values per ranged parameter; morris: grid levels (default 4)")
    second_order: bool = Field(False, description="sobol: also sample for second-order indices")


class Arm(Strict):
    scenario: str
    set: dict[str, Any] = {}


class Contrast(Strict):
    name: str = Field(min_length=1)
    claim: str = ""
    claim_zh: str = ""
    reference: str | Arm
    treatment: str | Arm
    set: dict[str, Any] = Field({}, description="levers applied to both arms (e.g. a mechanism switched off)")
    expect: dict[str, Literal["increase", "decrease", "similar", "not_lower"]] = Field(min_length=1)
    at_most: dict[str, float] = Field({}, description="metric → bound the treatment's mean must stay under")
    similar_within: float = Field(0.05, gt=0.0, description="'similar': the 95 % CI of the difference lies within ±this")


class Experiment(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    description: str = ""
    description_zh: str = ""
    base: str | None = None
    function: str = MODEL_FUNCTION
    seed: int = Field(ge=0, le=2**63 - 1, description="master seed: every run's seed derives from it")
    seeds: Literal["common", "independent", "sequential"] = "common"
    replications: int = Field(ge=1, le=100_000)
    days: int | None = Field(None, ge=1, le=3650)
    metrics: list[str] | Literal["all"] | None = None
    fixed: dict[str, Any] = {}
    parameters: dict[str, Any] = {}
    design: Design
    claims: str | None = Field(None, description="contrasts from a claims file: a name in scenarios/data (\"claims\") or a path")
    contrasts: list[Contrast] = []

    @property
    def uses_model(self) -> bool:
        """Parameters are scenario levers when there is a base scenario (always for the model runner)."""
        return self.base is not None or self.function == MODEL_FUNCTION


def definition_names(directory: Path = DEFINITIONS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))


def resolve_definition(name_or_path: str | Path, directory: Path = DEFINITIONS_DIR) -> Path:
    """An experiment name (`structure_switches`) or a path to a TOML file."""
    return resolve_named_toml(name_or_path, directory, "experiment", "sweep definition")


def load_definition(name_or_path: str | Path, directory: Path = DEFINITIONS_DIR) -> tuple[Path, Experiment, str]:
    """(path, experiment, source text); InputError on unreadable or invalid files."""
    path = resolve_definition(name_or_path, directory)
    text, data = read_toml_text(path)
    data.setdefault("name", path.stem)
    try:
        exp = Experiment.model_validate(data)  # strict, yet TOML `2` is a fine float
    except ValidationError as exc:
        # a misspelt key also shows up as a missing one: name the misspelling
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        raise InputError(_describe(path, errors[0], data)) from None
    except RecursionError:
        raise InputError(f"{path}: values nested too deeply") from None
    _check_design(path, exp)
    return path, exp, text


def _loc(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("str", "Arm", "list[str]", "literal['all']", "int", "none"):
            continue  # pydantic names the union branch it tried; the user never wrote it
        else:
            text += f".{part}" if text else str(part)
    return text


def _describe(path: Path, err: dict[str, Any], data: dict[str, Any]) -> str:
    loc = _loc(err["loc"])
    if err["type"] == "extra_forbidden":
        parent = _model_at(err["loc"][:-1])
        allowed = list(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{path}: unknown key '{loc}'{hint}; allowed: {', '.join(allowed)}"
    if err["type"] == "missing":
        field = _model_at(err["loc"][:-1]).model_fields.get(str(err["loc"][-1]))
        what = f" ({field.description})" if field is not None and field.description else ""
        return f"{path}: missing key '{loc}'{what}"
    if loc == "name":
        return f"{path}: name = {toml_value(err['input'])}: must be letters, digits, '_' or '-' (it names the results folder)"
    if loc == "design.kind":
        return f"{path}: design.kind = {toml_value(err['input'])}: must be one of {', '.join(KINDS)}"
    if loc == "metrics":
        return f"{path}: metrics = {toml_value(err['input'])}: must be a list of metric names or \"all\""
    if ".expect." in loc and err["type"] == "literal_error":
        return f"{path}: {loc} = {toml_value(err['input'])}: must be one of {', '.join(DIRECTIONS)}"
    msg = err["msg"]
    msg = msg[0].lower() + msg[1:]
    return f"{path}: {loc} = {toml_value(err['input'])}: {msg}"


def _model_at(loc: tuple) -> type[BaseModel]:
    model: type[BaseModel] = Experiment
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            break
        nested = {"design": Design, "contrasts": Contrast, "reference": Arm, "treatment": Arm}.get(str(part))
        if nested is None:
            break
        model = nested
    return model


def _claim_contrasts(path: Path, ref: str) -> list[Contrast]:
    """The claims file's contrasts (each claim, and with its mechanism off), validated as [[contrasts]]."""
    from sandbox.claims import claims
    from sandbox.scenarios import DATA_DIR

    if ref.endswith(".toml") or "/" in ref:
        file = Path(ref) if Path(ref).is_absolute() else path.parent / ref
        found = resolve_named_toml(str(file), DATA_DIR, "claims file", "claims")
    else:
        found = resolve_named_toml(ref, DATA_DIR, "claims file", "claims")
    out = []
    for claim in claims(found).values():
        for c in claim.contrasts():
            try:
                out.append(Contrast.model_validate(c))
            except ValidationError as exc:
                e = exc.errors()[0]
                raise InputError(f"{found}: [{claim.id}] {_loc(e['loc'])}: {e['msg']}") from None
    return out


def _check_design(path: Path, exp: Experiment) -> None:
    """Rules that tie the design kind to the other keys."""
    d = exp.design
    kind = d.kind
    if exp.claims is not None:
        if kind != "contrasts":
            raise InputError(f"{path}: claims = {toml_value(exp.claims)} needs design.kind = \"contrasts\" (got \"{kind}\")")
        exp.contrasts[:0] = _claim_contrasts(path, exp.claims)
    if kind == "contrasts":
        if not exp.contrasts:
            raise InputError(f"{path}: design.kind = \"contrasts\" needs at least one [[contrasts]] table (or claims = \"claims\")")
        if exp.parameters:
            raise InputError(f"{path}: [parameters] is not used by design.kind = \"contrasts\"; put levers in [fixed] or in a contrast's set")
        if not exp.uses_model:
            raise InputError(f"{path}: design.kind = \"contrasts\" compares scenarios: give base = \"SCENARIO\"")
        names = [c.name for c in exp.contrasts]
        for n in names:
            if names.count(n) > 1:
                raise InputError(f"{path}: contrasts: name \"{n}\" is used twice; each contrast needs its own name")
    elif exp.contrasts:
        raise InputError(f"{path}: [[contrasts]] needs design.kind = \"contrasts\" (got \"{kind}\")")
    if kind in ("lhs", "sobol", "morris"):
        if d.samples is None:
            raise InputError(f"{path}: design.samples is required for design.kind = \"{kind}\" ({Design.model_fields['samples'].description})")
        if not exp.parameters:
            raise InputError(f"{path}: design.kind = \"{kind}\" needs at least one ranged parameter in [parameters]")
    elif d.samples is not None:
        raise InputError(f"{path}: design.samples = {d.samples}: not used by design.kind = \"{kind}\" (only lhs, sobol, morris)")
    if kind == "sobol" and d.samples & (d.samples - 1):
        raise InputError(f"{path}: design.samples = {d.samples}: Sobol sampling needs a power of 2 (e.g. {1 << (d.samples.bit_length() - 1)} or {1 << d.samples.bit_length()})")
    if kind == "morris" and d.levels is not None and d.levels % 2:
        raise InputError(f"{path}: design.levels = {d.levels}: Morris needs an even number of levels (e.g. 4 or 6)")
    if d.second_order and kind != "sobol":
        raise InputError(f"{path}: design.second_order = true: only used by design.kind = \"sobol\"")
    if exp.seeds == "sequential" and exp.seed + exp.replications - 1 > 2**63 - 1:
        raise InputError(f"{path}: seed = {exp.seed} with replications = {exp.replications} and seeds = \"sequential\": "
                         f"the last seed, {exp.seed + exp.replications - 1}, is over 2^63 − 1")
    if exp.metrics is None and not exp.uses_model:
        raise InputError(f"{path}: missing key 'metrics': a custom function without a base scenario must list the metrics it returns")
    if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", exp.function):
        raise InputError(f"{path}: function = {toml_value(exp.function)}: must be \"package.module:callable\"")
