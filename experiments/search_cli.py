"""`sandbox search`: validate, open (or resume) the folder, run the search and the robustness phase
on the chosen backend, write the tables and the report."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from sandbox.errors import InputError

MAX_FAILURE_LINES = 5


def run_search(definition: str, workers: int | None, scheduler: str | None, local_cluster: bool,
               out_dir: Path | None, dry_run: bool, allow_code: bool = False) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sandbox.cli_support import err, out
    from sandbox.experiments.discovery_cli import require

    if scheduler and local_cluster:
        raise InputError("--scheduler and --local-cluster: choose one")
    if scheduler and workers:
        raise InputError(f"--workers {workers}: the cluster at --scheduler has its own workers; drop --workers")
    require("pymoo", "jinja2")
    from sandbox.experiments import robustness, search, search_report
    from sandbox.experiments.cluster import DaskCluster, LocalPool
    from sandbox.experiments.engine import SweepStopped
    from sandbox.experiments.ledger import Ledger
    from sandbox.experiments.search_folder import SearchFolder
    from sandbox.experiments.search_plan import build_search

    if not (scheduler or local_cluster or dry_run):
        LocalPool.warm()  # the workers' imports overlap with validation
    plan = build_search(definition, allow_code=allow_code)
    s = plan.search
    folder = SearchFolder(out_dir or Path("results") / f"search-{plan.name}")
    manifest = folder.check(plan)
    n = workers or os.cpu_count() or 1
    where = f"Dask scheduler {scheduler}" if scheduler else f"local Dask cluster ({n} workers)" if local_cluster \
        else f"local process pool ({n} workers)"
    robust = f"; then the Pareto set × {s.robustness.scenarios} states × {s.robustness.replications} replication(s)" \
        if s.robustness.scenarios else ""
    out.print(f"{plan.name}: NSGA-II over {len(plan.decisions)} decision levers, {len(plan.objectives)} objectives, "
              f"population {s.algorithm.population} × {s.algorithm.generations} generations × {s.replications} replication(s)"
              f"{robust}; {'resuming' if manifest else 'new'}, on {where} → {folder.root}/", highlight=False, soft_wrap=True)
    if dry_run:
        return
    module = s.function.partition(":")[0]
    backend = DaskCluster(scheduler, n if local_cluster else None, s.function) if scheduler or local_cluster \
        else LocalPool(n, (module,))
    failures = 0
    cancel = True
    try:
        if manifest is None:
            folder.create(plan)
        folder.lock()
        ledger = Ledger(plan, folder.runs)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                      TimeElapsedColumn(), console=err, transient=False) as bar:
            gens = bar.add_task("search", total=s.algorithm.generations, info="")
            counts = {"runs": 0, "reused": 0}

            def on_generation(g: int, todo: int, reused: int) -> None:
                counts["reused"] += reused
                bar.update(gens, completed=g, info=f"generation {g + 1}: {todo} runs to do, {reused} recorded")

            def on_run(outcome) -> None:
                nonlocal failures
                counts["runs"] += 1
                if outcome.status == "failed":
                    failures += 1
                    if failures <= MAX_FAILURE_LINES:
                        bar.console.print(f"run {outcome.point}/{outcome.replication} failed: {outcome.error}",
                                          highlight=False, markup=False, soft_wrap=True)

            result = search.run(plan, ledger, backend, on_generation, on_run)
            bar.update(gens, completed=s.algorithm.generations, info=f"{result.runs} runs, {result.reused} reused")
            pareto = [p for p in result.packages if p.id in set(result.pareto)]
            robust_task = bar.add_task("robustness", total=None, info="")

            def on_start(todo: int, reused: int) -> None:
                bar.update(robust_task, total=todo, info=f"{reused} recorded")

            def on_robust_run(outcome) -> None:
                on_run(outcome)
                bar.advance(robust_task)

            robust = robustness.evaluate(plan, Ledger(plan, folder.robust), backend, pareto, on_start, on_robust_run)
            bar.update(robust_task, total=max(1, robust.runs), completed=max(1, robust.runs))
        m = search_report.write(folder.root, plan, result, robust)
        cancel = False
    except KeyboardInterrupt:
        err.print(f"interrupted; every finished run is saved in {folder.root}/: rerun the same command to resume", soft_wrap=True)
        raise typer.Exit(130) from None
    except SweepStopped as exc:
        err.print(f"[bold red]search stopped:[/] {exc}; finished runs are saved in {folder.root}/: rerun the same command to resume",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        backend.close(cancel=cancel)
        folder.unlock()
    c = m["counts"]
    out.print(f"{folder.root}/: {c['packages']} packages ({c['evaluated']} simulated, {c['over_budget']} over budget, "
              f"{c['failed']} failed), {c['pareto']} in the Pareto set; runs: {result.runs + robust.runs} executed, "
              f"{result.reused + robust.reused} reused. Report: {folder.root / 'report.html'}", highlight=False, soft_wrap=True)
    for row in m["pareto"][:5]:
        decisions = ", ".join(f"{k.split('.')[-1]}={v:g}" if isinstance(v, float) else f"{k.split('.')[-1]}={v}"
                              for k, v in row["decisions"].items())
        rank = f"rank {row['rank']}: " if row["rank"] else ""
        out.print(f"  {rank}#{row['package']} {decisions}", highlight=False, soft_wrap=True)
    if failures or c["failed"]:
        err.print(f"{c['failed']} packages had failed runs (see packages.parquet's error column)", soft_wrap=True)
        raise typer.Exit(1)
