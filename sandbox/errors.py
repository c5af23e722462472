"""The one error type for bad user input: its message is shown as is, exit code 2."""

from __future__ import annotations

import unicodedata

# characters that move the cursor, reorder text or hide it in a terminal
_BIDI = {"\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


class InputError(Exception):
    """Bad scenario file, CLI argument, sweep definition or dashboard value."""

    @property
    def message(self) -> str:
        """The message on one line, control characters from files escaped."""
        return printable(str(self.args[0])) if self.args else ""


def printable(text: str) -> str:
    """`text` with control, bidirectional and line-separator characters escaped (`\\x1b`, `\\n`,
    `\\u202e`), so text read from a file cannot rewrite the terminal or split a message."""
    out = []
    for ch in text:
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
