"""County scenario files: TOML with `extends`, townships by name or inline, validated into a
CountySpec — or one InputError naming the file, the key and what is allowed."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sandbox.county_params import LEVER_SECTIONS, County, LeaderStart, Pilot, ReformSettings, TownshipEntry
from sandbox.errors import InputError
from sandbox.params import LEAVES, SECTIONS, Scenario
from sandbox.reforms import STAGES, Reform, catalogue
from sandbox.scenario import _allowed, _merge, _read_toml, apply_overrides, dotted_key, load_raw, resolve_named_toml, toml_value, validate
from sandbox.scenarios import SCENARIO_DIR

COUNTY_DIR = SCENARIO_DIR / "county"
FIXED_SECTIONS = ("township", "population")  # who lives where is built once (TownshipModel.set_levers)
ENTRY_KEYS = tuple(f for f in TownshipEntry.model_fields if f != "levers")


@dataclass
class TownshipPlan:
    index: int
    name: str
    zh: str
    scenario: Scenario          # the township's own levers (its scenario, inline changes, overrides)
    x: float
    y: float
    stages: dict[str, int]      # reform → stage index at the start
    leader: LeaderStart


@dataclass
class CountySpec:
    path: Path
    name: str
    county: County
    townships: list[TownshipPlan]
    reforms: dict[str, Reform]                      # every reform, with this county's settings
    neighbours: dict[int, set[int]] = field(default_factory=dict)
    pairs: dict[int, set[int]] = field(default_factory=dict)
    attention: set[int] = field(default_factory=set)
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def agenda(self) -> list[str]:
        return [r for r, spec in self.reforms.items() if spec.agenda]

    @property
    def quarters(self) -> int:
        return self.county.horizon.years * 4


def county_names(directory: Path = COUNTY_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))


def is_county(name_or_path: str | Path) -> bool:
    """A shipped county scenario's name, or a TOML file with townships (or extending a county).
    Never raises: a file that cannot be read or parsed (too long a name, not UTF-8, nested too
    deep, an `extends` loop) is not a county, and the township loader reports it."""
    try:
        return _is_county(str(name_or_path))
    except (OSError, ValueError, RecursionError, TypeError):
        return False


def _is_county(text: str) -> bool:
    if not (text.endswith(".toml") or "/" in text or "\\" in text):
        return (COUNTY_DIR / f"{text}.toml").is_file()
    county_keys = {"townships", "every_township", "ties", "pilots", "mandates", "reforms", *LEVER_SECTIONS}
    path, seen = Path(text), set()
    while len(seen) < 64:  # an `extends` chain, followed without recursion; a loop is not a county
        key = str(path.resolve())
        if key in seen:
            return False
        seen.add(key)
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        if county_keys & set(data) or data.get("extends") in county_names():
            return True
        parent = data.get("extends")
        if not isinstance(parent, str) or not (path.parent / f"{parent}.toml").is_file():
            return False
        path = path.parent / f"{parent}.toml"
    return False


def describe_county(name: str) -> tuple[str, str]:
    data = _read_toml(resolve_named_toml(name, COUNTY_DIR, "county scenario", "county scenario"))
    return data.get("description", ""), data.get("description_zh", "")


# -- reading -------------------------------------------------------------------------------------

def _chain(path: Path, seen: list[str]) -> dict[str, Any]:
    key = str(path.resolve())
    if key in seen:
        names = [Path(p).stem for p in seen[seen.index(key):]] + [path.stem]
        raise InputError(f"{path}: extends loop: {' -> '.join(names)}")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError(f"{path}: extends = {toml_value(parent)}: must be the name of another county scenario")
    sibling = path.parent / f"{parent}.toml"
    try:
        parent_path = sibling if sibling.is_file() else resolve_named_toml(parent, COUNTY_DIR, "county scenario", "county scenario")
    except InputError as exc:
        raise InputError(f"{path}: extends: {exc}") from None
    base = _chain(parent_path, seen + [key])
    out = _merge(base, {k: v for k, v in data.items() if k not in ("reforms", "townships")})
    if "townships" in data:
        out["townships"] = _merge_townships(path, base.get("townships", []), data["townships"])
    if "reforms" in data:  # per-reform tables merge one level deeper
        reforms = dict(base.get("reforms", {}))
        for rid, settings in data["reforms"].items():
            reforms[rid] = {**reforms.get(rid, {}), **settings} if isinstance(settings, dict) else settings
        out["reforms"] = reforms
    return out


def _merge_townships(path: Path, base: Any, top: Any) -> Any:
    """A file extending another restates a township by name to change it (its tables merge one
    level deep) and lists new townships after the inherited ones."""
    if not (isinstance(base, list) and isinstance(top, list)):
        return top
    out = [dict(e) if isinstance(e, dict) else e for e in base]
    names = [e.get("name") if isinstance(e, dict) else None for e in out]
    for e in top:
        name = e.get("name") if isinstance(e, dict) else None
        if name is None or name not in names:
            out.append(e)
            continue
        old = out[names.index(name)]
        out[names.index(name)] = {k: ({**old[k], **v} if isinstance(v, dict) and isinstance(old.get(k), dict) else v)
                                  for k, v in {**old, **e}.items()}
    return out


def _did_you_mean(word: str, choices) -> str:
    choices = list(choices)
    # a close spelling, else a key the word begins (`tenure` → `tenure_min_years`)
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6) or [c for c in choices if c.startswith(str(word))]
    return f"; did you mean '{close[0]}'?" if close else ""


def _entry_label(data: dict[str, Any], i: int) -> str:
    entries = data.get("townships")
    name = entries[i].get("name") if isinstance(entries, list) and i < len(entries) and isinstance(entries[i], dict) else None
    return f"townships[{i}]" + (f" ({name})" if isinstance(name, str) else "")


def _split_entries(src: str, data: dict[str, Any]) -> None:
    """Township sections written inline ([townships.structure]) go under the entry's `levers`."""
    entries = data.get("townships")
    if entries is None:
        raise InputError(f"{src}: missing [[townships]]: a county needs at least one township (name and scenario)")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError(f"{src}: townships must be an array of tables ([[townships]])")
    for i, e in enumerate(entries):
        levers = {k: e.pop(k) for k in list(e) if k in SECTIONS}
        for k in e:
            if k not in ENTRY_KEYS:
                raise InputError(f"{src}: unknown key '{_entry_label(data, i)}.{k}'{_did_you_mean(k, [*ENTRY_KEYS, *SECTIONS])}; "
                                 f"allowed: {', '.join(ENTRY_KEYS)} and township sections ({', '.join(SECTIONS)})")
        e["levers"] = levers


# -- overrides (--set, sweeps) -------------------------------------------------------------------

COUNTY_LEAVES = {leaf: section for section, cls in LEVER_SECTIONS.items() for leaf in cls.model_fields}


def split_overrides(overrides: dict[str, Any], source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(county levers by path, township levers for every township). Keys: `leaders.tenure_min_years`
    (or a leaf that names one county lever), `reforms.one_form.money`, or any township lever."""
    county, township = {}, {}
    for key, value in overrides.items():
        parts = key.split(".")
        if parts[0] == "reforms":
            if len(parts) != 3 or parts[1] not in catalogue() or parts[2] not in ReformSettings.model_fields:
                rid = parts[1] if len(parts) > 1 else ""
                if rid not in catalogue():
                    raise InputError(f"{source}: unknown reform '{rid}' in '{key}'{_did_you_mean(rid, catalogue())}; reforms: {', '.join(catalogue())}")
                leaf = parts[2] if len(parts) > 2 else ""
                raise InputError(f"{source}: unknown key '{key}'{_did_you_mean(leaf, ReformSettings.model_fields)}; "
                                 f"allowed: reforms.{rid}.{{{', '.join(ReformSettings.model_fields)}}}")
            county[key] = value
        elif len(parts) == 2 and parts[0] in LEVER_SECTIONS:
            if parts[1] not in LEVER_SECTIONS[parts[0]].model_fields:
                raise InputError(f"{source}: unknown key '{key}'{_did_you_mean(parts[1], LEVER_SECTIONS[parts[0]].model_fields)}")
            county[key] = value
        elif len(parts) == 1 and key in COUNTY_LEAVES and key not in LEAVES:
            county[f"{COUNTY_LEAVES[key]}.{key}"] = value
        elif parts[0] in SECTIONS or (len(parts) == 1 and key in LEAVES):
            township[dotted_key(key, source)] = value
        else:
            known = [f"{s}.{leaf}" for leaf, s in COUNTY_LEAVES.items()] + list(LEAVES)
            raise InputError(f"{source}: unknown key '{key}'{_did_you_mean(key, known)}; a county lever (e.g. leaders.tenure_min_years), "
                             "reforms.<reform>.<setting>, or a township lever applied to every township")
    return county, township


def _apply_county(data: dict[str, Any], county: dict[str, Any]) -> dict[str, Any]:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for key, value in county.items():
        parts = key.split(".")
        if parts[0] == "reforms":
            reforms = out.setdefault("reforms", {})
            reforms[parts[1]] = {**reforms.get(parts[1], {}), parts[2]: value}
        else:
            out.setdefault(parts[0], {})[parts[1]] = value
    return out


# -- validation ----------------------------------------------------------------------------------

def _field_at(loc: tuple):
    model, fld = County, None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        fld = fields.get(str(part))
        if fld is None:
            return None
        ann = fld.annotation
        inner = getattr(ann, "__args__", ())
        nxt = next((a for a in (ann, *inner) if isinstance(a, type) and hasattr(a, "model_fields")), None)
        if nxt is None and inner:  # dict[str, ReformSettings] / list[Pilot]
            nxt = next((a for a in inner if isinstance(a, type) and hasattr(a, "model_fields")), None)
        model = nxt or model
    return fld


def _loc_text(loc: tuple, data: dict[str, Any]) -> str:
    text = ""
    for j, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
            if j > 0 and loc[j - 1] == "townships":
                text = _entry_label(data, part)
        else:
            text += f".{part}" if text else str(part)
    return text


def _value_at(data: Any, loc: tuple) -> Any:
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _describe(src: str, err: dict[str, Any], data: dict[str, Any]) -> str:
    loc = tuple(p for p in err["loc"] if p not in ("function-after",))
    where = _loc_text(loc, data)
    if err["type"] == "extra_forbidden":
        parent = _field_at(loc[:-1])
        model = County if len(loc) == 1 else None
        if parent is not None:
            ann = parent.annotation
            model = next((a for a in (ann, *getattr(ann, "__args__", ())) if isinstance(a, type) and hasattr(a, "model_fields")), None)
        allowed = list(model.model_fields) if model is not None else []
        if len(loc) == 1:
            allowed = [*allowed, "extends"]
        return f"{src}: unknown key '{where}'{_did_you_mean(loc[-1], allowed)}" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if err["type"] == "missing":
        return f"{src}: missing key '{where}'"
    fld = _field_at(loc)
    value = _value_at(data, loc)
    if fld is not None and fld.annotation in (bool, int, float, int | None, float | None):
        return f"{src}: {where} = {toml_value(value)}: {_allowed(fld)}"
    if where == "townships" and err["type"] == "too_short":
        return f"{src}: townships: a county needs at least one township"
    if where.endswith(".name") and err["type"] == "string_pattern_mismatch":
        return f"{src}: {where} = {toml_value(value)}: must start with a letter and use letters, digits, '_' or '-'"
    msg = err["msg"][0].lower() + err["msg"][1:]
    return f"{src}: {where} = {toml_value(value)}: {msg}"


def _validate(src: str, data: dict[str, Any]) -> County:
    try:
        return County.model_validate(_coerce(data))
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        raise InputError(_describe(src, errors[0], data)) from None


def _coerce(data: dict[str, Any]) -> dict[str, Any]:
    """TOML `3` for a float field is fine; strict mode would refuse it."""
    def fix(model, values):
        if not isinstance(values, dict):
            return values
        out = dict(values)
        for k, v in values.items():
            f = model.model_fields.get(k)
            if f is not None and f.annotation in (float, float | None) and type(v) is int:
                out[k] = float(v)
        return out

    out = dict(data)
    for section, cls in LEVER_SECTIONS.items():
        if section in out:
            out[section] = fix(cls, out[section])
    if isinstance(out.get("reforms"), dict):
        out["reforms"] = {k: fix(ReformSettings, v) for k, v in out["reforms"].items()}
    for key, cls in (("pilots", Pilot), ("townships", TownshipEntry)):
        if isinstance(out.get(key), list):
            out[key] = [fix(cls, e) for e in out[key]]
    if isinstance(out.get("townships"), list):
        out["townships"] = [{**e, "leader": fix(LeaderStart, e["leader"])} if isinstance(e, dict) and isinstance(e.get("leader"), dict) else e
                            for e in out["townships"]]
    return out


def _check(src: str, c: County) -> None:
    """Rules that tie keys together: names, ties, reforms, stages, pilots, mandates, tenure."""
    names = [t.name for t in c.townships]
    for i, n in enumerate(names):
        if names.index(n) != i:
            raise InputError(f"{src}: townships[{i}].name = \"{n}\": used twice; every township needs its own name")
    known = set(names)

    def township(where: str, name: str) -> None:
        if name not in known:
            raise InputError(f"{src}: {where} = \"{name}\": no such township{_did_you_mean(name, names)}; townships: {', '.join(names)}")

    def reform(where: str, rid: str) -> None:
        if rid not in catalogue():
            raise InputError(f"{src}: {where} = \"{rid}\": no such reform{_did_you_mean(rid, catalogue())}; reforms: {', '.join(catalogue())}")

    for kind in ("neighbours", "pairs"):
        for j, pair in enumerate(getattr(c.ties, kind)):
            if len(pair) != 2 or pair[0] == pair[1]:
                raise InputError(f"{src}: ties.{kind}[{j}] = {pair!r}: must name two different townships")
            for name in pair:
                township(f"ties.{kind}[{j}]", name)
    for j, name in enumerate(c.ties.attention):
        township(f"ties.attention[{j}]", name)
    for rid in c.reforms:
        reform("reforms", rid)
    for i, t in enumerate(c.townships):
        for rid, stage in t.reforms.items():
            reform(f"townships[{i}] ({t.name}).reforms", rid)
            if stage not in STAGES:
                raise InputError(f"{src}: townships[{i}] ({t.name}).reforms.{rid} = \"{stage}\": must be one of {', '.join(STAGES)}")
        L = t.leader
        if L.tenure_years is not None and not c.leaders.tenure_min_years <= L.tenure_years <= c.leaders.tenure_max_years:
            raise InputError(f"{src}: townships[{i}] ({t.name}).leader.tenure_years = {L.tenure_years}: must be from "
                             f"leaders.tenure_min_years ({c.leaders.tenure_min_years}) to leaders.tenure_max_years ({c.leaders.tenure_max_years})")
        if L.served_years is not None and L.served_years >= (L.tenure_years or c.leaders.tenure_max_years):
            raise InputError(f"{src}: townships[{i}] ({t.name}).leader.served_years = {L.served_years}: must be less than the leader's term "
                             f"({L.tenure_years or c.leaders.tenure_max_years} years)")
    quarters = c.horizon.years * 4
    for j, p in enumerate(c.pilots):
        township(f"pilots[{j}].township", p.township)
        reform(f"pilots[{j}].reform", p.reform)
        if p.quarter >= quarters:
            raise InputError(f"{src}: pilots[{j}].quarter = {p.quarter}: must be before the last quarter ({quarters - 1} at most for horizon.years = {c.horizon.years})")
    for j, m in enumerate(c.mandates):
        reform(f"mandates[{j}].reform", m.reform)
        if m.quarter >= quarters:
            raise InputError(f"{src}: mandates[{j}].quarter = {m.quarter}: must be before the last quarter ({quarters - 1} at most for horizon.years = {c.horizon.years})")
    L = c.leaders
    if L.tenure_min_years > L.tenure_max_years:
        raise InputError(f"{src}: leaders.tenure_min_years = {L.tenure_min_years}: must not exceed leaders.tenure_max_years = {L.tenure_max_years}")
    if L.tenure_min_years > c.horizon.years:
        raise InputError(f"{src}: leaders.tenure_min_years = {L.tenure_min_years}: longer than horizon.years = {c.horizon.years}; "
                         f"leaders' terms must be at most the horizon (1 to {c.horizon.years} years), or lengthen the horizon")


def _township_scenario(src: str, path: Path, i: int, c: County, every: dict[str, Any], township_overrides: dict[str, Any]) -> Scenario:
    t = c.townships[i]
    label = f"{src}: townships[{i}] ({t.name})"
    ref = t.scenario
    sibling = path.parent / f"{ref}.toml"
    try:
        if ref.endswith(".toml") or "/" in ref:
            ref_path = Path(ref) if Path(ref).is_absolute() else path.parent / ref
            _, data = load_raw(ref_path)
        else:
            _, data = load_raw(sibling if sibling.is_file() else ref)
    except InputError as exc:
        raise InputError(f"{label}.scenario: {exc.message}") from None
    for where, levers in (("every_township", every), (f"townships[{i}] ({t.name})", t.levers)):
        for section, values in levers.items():
            if section not in SECTIONS:
                raise InputError(f"{src}: unknown key '{where}.{section}'{_did_you_mean(section, SECTIONS)}; township sections: {', '.join(SECTIONS)}")
            if not isinstance(values, dict):
                raise InputError(f"{src}: '{where}.{section}' must be a table of levers, got {toml_value(values)}")
            data = apply_overrides(data, {f"{section}.{k}": v for k, v in values.items()}, f"{src}: {where}")
    if township_overrides:
        data = apply_overrides(data, township_overrides, f"{label} (with overrides)")
    return validate(data, label)


def _check_pilot_levers(src: str, c: County, scenarios: dict[str, Scenario]) -> None:
    for j, p in enumerate(c.pilots):
        where = f"{src}: pilots[{j}].levers"
        keys = {}
        for k, v in p.levers.items():
            key = dotted_key(k, where)
            if key.partition(".")[0] in FIXED_SECTIONS:
                raise InputError(f"{where}: '{k}' cannot change during a run (residents and villages are built once); "
                                 f"a package may change levers outside [{'], ['.join(FIXED_SECTIONS)}]")
            keys[key] = v
        validate(apply_overrides(scenarios[p.township].model_dump(), keys), where)


def load_county(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> CountySpec:
    """Load, inherit, override and validate a county scenario; InputError on any bad input.
    The file is checked on its own first, so an error names the file, not the overrides."""
    path = resolve_named_toml(name_or_path, COUNTY_DIR, "county scenario", "county scenario")
    raw = _chain(path, [])
    src = str(path)
    _split_entries(src, raw)
    county_o, township_o = split_overrides(overrides or {}, f"{src} (with overrides)")
    c = _validate(src, raw)
    _check(src, c)
    if county_o:
        src = f"{src} (with overrides)"
        raw = _apply_county(raw, county_o)
        c = _validate(src, raw)
        _check(src, c)
    every = c.every_township
    scenarios = {t.name: _township_scenario(str(path), path, i, c, every, township_o) for i, t in enumerate(c.townships)}
    _check_pilot_levers(str(path), c, scenarios)
    reforms = {rid: r.with_settings(c.reforms.get(rid, ReformSettings())) for rid, r in catalogue().items()}
    for j, p in enumerate(c.pilots):
        if not reforms[p.reform].agenda:
            raise InputError(f"{src}: pilots[{j}].reform = \"{p.reform}\": the reform is off the county's agenda (reforms.{p.reform}.agenda = false)")
    for j, m in enumerate(c.mandates):
        if not reforms[m.reform].agenda:
            raise InputError(f"{src}: mandates[{j}].reform = \"{m.reform}\": the reform is off the county's agenda (reforms.{m.reform}.agenda = false)")
    index = {t.name: i for i, t in enumerate(c.townships)}
    plans = []
    for i, t in enumerate(c.townships):
        sc = scenarios[t.name]
        stages = {rid: STAGES.index(t.reforms[rid]) if rid in t.reforms else
                  (STAGES.index("institutionalised") if r.in_scenario(sc) else 0) for rid, r in reforms.items()}
        plans.append(TownshipPlan(i, t.name, t.zh or t.name, sc, t.x, t.y, stages, t.leader))
    spec = CountySpec(path, path.stem, c, plans, reforms, overrides=dict(overrides or {}))
    for kind, target in (("neighbours", spec.neighbours), ("pairs", spec.pairs)):
        for a, b in getattr(c.ties, kind):
            target.setdefault(index[a], set()).add(index[b])
            target.setdefault(index[b], set()).add(index[a])
    spec.attention = {index[n] for n in c.ties.attention}
    return spec
