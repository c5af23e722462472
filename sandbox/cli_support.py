"""What every `sandbox` subcommand shares: consoles, the bad-input wrapper, atomic output folders,
lever overrides from options, seeds, progress bars. A leaf module: it imports no command."""

from __future__ import annotations

import functools
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import typer
from filelock import FileLock, Timeout
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sandbox.errors import InputError, printable

out = Console()
err = Console(stderr=True)

MAX_SEED = 2**63 - 1  # seeds are stored as Parquet int64


def friendly(fn):
    """Bad input → one message on stderr, exit code 2, no traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            say_error(exc.message)
            raise typer.Exit(2) from None
    return wrapper


def say_error(message: str) -> None:
    err.print(f"error: {printable(message)}", markup=False, highlight=False, soft_wrap=True)


def note(message: str) -> None:
    err.print(printable(message), markup=False, highlight=False, soft_wrap=True)


class OutputDir:
    """Results go into a hidden sibling folder `.NAME.partial/`, claimed and locked before anything
    runs and renamed into place at the end: an interrupted command leaves no half-written folder,
    an existing folder is never overwritten, and two commands never write into one folder.

    A command that can resume (`sandbox compare`) sets `keep`: its partial folder then survives an
    interruption, and the same command with the same --out picks it up again. Any OSError while
    writing becomes one message, and the partial folder is removed.
    """

    def __init__(self, target: Path, option: str = "--out", resumable: bool = False):
        from sandbox.outputs import check_output_path, output_error

        self.option = option
        self.target = check_output_path(option, target)
        self._refuse_existing()
        self.partial = self.target.parent / f".{self.target.name}.partial"
        self.keep = False
        self._created: list[Path] = []
        try:
            missing = []
            parent = self.target.parent
            while not parent.exists():
                missing.append(parent)
                parent = parent.parent
            for folder in reversed(missing):
                folder.mkdir()
                self._created.append(folder)
            self.partial.mkdir(exist_ok=True)
            self._lock = FileLock(self.partial / ".lock")
            self._lock.acquire(timeout=0)
        except Timeout:
            raise InputError(f"{option} {self.target}: another command is writing to this folder right now "
                             f"(its unfinished results are in {self.partial}/); wait for it to finish") from None
        except OSError as exc:
            self._remove_created()
            raise output_error(option, self.target, exc) from None
        self._refuse_existing()  # again, under the lock: another command may have finished just now
        if not resumable and self.resume.exists():
            self._lock.release()
            raise InputError(f"{option} {self.target}: {self.resume}/ holds the finished runs of an interrupted "
                             "`sandbox compare`; rerun that command to finish it, or choose another folder")
        for stray in self.partial.iterdir():  # left by a command that was killed: not resumable
            if stray.name not in (".lock", RESUME):
                shutil.rmtree(stray) if stray.is_dir() else stray.unlink()

    def _refuse_existing(self) -> None:
        t = self.target
        if t.exists() and (not t.is_dir() or any(t.iterdir())):
            raise InputError(f"{self.option} {t}: already exists and is not empty; choose another folder (results are never overwritten)")

    @property
    def resume(self) -> Path:
        """Where a resumable command keeps its finished runs until the end."""
        return self.partial / RESUME

    def __enter__(self) -> Path:
        return self.partial

    def __exit__(self, exc_type, exc, tb):
        from sandbox.outputs import output_error

        if exc_type is None:
            try:
                shutil.rmtree(self.resume, ignore_errors=True)
                (self.partial / ".lock").unlink(missing_ok=True)
                if self.target.exists():
                    self.target.rmdir()  # empty, checked under the lock
                os.replace(self.partial, self.target)
            except OSError as error:
                self._discard()
                raise output_error(self.option, self.target, error) from None
            finally:
                self._lock.release()
            return False
        if isinstance(exc, OSError) or not self.keep:
            self._discard()
        self._lock.release()
        if isinstance(exc, OSError):
            raise output_error(self.option, self.target, exc) from None
        return False

    def _discard(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)
        self._remove_created()

    def _remove_created(self) -> None:
        for folder in reversed(self._created):
            try:
                folder.rmdir()
            except OSError:
                break


RESUME = ".runs"


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def overrides(days, residents, sets) -> dict:
    """Levers from --days, --residents and --set KEY=VALUE, by dotted key; a lever given twice
    (two --set, or --set and its own option) is refused rather than one silently dropped."""
    from sandbox.scenario import dotted_key, parse_override

    o: dict = {}
    given: dict[str, str] = {}

    def add(key: str, value, how: str) -> None:
        if key in o:
            raise InputError(f"{given[key]} and {how}: both set {key}; give it once")
        o[key], given[key] = value, how

    for s in sets or []:
        key, value = parse_override(s)
        add(dotted_key(key, f"--set {s}"), value, f"--set {s}")
    if days is not None:
        add("run.days", days, f"--days {days}")
    if residents is not None:
        add("township.residents", residents, f"--residents {residents}")
    return o


def check_seeds(seed: int, replications: int = 1) -> None:
    """Seeds are whole numbers from 0 to 2^63 − 1 (Parquet's int64), checked before anything runs."""
    if seed < 0 or seed > MAX_SEED:
        raise InputError(f"--seed {seed}: must be a whole number from 0 to {MAX_SEED}")
    if seed + replications - 1 > MAX_SEED:
        raise InputError(f"--seed {seed} with --replications {replications}: replication i uses seed + i, "
                         f"and the last, {seed + replications - 1}, is over {MAX_SEED}")


def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=err, transient=False)
