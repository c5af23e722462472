"""`sandbox calibrate TARGETS`: fit levers to observed figures; write the posterior, the fit per
target and per validation figure, the fitted scenario file and a report."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from sandbox.cli_support import OutputDir, err, friendly, out, stamp
from sandbox.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("calibrate")(friendly(calibrate))


def calibrate(
    targets: Annotated[str, typer.Argument(help="a targets file (TOML) or the name of a shipped one (experiments/targets/)")],
    workers: Annotated[int | None, typer.Option(min=1, max=4096, help="local worker processes (default: all cores)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="evaluate on a Dask cluster: scheduler address, e.g. tcp://host:8786")] = None,
    population: Annotated[int | None, typer.Option(min=5, max=10000, help="particles per generation (default: the file's abc.population)")] = None,
    generations: Annotated[int | None, typer.Option(min=1, max=100, help="most generations (default: the file's abc.generations)")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (default results/calibrate-NAME-TIMESTAMP)")] = None,
    check_only: Annotated[bool, typer.Option("--check-only", help="fit nothing: report how the scenarios as they stand meet every figure")] = False,
) -> None:
    """Fit levers to observed figures by ABC-SMC; report the fit and the out-of-sample validation.
    With --check-only, report the figures against the scenarios' current levers."""
    try:
        import pyabc  # noqa: F401
    except ModuleNotFoundError:
        raise InputError("calibration needs pyabc: pip install 'grassroots-sandbox[calibration]'") from None
    from sandbox.experiments.calibration import Plan, load_targets

    path, spec, text = load_targets(targets)
    if population is not None or generations is not None:
        spec = spec.model_copy(update={"abc": spec.abc.model_copy(update={
            k: v for k, v in (("population", population), ("generations", generations)) if v is not None})})
    plan = Plan(path, spec)
    target = out_dir or Path("results") / f"calibrate-{spec.name}-{stamp()}"
    outdir = OutputDir(target)
    n = workers or os.cpu_count() or 1
    backend = _backend(scheduler, n)
    out.print(f"{spec.name}: {len(plan.priors)} levers fitted to {len(spec.targets)} figures "
              f"({len(spec.validation)} kept for validation); {spec.abc.population} particles × ≤{spec.abc.generations} "
              f"generations on {backend.name} → {target}/", highlight=False, soft_wrap=True)
    try:
        with outdir as tmp:
            if check_only:
                result = check(plan, backend, {})
                write_check(result, plan, text, tmp)
            else:
                result = fit(plan, backend, tmp / "abc.db")
                write(result, plan, text, tmp)
    finally:
        backend.close()
    _print_fit(result)
    files = "fit.parquet, targets.toml" if check_only else \
        "levers.parquet, posterior.parquet, generations.parquet, fit.parquet, fitted.toml, report.html"
    out.print(f"wrote {target}/ ({files})")


def _backend(scheduler: str | None, workers: int):
    from sandbox.experiments.cluster import DaskCluster, LocalPool

    if scheduler:
        return DaskCluster(scheduler)
    return LocalPool(workers)


def mapper(backend):
    """The backend's executor as a `map` (pyabc's mapping sampler wants one)."""
    executor = getattr(backend, "pool", None) or backend.executor
    return executor.map


def fit(plan, backend, db: Path) -> dict[str, Any]:
    """Run ABC-SMC, then check the fitted levers on fresh seeds: every target and validation
    figure with the model's mean and 95 % interval."""
    from sandbox.experiments.calibration import posterior, run_abc, summarise_posterior

    history = run_abc(plan, mapper(backend), db, on_generation=lambda g, n: err.print(
        f"ABC round {g} (0 = the prior): {n} candidate evaluations", highlight=False))
    particles, weights = posterior(history)
    levers = summarise_posterior(particles, weights)
    fitted = {row["lever"]: row["mean"] for row in levers}
    pops = history.get_all_populations()
    generations = [{"generation": int(r.t), "epsilon": float(r.epsilon), "evaluations": int(r.samples),
                    "particles": int(r.particles)} for r in pops.itertuples() if r.t >= 0]
    return {**check(plan, backend, fitted), "levers": levers, "particles": particles, "weights": weights,
            "generations": generations, "fitted": fitted, "evaluations": int(history.total_nr_simulations)}


def check(plan, backend, levers: dict[str, float]) -> dict[str, Any]:
    """Every target and validation figure against the model with `levers` (over the scenarios'
    own values), on fresh seeds: the model's mean and 95 % interval."""
    from sandbox.stats import mean_ci

    seeds = plan.seeds(plan.spec.abc.check_replications, offset=1)
    runs = list(mapper(backend)(functools.partial(_check_one, plan.model(validation=True), levers), seeds))
    rows = []
    for kind, figures in (("target", plan.spec.targets), ("validation", plan.spec.validation)):
        for f in figures:
            k = plan.key(f)
            mean, lo, hi = mean_ci([r[k] for r in runs])
            overlap = lo <= f.value + 2 * f.sd and f.value - 2 * f.sd <= hi
            scenario = (f.scenario or plan.spec.base) + (f" vs {f.relative_to}" if f.relative_to else "") + (f", day {f.days}" if f.days else "")
            rows.append({"kind": kind, "scenario": scenario, "metric": f.metric,
                         "observed": f.value, "sd": f.sd, "model_mean": mean, "ci_low": lo, "ci_high": hi,
                         "z": (mean - f.value) / f.sd, "inside": bool(overlap), "source": f.source, "note": f.note})
    return {"fit": rows, "levers": [], "evaluations": 0}


def _check_one(model, levers: dict[str, float], seed: int) -> dict[str, float]:
    return {k: v[0] for k, v in model.runs(levers, [seed]).items()}  # one replication per task


def write_check(result: dict[str, Any], plan, text: str, tmp: Path) -> None:
    import pyarrow as pa

    from sandbox.outputs import write_parquet, write_text

    write_parquet(pa.Table.from_pylist(result["fit"]), tmp / "fit.parquet")
    write_text(text, tmp / "targets.toml")


def write(result: dict[str, Any], plan, text: str, tmp: Path) -> None:
    import pyarrow as pa

    from sandbox.experiments.calibration_report import render
    from sandbox.outputs import write_parquet, write_text

    particles = result["particles"].assign(weight=result["weights"])
    write_parquet(pa.Table.from_pandas(particles, preserve_index=False), tmp / "posterior.parquet")
    write_parquet(pa.Table.from_pylist(result["levers"]), tmp / "levers.parquet")
    write_parquet(pa.Table.from_pylist(result["generations"]), tmp / "generations.parquet")
    write_parquet(pa.Table.from_pylist(result["fit"]), tmp / "fit.parquet")
    write_text(fitted_scenario(plan, result["fitted"]), tmp / "fitted.toml")
    write_text(text, tmp / "targets.toml")
    write_text(render(result, plan), tmp / "report.html")
    (tmp / "abc.db").unlink(missing_ok=True)


def fitted_scenario(plan, fitted: dict[str, float]) -> str:
    """A scenario file extending the base with the posterior means of the fitted levers."""
    spec = plan.spec
    lines = [f"# Fitted by `sandbox calibrate {plan.path.name}`: posterior means of the fitted levers.",
             f'extends = "{plan.base_path.stem}"',
             f'description = "{spec.description or spec.name} (calibrated)"',
             f'description_zh = "{spec.description_zh or spec.name}（已校准）"']
    sections: dict[str, list[str]] = {}
    for name, value in {**plan.fixed, **fitted}.items():
        if name == "run.days":
            continue
        section, _, leaf = name.partition(".")
        sections.setdefault(section, []).append(f"{leaf} = {_toml(value)}")
    for section, rows in sections.items():
        lines += ["", f"[{section}]", *rows]
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}" if "e" not in f"{value:.4g}" else repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _print_fit(result: dict[str, Any]) -> None:
    from rich.table import Table

    if result["levers"]:
        table = Table("lever", "posterior mean", "90 % interval", title="fitted levers")
        for r in result["levers"]:
            table.add_row(r["lever"], f"{r['mean']:.4g}", f"[{r['q05']:.4g}, {r['q95']:.4g}]")
        out.print(table)
    fit = Table("kind", "scenario", "metric", "observed ± sd", "model [95 % CI]", "inside", title="fit and validation")
    for r in result["fit"]:
        fit.add_row(r["kind"], r["scenario"], r["metric"], f"{r['observed']:.3g} ± {r['sd']:.2g}",
                    f"{r['model_mean']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]", "yes" if r["inside"] else "no")
    out.print(fit)
    if result["evaluations"]:
        err.print(f"{result['evaluations']} candidate evaluations", highlight=False)
