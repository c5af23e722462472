"""The search results folder: a manifest, the definition as run, and run files in two sweep stores.

    DIR/search.json                                manifest (definition, fingerprint, versions; results when finished)
    DIR/definition.toml                            the definition as run
    DIR/runs/point=P/run-P-R.parquet               package P at the reference state, replication R
    DIR/robustness/runs/point=Q/run-Q-R.parquet    Pareto package p in sampled state k: Q = p × states + k
    DIR/packages.parquet, generations.parquet, pareto.parquet, states.parquet, robustness.parquet, report.html

A rerun of the same definition resumes here; another definition, or a folder that is not a
search, is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.errors import InputError
from sandbox.experiments.search_plan import SearchPlan
from sandbox.experiments.store import Store, _versions
from sandbox.outputs import make_temp_dir, write_json, write_text

FORMAT = "grassroots-sandbox-search/1"
MANIFEST = "search.json"


def read_manifest(root: Path) -> dict[str, Any] | None:
    path = Path(root) / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable ({exc}); this folder was not written by `sandbox search`") from None


class SearchFolder:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.runs = Store(self.root)
        self.robust = Store(self.root / "robustness")

    def check(self, plan: SearchPlan) -> dict[str, Any] | None:
        """The manifest of the same search (resume), None for a new folder, InputError otherwise."""
        where = f"--out {self.root}"
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"{where}: is a file, not a folder")
        manifest = read_manifest(self.root) if self.root.is_dir() else None
        if manifest is None:
            if self.root.is_dir() and any(self.root.iterdir()):
                raise InputError(f"{where}: exists, is not empty and holds no search manifest; choose another folder (results are never overwritten)")
            return None
        if manifest.get("format") != FORMAT:
            raise InputError(f"{where}: manifest format {manifest.get('format')!r} is not {FORMAT!r}")
        old, new = manifest.get("fingerprint", {}), plan.fingerprint()
        changed = [k for k in new if old.get(k) != new[k]]
        if manifest.get("search") != plan.name or changed:
            what = f"search '{manifest.get('search')}'" if manifest.get("search") != plan.name else \
                f"search '{plan.name}' with different {', '.join(changed)}"
            raise InputError(f"{where}: holds results of {what}; rerun its own definition to resume, or choose another --out")
        return manifest

    def create(self, plan: SearchPlan) -> None:
        """A new folder appears complete (manifest, definition, empty stores) or not at all."""
        tmp = make_temp_dir(self.root)
        write_json(manifest(plan), tmp / MANIFEST)
        write_text(plan.text, tmp / "definition.toml")
        (tmp / "runs").mkdir()
        (tmp / "robustness" / "runs").mkdir(parents=True)
        if self.root.is_dir():
            self.root.rmdir()  # empty: checked
        os.replace(tmp, self.root)

    def lock(self) -> None:
        try:
            self.runs.lock()
        except InputError as exc:
            raise InputError(exc.message.replace("another sweep", "another search")) from None
        self.robust.lock()

    def unlock(self) -> None:
        self.robust.unlock()
        self.runs.unlock()


def manifest(plan: SearchPlan) -> dict[str, Any]:
    s = plan.search
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {
        "format": FORMAT, "search": s.name, "description": s.description, "description_zh": s.description_zh,
        "definition_file": str(plan.path), "fingerprint": plan.fingerprint(), "function": s.function, "seed": s.seed,
        "seeds": "common", "replications": s.replications, "base": plan.base_name, "fixed": plan.fixed,
        "decisions": [{**f.describe(), "cost": plan.costs.get(f.name, {})} for f in plan.decisions],
        "uncertain": [{**f.describe(), "reference": plan.reference[f.name]} for f in plan.uncertain],
        "objectives": [[m, d] for m, d in plan.objectives.items()],  # a list: the manifest's keys are sorted
        "constraints": {k: b.model_dump(exclude_none=True) for k, b in s.constraints.items()},
        "satisfice": {k: b.model_dump(exclude_none=True) for k, b in plan.satisfice.items()},
        "algorithm": s.algorithm.model_dump(), "robustness": s.robustness.model_dump(exclude={"satisfice"}),
        "metrics": list(plan.metrics),
        "versions": {**_versions(), "pymoo": _version("pymoo"), "python": sys.version.split()[0], "platform": platform.platform()},
        "created": now, "status": "running",
    }


def _version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
