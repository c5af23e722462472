"""Packaging: the wheel installs one import name; the core install (no extras) runs
`sandbox compare` and grid sweeps; the whole code passes the project's ruff configuration."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest_sweep import TINY_SWEEP

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_installs_exactly_one_top_level_import_name(tmp_path):
    pytest.importorskip("setuptools")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    (wheel,) = tmp_path.glob("grassroots_sandbox-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/RECORD"))
        record = z.read(f"{info}/RECORD").decode().splitlines()
        top_level = z.read(f"{info}/top_level.txt").decode().split()
    installed = {line.split(",")[0].split("/")[0] for line in record if line}
    assert top_level == ["sandbox"]
    assert installed == {"sandbox", info}
    # the folders mapped in, with their data and templates; no test helpers
    for path in ("sandbox/agents/cadre.py", "sandbox/viz/app.py", "sandbox/experiments/engine.py",
                 "sandbox/scenarios/data/metrics.toml", "sandbox/scenarios/data/claims.toml",
                 "sandbox/experiments/definitions/article_claims.toml", "sandbox/templates/compare.html.j2",
                 "sandbox/experiments/templates/sweep.html.j2"):
        assert path in names, path
    assert not any("sweep_functions" in n or n.startswith("tests/") for n in names)


BLOCK_OPTIONAL = """
import sys
for name in ("dask", "distributed", "SALib", "solara", "pyabc", "ema_workbench", "pymoo", "sklearn"):
    sys.modules[name] = None  # as if only `pip install -e .` had run
from sandbox.cli import main
sys.exit(main(sys.argv[1:]))
"""


def core_only(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK_OPTIONAL, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def test_the_core_install_compares_and_sweeps_without_optional_packages(tmp_path):
    r = core_only("compare", "vertical_grid", "integrated_grid", "-r", "2", "--days", "3", "--residents", "300",
                  "--set", "villages=1", "--workers", "2", "--out", "c", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c" / "report.html").is_file()
    (tmp_path / "g.toml").write_text(textwrap.dedent(TINY_SWEEP), encoding="utf-8")
    r = core_only("sweep", "g.toml", "--workers", "2", "--out", "g", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = core_only("sweep", "sobol_levers", "--dry-run", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: ") and r.stderr.strip().endswith(
        "sobol_levers.toml: design.kind = \"sobol\" needs SALib, which is not installed: pip install 'grassroots-sandbox[sweeps]'")


def test_ruff_passes_on_the_whole_code():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it comes with the test extra)")
    r = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
