"""Where a county's townships live during a run: persistent worker processes, or Dask actors.

Each township is built once on its worker and stays there; at every decision point the county
sends each worker only its townships' lever changes and the number of days, and gets back only
the quarter summaries (sandbox/county.py, TownshipGroup). Every township has its own seed and
the county decides in one process, so where a township lives does not change any result.
"""

from __future__ import annotations

import traceback
from typing import Any

from sandbox.county import TownshipGroup, TownshipSpec
from sandbox.errors import InputError


def assign(specs: list[TownshipSpec], n: int) -> list[list[TownshipSpec]]:
    """Townships over n workers, the largest first to the least loaded (by residents)."""
    buckets: list[list[TownshipSpec]] = [[] for _ in range(n)]
    load = [0] * n
    for s in sorted(specs, key=lambda s: (-s.scenario.township.residents, s.index)):
        k = min(range(n), key=lambda i: (load[i], i))
        buckets[k].append(s)
        load[k] += s.scenario.township.residents
    return [b for b in buckets if b]


# -- local worker processes ----------------------------------------------------------------------

def _serve(conn) -> None:
    """A worker process: builds its townships, then advances them on request until closed."""
    group = None
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        cmd = msg[0]
        try:
            if cmd == "start":
                group = TownshipGroup(msg[1])
                conn.send(("ok", group.info()))
            elif cmd == "advance":
                conn.send(("ok", group.advance(msg[1], msg[2])))
            elif cmd == "daily":
                conn.send(("ok", group.daily()))
            elif cmd == "close":
                conn.send(("ok", None))
                return
        except Exception:
            conn.send(("error", traceback.format_exc()))


class ProcessHost:
    """Townships spread over `workers` persistent processes on this machine."""

    def __init__(self, workers: int):
        from sandbox.experiments.cluster import LocalPool

        self.workers = workers
        self.ctx = LocalPool.warm(("sandbox.county", "sandbox.experiments.county_hosts"))
        self.procs: list = []
        self.conns: list = []
        self.owned: list[list[int]] = []
        self.name = f"{workers} local worker processes"

    def _ask(self, messages: list[tuple]) -> list[Any]:
        for conn, msg in zip(self.conns, messages):
            conn.send(msg)
        answers = []
        for conn, proc in zip(self.conns, self.procs):
            try:
                status, value = conn.recv()
            except (EOFError, OSError):
                proc.join(timeout=5)
                raise RuntimeError(f"county worker process {proc.pid} died (exit code {proc.exitcode})") from None
            if status == "error":
                raise RuntimeError(f"a county worker process failed:\n{value}")
            answers.append(value)
        return answers

    def start(self, specs: list[TownshipSpec]) -> dict[int, dict[str, float]]:
        groups = assign(specs, self.workers)
        for g in groups:
            parent, child = self.ctx.Pipe()
            proc = self.ctx.Process(target=_serve, args=(child,), daemon=True)
            proc.start()
            child.close()
            self.procs.append(proc)
            self.conns.append(parent)
            self.owned.append([s.index for s in g])
        return _merge(self._ask([("start", g) for g in groups]))

    def advance(self, days: int, changes: dict[int, dict[str, Any]]) -> dict[int, dict[str, float]]:
        return _merge(self._ask([("advance", days, {i: changes[i] for i in own if i in changes}) for own in self.owned]))

    def daily(self) -> dict[int, dict[str, list]]:
        return _merge(self._ask([("daily",)] * len(self.conns)))

    def close(self) -> None:
        for conn, proc in zip(self.conns, self.procs):
            try:
                conn.send(("close",))
                conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                pass
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()  # our own process, by its handle
                proc.join()
            conn.close()
        self.procs, self.conns = [], []


def _merge(parts: list[dict]) -> dict:
    out = {}
    for p in parts:
        out.update(p)
    return out


# -- Dask actors ---------------------------------------------------------------------------------

class TownshipActor(TownshipGroup):
    """A TownshipGroup living on a Dask worker as an actor (its state stays there)."""


def dask_client(address: str):
    """A client of the scheduler at `address`, with a worker that can import this package."""
    from distributed import Client

    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"--scheduler {address}: cannot connect ({type(exc).__name__}: {exc}); is `dask scheduler` running there?") from None
    try:
        client.wait_for_workers(1, timeout=30)
    except TimeoutError:
        client.close()
        raise InputError(f"--scheduler {address}: no worker joined within 30 s; start `dask worker {address}`") from None
    from sandbox import __version__
    from sandbox.experiments.cluster import _import_check

    for worker, (error, version) in client.run(_import_check, "sandbox.experiments.county_hosts:TownshipActor").items():
        if error or version != __version__:
            client.close()
            why = error or f"it runs grassroots-sandbox {version}, this driver {__version__}"
            raise InputError(f"--scheduler {address}: worker {worker} cannot run the county: {why}; install this package on the workers")
    return client


class DaskHost:
    """Townships spread over a Dask cluster's workers, one actor per worker holding its townships."""

    def __init__(self, address: str):
        self.address = address
        self.client = dask_client(address)
        self.actors: list = []
        self.owned: list[list[int]] = []
        self.name = f"Dask scheduler {address}"

    def start(self, specs: list[TownshipSpec]) -> dict[int, dict[str, float]]:
        workers = sorted(self.client.scheduler_info()["workers"])
        groups = assign(specs, len(workers))
        futures = [self.client.submit(TownshipActor, g, actor=True, workers=[w], allow_other_workers=False, pure=False)
                   for g, w in zip(groups, workers)]
        self.actors = [f.result() for f in futures]
        self.owned = [[s.index for s in g] for g in groups]
        self.name = f"Dask scheduler {self.address} ({len(self.actors)} workers)"
        return _merge([f.result() for f in [a.info() for a in self.actors]])

    def advance(self, days: int, changes: dict[int, dict[str, Any]]) -> dict[int, dict[str, float]]:
        futures = [a.advance(days, {i: changes[i] for i in own if i in changes}) for a, own in zip(self.actors, self.owned)]
        return _merge([f.result() for f in futures])

    def daily(self) -> dict[int, dict[str, list]]:
        return _merge([f.result() for f in [a.daily() for a in self.actors]])

    def close(self) -> None:
        self.actors = []
        self.client.close()
