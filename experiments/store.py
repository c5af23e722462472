"""The results folder: a manifest, a copy of the definition, and one Parquet file per run.

    DIR/manifest.json                         definition, design points, versions
    DIR/definition.toml                       the definition file as it was run
    DIR/runs/point=P/run-P-R.parquet          one row: run R of design point P (hive-partitioned)
    DIR/daily/point=P/run-P-R.parquet         its daily table, when the plan keeps them (`sandbox compare`)

Each run file is written under a temporary name and renamed, and its name is fixed by the run,
so a crash leaves no partial file, a rerun skips what exists, and no run can appear twice.
"""

from __future__ import annotations

import math
import os
import platform
import re
import shutil
import sys
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from sandbox.errors import InputError
from sandbox.experiments.design import problem
from sandbox.experiments.plan import Plan
from sandbox.experiments.runner import FAILED, OK, Outcome, read_ipc
from sandbox.outputs import make_temp_dir, output_error, write_json, write_parquet, write_text

FORMAT = "grassroots-sandbox-sweep/1"
RUN_FILE = re.compile(r"run-(\d+)-(\d+)\.parquet")
PACKAGES = ("grassroots-sandbox", "mesa", "numpy", "scipy", "pyarrow", "SALib", "dask", "distributed", "pydantic")


def read_manifest(root: Path) -> dict[str, Any] | None:
    import json

    path = root / "manifest.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable manifest ({exc}); this folder was not written by `sandbox sweep`") from None


class Store:
    def __init__(self, root: Path, option: str = "--out"):
        self.root = Path(root)
        self.option = option
        self.runs = self.root / "runs"
        self.daily = self.root / "daily"
        self._lock: FileLock | None = None

    # -- opening -------------------------------------------------------------------------------
    def check(self, plan: Plan) -> dict[str, Any] | None:
        """The existing manifest if this folder holds the same experiment; InputError otherwise."""
        where = f"{self.option} {self.root}"
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"{where}: is a file, not a folder")
        manifest = read_manifest(self.root) if self.root.is_dir() else None
        if manifest is None:
            if self.root.is_dir() and any(self.root.iterdir()):
                raise InputError(f"{where}: exists, is not empty and holds no sweep manifest; choose another folder (results are never overwritten)")
            return None
        if manifest.get("format") != FORMAT:
            raise InputError(f"{where}: manifest format {manifest.get('format')!r} is not {FORMAT!r}")
        old, new = manifest.get("fingerprint", {}), plan.fingerprint()
        changed = [k for k in new if old.get(k) != new[k]]
        if manifest.get("experiment") != plan.name or changed:
            what = f"experiment '{manifest.get('experiment')}'" if manifest.get("experiment") != plan.name else \
                f"experiment '{plan.name}' with different {', '.join(changed)}"
            raise InputError(f"{where}: holds results of {what}; rerun its own definition to resume, or choose another --out")
        if plan.replications < manifest["replications"]:
            raise InputError(f"{where}: already planned {manifest['replications']} replications; a rerun may add replications (replications = {plan.replications} is fewer)")
        return manifest

    def create(self, plan: Plan) -> None:
        """A new folder appears complete (manifest and definition) or not at all."""
        tmp = None
        try:
            tmp = make_temp_dir(self.root)
            write_json(self._manifest(plan), tmp / "manifest.json")
            write_text(plan.text, tmp / "definition.toml")
            (tmp / "runs").mkdir()
            if self.root.is_dir():
                self.root.rmdir()  # empty: checked
            os.replace(tmp, self.root)
        except OSError as exc:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            if self.root.is_dir() and any(self.root.iterdir()):
                raise InputError(f"{self.option} {self.root}: another command created this folder just now; "
                                 "rerun the same command to resume it, or choose another folder") from None
            raise output_error(self.option, self.root, exc) from None

    def update(self, plan: Plan, manifest: dict[str, Any]) -> None:
        """More replications on resume: the manifest says so, everything else is kept."""
        if plan.replications != manifest["replications"]:
            write_json({**self._manifest(plan), "created": manifest.get("created")}, self.root / "manifest.json")
            write_text(plan.text, self.root / "definition.toml")

    def lock(self) -> None:
        """One writer per folder (filelock: the operating system drops the lock when the writer
        dies, however it dies)."""
        lock = FileLock(self.root / ".lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            try:
                other = (self.root / ".writer").read_text(encoding="utf-8").strip() or "?"
            except OSError:
                other = "?"
            raise InputError(f"{self.option} {self.root}: another command (pid {other}) is writing to this folder; "
                             "wait for it to finish") from None
        except OSError as exc:
            raise output_error(self.option, self.root, exc) from None
        self._lock = lock
        write_text(str(os.getpid()), self.root / ".writer")
        for folder in (self.runs, self.daily):
            for stray in folder.glob("point=*/.run-*.tmp"):
                stray.unlink(missing_ok=True)  # left by a writer that died mid-write; we hold the lock

    def unlock(self) -> None:
        if self._lock is not None:
            (self.root / ".writer").unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    # -- runs ----------------------------------------------------------------------------------
    def path(self, point: int, replication: int) -> Path:
        return self.runs / f"point={point}" / f"run-{point}-{replication}.parquet"

    def recorded(self) -> dict[tuple[int, int], str]:
        """(point, replication) → status of every run file present."""
        table = self.table(columns=["replication", "status"])
        if table is None:
            return {}
        return {(p, r): s for p, r, s in zip(table.column("point").to_pylist(), table.column("replication").to_pylist(),
                                              table.column("status").to_pylist())}

    def write(self, plan: Plan, outcome: Outcome) -> None:
        point = plan.points[outcome.point]
        row: dict[str, Any] = {"replication": outcome.replication, "seed": plan.seed(outcome.point, outcome.replication),
                               "status": outcome.status, "error": outcome.error}
        for col in plan.columns:
            row[col] = point.scenario if col == "scenario" else point.values[col]
        for m in plan.metrics:
            row[m] = None if outcome.status == FAILED else outcome.metrics[m]
        if outcome.daily is not None:  # first, so a recorded run always has its daily table
            write_parquet(read_ipc(outcome.daily), self.daily_path(outcome.point, outcome.replication))
        write_parquet(pa.Table.from_pylist([row], schema=schema(plan)), self.path(outcome.point, outcome.replication))

    def daily_path(self, point: int, replication: int) -> Path:
        return self.daily / f"point={point}" / f"run-{point}-{replication}.parquet"

    def results(self, plan: Plan) -> dict[tuple[int, int], tuple[dict[str, float], pa.Table | None]]:
        """(point, replication) → (metrics, daily table or None) of every successful run recorded:
        what a resumed command needs of the runs it skips. With a plan that keeps daily tables,
        a run whose daily table is missing counts as not recorded."""
        table = self.table()
        if table is None:
            return {}
        out = {}
        for row in table.to_pylist():
            p, r = row["point"], row["replication"]
            if row["status"] != OK:
                continue
            daily = None
            if plan.daily:
                path = self.daily_path(p, r)
                if not path.is_file():
                    continue  # recorded before its daily table: run it again
                daily = pq.read_table(path)
            out[(p, r)] = ({m: (math.nan if row[m] is None else row[m]) for m in plan.metrics}, daily)
        return out

    def table(self, columns: list[str] | None = None) -> pa.Table | None:
        """Every run as one table, `point` included; None before the first run."""
        files = sorted(str(p) for p in self.runs.glob("point=*/run-*.parquet") if RUN_FILE.fullmatch(p.name))
        if not files:
            return None
        part = ds.partitioning(pa.schema([("point", pa.int64())]), flavor="hive")
        dataset = ds.dataset(files, format="parquet", partitioning=part, partition_base_dir=str(self.runs))
        cols = None if columns is None else ["point", *columns]
        return dataset.to_table(columns=cols)

    # -- manifest --------------------------------------------------------------------------------
    def _manifest(self, plan: Plan) -> dict[str, Any]:
        exp = plan.experiment
        now = datetime.now(UTC).isoformat(timespec="seconds")
        design = exp.design.model_dump()
        design["factors"] = [f.describe() for f in plan.factors]
        if plan.X is not None:
            design["problem"] = problem(plan.factors)
            design["X"] = plan.X.tolist()
        return {
            "format": FORMAT,
            "experiment": exp.name,
            "description": exp.description,
            "description_zh": exp.description_zh,
            "definition_file": str(plan.path),
            "fingerprint": plan.fingerprint(),
            "function": exp.function,
            "seed": exp.seed,
            "seeds": exp.seeds,
            "replications": exp.replications,
            "runs": plan.total,
            "metrics": list(plan.metrics),
            "columns": _columns(plan),
            "design": design,
            "points": [{"point": p.index, "scenario": p.scenario, "values": p.values} for p in plan.points],
            "scenarios": plan.scenarios,
            "contrasts": plan.contrasts,
            "versions": {**_versions(), "python": sys.version.split()[0], "platform": _platform()},
            "created": now,
            "updated": now,
        }


def schema(plan: Plan) -> pa.Schema:
    return pa.schema([("replication", pa.int64()), ("seed", pa.int64()), ("status", pa.string()), ("error", pa.string()),
                      *plan.columns.items(), *((m, pa.float64()) for m in plan.metrics)])


def _columns(plan: Plan) -> dict[str, str]:
    out = {"point": "int64 (hive partition: runs/point=P/)"}
    out.update({f.name: str(f.type) for f in schema(plan)})
    return out


@cache
def _versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


@cache
def _platform() -> str:
    return platform.platform()
