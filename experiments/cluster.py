"""Where runs execute: this process, a local process pool, or a Dask cluster through its
concurrent.futures executor.

All hand the engine the same `Executor.submit`; they differ only in how a run that kills
its process is recognised (a broken pool here, `KilledWorker` from Dask). Worker processes
exit when the driver dies, however it dies (see runner.watch_parent).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool

from sandbox.errors import InputError
from sandbox.experiments.runner import PROJECT_FUNCTIONS, Outcome, Task, execute, watch_parent


def make_backend(workers: int | None, scheduler: str | None = None, local_cluster: bool = False,
                 function: str = "", preload: tuple[str, ...] = ()):
    """The backend a command asked for: a Dask scheduler, a LocalCluster, one process (this one,
    for the project's own run function with --workers 1) or a local process pool."""
    n = workers or os.cpu_count() or 1
    if scheduler or local_cluster:
        return DaskCluster(scheduler, n if local_cluster else None, function)
    if n == 1 and function in PROJECT_FUNCTIONS:
        return InProcess()
    return LocalPool(n, preload)


class InProcess:
    """Runs one at a time in this process: no worker to start or to orphan."""

    name = "this process"

    def submit(self, task: Task) -> cf.Future:
        fut: cf.Future = cf.Future()
        fut.set_result(execute(task))
        return fut

    def window(self) -> int:
        return 1

    def broken(self, exc: BaseException) -> bool:
        return False

    def killed(self, exc: BaseException) -> bool:
        return False

    def close(self, cancel: bool = False) -> None:
        pass


class LocalPool:
    """Worker processes forked from a clean server that has already imported the model."""

    name = "local process pool"
    PRELOAD = ("sandbox.experiments.runner", "sandbox.run")

    def __init__(self, workers: int, preload: tuple[str, ...] = ()):
        self.workers = workers
        self.ctx = self.warm(preload)
        self.pool = self._new()

    @classmethod
    def warm(cls, preload: tuple[str, ...] = ()) -> mp.context.BaseContext:
        """Start the fork server now; it imports the model once, every worker inherits it.
        (The preload list counts only before the server first starts.)"""
        from multiprocessing import forkserver

        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(list(dict.fromkeys([*cls.PRELOAD, *preload])))
        forkserver.ensure_running()
        return ctx

    def _new(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=self.ctx, initializer=watch_parent)

    def submit(self, task: Task) -> cf.Future:
        return self.pool.submit(execute, task)

    def window(self) -> int:
        return 2 * self.workers

    def broken(self, exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

    def killed(self, exc: BaseException) -> bool:
        return False

    def restart(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new()

    def isolate(self, task: Task) -> Outcome:
        """Run one suspect alone in its own process: if that process dies, this run killed it."""
        recv, send = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(target=_isolated, args=(task, send), daemon=True)
        proc.start()
        send.close()
        try:
            outcome = recv.recv()
        except EOFError:
            outcome = None
        proc.join()
        recv.close()
        return outcome if outcome is not None else Outcome.failed(task, _death(proc.exitcode))

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


def _isolated(task: Task, conn) -> None:
    watch_parent()
    conn.send(execute(task))
    conn.close()


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"the run killed its worker process (signal {signal.Signals(-code).name})"
        except ValueError:
            return f"the run killed its worker process (signal {-code})"
    return f"the run's worker process exited abruptly (exit code {code})"


class DaskCluster:
    """A scheduler to connect to (`tcp://host:8786`), or a LocalCluster started here."""

    def __init__(self, address: str | None = None, workers: int | None = None, function: str = ""):
        from distributed import Client, LocalCluster

        self.own = None
        if address is None:
            self.own = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                    host="127.0.0.1", dashboard_address=None)
            self.name = f"local Dask cluster ({len(self.own.workers)} workers)"
            self.client = Client(self.own)
        else:
            try:
                self.client = Client(address, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"--scheduler {address}: cannot connect ({type(exc).__name__}: {exc}); is `dask scheduler` running there?") from None
            self.name = f"Dask scheduler {address}"
        self.executor = self.client.get_executor(pure=False)
        self._window, self._checked = 2, 0.0
        if function:
            self._preflight(function)

    def _preflight(self, function: str) -> None:
        """Workers that cannot import the run function would fail every run: stop before any."""
        from sandbox import __version__

        try:
            self.client.wait_for_workers(1, timeout=30)
        except TimeoutError:
            self.close()
            raise InputError(f"{self.name}: no worker joined within 30 s; start `dask worker {self.client.scheduler.address}`") from None
        answers = self.client.run(_import_check, function)
        for worker, (error, version) in answers.items():
            if error or version != __version__:
                self.close()
                why = error or f"it runs grassroots-sandbox {version}, this driver {__version__}"
                raise InputError(f"{self.name}: worker {worker} cannot run '{function}': {why}; install this package on the workers (or set PYTHONPATH)")

    def submit(self, task: Task) -> cf.Future:
        return self.executor.submit(execute, task)

    def window(self) -> int:
        """Twice the threads now in the cluster: workers may join or leave during a sweep."""
        now = time.monotonic()
        if now - self._checked > 2.0:
            self._window = max(2, 2 * sum(self.client.nthreads().values()))
            self._checked = now
        return self._window

    def broken(self, exc: BaseException) -> bool:
        return False

    def killed(self, exc: BaseException) -> bool:
        from distributed import KilledWorker

        return isinstance(exc, KilledWorker)

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=not cancel)
        self.client.close()
        if self.own is not None:
            self.own.close()


def _import_check(function: str) -> tuple[str | None, str]:
    from sandbox import __version__
    from sandbox.experiments.runner import load_function

    try:
        load_function(function)
        return None, __version__
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}", __version__
