"""CART, the second view of a discovery: a shallow scikit-learn classification tree whose leaves
read as rules ("leftover stations > 0.45 and forms per bureau > 3"), each with its coverage and density."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sandbox.experiments.labels import lever_label


@dataclass
class TreeResult:
    model: Any                        # the fitted DecisionTreeClassifier
    features: list[str]               # encoded feature names, as the tree sees them
    leaves: list[dict[str, Any]]      # one row per leaf: rule, n, cases, density, coverage
    text: str                         # sklearn's export_text
    accuracy: float                   # on the data it was fitted to (a description, not a prediction)


def encode(X: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, tuple[str, Any]]]:
    """Numbers stay; true/false becomes 0/1; a named value (a scenario) becomes one 0/1 column per name.
    Returns the frame and, per encoded column, (lever, value it tests or None)."""
    cols, origin = {}, {}
    for c in X.columns:
        s = X[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            cols[c], origin[c] = s.astype(float), (c, None)
        elif set(s.unique()) <= {True, False}:
            cols[c], origin[c] = s.astype(bool).astype(float), (c, True)
        else:
            for v in sorted(s.unique(), key=str):
                name = f"{c}={v}"
                cols[name], origin[name] = (s == v).astype(float), (c, v)
    return pd.DataFrame(cols), origin


def fit_tree(X: pd.DataFrame, y: np.ndarray, depth: int = 3, seed: int = 0) -> TreeResult:
    from sklearn.tree import DecisionTreeClassifier, export_text

    enc, origin = encode(X)
    leaf_min = max(5, math.ceil(0.02 * len(y)))  # no leaf for a handful of points
    clf = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf_min, random_state=seed).fit(enc.to_numpy(), y)
    features = list(enc.columns)
    leaves = _leaves(clf, features, origin, y, enc.to_numpy())
    text = export_text(clf, feature_names=features, show_weights=True, decimals=3)
    return TreeResult(clf, features, leaves, text, float(clf.score(enc.to_numpy(), y)))


def _leaves(clf, features, origin, y, Xe) -> list[dict[str, Any]]:
    t = clf.tree_
    total_cases = int(y.sum())
    leaf_of = clf.apply(Xe)
    out = []

    def walk(node: int, path: list[tuple[str, str, float]]) -> None:
        if t.children_left[node] == t.children_right[node]:  # a leaf
            members = leaf_of == node
            n, k = int(members.sum()), int(y[members].sum())
            bounds = _bounds(path)
            out.append({"leaf": int(node), "predicts_case": bool(k * 2 > n), "n": n, "cases": k,
                        "density": k / n if n else math.nan, "coverage": k / total_cases if total_cases else math.nan,
                        "rule_en": _rule(bounds, origin, "en"), "rule_zh": _rule(bounds, origin, "zh"),
                        "bounds": {f: list(b) for f, b in bounds.items()}})
            return
        f, thr = features[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], path + [(f, "<=", thr)])
        walk(t.children_right[node], path + [(f, ">", thr)])

    walk(0, [])
    return sorted(out, key=lambda r: (-r["cases"], r["leaf"]))


def _bounds(path: list[tuple[str, str, float]]) -> dict[str, tuple[float | None, float | None]]:
    """The leaf as a box: per feature the tightest (low, high], None where the path sets no bound."""
    out: dict[str, list[float | None]] = {}
    for f, op, thr in path:
        lo, hi = out.get(f, [None, None])
        if op == "<=":
            hi = thr if hi is None else min(hi, thr)
        else:
            lo = thr if lo is None else max(lo, thr)
        out[f] = [lo, hi]
    return {f: (lo, hi) for f, (lo, hi) in out.items()}


def _rule(bounds, origin, lang: str) -> str:
    parts = []
    for f in (f for f in origin if f in bounds):  # in the order of the levers, not of the splits
        lo, hi = bounds[f]
        lever, value = origin[f]
        label = lever_label(lever, lang)
        if value is True:  # a 0/1 switch
            parts.append(f"{label} = {'true' if lo is not None else 'false'}")
        elif value is not None:  # one named value of a listed lever
            parts.append(f"{label} {'=' if lo is not None else '≠'} {value}")
        elif lo is not None and hi is not None:
            parts.append(f"{lo:.3g} < {label} ≤ {hi:.3g}")
        elif lo is not None:
            parts.append(f"{label} > {lo:.3g}")
        else:
            parts.append(f"{label} ≤ {hi:.3g}")
    joiner = "，且 " if lang == "zh" else " and "
    return joiner.join(parts) if parts else ("全部" if lang == "zh" else "everywhere")
