"""`sandbox list / validate / run / compare`: scenarios, one run, and replicated comparisons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sandbox.cli_support import OutputDir, err, friendly, out, overrides, progress, stamp
from sandbox.errors import InputError

DEFAULT_COMPARE = ["vertical_grid", "integrated_grid", "vertical_cocreation", "integrated_cocreation"]


def register(app: typer.Typer) -> None:
    """Add the scenario commands to the `sandbox` app."""
    app.command("list")(friendly(list_scenarios))
    app.command()(friendly(validate))
    app.command()(friendly(run))
    app.command()(friendly(compare))


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
        out.print(f"ok: {f}")


def run(
    scenario: Annotated[str, typer.Argument(help="scenario name (see `sandbox list`) or TOML file")],
    days: Annotated[int | None, typer.Option(help="working days to simulate (default: the scenario's run.days)")] = None,
    seed: Annotated[int, typer.Option(help="random seed; same seed and parameters give identical results")] = 1,
    residents: Annotated[int | None, typer.Option(help="override township.residents")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override any lever: KEY=VALUE, e.g. one_window=true")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (default results/run-SCENARIO-TIMESTAMP)")] = None,
) -> None:
    """Run one scenario once: summary table, Parquet outputs and the resolved parameters as JSON."""
    from sandbox.compare import Comparison
    from sandbox.outputs import write_json, write_parquet
    from sandbox.run import simulate
    from sandbox.scenario import build_scenario

    _check_seed(seed)
    scen = build_scenario(scenario, **overrides(days, residents, set_))
    _say_inert(scen)
    target = out_dir or Path("results") / f"run-{Path(scenario).stem}-{stamp()}"
    outdir = OutputDir(target)
    with progress() as bar:
        task = bar.add_task(f"{scenario} seed {seed}", total=scen.run.days)
        res = simulate(scen, seed=seed, name=Path(scenario).stem, progress=lambda d: bar.update(task, completed=d))
    with outdir as tmp:
        write_parquet(res.daily, tmp / "daily.parquet")
        write_parquet(Comparison([res.scenario], [seed], {res.scenario: [res]}).summary_table(), tmp / "summary.parquet")
        write_json({"scenario": res.scenario, "seed": seed, "days": res.days, "params": res.params,
                    "version": _version()}, tmp / "params.json")
    _summary_table(res.summary)
    out.print(f"wrote {target}/ (daily.parquet, summary.parquet, params.json)")


def _check_seed(seed: int, replications: int = 1) -> None:
    """Seeds are what numpy accepts and the tables store (int64): refused before anything runs."""
    top = 2**63 - 1
    if not 0 <= seed <= top - (replications - 1):
        raise InputError(f"--seed {seed}: must be a whole number from 0 to {top - (replications - 1)}"
                         + (" (seed + replications - 1 must stay below 2^63)" if replications > 1 else ""))


def _say_inert(scen) -> None:
    from sandbox.consistency import inert_levers

    for key, why in inert_levers(scen):
        err.print(f"note: {key} has no effect: {why}", markup=False, highlight=False, soft_wrap=True)


def _version() -> str:
    from sandbox import __version__

    return __version__


def _summary_table(summary: dict) -> None:
    from sandbox.compare import HEADLINE
    from sandbox.glossary import term

    table = Table("指标", "metric", "value")
    for k in HEADLINE:
        table.add_row(term("metrics", k, "zh"), term("metrics", k, "en"), f"{summary[k]:.3f}")
    out.print(table)


def compare(
    scenarios: Annotated[list[str] | None, typer.Argument(help="scenarios to compare; the first is the reference (default: the 2×2)")] = None,
    replications: Annotated[int, typer.Option("--replications", "-r", min=1, max=10000, help="runs per scenario")] = 10,
    days: Annotated[int | None, typer.Option(help="working days per run (default: each scenario's run.days)")] = None,
    seed: Annotated[int, typer.Option(help="first seed; replication i uses seed+i in every scenario")] = 1,
    residents: Annotated[int | None, typer.Option(help="override township.residents in every scenario")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a lever in every scenario: KEY=VALUE")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="parallel processes (default: all cores)")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (default results/compare-TIMESTAMP)")] = None,
) -> None:
    """Compare scenarios over replications: table with 95 % CIs, Parquet, and an HTML report."""
    from sandbox.compare import HEADLINE, compare as run_compare
    from sandbox.glossary import term
    from sandbox.outputs import write_json, write_parquet, write_text
    from sandbox.report import render
    from sandbox.scenario import build_scenario

    _check_seed(seed, replications)
    names = scenarios or DEFAULT_COMPARE
    if len(set(names)) != len(names):
        raise InputError(f"scenarios: {' '.join(names)}: each scenario may appear once")
    common = overrides(days, residents, set_)
    built = {Path(n).stem: build_scenario(n, **common) for n in names}
    target = out_dir or Path("results") / f"compare-{stamp()}"
    outdir = OutputDir(target)
    with progress() as bar:
        task = bar.add_task(f"{len(built)} scenarios × {replications} runs", total=len(built) * replications)
        comp = run_compare(built, replications, seed=seed, days=days, workers=workers,
                           on_done=lambda *_: bar.advance(task))
    with outdir as tmp:
        write_parquet(comp.summary_table(), tmp / "summary.parquet")
        write_parquet(comp.daily_table(), tmp / "daily.parquet")
        write_parquet(comp.stats_table(), tmp / "stats.parquet")
        write_json({"scenarios": {n: comp.results[n][0].params for n in comp.names}, "seeds": comp.seeds,
                    "version": _version()}, tmp / "params.json")
        write_text(render(comp), tmp / "report.html")
    table = Table("指标 / metric", *comp.names, title=f"mean [95% CI]; Δ vs {comp.names[0]}")
    for metric in HEADLINE:
        cells = []
        for r in comp.stats(metric):
            c = f"{r['mean']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]"
            if r["scenario"] != comp.names[0]:
                sig = r["diff_low"] > 0 or r["diff_high"] < 0
                c += f"\nΔ {'[bold]' if sig else ''}{r['diff']:+.3g}{'[/]' if sig else ''}"
            cells.append(c)
        table.add_row(f"{term('metrics', metric, 'zh')}\n{term('metrics', metric, 'en')}", *cells)
    out.print(table)
    out.print(f"wrote {target}/ (summary.parquet, daily.parquet, stats.parquet, params.json, report.html)")
