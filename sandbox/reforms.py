"""The reform catalogue (scenarios/data/reforms.toml): which township levers each reform switches
on, which fidelity levers follow its fidelity, what it costs, and how leaders judge it.

Data, not code: adding a reform, or mapping one to levers the township model gains later, is an
edit of the TOML file; this module only reads and checks it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sandbox.params import LEAVES, SECTIONS, Scenario, range_of
from sandbox.scenarios import DATA_DIR

STAGES = ("not_adopted", "pilot", "adapted", "institutionalised", "optimised")
NOT_ADOPTED, PILOT, ADAPTED, INSTITUTIONALISED, OPTIMISED = range(5)


@dataclass(frozen=True)
class Reform:
    id: str
    zh: str
    en: str
    essay: str
    switches: dict[str, bool]                  # dotted lever → value while in force
    follows: dict[str, tuple[float, float]]    # dotted lever → (value at fidelity 0, at fidelity 1)
    base_fidelity: float
    evidence: dict[str, float]                 # indicator → weight (+: higher is better)
    money: float                               # 万元 per 10,000 residents per year
    staff: float                               # staff per 10,000 residents
    attention: float                           # share of a leader's attention while piloted or adapted
    consolidates_forms: bool = False           # merges county bureaus' forms (see reforms.toml)
    kaohe: float = 0.0                         # 考核 points the county awards (county setting)
    agenda: bool = True                        # on the county's agenda (county setting)

    def levers(self, fidelity: float) -> dict[str, Any]:
        """The township levers of this reform in force at `fidelity`."""
        f = min(1.0, max(0.0, fidelity))
        out: dict[str, Any] = dict(self.switches)
        for key, (at0, at1) in self.follows.items():
            out[key] = at0 + (at1 - at0) * f
        return out

    def own_levers(self, scenario: Scenario) -> dict[str, Any]:
        """The township's own values of every lever this reform touches (what dropping it restores)."""
        return {key: _get(scenario, key) for key in (*self.switches, *self.follows)}

    def in_scenario(self, scenario: Scenario) -> bool:
        """Whether a township scenario already has every switch of this reform on."""
        return all(_get(scenario, k) == v for k, v in self.switches.items())

    def with_settings(self, settings) -> Reform:
        """This reform with a county's own settings (ReformSettings) applied."""
        changes = {k: getattr(settings, k) for k in ("money", "staff", "attention", "base_fidelity") if getattr(settings, k) is not None}
        return replace(self, kaohe=settings.kaohe, agenda=settings.agenda, **changes)


def _get(scenario: Scenario, dotted: str) -> Any:
    section, _, leaf = dotted.partition(".")
    return getattr(getattr(scenario, section), leaf)


def _dotted(key: str, where: str) -> str:
    if "." in key:
        section, _, leaf = key.partition(".")
        if section in SECTIONS and leaf in SECTIONS[section].model_fields:
            return key
    elif key in LEAVES:
        return f"{LEAVES[key][0]}.{key}"
    raise ValueError(f"{where}: '{key}' is not a township lever (sandbox/params.py)")


def _lever_range(dotted: str) -> tuple[type, float | None, float | None]:
    section, _, leaf = dotted.partition(".")
    field = SECTIONS[section].model_fields[leaf]
    return (field.annotation, *range_of(field))


@cache
def catalogue() -> dict[str, Reform]:
    """Reforms keyed by id, in file order; ValueError naming the reform and key on bad data."""
    from sandbox.county_metrics import indicators

    path = DATA_DIR / "reforms.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    out = {}
    owner: dict[str, str] = {}
    known_indicators = indicators()
    for rid, v in data.items():
        where = f"{path}: [{rid}]"
        switches = {_dotted(k, where): val for k, val in v["switches"].items()}
        for k, val in switches.items():
            if _lever_range(k)[0] is not bool or not isinstance(val, bool):
                raise ValueError(f"{where}: switches.{k} must be a true/false lever set to true or false")
        follows = {}
        for k, pair in v.get("follows", {}).items():
            key = _dotted(k, where)
            kind, lo, hi = _lever_range(key)
            if kind is not float or len(pair) != 2 or not all(lo <= float(x) <= hi for x in pair):
                raise ValueError(f"{where}: follows.{k} = {pair}: needs [at_zero, at_one] within the lever's range {lo}..{hi}")
            follows[key] = (float(pair[0]), float(pair[1]))
        evidence = dict(v["evidence"])
        unknown = [k for k in evidence if k not in known_indicators]
        if unknown:
            raise ValueError(f"{where}: evidence names unknown indicators {unknown}; see county_metrics.toml [indicators]")
        for key in (*switches, *follows):
            if key in owner:
                raise ValueError(f"{where}: {key} is already a lever of [{owner[key]}]; no two reforms may touch the same lever")
            owner[key] = rid
        out[rid] = Reform(id=rid, zh=v["zh"], en=v["en"], essay=v.get("essay", ""), switches=switches, follows=follows,
                          base_fidelity=float(v["base_fidelity"]), evidence=evidence, money=float(v["money"]),
                          staff=float(v["staff"]), attention=float(v["attention"]),
                          consolidates_forms=bool(v.get("consolidates_forms", False)))
    return out
