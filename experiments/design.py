"""Design points from factors: full grid, Latin hypercube (scipy.stats.qmc), Sobol and Morris (SALib).

A factor is ranged (`{low, high}`: continuous, rounded for whole-number levers) or listed
(`[a, b, c]`). Sampling designs treat a listed factor as a uniform draw on [0, 1) cut into
equal bins, one per value — the usual way to put a switch or a scenario into a sensitivity
analysis.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Factor:
    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] | None = None
    integer: bool = False

    @property
    def ranged(self) -> bool:
        return self.values is None

    @property
    def bounds(self) -> tuple[float, float]:
        return (self.low, self.high) if self.ranged else (0.0, 1.0)

    def value(self, x: float) -> Any:
        """The lever value at sample coordinate x (within `bounds`)."""
        if self.ranged:
            return int(round(x)) if self.integer else float(x)
        k = len(self.values)
        return self.values[min(int(x * k), k - 1)]

    def levels(self, n: int | None) -> list[Any]:
        if not self.ranged:
            return list(self.values)
        raw = np.linspace(self.low, self.high, n)
        vals = [self.value(x) for x in raw]
        return list(dict.fromkeys(vals))  # rounding whole numbers can merge levels

    def describe(self) -> dict[str, Any]:
        if self.ranged:
            return {"name": self.name, "low": self.low, "high": self.high, "integer": self.integer}
        return {"name": self.name, "values": list(self.values)}


def salib(part: str, method: str, kind: str):
    """SALib's `SALib.<part>.<method>` module, or InputError saying which extra installs it."""
    import importlib

    try:
        return importlib.import_module(f"SALib.{part}.{method}")
    except ImportError:
        from sandbox.errors import InputError

        raise InputError(f"design.kind = \"{kind}\" needs SALib, which is not installed: "
                         "pip install 'grassroots-sandbox[sweeps]'") from None


def problem(factors: list[Factor]) -> dict[str, Any]:
    """The SALib problem dict: sampling and analysis use the same one."""
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [list(f.bounds) for f in factors]}


def design_size(kind: str, factors: list[Factor], samples: int | None = None, levels: int | None = None,
                second_order: bool = False) -> int:
    """How many design points a design has, computed before any is drawn."""
    d = len(factors)
    if kind in ("grid", "contrasts"):
        n = 1
        for f in factors:
            n *= len(f.values) if not f.ranged else (levels or 0)
        return n
    if kind == "lhs":
        return samples or 0
    if kind == "sobol":
        return (samples or 0) * (2 * d + 2 if second_order else d + 2)
    if kind == "morris":
        return (samples or 0) * (d + 1)
    raise ValueError(f"unknown design kind {kind!r}")


def sample(kind: str, factors: list[Factor], seed: int, samples: int | None = None,
           levels: int | None = None, second_order: bool = False) -> tuple[np.ndarray | None, list[tuple]]:
    """(X, rows): X is the sample matrix SALib analyses (None for a grid); rows are lever values."""
    if kind in ("grid", "contrasts"):
        return None, list(itertools.product(*(f.levels(levels) for f in factors)))
    if kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(samples)
        lo, hi = np.array([f.bounds for f in factors]).T
        X = qmc.scale(unit, lo, hi)
    elif kind == "sobol":
        sobol = salib("sample", "sobol", kind)
        X = sobol.sample(problem(factors), samples, calc_second_order=second_order, seed=seed)
    elif kind == "morris":
        morris = salib("sample", "morris", kind)
        X = morris.sample(problem(factors), samples, num_levels=levels or 4, seed=seed)
    else:
        raise ValueError(f"unknown design kind {kind!r}")
    return X, [tuple(f.value(x) for f, x in zip(factors, row)) for row in X]
