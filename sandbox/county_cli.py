"""`sandbox run` / `compare` / `validate` / `list` for county scenarios (sandbox/county_commands.py
hands county scenarios over to these functions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from sandbox.cli_support import OutputDir, check_seeds, err, out, progress, stamp
from sandbox.errors import InputError

HEADLINE = ("in_force_share", "years_to_half", "mean_fidelity")
HEADLINE_COUNTY = ("survival_after_champion", "pilots_spread", "pilots_isolated", "rotations",
                   "trips_per_matter_last_year", "cadre_reporting_hours_last_year", "cadre_face_to_face_hours_last_year",
                   "gini_townships_trips_last_year")


def county_overrides(residents: int | None, sets: list[str] | None) -> dict[str, Any]:
    """--residents N (every township N residents, villages as in the calibrated base) and --set KEY=VALUE."""
    from sandbox.replicates import villages_for
    from sandbox.scenario import parse_override

    o: dict[str, Any] = {}
    if residents is not None:
        o["township.residents"] = residents
        o["township.villages"] = villages_for(residents)
    o.update(dict(parse_override(s) for s in sets or []))
    return o


def _host(workers: int | None, scheduler: str | None):
    if scheduler and workers:
        raise InputError(f"--workers {workers}: the cluster at --scheduler has its own workers; drop --workers")
    if scheduler:
        from sandbox.experiments.county_hosts import DaskHost

        return DaskHost(scheduler)
    if workers and workers > 1:
        from sandbox.experiments.county_hosts import ProcessHost

        return ProcessHost(workers)
    return None


def _version() -> str:
    from sandbox import __version__

    return __version__


def headline_keys(agenda: list[str], summary: dict[str, float]) -> list[str]:
    keys = [f"{m}_{r}" for r in agenda for m in HEADLINE]
    keys += [f"spread_share_{r}" for r in agenda if summary.get(f"spread_share_{r}") == summary.get(f"spread_share_{r}")]
    return keys + list(HEADLINE_COUNTY)


def write_tables(tmp: Path, tables: dict) -> list[str]:
    from sandbox.outputs import write_parquet

    names = []
    for name, table in tables.items():
        if table.num_columns:
            write_parquet(table, tmp / f"{name}.parquet")
            names.append(f"{name}.parquet")
    return names


def run_county(scenario: str, years: int | None, seed: int, residents: int | None, sets: list[str] | None,
               workers: int | None, scheduler: str | None, out_dir: Path | None) -> None:
    """One county run: townships day by day, the county at each quarter; tables, params, report."""
    from sandbox.county_metrics import metric_name
    from sandbox.county_report import render_run
    from sandbox.county_run import county_params, simulate_county
    from sandbox.county_scenario import load_county
    from sandbox.outputs import write_json, write_text

    check_seeds(seed)
    overrides = county_overrides(residents, sets)
    if years is not None:
        overrides["horizon.years"] = years
    spec = load_county(scenario, overrides)
    target = out_dir or Path("results") / f"run-{Path(scenario).stem}-{stamp()}"
    outdir = OutputDir(target)
    host = _host(workers, scheduler)
    where = getattr(host, "name", "one process")
    with progress() as bar:
        task = bar.add_task(f"{spec.name} seed {seed}: {len(spec.townships)} townships on {where}", total=spec.quarters)
        res = simulate_county(spec, seed, host=host, progress=lambda q: bar.update(task, completed=q))
    with outdir as tmp:
        names = write_tables(tmp, res.tables)
        write_json({"county": spec.name, "seed": seed, "years": res.years, "params": county_params(spec),
                    "version": _version()}, tmp / "params.json")
        write_text(render_run(res, spec), tmp / "report.html")
    table = Table("指标", "metric", "value", title=f"{spec.name} · seed {seed} · {res.years} years")
    for k in headline_keys(spec.agenda, res.summary):
        v = res.summary[k]
        table.add_row(metric_name(k, "zh"), metric_name(k, "en"), "–" if v != v else f"{v:.3g}")
    out.print(table)
    out.print(f"wrote {target}/ ({', '.join(names)}, params.json, report.html)")


def compare_county(names: list[str], replications: int, years: int | None, seed: int, residents: int | None,
                   sets: list[str] | None, workers: int | None, scheduler: str | None, out_dir: Path | None) -> None:
    """County scenarios over replications paired by seed: tables, statistics, report."""
    from sandbox.county_compare import Arm, compare_counties
    from sandbox.county_metrics import metric_name
    from sandbox.county_report import render_compare
    from sandbox.county_run import county_params
    from sandbox.county_scenario import is_county, load_county
    from sandbox.outputs import write_json, write_text

    mixed = [n for n in names if not is_county(n)]
    if mixed:
        raise InputError(f"scenarios: '{mixed[0]}' is a township scenario; compare county scenarios with county scenarios")
    check_seeds(seed, replications)
    overrides = county_overrides(residents, sets)
    if years is not None:
        overrides["horizon.years"] = years
    specs = {Path(n).stem: load_county(n, overrides) for n in names}  # every file checked before anything runs
    if scheduler and workers:
        raise InputError(f"--workers {workers}: the cluster at --scheduler has its own workers; drop --workers")
    target = out_dir or Path("results") / f"compare-{stamp()}"
    outdir = OutputDir(target)
    executor = client = None
    if scheduler:
        from sandbox.experiments.county_hosts import dask_client

        client = dask_client(scheduler)
        executor = client.get_executor()
    arms = {name: Arm(spec.path, tuple(sorted(overrides.items()))) for name, spec in specs.items()}
    try:
        with progress() as bar:
            task = bar.add_task(f"{len(arms)} counties × {replications} runs", total=len(arms) * replications)
            comp = compare_counties(arms, replications, seed=seed, workers=workers, executor=executor,
                                    on_done=lambda *_: bar.advance(task))
    finally:
        if client is not None:
            client.close()
    first = next(iter(specs.values()))
    metrics = headline_keys(first.agenda, comp.results[comp.names[0]][0].summary)
    with outdir as tmp:
        tables = {kind: comp.table(kind) for kind in comp.results[comp.names[0]][0].tables}
        names_written = write_tables(tmp, tables)
        from sandbox.outputs import write_parquet

        write_parquet(comp.stats_table(list(comp.results[comp.names[0]][0].summary)), tmp / "stats.parquet")
        write_json({"counties": {n: county_params(s) for n, s in specs.items()}, "seeds": comp.seeds,
                    "version": _version()}, tmp / "params.json")
        write_text(render_compare(comp, specs), tmp / "report.html")
    table = Table("指标 / metric", *comp.names, title=f"mean [95% CI]; Δ vs {comp.names[0]}")
    for metric in metrics:
        cells = []
        for r in comp.stats(metric):
            c = "–" if r["mean"] != r["mean"] else f"{r['mean']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}]"
            if r["scenario"] != comp.names[0] and r["diff"] == r["diff"]:
                sig = r["diff_low"] > 0 or r["diff_high"] < 0
                c += f"\nΔ {'[bold]' if sig else ''}{r['diff']:+.3g}{'[/]' if sig else ''}"
            cells.append(c)
        table.add_row(f"{metric_name(metric, 'zh')}\n{metric_name(metric, 'en')}", *cells)
    out.print(table)
    out.print(f"wrote {target}/ ({', '.join(names_written)}, stats.parquet, params.json, report.html)")


def validate_county(name: str) -> None:
    from sandbox.county_scenario import load_county

    spec = load_county(name)
    out.print(f"ok: {name} ({len(spec.townships)} townships, {spec.county.horizon.years} years)")


def list_counties() -> None:
    from sandbox.county_scenario import county_names, describe_county

    table = Table("county scenario", "description", "说明")
    for name in county_names():
        en, zh = describe_county(name)
        table.add_row(name, en, zh)
    out.print(table)


__all__ = ["run_county", "compare_county", "validate_county", "list_counties", "county_overrides", "err"]


def route(scenario: str, days: int | None = None, years: int | None = None, scheduler: str | None = None,
          county_workers: int | None = None) -> bool:
    """Whether `scenario` is a county scenario (then the county command runs); InputError for an
    option that does not fit the kind of scenario."""
    from sandbox.county_scenario import is_county

    if is_county(scenario):
        if days is not None:
            raise InputError(f"--days {days}: a county runs in years (four quarters of working days each); use --years")
        return True
    for flag, value in (("--years", years), ("--scheduler", scheduler), ("--workers", county_workers)):
        if value is not None:
            raise InputError(f"{flag} {value}: only for county scenarios (see `sandbox list`); '{scenario}' is a township scenario")
    return False
