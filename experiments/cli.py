"""`sandbox sweep`, `sandbox analyze` and `sandbox experiments`, registered on the sandbox CLI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sandbox.errors import InputError

MAX_FAILURE_LINES = 5


def register(app: typer.Typer) -> None:
    from sandbox.cli_support import friendly

    app.command("sweep")(friendly(sweep))
    app.command("analyze")(friendly(analyze))
    app.command("experiments")(friendly(list_experiments))


def _consoles():
    from sandbox.cli_support import err, out

    return out, err


def sweep(
    experiment: Annotated[str, typer.Argument(help="experiment name (see `sandbox experiments`) or a sweep TOML file")],
    workers: Annotated[int | None, typer.Option(min=1, max=4096, help="local worker processes (default: all cores)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="run on a Dask cluster: scheduler address, e.g. tcp://host:8786")] = None,
    local_cluster: Annotated[bool, typer.Option("--local-cluster", help="run on a Dask LocalCluster started here")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="results folder (default results/sweep-NAME); rerun to resume")] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="run again the runs recorded as failed")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate and show the plan; run and write nothing")] = False,
    allow_code: Annotated[bool, typer.Option("--allow-code", help="let the sweep file name a run function other than the sandbox's own (it runs as you)")] = False,
) -> None:
    """Run a parameter sweep; results go to one hive-partitioned Parquet dataset, run by run.

    Rerunning the same command resumes: runs already recorded are skipped. Exit code 1 if any
    run failed (each failure is recorded with its error), 2 on bad input. A sweep file is data:
    it runs the sandbox's own model unless you pass --allow-code."""
    from sandbox.experiments.cluster import LocalPool, make_backend
    from sandbox.experiments.engine import SweepStopped, run_tasks
    from sandbox.experiments.plan import build_plan
    from sandbox.experiments.runner import FAILED
    from sandbox.experiments.store import Store
    from sandbox.outputs import check_output_path

    out, err = _consoles()
    if scheduler and local_cluster:
        raise InputError("--scheduler and --local-cluster: choose one")
    if scheduler and workers:
        raise InputError(f"--workers {workers}: the cluster at --scheduler has its own workers; drop --workers")
    if out_dir is not None:
        check_output_path("--out", out_dir)
    n = workers or os.cpu_count() or 1
    if n > 1 and not (scheduler or local_cluster or dry_run):
        LocalPool.warm()  # the workers' imports (mesa: seconds) overlap with validation
    plan = build_plan(experiment, allow_code=allow_code)
    root = out_dir if out_dir is not None else Path("results") / f"sweep-{plan.name}"
    check_output_path("--out", root)
    if plan.experiment.uses_model:
        _check_memory(plan, 1 if scheduler else min(n, plan.total))
    store = Store(root)
    manifest = store.check(plan)
    recorded = store.recorded() if manifest else {}
    skip = {k for k, status in recorded.items() if not (retry_failed and status == FAILED)}
    todo = plan.total - len(skip & {(p.index, r) for p in plan.points for r in range(plan.replications)})
    where = f"Dask scheduler {scheduler}" if scheduler else f"local Dask cluster ({n} workers)" if local_cluster \
        else f"local process pool ({n} workers)"
    out.print(f"{plan.name}: {len(plan.points)} design points × {plan.replications} replications = {plan.total} runs; "
              f"{len(recorded)} recorded, {todo} to run on {where} → {store.root}/", highlight=False, soft_wrap=True)
    if dry_run:
        return
    if todo == 0:
        _finish(store, plan, out, err)
        return
    module = plan.experiment.function.partition(":")[0]
    backend = make_backend(min(n, todo), scheduler, local_cluster, plan.experiment.function, (module,))
    failed_now = 0
    cancel = True
    try:
        if manifest is None:
            store.create(plan)
        else:
            store.update(plan, manifest)
        store.lock()
        recorded = store.recorded()  # again, under the lock: another writer may have added runs
        skip = {k for k, status in recorded.items() if not (retry_failed and status == FAILED)}
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(), TextColumn("ETA"),
                      TimeRemainingColumn(), console=err, transient=False) as bar:
            prior_failed = sum(1 for s in recorded.values() if s == FAILED and not retry_failed)
            task = bar.add_task(plan.name, total=plan.total, completed=len(skip), failed=prior_failed)

            def record(outcome) -> None:
                nonlocal failed_now
                store.write(plan, outcome)
                if outcome.status == FAILED:
                    failed_now += 1
                    if failed_now <= MAX_FAILURE_LINES:
                        bar.console.print(f"run {outcome.point}/{outcome.replication} failed: {outcome.error}",
                                          highlight=False, markup=False, soft_wrap=True)
                bar.update(task, advance=1, failed=prior_failed + failed_now)

            run_tasks(plan.tasks(skip), backend, record)
        cancel = False
    except KeyboardInterrupt:
        err.print(f"interrupted; every finished run is saved in {store.root}/: rerun the same command to resume", soft_wrap=True)
        raise typer.Exit(130) from None
    except SweepStopped as exc:
        err.print(f"[bold red]sweep stopped:[/] {exc}; finished runs are saved in {store.root}/: rerun the same command to resume",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        backend.close(cancel=cancel)
        store.unlock()
    _finish(store, plan, out, err)


def _check_memory(plan, parallel: int) -> None:
    """The largest township of the sweep, `parallel` runs at once, must fit in this machine's memory."""
    from sandbox.cost import check_memory
    from sandbox.experiments.runner import as_scenario

    biggest = max(plan.points, key=lambda p: (p.params["township.residents"] * p.params["run.days"]
                                              * p.params["matters.rate_scale"]))
    check_memory(as_scenario(biggest.params), f"{plan.path}: design point {biggest.index}", parallel)


def _finish(store, plan, out, err) -> None:
    from sandbox.experiments.runner import FAILED

    recorded = store.recorded()
    failed = sum(1 for s in recorded.values() if s == FAILED)
    out.print(f"{store.root}/: {len(recorded) - failed} runs succeeded, {failed} failed, "
              f"{plan.total - len(recorded)} missing of {plan.total}. Next: sandbox analyze {store.root}", highlight=False, soft_wrap=True)
    if failed:
        err.print(f"{failed} runs failed (see the error column); fix the cause and rerun with --retry-failed", soft_wrap=True)
        raise typer.Exit(1)


def analyze(
    directory: Annotated[Path, typer.Argument(help="a results folder written by `sandbox sweep`")],
    out_file: Annotated[Path | None, typer.Option("--out", help="HTML report (default DIR/report.html)")] = None,
) -> None:
    """Statistics of a sweep: means with 95 % CIs, contrasts, Sobol/Morris indices, plots and an HTML report.

    Tables go to DIR/analysis/*.parquet (rewritten each time; the runs are never touched)."""
    from sandbox.experiments.analysis import analyse
    from sandbox.experiments.report import render
    from sandbox.outputs import output_error, write_parquet, write_text

    out, err = _consoles()
    if out_file is not None and out_file.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--out {out_file}: the report is HTML; give a file name ending in .html")
    a = analyse(directory)
    html = render(a)
    target = out_file or directory / "report.html"
    try:
        for name, table in a.tables().items():
            write_parquet(table, directory / "analysis" / f"{name}.parquet")
        write_text(html, target)
    except OSError as exc:
        raise output_error("--out" if out_file else "analyze", out_file or directory, exc) from None
    for note in a.notes:
        err.print(note, highlight=False, soft_wrap=True)
    _print_headlines(a, out)
    out.print(f"wrote {target} and {directory}/analysis/ ({', '.join(f'{k}.parquet' for k in a.tables())})", highlight=False,
              soft_wrap=True)


# per design: the index that ranks levers, its column title, the companion index, its title, format
RANKING = {
    "sobol": ("ST", "largest total-order index (ST)", "S1", "S1", ".3f"),
    "morris": ("mu_star", "largest μ*", "sigma", "σ", ".3g"),
}


def _print_headlines(a, out) -> None:
    if a.contrasts:
        t = Table("contrast", "metric", "expect", "difference [95% CI]", "verdict")
        for r in a.contrasts:
            t.add_row(r["contrast"], r["metric"], r["expect"], f"{r['difference']:+.3g} [{r['ci_low']:+.3g}, {r['ci_high']:+.3g}]", r["verdict"])
        out.print(t)
    elif a.kind in RANKING and a.indices:
        rank, rank_title, other, other_title, form = RANKING[a.kind]
        t = Table("metric", rank_title, other_title)
        for m in dict.fromkeys(r["metric"] for r in a.indices):
            best = max((r for r in a.indices if r["metric"] == m), key=lambda r: r[rank])
            t.add_row(m, f"{best['parameter']}: {best[rank]:{form}}", f"{best[other]:{form}}")
        out.print(t)


def list_experiments() -> None:
    """Sweep definitions shipped in experiments/definitions/."""
    from sandbox.experiments.definition import definition_names, load_definition

    out, _ = _consoles()
    t = Table("experiment", "design", "description")
    for name in definition_names():
        _, exp, _ = load_definition(name)
        t.add_row(name, exp.design.kind, exp.description)
    out.print(t)
