"""Running `sandbox` in this process the way the console script does (sandbox.cli.main), with
its output captured: fast enough for property-based tests over thousands of inputs."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path


@contextlib.contextmanager
def cwd(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def invoke(args: list[str], where: Path) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `sandbox ARGS` run in folder `where`."""
    from sandbox.cli import main

    out, err = io.StringIO(), io.StringIO()
    with cwd(where), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # typer.Exit inside a command
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def files_under(root: Path) -> set[str]:
    """Every file and folder under `root` (hidden ones too), relative to it."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def one_error_line(err: str) -> str:
    """The one `error:` line of a refused command (beside a progress bar that ran before the
    error), or an AssertionError saying what is wrong."""
    lines = [line for line in err.splitlines() if line.strip() and "━" not in line]
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{err}"
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]
