"""`sandbox discover` (where does an outcome happen?) and `sandbox search` (which package of reforms,
robustly?), registered on the sandbox CLI through the `sandbox.commands` entry point `discovery`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sandbox.errors import InputError

EXTRA = "pip install 'grassroots-sandbox[search]'"


def register(app: typer.Typer) -> None:
    from sandbox.cli_support import friendly

    app.command("discover")(friendly(discover))
    app.command("search")(friendly(search))
    app.command("searches")(friendly(list_searches))


def require(*modules: str) -> None:
    """The analysis libraries are an optional extra: say how to install them instead of a traceback."""
    import importlib.util

    for name in modules:
        if importlib.util.find_spec(name) is None:
            raise InputError(f"this command needs the Python package '{name}': {EXTRA}")


def _check_fraction(option: str, value: float, low: float, high: float, low_open: bool = True) -> None:
    if not ((low < value if low_open else low <= value) and value <= high):
        raise InputError(f"{option} {value:g}: must be {'above' if low_open else 'at least'} {low:g} and at most {high:g}")


def discover(
    results: Annotated[Path, typer.Argument(help="a finished sweep folder (written by `sandbox sweep`)")],
    where: Annotated[str, typer.Option("--where", help='the outcome of interest: "METRIC < X" (or <=, >, >=), '
                                                       '"effect(FACTOR, METRIC) > X" or "effect(FACTOR: A -> B, METRIC) > X"')],
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (default RESULTS/discovery-QUESTION)")] = None,
    min_coverage: Annotated[float, typer.Option(help="the chosen PRIM box is the densest covering at least this share of the cases")] = 0.5,
    step: Annotated[int | None, typer.Option(help="choose this step of the peeling trajectory instead")] = None,
    peel_alpha: Annotated[float, typer.Option(help="PRIM: share of points peeled per step")] = 0.05,
    paste_alpha: Annotated[float, typer.Option(help="PRIM: share of points pasted back per step")] = 0.05,
    mass_min: Annotated[float, typer.Option(help="PRIM: smallest share of points a box may hold")] = 0.05,
    depth: Annotated[int, typer.Option(help="CART: depth of the tree")] = 3,
    resamples: Annotated[int, typer.Option(help="PRIM reruns on half the data to check the box is reproducible (0: skip)")] = 10,
    boxes: Annotated[int, typer.Option(help="PRIM boxes to seek, each among the points the earlier ones left")] = 2,
) -> None:
    """Scenario discovery: where in a sweep's lever space does an outcome happen? PRIM boxes (EMA Workbench) and a CART tree (scikit-learn).

    Writes Parquet tables, discovery.json and report.html to a new folder; exit 2 on bad input."""
    from sandbox.cli_support import OutputDir, out
    from sandbox.experiments.where import parse_where

    w = parse_where(where)
    _check_fraction("--min-coverage", min_coverage, 0.0, 1.0)
    _check_fraction("--peel-alpha", peel_alpha, 0.0, 0.5)
    _check_fraction("--paste-alpha", paste_alpha, 0.0, 0.5)
    _check_fraction("--mass-min", mass_min, 0.0, 1.0)
    if not 1 <= depth <= 10:
        raise InputError(f"--depth {depth}: must be a whole number from 1 to 10")
    if not 0 <= resamples <= 1000:
        raise InputError(f"--resamples {resamples}: must be a whole number from 0 to 1000")
    if not 1 <= boxes <= 10:
        raise InputError(f"--boxes {boxes}: must be a whole number from 1 to 10")
    if step is not None and step < 0:
        raise InputError(f"--step {step}: must be 0 or more")
    require("ema_workbench", "sklearn", "jinja2")
    from sandbox.experiments import discovery_report
    from sandbox.experiments.cart import fit_tree
    from sandbox.experiments.discovery import Settings, load_cases, run_prim

    settings = Settings(peel_alpha, paste_alpha, mass_min, min_coverage, step, depth, resamples=resamples, boxes=boxes)
    cases = load_cases(results, w)
    target = out_dir or results / f"discovery-{w.slug()}"
    guard = OutputDir(target)  # refuses an existing, non-empty folder before any work
    boxes = run_prim(cases.X, cases.y, settings)
    tree = fit_tree(cases.X, cases.y, depth, settings.seed)
    with guard as tmp:
        m = discovery_report.write(tmp, cases, boxes, tree, settings)
    out.print(f"{m['counts']['cases']} of {m['counts']['rows']} cases", highlight=False)
    for b in m["boxes"]:
        out.print(f"PRIM box {b['box']} (step {b['step']}): coverage {b['coverage']:.2f}, density {b['density']:.2f}, "
                  f"{b['restricted']} restricted lever(s){'' if b['significant'] else ' (not all significant)'}",
                  highlight=False, soft_wrap=True)
        for r in b["limits"]:
            shown = f"{r['low']:.4g} … {r['high']:.4g}" if r["kind"] == "range" else "{" + ", ".join(r["values"]) + "}"
            qps = ", ".join(f"{q:.2g}" for q in (r["qp_low"], r["qp_high"]) if q is not None)
            out.print(f"  {r['lever']}: {shown}  (qp {qps})", highlight=False, soft_wrap=True)
    out.print(f"wrote {target}/ (report.html, trajectory, box_limits, tree_leaves, cases .parquet)", highlight=False, soft_wrap=True)


def search(
    definition: Annotated[str, typer.Argument(help="search name (see `sandbox searches`) or a search TOML file")],
    workers: Annotated[int | None, typer.Option(min=1, max=4096, help="local worker processes (default: all cores)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="run on a Dask cluster: scheduler address, e.g. tcp://host:8786")] = None,
    local_cluster: Annotated[bool, typer.Option("--local-cluster", help="run on a Dask LocalCluster started here")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="results folder (default results/search-NAME); rerun to resume")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate and show the plan; run and write nothing")] = False,
    allow_code: Annotated[bool, typer.Option("--allow-code", help="let the search file name a run function other than the sandbox's own (it runs as you)")] = False,
) -> None:
    """Robust policy search: NSGA-II (pymoo) on the sweep engine, then the Pareto set ranked by robustness.

    The Pareto set is re-run over a sample of the uncertain levers and ranked by satisficing and regret.

    Rerunning the same command resumes: recorded evaluations are reused. Exit 1 if runs failed, 2 on bad input."""
    from sandbox.experiments.search_cli import run_search

    run_search(definition, workers, scheduler, local_cluster, out_dir, dry_run, allow_code)


def list_searches() -> None:
    """Search definitions shipped in experiments/searches/."""
    from rich.table import Table

    from sandbox.cli_support import out
    from sandbox.experiments.search_definition import load_search, search_names

    t = Table("search", "decisions", "objectives", "description")
    for name in search_names():
        _, d, _ = load_search(name)
        t.add_row(name, str(len(d.decisions)), ", ".join(d.objectives), d.description)
    out.print(t)
