"""The county's part of `sandbox list / validate / run / compare` (entry point `county` in the
`sandbox.commands` group, loaded after the core `scenarios` group).

The core commands stay as they are: `register(app)` takes each one out of the app and puts back a
command with the same options plus the county's (`--years`, and `--workers` / `--scheduler` for
`run`), which hands a county scenario to sandbox/county_cli.py and anything else to the core
command unchanged. A core option the county cannot use (--days) is refused with one line.
"""

from __future__ import annotations

import functools
import inspect
from typing import Annotated, Any

import typer

from sandbox.cli_support import friendly
from sandbox.errors import InputError

YEARS = inspect.Parameter(
    "years", inspect.Parameter.KEYWORD_ONLY, default=None,
    annotation=Annotated[int | None, typer.Option(min=1, max=30, help="county scenarios: years to simulate (default: the county's horizon)")])
RUN_WORKERS = inspect.Parameter(
    "workers", inspect.Parameter.KEYWORD_ONLY, default=None,
    annotation=Annotated[int | None, typer.Option(min=1, max=4096, help="county scenarios: worker processes the townships are spread over")])
RUN_SCHEDULER = inspect.Parameter(
    "scheduler", inspect.Parameter.KEYWORD_ONLY, default=None,
    annotation=Annotated[str | None, typer.Option(help="county scenarios: spread the townships over a Dask cluster, e.g. tcp://host:8786")])


def _find(app: typer.Typer, name: str) -> int | None:
    """Where the command `name` is in the app's list (the order `sandbox --help` shows), or None."""
    for i, info in enumerate(app.registered_commands):
        cb = info.callback
        if info.name == name or (info.name is None and cb is not None and cb.__name__.replace("_", "-") == name):
            return i
    return None


def _extended(core, extra: list[inspect.Parameter], body):
    """A command with the core command's parameters plus `extra` (those the core lacks), calling
    `body(core, **kwargs)`; help text the core's plus a county line."""
    sig = inspect.signature(core, eval_str=True)
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in sig.parameters.values()]
    params += [p for p in extra if p.name not in sig.parameters]
    new_sig = sig.replace(parameters=params)
    names = set(sig.parameters)

    @functools.wraps(core)
    def command(**kwargs):
        return body(lambda **kw: core(**{k: v for k, v in kw.items() if k in names}), **kwargs)

    del command.__wrapped__  # typer reads the signature below, not the core's
    command.__signature__ = new_sig
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def _run(core, *, scenario: str, days=None, years=None, workers=None, scheduler=None, seed, residents=None, set_=None,
         out_dir=None, **rest: Any):
    """Run one scenario once. A county scenario (see `sandbox list`) runs its townships for
    --years, writing daily, quarterly and yearly tables, the adoption curves, stage transitions
    and an HTML report."""
    from sandbox.county_cli import route, run_county

    if route(scenario, days=days, years=years, scheduler=scheduler, county_workers=workers):
        return run_county(scenario, years, seed, residents, set_, workers, scheduler, out_dir)
    return core(scenario=scenario, days=days, seed=seed, residents=residents, set_=set_, out_dir=out_dir, **rest)


def _compare(core, *, scenarios=None, replications=10, days=None, years=None, seed, residents=None, set_=None,
             workers=None, scheduler=None, local_cluster=False, out_dir=None, **rest: Any):
    from sandbox.county_cli import compare_county, route

    if scenarios and route(scenarios[0], days=days, years=years):
        if len(set(scenarios)) != len(scenarios):
            raise InputError(f"scenarios: {' '.join(scenarios)}: each scenario may appear once")
        if local_cluster:
            raise InputError("--local-cluster: county scenarios run on --workers processes or on --scheduler")
        return compare_county(scenarios, replications, years, seed, residents, set_, workers, scheduler, out_dir)
    return core(scenarios=scenarios, replications=replications, days=days, seed=seed, residents=residents, set_=set_,
                workers=workers, scheduler=scheduler, local_cluster=local_cluster, out_dir=out_dir, **rest)


def _validate(core, *, files: list[str], **rest: Any):
    from sandbox.county_cli import validate_county
    from sandbox.county_scenario import is_county

    for f in files:
        if is_county(f):
            validate_county(f)
        else:
            core(files=[f], **rest)


def _list(core, **rest: Any):
    from sandbox.county_cli import list_counties

    core(**rest)
    list_counties()


def register(app: typer.Typer) -> None:
    """Put county-aware `list`, `validate`, `run` and `compare` in place of the core ones."""
    for name, extra, body in (("list", [], _list), ("validate", [], _validate),
                              ("run", [YEARS, RUN_WORKERS, RUN_SCHEDULER], _run), ("compare", [YEARS], _compare)):
        i = _find(app, name)
        if i is None:
            continue
        core = inspect.unwrap(app.registered_commands[i].callback)
        cmd = _extended(core, extra, body)
        cmd.__doc__ = (core.__doc__ or "").rstrip() + "\n\n" + _COUNTY_HELP[name]
        app.command(name)(friendly(cmd))
        app.registered_commands[i] = app.registered_commands.pop()  # in the core command's place


_COUNTY_HELP = {
    "list": "County scenarios (scenarios/county/) follow the township scenarios.",
    "validate": "County scenario files are checked as counties.",
    "run": "A county scenario (see `sandbox list`) runs its townships for --years, writing daily, quarterly and "
           "yearly tables, the adoption curves, stage transitions and an HTML report (--workers / --scheduler: "
           "where the townships run).",
    "compare": "County scenarios compare with county scenarios (--years; runs on --workers or --scheduler).",
}
