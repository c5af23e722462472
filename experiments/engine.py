"""The sweep loop: keep a bounded window of runs in flight on any backend, record each as it ends.

The driver is the only writer. A result is recorded once per (point, replication) file name,
however often a backend recomputes it; each future is dropped as soon as it is recorded so Dask
does not keep (and, after a worker dies, recompute) finished results.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from sandbox.experiments.runner import Outcome, Task


class Backend(Protocol):
    def submit(self, task: Task) -> cf.Future: ...
    def window(self) -> int: ...
    def broken(self, exc: BaseException) -> bool: ...
    def killed(self, exc: BaseException) -> bool: ...


class SweepStopped(Exception):
    """The backend failed in a way that is not a run's fault (e.g. the scheduler went away)."""


def run_tasks(tasks: Iterable[Task], backend: Backend, record: Callable[[Outcome], None]) -> None:
    pending: Iterator[Task] = iter(tasks)
    inflight: dict[cf.Future, Task] = {}
    held: list[Task] = []  # refused by a pool that broke after the last wait

    def refill() -> None:
        while len(inflight) < backend.window():
            task = held.pop() if held else next(pending, None)
            if task is None:
                return
            try:
                inflight[backend.submit(task)] = task
            except Exception as exc:
                if not backend.broken(exc):
                    raise
                held.append(task)
                if not inflight:  # no future left to report the break: recover here
                    _recover(held.pop(), inflight, backend, record)
                return

    refill()
    while inflight:
        done, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
        for fut in done:
            if fut not in inflight:
                continue  # already settled by a pool restart below
            task = inflight.pop(fut)
            exc = fut.exception()
            if exc is None:
                record(fut.result())
            elif backend.broken(exc):
                _recover(task, inflight, backend, record)
            elif backend.killed(exc):
                record(Outcome.failed(task, f"{type(exc).__name__}: {exc}"))
            else:
                raise SweepStopped(f"{type(exc).__name__}: {exc}") from exc
        del done, fut
        refill()


def _recover(task: Task, inflight: dict[cf.Future, Task], backend, record: Callable[[Outcome], None]) -> None:
    """A process died and took the whole pool down: keep finished results, rerun each other
    suspect alone so the run that kills its process is found and recorded as failed."""
    suspects = [task]
    for fut, other in list(inflight.items()):
        del inflight[fut]
        if fut.done() and not fut.cancelled() and fut.exception() is None:
            record(fut.result())
        else:
            suspects.append(other)
    backend.restart()
    for t in sorted(suspects, key=lambda t: (t.replication, t.point)):
        record(backend.isolate(t))
