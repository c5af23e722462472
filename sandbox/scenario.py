"""Scenario files: TOML with `extends` inheritance, validated into a Scenario."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sandbox.errors import InputError
from sandbox.params import LEAVES, SECTIONS, Scenario
from sandbox.scenarios import SCENARIO_DIR

TOP_LEVEL = {"extends", "description", "description_zh"}


def scenario_names(directory: Path = SCENARIO_DIR) -> list[str]:
    """Names of the scenario files shipped in (or placed in) the scenarios folder."""
    return sorted(p.stem for p in directory.glob("*.toml"))


def resolve_named_toml(name_or_path: str | Path, directory: Path, noun: str, file_noun: str) -> Path:
    """A name of a TOML file in `directory` (`integrated_grid`) or a path to one; InputError
    listing the known names (with a did-you-mean) when there is none."""
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        if not path.is_file():
            raise InputError(f"{text}: no such {file_noun} file")
        return path
    path = directory / f"{text}.toml"
    if not path.is_file():
        names = sorted(p.stem for p in directory.glob("*.toml"))
        hint = _did_you_mean(text, names)
        raise InputError(f"{noun} '{text}' not found{hint or '.'} Known {noun}s: {', '.join(names)}")
    return path


def resolve_path(name_or_path: str | Path, directory: Path = SCENARIO_DIR) -> Path:
    """A scenario name (`integrated_grid`) or a path to a TOML file."""
    return resolve_named_toml(name_or_path, directory, "scenario", "scenario")


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""



def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _check_keys(path: Path, data: dict[str, Any]) -> None:
    """Unknown keys get a did-you-mean naming the full key path."""
    for key, value in data.items():
        if key in TOP_LEVEL:
            continue
        if key not in SECTIONS:
            hint = _did_you_mean(key, sorted(SECTIONS) + sorted(TOP_LEVEL)) or f"; allowed: {', '.join(sorted(TOP_LEVEL))} and sections {', '.join(SECTIONS)}"
            raise InputError(f"{path}: unknown key '{key}'{hint}")
        if not isinstance(value, dict):
            raise InputError(f"{path}: '{key}' must be a table ([{key}]), got {value!r}")
        fields = list(SECTIONS[key].model_fields)
        for leaf in value:
            if leaf not in fields:
                raise InputError(f"{path}: unknown key '{key}.{leaf}'{_dym_path(key, leaf, fields)}")


def _dym_path(section: str, leaf: str, fields: list[str]) -> str:
    close = difflib.get_close_matches(leaf, fields, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{section}.{close[0]}'?"
    if leaf in LEAVES:
        return f"; '{leaf}' belongs in [{LEAVES[leaf][0]}]"
    return f"; allowed in [{section}]: {', '.join(fields)}"


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def _load_chain(path: Path, directory: Path, seen: list[str]) -> dict[str, Any]:
    key = str(path.resolve())
    if key in seen:
        names = [Path(p).stem for p in seen[seen.index(key):]] + [path.stem]
        raise InputError(f"{path}: extends loop: {' -> '.join(names)}")
    data = _read_toml(path)
    _check_keys(path, data)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError(f"{path}: extends = {parent!r}: must be the name of another scenario")
    sibling = path.parent / f"{parent}.toml"
    try:
        # a user's own file may extend a file beside it, or any shipped scenario
        parent_path = sibling if sibling.is_file() else resolve_path(parent, directory)
    except InputError as exc:
        raise InputError(f"{path}: extends: {exc}") from None
    return _merge(_load_chain(parent_path, directory, seen + [key]), data)


def _describe_error(source: str, err: dict[str, Any], raw: dict[str, Any]) -> str:
    loc = ".".join(str(x) for x in err["loc"])
    value: Any = raw
    for part in err["loc"]:
        value = value.get(part) if isinstance(value, dict) else None
    section, _, leaf = loc.partition(".")
    field = SECTIONS[section].model_fields.get(leaf) if section in SECTIONS else None
    allowed = _allowed(field) if field is not None else err["msg"]
    return f"{source}: {loc} = {toml_value(value)}: {allowed}"


def _allowed(field) -> str:
    if field.annotation is bool:
        return "must be true or false"
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    kind = "a whole number" if field.annotation is int else "a number"
    return f"must be {kind} from {lo} to {hi}"


def toml_value(value: Any) -> str:
    """A value as the user would have written it in TOML, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def validate(data: dict[str, Any], source: str) -> Scenario:
    """Turn a merged dict into a Scenario, or raise InputError naming source and key."""
    try:
        return Scenario.model_validate(_coerce_floats(data))
    except ValidationError as exc:
        raise InputError(_describe_error(source, exc.errors()[0], data)) from None


def _coerce_floats(data: dict[str, Any]) -> dict[str, Any]:
    """TOML `3` for a float field is fine; strict mode would refuse it."""
    out = dict(data)
    for section, values in data.items():
        if section in SECTIONS and isinstance(values, dict):
            fields = SECTIONS[section].model_fields
            out[section] = {
                k: float(v) if k in fields and fields[k].annotation is float and type(v) is int else v
                for k, v in values.items()
            }
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """`structure.one_window=true` or `one_window=true` → (dotted key, TOML value)."""
    key, sep, raw = text.partition("=")
    if not sep:
        raise InputError(f"--set {text}: expected KEY=VALUE, e.g. structure.one_window=true")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.strip(), value


def dotted_key(key: str, source: str = "override") -> str:
    """Accept a leaf (`one_window`) or a path (`structure.one_window`)."""
    if "." in key:
        section, _, leaf = key.partition(".")
        if section in SECTIONS and leaf in SECTIONS[section].model_fields:
            return key
        fields = list(SECTIONS[section].model_fields) if section in SECTIONS else []
        hint = _dym_path(section, leaf, fields) if fields else _did_you_mean(key, [f"{s}.{l}" for l, (s, _) in LEAVES.items()])
        raise InputError(f"{source}: unknown key '{key}'{hint}")
    if key in LEAVES:
        return f"{LEAVES[key][0]}.{key}"
    raise InputError(f"{source}: unknown key '{key}'{_did_you_mean(key, sorted(LEAVES))}")


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any], source: str = "override") -> dict[str, Any]:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for key, value in overrides.items():
        section, _, leaf = dotted_key(key, source).partition(".")
        out.setdefault(section, {})[leaf] = value
    return out


def load_raw(name_or_path: str | Path, directory: Path = SCENARIO_DIR) -> tuple[Path, dict[str, Any]]:
    path = resolve_path(name_or_path, directory)
    return path, _load_chain(path, directory, [])


def load_scenario(
    name_or_path: str | Path = "base",
    overrides: dict[str, Any] | None = None,
    directory: Path = SCENARIO_DIR,
) -> Scenario:
    """Load, inherit, override and validate a scenario; InputError on any bad input.
    The file is checked on its own first, so an error names the file, not the overrides."""
    path, data = load_raw(name_or_path, directory)
    scenario = validate(data, str(path))
    if not overrides:
        return scenario
    source = f"{path} (with overrides)"
    return validate(apply_overrides(data, overrides, source), source)


def build_scenario(scenario: str | Path | Scenario = "base", **params: Any) -> Scenario:
    """A Scenario from a name/path or object plus leaf or `section__leaf` keyword overrides."""
    overrides = {k.replace("__", "."): v for k, v in params.items()}
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        return validate(apply_overrides(scenario.model_dump(), overrides, "parameters"), "parameters")
    return load_scenario(scenario, overrides)


def flat_params(scenario: Scenario) -> dict[str, Any]:
    """Dotted key → value for every lever, for tables and JSON."""
    return {
        f"{section}.{leaf}": value
        for section in SECTIONS
        for leaf, value in getattr(scenario, section).model_dump().items()
    }


def describe(name: str, directory: Path = SCENARIO_DIR) -> tuple[str, str]:
    """(English, Chinese) one-line descriptions of a scenario file."""
    data = _read_toml(resolve_path(name, directory))
    return data.get("description", ""), data.get("description_zh", "")
