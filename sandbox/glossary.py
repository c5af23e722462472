"""The one lookup for user-facing names in Chinese and English."""

from __future__ import annotations

import tomllib
from functools import cache

from sandbox.catalogue import departments, matter_types
from sandbox.scenarios import DATA_DIR

LANGUAGES = ("zh", "en")


@cache
def glossary() -> dict[str, dict[str, tuple[str, str]]]:
    """Section -> key -> (zh, en); matters and departments come from their catalogues."""
    with (DATA_DIR / "glossary.toml").open("rb") as fh:
        data = tomllib.load(fh)
    out = {section: {k: (v[0], v[1]) for k, v in terms.items()} for section, terms in data.items()}
    out["matters"] = {k: (t.zh, t.en) for k, t in matter_types().items()}
    out["departments"] = {k: (d.zh, d.en) for k, d in departments().items()}
    out.update(_county_terms(set(out)))
    return out


def _county_terms(taken: set[str]) -> dict[str, dict[str, tuple[str, str]]]:
    """The county's names: glossary_county.toml, and stages, reasons, county metrics and reforms
    from their own files (sections may not repeat the township glossary's)."""
    from sandbox.county_metrics import glossary_sections

    with (DATA_DIR / "glossary_county.toml").open("rb") as fh:
        data = tomllib.load(fh)
    out = {section: {k: (v[0], v[1]) for k, v in terms.items()} for section, terms in data.items()}
    out.update(glossary_sections())
    clash = taken & set(out)
    if clash:
        raise ValueError(f"glossary sections defined twice: {sorted(clash)}")
    return out


def term(section: str, key: str, lang: str = "en") -> str:
    """Name of `key` in `section`; group variants of metrics (`trips_per_matter_elderly`) are composed."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGUAGES)}")
    i = LANGUAGES.index(lang)
    g = glossary()
    entry = g.get(section, {}).get(key)
    if entry is not None:
        return entry[i]
    if section == "metrics":
        for group, names in g["groups"].items():
            if key.endswith("_" + group) and key[: -len(group) - 1] in g["metrics"]:
                base = g["metrics"][key[: -len(group) - 1]][i]
                return f"{base}（{names[i]}）" if lang == "zh" else f"{base} ({names[i]})"
    if section == "places":
        for sec in ("departments",):
            if key in g[sec]:
                return g[sec][key][i]
    raise KeyError(f"no glossary entry for {section}.{key}")
