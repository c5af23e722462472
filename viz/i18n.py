"""Language of a browser session and every user-facing text, from the one glossary.

`language` is a module-level reactive holding a str: Solara keeps one value per
browser session, so trainee A switching to English leaves trainee B in Chinese.
"""

from __future__ import annotations

import solara

from sandbox.glossary import term

DEFAULT = "zh"  # trainees read Chinese first
language = solara.reactive(DEFAULT)


def tr(section: str, key: str, lang: str, **fields) -> str:
    """Glossary text in `lang`, with {placeholders} filled from `fields`."""
    text = term(section, key, lang)
    return text.format(**fields) if fields else text


def t(section: str, key: str, **fields) -> str:
    """Glossary text in the session's language."""
    return tr(section, key, language.value, **fields)


def ui(key: str, **fields) -> str:
    """A dashboard label (glossary section [ui]) in the session's language."""
    return tr("ui", key, language.value, **fields)
