"""What every `sandbox` subcommand shares: consoles, the bad-input wrapper, atomic output folders,
lever overrides from options, progress bars. A leaf module: it imports no command."""

from __future__ import annotations

import functools
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sandbox.errors import InputError

out = Console()
err = Console(stderr=True)


def friendly(fn):
    """Bad input → one message on stderr, exit code 2, no traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            err.print(f"error: {exc.message}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
    return wrapper


class OutputDir:
    """Everything is written into a hidden temporary folder that is renamed into place at the end,
    so an interrupted run leaves nothing half-written, and an existing folder is never overwritten."""

    def __init__(self, target: Path):
        self.target = target
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise InputError(f"--out {target}: already exists and is not empty; choose another folder (results are never overwritten)")

    def __enter__(self) -> Path:
        from sandbox.outputs import make_temp_dir

        self.tmp = make_temp_dir(self.target)
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        if self.target.exists():
            self.target.rmdir()  # empty, checked above
        os.replace(self.tmp, self.target)
        return False


def stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def overrides(days, residents, sets) -> dict:
    from sandbox.scenario import parse_override

    o = dict(parse_override(s) for s in sets or [])
    if days is not None:
        o["run.days"] = days
    if residents is not None:
        o["township.residents"] = residents
    return o


def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=err, transient=False)
