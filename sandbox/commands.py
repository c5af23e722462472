"""`sandbox list / validate / run / compare`: scenarios, one run, and replicated comparisons."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sandbox.cli_support import OutputDir, check_seeds, friendly, note, out, overrides, progress, say_error, stamp
from sandbox.defaults import DEFAULT_SEED
from sandbox.errors import InputError, printable

DEFAULT_COMPARE = ["vertical_grid", "integrated_grid", "vertical_cocreation", "integrated_cocreation"]


def register(app: typer.Typer) -> None:
    """Add the scenario commands to the `sandbox` app."""
    app.command("list")(friendly(list_scenarios))
    app.command()(friendly(validate))
    app.command()(friendly(run))
    app.command()(friendly(compare))
    app.command("levers")(friendly(levers))


def list_scenarios() -> None:
    """Scenarios in scenarios/ with one-line descriptions."""
    from sandbox.scenario import describe, scenario_names

    table = Table("scenario", "description", "说明")
    for name in scenario_names():
        en, zh = describe(name)
        table.add_row(name, en, zh)
    out.print(table)


def validate(files: Annotated[list[str], typer.Argument(help="scenario or lesson names, or TOML files")]) -> None:
    """Check scenario and lesson files; exit 2 with a message naming file and key on the first problem.
    A file with [[steps]] (or a name from scenarios/lessons/) is checked as a lesson."""
    from sandbox.lesson import is_lesson_file, lesson_names, load_lesson
    from sandbox.scenario import load_scenario, scenario_names

    for f in files:
        path = Path(f)
        as_lesson = (f in lesson_names() and f not in scenario_names()) or (
            f.endswith(".toml") and path.is_file() and is_lesson_file(path))
        if as_lesson:
            load_lesson(f)
        else:
            load_scenario(f)
        out.print(f"ok: {printable(f)}", markup=False, highlight=False)


def run(
    scenario: Annotated[str, typer.Argument(help="scenario name (see `sandbox list`) or TOML file")],
    days: Annotated[int | None, typer.Option(help="working days to simulate (default: the scenario's run.days)")] = None,
    seed: Annotated[int, typer.Option(help="random seed, 0 to 2^63-1; same seed and parameters give identical results")] = DEFAULT_SEED,
    residents: Annotated[int | None, typer.Option(help="override township.residents")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override any lever: KEY=VALUE, e.g. one_window=true")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (default results/run-SCENARIO-TIMESTAMP)")] = None,
) -> None:
    """Run one scenario once: summary table, Parquet outputs and the resolved parameters as JSON."""
    from sandbox.compare import Comparison
    from sandbox.cost import check_memory
    from sandbox.outputs import write_json, write_parquet
    from sandbox.run import simulate
    from sandbox.scenario import build_scenario, scenario_label

    check_seeds(seed)
    scen = build_scenario(scenario, **overrides(days, residents, set_))
    name = scenario_label(scenario)
    check_memory(scen, name)
    target = out_dir if out_dir is not None else Path("results") / f"run-{name}-{stamp()}"
    with OutputDir(target) as tmp:  # claimed before the run: a bad --out costs nothing
        _say_inert(scen)  # once nothing can refuse the run any more
        with progress() as bar:
            task = bar.add_task(f"{name} seed {seed}", total=scen.run.days)
            res = simulate(scen, seed=seed, name=name, progress=lambda d: bar.update(task, completed=d))
        write_parquet(res.daily, tmp / "daily.parquet")
        write_parquet(Comparison([res.scenario], [seed], {res.scenario: [res]}).summary_table(), tmp / "summary.parquet")
        write_json({"scenario": res.scenario, "seed": seed, "days": res.days, "params": res.params,
                    "version": _version()}, tmp / "params.json")
    _summary_table(res.summary)
    out.print(f"wrote {target}/ (daily.parquet, summary.parquet, params.json)", markup=False, highlight=False)


def _say_inert(scen) -> None:
    from sandbox.consistency import inert_levers

    for key, why in inert_levers(scen):
        note(f"note: {key} has no effect: {why}")


def _version() -> str:
    from sandbox import __version__

    return __version__


def _summary_table(summary: dict) -> None:
    from sandbox.glossary import term
    from sandbox.metric_registry import headline

    table = Table("指标", "metric", "value")
    for k in headline():
        table.add_row(term("metrics", k, "zh"), term("metrics", k, "en"), f"{summary[k]:.3f}")
    out.print(table)


def compare(
    scenarios: Annotated[list[str] | None, typer.Argument(help="scenarios to compare; the first is the reference (default: the 2×2)")] = None,
    replications: Annotated[int, typer.Option("--replications", "-r", min=1, max=10000, help="runs per scenario")] = 10,
    days: Annotated[int | None, typer.Option(help="working days per run (default: each scenario's run.days)")] = None,
    seed: Annotated[int, typer.Option(help="first seed; replication i uses seed+i in every scenario")] = DEFAULT_SEED,
    residents: Annotated[int | None, typer.Option(help="override township.residents in every scenario")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a lever in every scenario: KEY=VALUE")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=4096, help="parallel processes (default: all cores; 1: in this process)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="run on a Dask cluster: scheduler address, e.g. tcp://host:8786")] = None,
    local_cluster: Annotated[bool, typer.Option("--local-cluster", help="run on a Dask LocalCluster started here")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (default results/compare-TIMESTAMP); rerun with the same --out to resume")] = None,
) -> None:
    """Compare scenarios over replications: table with 95 % CIs, Parquet, and an HTML report.

    Runs on the experiments engine (this process, a local process pool or Dask) with the same
    seeds for every scenario. Interrupted? Rerun the same command with the same --out: finished
    runs are kept (in a hidden .NAME.partial folder beside it) and skipped."""
    from sandbox.compare import RunFailed
    from sandbox.compare import compare as run_compare
    from sandbox.cost import check_memory
    from sandbox.glossary import term
    from sandbox.metric_registry import headline
    from sandbox.outputs import write_json, write_parquet, write_text
    from sandbox.report import render
    from sandbox.scenario import build_scenario, scenario_label

    if scheduler and local_cluster:
        raise InputError("--scheduler and --local-cluster: choose one")
    if scheduler and workers:
        raise InputError(f"--workers {workers}: the cluster at --scheduler has its own workers; drop --workers")
    check_seeds(seed, replications)
    names = scenarios or DEFAULT_COMPARE
    labels: dict[str, str] = {}
    for n in names:
        label = scenario_label(n)
        if label in labels:
            same = "is given twice" if labels[label] == n else f"and {labels[label]} are both named '{label}'"
            raise InputError(f"scenarios: {n} {same}; each scenario may appear once (rename a file to compare both)")
        labels[label] = n
    common = overrides(days, residents, set_)
    built = {label: build_scenario(n, **common) for label, n in labels.items()}
    parallel = min(workers or os.cpu_count() or 1, len(built) * replications) if not scheduler else 1
    for label, scen in built.items():
        check_memory(scen, label, parallel)
    target = out_dir if out_dir is not None else Path("results") / f"compare-{stamp()}"
    outdir = OutputDir(target, resumable=True)  # claimed before any run: a bad --out costs nothing
    with outdir as tmp:
        outdir.keep = True  # finished runs survive an interruption, for the same command to resume
        try:
            with progress() as bar:
                task = bar.add_task(f"{len(built)} scenarios × {replications} runs", total=len(built) * replications)
                comp = run_compare(built, replications, seed=seed, workers=workers, scheduler=scheduler,
                                   local_cluster=local_cluster, on_done=lambda *_: bar.advance(task),
                                   resume=_resume_dir(tmp))
        except KeyboardInterrupt:
            note(f"interrupted; finished runs are kept: rerun the same command with --out {target} to resume")
            raise typer.Exit(130) from None
        except RunFailed as exc:
            say_error(str(exc))
            raise typer.Exit(1) from None
        write_parquet(comp.summary_table(), tmp / "summary.parquet")
        write_parquet(comp.daily_table(), tmp / "daily.parquet")
        write_parquet(comp.stats_table(), tmp / "stats.parquet")
        write_json({"scenarios": {n: comp.results[n][0].params for n in comp.names}, "seeds": comp.seeds,
                    "version": _version()}, tmp / "params.json")
        write_text(render(comp), tmp / "report.html")
    table = Table("指标 / metric", *comp.names, title=f"mean [95% CI]; Δ vs {comp.names[0]}")
    for metric in headline():
        cells = []
        for r in comp.stats(metric):
            c = f"{r['mean']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]"
            if r["scenario"] != comp.names[0]:
                sig = r["diff_low"] > 0 or r["diff_high"] < 0
                c += f"\nΔ {'[bold]' if sig else ''}{r['diff']:+.3g}{'[/]' if sig else ''}"
            cells.append(c)
        table.add_row(f"{term('metrics', metric, 'zh')}\n{term('metrics', metric, 'en')}", *cells)
    out.print(table)
    out.print(f"wrote {target}/ (summary.parquet, daily.parquet, stats.parquet, params.json, report.html)",
              markup=False, highlight=False)


def _resume_dir(partial: Path) -> Path:
    from sandbox.cli_support import RESUME

    return partial / RESUME


def levers(
    markdown: Annotated[bool, typer.Option("--markdown", help="print the Markdown table of docs/calibration.md")] = False,
) -> None:
    """Every lever: section, names (中文/English), default, range and where the number comes from."""
    from sandbox.lever_table import lever_rows
    from sandbox.lever_table import markdown as as_markdown

    if markdown:
        print(as_markdown(), end="")
        return
    table = Table("lever", "中文 / English", "default", "range", "source", title="levers (sandbox/params.py)")
    for r in lever_rows():
        table.add_row(f"{r['section']}.{r['key']}", f"{r['zh']}\n{r['en']}", str(r["default"]), r["range"], r["source"])
    out.print(table)
