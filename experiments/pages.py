"""HTML reports of discovery and search from Jinja2 templates (experiments/templates/), plots as
embedded PNGs: one self-contained file, no outside assets (intranets)."""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sandbox.report import fmt

TEMPLATES = Path(__file__).parent / "templates"
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC")


@cache
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = number
    env.filters["pct"] = lambda x: "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{100 * x:.0f} %"
    return env


def render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def number(x) -> str:
    """Numbers as in the other reports (3 significant digits); None and NaN as a dash; anything else as text."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) and x is not None:
        return str(x)
    if isinstance(x, int):
        return f"{x:,}" if abs(x) >= 10000 else str(x)
    return fmt(x)


@cache
def cjk_font() -> str | None:
    """A font with Chinese glyphs if the machine has one (Debian: fonts-wqy-microhei); plots fall back to English."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in names), None)


@contextmanager
def figure_style():
    """Plots in this block may use Chinese labels when a CJK font exists."""
    font = cjk_font()
    # user-given names ($ in a resource or a file name) are text, never mathtext
    with plt.rc_context({"font.family": ["DejaVu Sans", font] if font else ["DejaVu Sans"], "axes.unicode_minus": False,
                         "text.parse_math": False}):
        yield


def bilingual(zh: str, en: str) -> str:
    """`中文 / English` in plots when Chinese can be drawn, else English."""
    return f"{zh} / {en}" if cjk_font() and zh != en else en


def plot_label(label, name: str) -> str:
    """A glossary label (`label(name, lang)`) for a plot."""
    return bilingual(label(name, "zh"), label(name, "en"))
