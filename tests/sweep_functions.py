"""Test support (not part of the wheel): run functions with known behaviour, and a real Dask
cluster on loopback.

These are ordinary run functions for `function = "sweep_functions:..."` in a sweep definition
(tests/ is on the workers' PYTHONPATH): they show the sweep tool works for any function,
without a flag in the model.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent

# Ishigami function (a = 7, b = 0.1, inputs uniform on [-π, π]): analytic first-order and total indices
ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1
_V1 = 0.5 * (1 + ISHIGAMI_B * math.pi**4 / 5) ** 2
_V2 = ISHIGAMI_A**2 / 8
_V13 = ISHIGAMI_B**2 * math.pi**8 * (1 / 18 - 1 / 50)
_V = _V1 + _V2 + _V13
ISHIGAMI_S1 = {"x1": _V1 / _V, "x2": _V2 / _V, "x3": 0.0}
ISHIGAMI_ST = {"x1": (_V1 + _V13) / _V, "x2": _V2 / _V, "x3": _V13 / _V}


def ishigami(params: dict[str, Any], seed: int) -> dict[str, float]:
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)}


def faulty(params: dict[str, Any], seed: int) -> dict[str, float]:
    """y = x + a seed-derived fraction; raises at x == raise_at; kills its own process at x == kill_at."""
    x = params["x"]
    if x == params.get("raise_at"):
        raise ValueError(f"refusing x = {x}")
    if x == params.get("kill_at"):
        os.kill(os.getpid(), signal.SIGKILL)
    return {"y": x + (seed % 1000) / 1000.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"dask scheduler did not listen on 127.0.0.1:{port} within {timeout} s")


class LoopbackCluster:
    """`dask scheduler` and `dask worker` subprocesses bound to 127.0.0.1 (workers without a nanny,
    so a worker's PID is the process that runs tasks)."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))}
        self.scheduler = self._spawn("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"])
        self.workers: list[subprocess.Popen] = []
        _wait_port(self.port, self.scheduler, 30)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                cwd=self.logs)

    def add_workers(self, n: int, timeout: float = 60) -> None:
        from distributed import Client

        for _ in range(n):
            k = len(self.workers)
            self.workers.append(self._spawn(f"worker{k}", ["worker", self.address, "--nthreads", "1", "--host", "127.0.0.1",
                                                           "--no-dashboard", "--no-nanny", "--name", f"w{k}"]))
        with Client(self.address, timeout="10s") as client:
            client.wait_for_workers(sum(1 for w in self.workers if w.poll() is None), timeout=timeout)

    def close(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextmanager
def loopback_cluster(workers: int = 2) -> Iterator[LoopbackCluster]:
    with tempfile.TemporaryDirectory(prefix="sandbox-dask-") as tmp:
        cluster = LoopbackCluster(Path(tmp))
        try:
            cluster.add_workers(workers)
            yield cluster
        finally:
            cluster.close()
