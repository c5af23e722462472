"""The one lookup for user-facing names in Chinese and English: scenarios/data/glossary.toml, with
matters and departments from their catalogues and metrics and resident groups from the metric
registry (scenarios/data/metrics.toml)."""

from __future__ import annotations

import tomllib
from functools import cache

from sandbox.catalogue import departments, matter_types
from sandbox.metric_registry import groups, metrics, participation_window_days
from sandbox.scenarios import DATA_DIR

LANGUAGES = ("zh", "en")


@cache
def glossary() -> dict[str, dict[str, tuple[str, str]]]:
    """Section -> key -> (zh, en); matters, departments, metrics and groups come from their catalogues."""
    with (DATA_DIR / "glossary.toml").open("rb") as fh:
        data = tomllib.load(fh)
    window = str(participation_window_days())  # the one number some labels quote

    def fill(text: str) -> str:
        return text.replace("{participation_window_days}", window)

    out = {section: {k: (fill(v[0]), fill(v[1])) for k, v in terms.items()} for section, terms in data.items()}
    out["matters"] = {k: (t.zh, t.en) for k, t in matter_types().items()}
    out["departments"] = {k: (d.zh, d.en) for k, d in departments().items()}
    out["metrics"] = {k: (m.zh, m.en) for k, m in metrics().items()}
    out["groups"] = dict(groups())
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
    """Name of `key` in `section` in `lang` ("zh" or "en")."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGUAGES)}")
    i = LANGUAGES.index(lang)
    g = glossary()
    entry = g.get(section, {}).get(key)
    if entry is not None:
        return entry[i]
    if section == "places":
        for sec in ("departments",):
            if key in g[sec]:
                return g[sec][key][i]
    raise KeyError(f"no glossary entry for {section}.{key}")
