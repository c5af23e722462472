"""Calibration: fit levers to observed figures by approximate Bayesian computation (ABC-SMC, pyabc).

A targets file names the levers to fit (with uniform priors over a range), the observed figures
(metric, value, uncertainty, the scenario they were observed under) and, apart, validation
figures that are never used in the fit. Each candidate lever set is run on every scenario the
targets name, over a few replications with the same seeds for every candidate (common random
numbers), and its distance to the observations is the root mean square of the z-scores
(model − observed) / uncertainty. ABC-SMC keeps the candidates whose distance falls under a
shrinking tolerance; what is left is a posterior over the levers.

Evaluations run on the engine's backends (the local process pool, or a Dask cluster) through
pyabc's mapping sampler, seeded per task from the master seed, so a calibration gives the same
posterior on one core, many cores or a cluster.
"""

from __future__ import annotations

import difflib
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sandbox.errors import InputError
from sandbox.params import SECTIONS
from sandbox.scenario import apply_overrides, dotted_key, load_raw, read_toml_text, resolve_named_toml, toml_value, validate

TARGETS_DIR = Path(__file__).parent / "targets"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Figure(Strict):
    """One observed figure: what the model must reproduce, under which scenario."""

    metric: str
    value: float
    sd: float = Field(gt=0.0, description="uncertainty of the observed value (one standard deviation)")
    scenario: str | None = Field(None, description="scenario the figure was observed under (default: base)")
    relative_to: str | None = Field(None, description="if given, the figure is the relative change (scenario / relative_to − 1), seeds paired")
    days: int | None = Field(None, ge=1, le=3650, description="working days the figure was observed after (default: the file's days)")
    source: str = ""
    note: str = ""


class ABC(Strict):
    population: int = Field(40, ge=5, le=10_000, description="particles per generation")
    generations: int = Field(4, ge=1, le=100, description="most ABC-SMC generations")
    min_epsilon: float = Field(0.0, ge=0.0, description="stop once the tolerance (RMS z-score) falls below this")
    check_replications: int = Field(10, ge=2, le=1000, description="replications of the fitted scenario for the fit table")


class Targets(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    description: str = ""
    description_zh: str = ""
    base: str = "base"
    seed: int = Field(ge=0, le=2**63 - 1)
    replications: int = Field(2, ge=1, le=100, description="runs per scenario per candidate")
    days: int | None = Field(None, ge=1, le=3650)
    fixed: dict[str, Any] = {}
    parameters: dict[str, dict[str, float]] = Field(min_length=1)
    targets: list[Figure] = Field(min_length=1)
    validation: list[Figure] = []
    abc: ABC = ABC()


def target_names(directory: Path = TARGETS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))


def load_targets(name_or_path: str | Path) -> tuple[Path, Targets, str]:
    """(path, definition, text); InputError naming file, key and value on any problem."""
    path = resolve_named_toml(name_or_path, TARGETS_DIR, "targets file", "targets")
    text, data = read_toml_text(path)  # the scenario floor's reader: one message per kind of bad file
    data.setdefault("name", path.stem)
    try:
        spec = Targets.model_validate(_floats(data))
    except ValidationError as exc:
        raise InputError(_describe(path, exc.errors()[0])) from None
    return path, spec, text


def _floats(data: dict[str, Any]) -> dict[str, Any]:
    """TOML `2` where a number is expected is fine; strict mode would refuse it."""
    out = dict(data)
    for key in ("targets", "validation"):
        if isinstance(out.get(key), list):
            out[key] = [{k: float(v) if k in ("value", "sd") and type(v) is int else v for k, v in f.items()}
                        if isinstance(f, dict) else f for f in out[key]]
    if isinstance(out.get("parameters"), dict):
        out["parameters"] = {k: {kk: float(vv) if type(vv) is int else vv for kk, vv in v.items()} if isinstance(v, dict) else v
                             for k, v in out["parameters"].items()}
    if isinstance(out.get("abc"), dict) and type(out["abc"].get("min_epsilon")) is int:
        out["abc"] = {**out["abc"], "min_epsilon": float(out["abc"]["min_epsilon"])}
    return out


def _describe(path: Path, err: dict[str, Any]) -> str:
    loc = ""
    for part in err["loc"]:
        loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
    if err["type"] == "extra_forbidden":
        return f"{path}: unknown key '{loc}'"
    if err["type"] == "missing":
        return f"{path}: missing key '{loc}'"
    msg = err["msg"][0].lower() + err["msg"][1:]
    return f"{path}: {loc} = {toml_value(err.get('input'))}: {msg}"


# -- the plan: every scenario a target names, with the levers to fit --------------------------------

class Plan:
    """A validated calibration: scenarios (raw, to re-validate per candidate), fitted levers and
    their priors, observed figures keyed `scenario:metric`."""

    def __init__(self, path: Path, spec: Targets):
        from sandbox.experiments.runner import model_metrics

        src = str(path)
        self.path, self.spec = path, spec
        self.fixed = {dotted_key(k, f"{src}: [fixed]"): v for k, v in spec.fixed.items()}
        if spec.days is not None:
            self.fixed["run.days"] = spec.days
        self.priors: dict[str, tuple[float, float]] = {}
        for key, rng in spec.parameters.items():
            where = f"{src}: [parameters]"
            name = dotted_key(key, where)
            section, _, leaf = name.partition(".")
            kind = SECTIONS[section].model_fields[leaf].annotation
            if kind is not float:
                raise InputError(f"{where}: {key} is {'a switch' if kind is bool else 'a whole number'}: only number levers can be fitted; put it in [fixed]")
            if set(rng) != {"low", "high"} or not rng["low"] < rng["high"]:
                raise InputError(f"{where}: {key} = {rng!r}: a prior is {{low = ..., high = ...}} with low < high")
            for v in (rng["low"], rng["high"]):
                validate(apply_overrides({}, {name: v}), where)
            if name in self.fixed:
                raise InputError(f"{where}: '{key}' is also in [fixed]; a lever is either fixed or fitted")
            self.priors[name] = (rng["low"], rng["high"])
        known = model_metrics()
        self.scenarios: dict[str, dict[str, Any]] = {}
        self.base_path, base_raw = self._scenario(src, spec.base)
        for kind, figures in (("targets", spec.targets), ("validation", spec.validation)):
            for i, f in enumerate(figures):
                where = f"{src}: {kind}[{i}]"
                if f.metric not in known:
                    close = difflib.get_close_matches(f.metric, known, n=1, cutoff=0.6)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    raise InputError(f"{where}: metric = \"{f.metric}\": unknown metric{hint}")
                for name in filter(None, (f.scenario or spec.base, f.relative_to)):
                    if name not in self.scenarios:
                        _, raw = self._scenario(where, name)
                        validate(apply_overrides(raw, self.fixed), f"{where} (scenario {name} with [fixed])")
                        self.scenarios[name] = raw
        self.observed = {self.key(f): f.value for f in spec.targets}
        self.sd = {self.key(f): f.sd for f in spec.targets}
        if len(self.observed) != len(spec.targets):
            dup = next(k for k in self.observed if sum(self.key(f) == k for f in spec.targets) > 1)
            raise InputError(f"{src}: targets: '{dup}' is given twice; give each metric once per scenario")

    def _scenario(self, where: str, ref: str) -> tuple[Path, dict[str, Any]]:
        p = Path(ref)
        if ref.endswith(".toml") and not p.is_absolute():
            ref = str(self.path.parent / p)
        try:
            return load_raw(ref)
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None

    def key(self, f: Figure) -> str:
        """The name of a figure in the model's output: `scenario[/relative_to][@days]:metric`."""
        name = f.scenario or self.spec.base
        if f.relative_to:
            name += f"/{f.relative_to}"
        if f.days:
            name += f"@{f.days}"
        return f"{name}:{f.metric}"

    def seeds(self, replications: int, offset: int = 0) -> list[int]:
        """Model seeds shared by every candidate (common random numbers)."""
        ss = np.random.SeedSequence(self.spec.seed, spawn_key=(offset,))
        return [int(s) >> 1 for s in ss.generate_state(replications, np.uint64)]

    def model(self, validation: bool = False) -> TargetModel:
        """The model of the targets (what ABC fits), or of the targets and validation figures."""
        cases: dict[str, tuple[dict[str, Any], int | None, set[str]]] = {}
        figures = []
        for f in self.spec.targets + (self.spec.validation if validation else []):
            names = [f.scenario or self.spec.base] + ([f.relative_to] if f.relative_to else [])
            keys = []
            for name in names:
                case = f"{name}@{f.days or ''}"
                cases.setdefault(case, (self.scenarios[name], f.days, set()))[2].add(f.metric)
                keys.append(case)
            figures.append((self.key(f), keys[0], keys[1] if len(keys) > 1 else None, f.metric))
        return TargetModel({c: (raw, days, sorted(m)) for c, (raw, days, m) in cases.items()}, figures, self.fixed,
                           self.seeds(self.spec.replications))


class TargetModel:
    """What one candidate lever set gives: each figure's mean over the replications (runs share
    their seeds with every other candidate: common random numbers). A plain class so it pickles
    to any worker."""

    def __init__(self, cases: dict[str, tuple[dict[str, Any], int | None, list[str]]],
                 figures: list[tuple[str, str, str | None, str]], fixed: dict[str, Any], seeds: list[int]):
        self.cases, self.figures, self.fixed, self.seeds = cases, figures, fixed, seeds

    def __call__(self, levers: dict[str, float], seeds: list[int] | None = None) -> dict[str, float]:
        out = {}
        for k, vals in self.runs(levers, seeds or self.seeds).items():
            out[k] = float(np.mean(vals)) if all(np.isfinite(vals)) else math.nan
        return out

    def runs(self, levers: dict[str, float], seeds: list[int]) -> dict[str, list[float]]:
        """Each figure's value in every replication (a relative change is taken seed by seed)."""
        from sandbox.run import simulate

        values: dict[str, list[dict[str, float]]] = {}
        for case, (raw, days, _) in self.cases.items():
            overrides = {**self.fixed, **{k: float(v) for k, v in levers.items()}}
            if days:
                overrides["run.days"] = days
            scenario = validate(apply_overrides(raw, overrides), case)
            values[case] = [simulate(scenario, seed=s).summary for s in seeds]
        out = {}
        for key, case, base, metric in self.figures:
            if base is None:
                out[key] = [r[metric] for r in values[case]]
            else:
                out[key] = [t[metric] / b[metric] - 1.0 if b[metric] else math.nan for t, b in zip(values[case], values[base])]
        return out


class RMSZ:
    """Distance of a candidate to the observations: root mean square of (model − observed) / sd."""

    def __init__(self, sd: dict[str, float]):
        self.sd = sd

    def __call__(self, x: dict[str, float], x0: dict[str, float]) -> float:
        z = [((x[k] - x0[k]) / s) ** 2 for k, s in self.sd.items()]
        return math.sqrt(sum(z) / len(z)) if all(map(math.isfinite, z)) else math.inf


class _Candidate:
    """pyabc model: a candidate's parameters → its summary statistics (picklable)."""

    def __init__(self, model: TargetModel):
        self.model = model

    def __call__(self, par) -> dict[str, float]:
        return self.model(dict(par))


def run_abc(plan: Plan, map_, db: Path, on_generation=None):
    """ABC-SMC over the plan's priors; returns pyabc's History."""
    import logging

    import pyabc

    from sandbox.experiments.abc_sampler import SeededMappingSampler

    for name in ("ABC", "Epsilon", "Sampler", "Distance", "Acceptor", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    a = plan.spec.abc
    np.random.seed(plan.spec.seed % 2**32)
    random.seed(plan.spec.seed)
    prior = pyabc.Distribution(**{k.replace(".", "__"): pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in plan.priors.items()})
    model = _Candidate(_Renamed(plan.model()))
    abc = pyabc.ABCSMC(model, prior, RMSZ(plan.sd), population_size=a.population,
                       sampler=SeededMappingSampler(map_, base_seed=plan.spec.seed, on_generation=on_generation))
    abc.new(f"sqlite:///{db}", plan.observed)
    history = abc.run(max_nr_populations=a.generations, minimum_epsilon=a.min_epsilon)
    return history


class _Renamed:
    """pyabc parameter names cannot hold dots: `section__leaf` ↔ `section.leaf`."""

    def __init__(self, model: TargetModel):
        self.model = model

    def __call__(self, levers: dict[str, float]) -> dict[str, float]:
        return self.model({k.replace("__", "."): v for k, v in levers.items()})


def posterior(history) -> tuple[Any, np.ndarray]:
    """The last generation's particles (levers as `section.leaf` columns) and their weights."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    df = df.rename(columns=lambda c: c.replace("__", "."))
    return df, np.asarray(w, dtype=float)


def summarise_posterior(df, w: np.ndarray) -> list[dict[str, Any]]:
    """Per lever: posterior mean and 5 %, 50 %, 95 % weighted quantiles."""
    from pyabc.weighted_statistics import weighted_mean, weighted_quantile

    rows = []
    for lever in df.columns:
        x = df[lever].to_numpy(dtype=float)
        rows.append({"lever": lever, "mean": float(weighted_mean(x, w)),
                     "q05": float(weighted_quantile(x, w, alpha=0.05)),
                     "median": float(weighted_quantile(x, w, alpha=0.5)),
                     "q95": float(weighted_quantile(x, w, alpha=0.95))})
    return rows
