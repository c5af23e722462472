"""Scenario files: TOML with `extends` inheritance, validated into a Scenario."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sandbox.errors import InputError
from sandbox.params import LEAVES, SECTIONS, Scenario, range_of
from sandbox.scenarios import SCENARIO_DIR

TOP_LEVEL = {"extends", "description", "description_zh"}
MAX_EXTENDS = 64      # an inheritance chain longer than this is refused, not followed
MAX_NAME = 255        # the longest file name most file systems allow
MAX_SHOWN = 80        # values in messages are cut to this many characters


def scenario_names(directory: Path = SCENARIO_DIR) -> list[str]:
    """Names of the scenario files shipped in (or placed in) the scenarios folder."""
    return sorted(p.stem for p in directory.glob("*.toml"))


def scenario_label(name_or_path: str | Path) -> str:
    """What a scenario is called in tables and folder names: its name, or its file's stem."""
    return Path(str(name_or_path)).stem


def is_file(path: Path) -> bool:
    """Path.is_file() that answers False, not OSError, for a name too long or otherwise unusable."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _check_name(text: str, file_noun: str) -> None:
    if "\0" in text:
        raise InputError(f"{_cut(text)}: a {file_noun} name cannot contain a NUL character")
    for part in Path(text).parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME:
            raise InputError(f"{_cut(text)}: a name in this path is {len(part)} characters long; "
                             f"{file_noun} names have at most {MAX_NAME} bytes")


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def resolve_named_toml(name_or_path: str | Path, directory: Path, noun: str, file_noun: str) -> Path:
    """A name of a TOML file in `directory` (`integrated_grid`) or a path to one; InputError
    listing the known names (with a did-you-mean) when there is none."""
    text = str(name_or_path)
    _check_name(text, file_noun)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        if not is_file(path):
            raise InputError(f"{text}: no such {file_noun} file")
        return path
    _check_name(f"{text}.toml", file_noun)
    path = directory / f"{text}.toml"
    if not is_file(path):
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



def read_toml_text(path: Path) -> tuple[str, dict[str, Any]]:
    """(text, data) of a TOML file; InputError for anything that is not a readable UTF-8 TOML file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}); "
                         "TOML files are UTF-8") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml_text(path)[1]


def _check_keys(path: Path, data: dict[str, Any]) -> None:
    """Unknown keys get a did-you-mean naming the full key path."""
    for key, value in data.items():
        if key in TOP_LEVEL:
            continue
        if key not in SECTIONS:
            hint = _did_you_mean(key, sorted(SECTIONS) + sorted(TOP_LEVEL)) or f"; allowed: {', '.join(sorted(TOP_LEVEL))} and sections {', '.join(SECTIONS)}"
            raise InputError(f"{path}: unknown key '{_cut(key)}'{hint}")
        if not isinstance(value, dict):
            raise InputError(f"{path}: '{key}' must be a table ([{key}]), got {value!r}")
        fields = list(SECTIONS[key].model_fields)
        for leaf in value:
            if leaf not in fields:
                raise InputError(f"{path}: unknown key '{key}.{_cut(leaf)}'{_dym_path(key, leaf, fields)}")


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


def _load_chain(path: Path, directory: Path) -> dict[str, Any]:
    """The file merged over everything it extends, followed one file at a time (no recursion)."""
    chain: list[dict[str, Any]] = []
    seen: list[str] = []
    while True:
        key = str(path.resolve())
        if key in seen:
            names = [Path(p).stem for p in seen[seen.index(key):]] + [path.stem]
            raise InputError(f"{path}: extends loop: {' -> '.join(names)}")
        if len(seen) == MAX_EXTENDS:
            raise InputError(f"{path}: extends: a chain of more than {MAX_EXTENDS} files; "
                             f"a scenario may extend at most {MAX_EXTENDS - 1} others in a row")
        seen.append(key)
        data = _read_toml(path)
        _check_keys(path, data)
        parent = data.pop("extends", None)
        chain.append(data)
        if parent is None:
            break
        if not isinstance(parent, str):
            raise InputError(f"{path}: extends = {toml_value(parent)}: must be the name of another scenario")
        try:
            _check_name(f"{parent}.toml", "scenario")
            sibling = path.parent / f"{parent}.toml"
            # a user's own file may extend a file beside it, or any shipped scenario
            path = sibling if is_file(sibling) else resolve_path(parent, directory)
        except InputError as exc:
            raise InputError(f"{path}: extends: {exc.message}") from None
    merged: dict[str, Any] = {}
    for data in reversed(chain):
        merged = _merge(merged, data)
    return merged


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
    lo, hi = range_of(field)
    kind = "a whole number" if field.annotation is int else "a number"
    return f"must be {kind} from {lo} to {hi}"


def toml_value(value: Any) -> str:
    """A value as the user would have written it in TOML, for error messages (long ones cut)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{_cut(value)}"'
    try:
        return _cut(repr(value))
    except RecursionError:
        return f"(a {type(value).__name__} nested too deeply)"


def validate(data: dict[str, Any], source: str) -> Scenario:
    """Turn a merged dict into a Scenario, or raise InputError naming source and key."""
    try:
        return Scenario.model_validate(data)  # strict, yet TOML `3` is a fine float
    except ValidationError as exc:
        raise InputError(_describe_error(source, exc.errors()[0], data)) from None
    except RecursionError:
        raise InputError(f"{source}: values nested too deeply") from None


def parse_override(text: str) -> tuple[str, Any]:
    """`structure.one_window=true` or `one_window=true` → (dotted key, TOML value)."""
    key, sep, raw = text.partition("=")
    if not sep:
        raise InputError(f"--set {text}: expected KEY=VALUE, e.g. structure.one_window=true")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
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
    return path, _load_chain(path, directory)


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
