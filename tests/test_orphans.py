"""kill -9 of a driver (`sandbox compare`, `sandbox sweep` on the local pool or a Dask
LocalCluster) leaves none of its processes behind: workers, the fork server and the resource
tracker all exit within GONE_WITHIN seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest_sweep import SMALL_GRID, write_def

SANDBOX = str(Path(sys.executable).parent / "sandbox")
GONE_WITHIN = 10.0  # seconds after the driver's death

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def descendants(root: int) -> set[int]:
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and (st := _stat(int(d.name))) is not None:
            parents[int(d.name)] = st[1]
    out, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - out
        out |= frontier
    return out


def alive(pids: set[int]) -> set[int]:
    return {p for p in pids if (st := _stat(p)) is not None and st[0] not in ("Z", "X")}


def kill_driver_when(args: list[str], cwd: Path, processes: int, timeout: float = 180) -> set[int]:
    """Start `sandbox ARGS`, wait until it has `processes` descendants, kill -9 it; its descendants."""
    driver = subprocess.Popen([SANDBOX, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    tree: set[int] = set()
    try:
        deadline = time.monotonic() + timeout
        while len(tree := alive(descendants(driver.pid))) < processes:
            assert driver.poll() is None, f"sandbox {' '.join(args)} ended before it could be killed"
            assert time.monotonic() < deadline, f"only {len(tree)} of {processes} processes after {timeout} s"
            time.sleep(0.1)
        time.sleep(1.0)  # let them settle into their work
        tree = alive(descendants(driver.pid))
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
        return tree
    finally:
        if driver.poll() is None:
            driver.kill()


def assert_all_exit(tree: set[int]) -> None:
    deadline = time.monotonic() + GONE_WITHIN
    while (left := alive(tree)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running {GONE_WITHIN} s after the driver was killed: {sorted(left)}"


def test_killed_compare_leaves_no_process(tmp_path):
    # fork server, resource tracker and two workers
    tree = kill_driver_when(["compare", "vertical_grid", "integrated_grid", "-r", "40", "--residents", "4000",
                             "--set", "villages=2", "--workers", "2", "--out", str(tmp_path / "c")], tmp_path, 4)
    assert_all_exit(tree)


def test_killed_sweep_on_the_local_pool_leaves_no_process(tmp_path):
    path = write_def(tmp_path, "grid", SMALL_GRID, reps=40, days=200)
    tree = kill_driver_when(["sweep", str(path), "--workers", "2", "--out", str(tmp_path / "s")], tmp_path, 4)
    assert_all_exit(tree)


@pytest.mark.cluster
def test_killed_sweep_on_a_local_dask_cluster_leaves_no_process(tmp_path):
    path = write_def(tmp_path, "grid", SMALL_GRID, reps=40, days=200)
    # two Dask worker processes (and what they start)
    tree = kill_driver_when(["sweep", str(path), "--local-cluster", "--workers", "2", "--out", str(tmp_path / "d")],
                            tmp_path, 2)
    assert_all_exit(tree)
