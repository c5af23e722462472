"""Writing results: every file goes to a temporary name first and is renamed into place."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


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


def rows_to_table(rows: list[dict[str, Any]]) -> pa.Table:
    """A list of flat dicts (same keys) as an Arrow table."""
    if not rows:
        return pa.table({})
    keys = list(rows[0])
    return pa.table({k: [r.get(k) for r in rows] for k in keys})
