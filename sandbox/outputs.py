"""Writing results: every file goes to a temporary name first and is renamed into place."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sandbox.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; results are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_temp_dir(target: Path) -> Path:
    """A hidden sibling folder of `target` with ordinary permissions, to be renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    os.chmod(tmp, 0o777 & ~_umask())
    return tmp


def write_parquet(table: pa.Table, path: Path) -> None:
    _atomic(Path(path), lambda tmp: pq.write_table(table, tmp))


def write_json(data: Any, path: Path) -> None:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    _atomic(Path(path), write)


def write_text(text: str, path: Path) -> None:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    _atomic(Path(path), write)


MAX_OUT_NAME = 255 - len("..partial")


def check_output_path(option: str, target: Path) -> Path:
    """A folder results may be renamed into: not the current folder or one holding it, not
    under a file. InputError otherwise; nothing is created."""
    text = str(target)
    if text.strip() == "":
        raise InputError(f"{option} '': give the name of a new folder for the results")
    target = Path(target)
    if "\0" in text:
        raise InputError(f"{option} {text}: a folder name cannot contain a NUL character")
    for part in target.parts:
        # the hidden `.NAME.partial` beside it must fit a file system's 255-byte names too
        if len(part.encode("utf-8", "surrogateescape")) > MAX_OUT_NAME:
            shown = text if len(text) <= 80 else text[:80] + "…"
            raise InputError(f"{option} {shown}: a name in this path is {len(part)} characters long; "
                             f"folder names for results have at most {MAX_OUT_NAME} bytes")
    try:
        here, resolved = Path.cwd().resolve(), target.resolve()
    except OSError as exc:
        raise output_error(option, target, exc) from None
    if resolved == here or resolved in here.parents:
        raise InputError(f"{option} {text}: is the current folder or holds it; give the name of a new folder for the results")
    parent = resolved.parent
    while not _exists(parent):
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{option} {text}: {parent} is a file, not a folder")
    return target


def _exists(path: Path) -> bool:
    try:
        path.stat()
        return True
    except FileNotFoundError:
        return False
    except OSError:
        return True  # ENOTDIR and the like: something is there; is_dir() says what


def output_error(option: str, target: Path, exc: OSError) -> InputError:
    """An OSError while creating or writing results, as the one line the user reads."""
    why = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded",
           errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
           errno.EPERM: "permission denied", errno.ENAMETOOLONG: "a name in the path is too long",
           errno.ENOTDIR: "a part of the path is a file, not a folder"}.get(exc.errno, exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""
    return InputError(f"{option} {target}: cannot write: {why}{where}")
