"""Model runs in the background for the whole server: a few worker processes, a bounded queue.

Replicated comparisons (side by side) and a class's revealed answers need tens of runs; run in
the server's own process they would hold the interpreter and freeze every trainee's screen.
They run in worker processes (spawned: the server has threads), at most SANDBOX_WORKERS at a
time (default 1: the server keeps the other core), class answers before sandbox comparisons.
At most MAX_JOBS jobs wait; past that `submit` raises Busy and the page says so.

A run is a pure function of its setting, seed, length and size (`Plan.run_key`), so a run any
job already finished (or has in flight) is not run again: forty trainees pressing the same
"vertical vs integrated" preset, or a lesson whose questions share a setting, cost one set of
runs. The last RUN_CACHE summaries are kept.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sandbox.replicates import Plan, Results, run_summary

log = logging.getLogger(__name__)
CLASS, SANDBOX = 0, 1  # priorities: a class waiting for an answer goes first
MAX_JOBS = int(os.environ.get("SANDBOX_MAX_JOBS", "24"))
RUN_CACHE = int(os.environ.get("SANDBOX_RUN_CACHE", "5000"))  # summaries kept (each ~100 numbers)


class Busy(Exception):
    """The queue is full."""


class Job:
    """The runs of one plan; `results` fills as they finish. `on_change(job)` is called (from a
    worker-callback thread) after every finished run and at the end."""

    def __init__(self, plan: Plan, on_change: Callable[[Job], None] | None = None):
        self.plan = plan
        self.results = Results(plan)
        self.on_change = on_change
        self.error: str | None = None
        self.cancelled = False
        self.done = threading.Event()

    @property
    def progress(self) -> tuple[int, int]:
        return len(self.results.summaries), len(self.plan.runs())

    def cancel(self) -> None:
        self.cancelled = True
        self.done.set()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change(self)
            except Exception:  # a listener's failure must not stop the runs
                log.exception("background job listener failed")


class Runner:
    def __init__(self, workers: int | None = None):
        self.workers = workers or int(os.environ.get("SANDBOX_WORKERS", "1"))
        self._pool: ProcessPoolExecutor | None = None
        self._queue: list = []  # (priority, seq, job, key)
        self._seq = itertools.count()
        self._inflight = 0
        self._lock = threading.RLock()
        self._summaries: OrderedDict[tuple, dict[str, float]] = OrderedDict()  # run key → summary (oldest first)
        self._waiting_for: dict[tuple, list] = {}  # run key in flight → the (job, key) pairs that want it

    def submit(self, plan: Plan, priority: int = SANDBOX, on_change=None) -> Job:
        job = Job(plan, on_change)
        with self._lock:
            waiting = {id(j) for _, _, j, _ in self._queue if not j.cancelled}
            if priority != CLASS and len(waiting) >= MAX_JOBS:
                raise Busy(len(waiting))
            for key in plan.runs():
                heapq.heappush(self._queue, (priority, next(self._seq), job, key))
            ready = self._dispatch()
        self._notify(ready)
        return job

    def waiting(self) -> int:
        """Jobs with runs not yet started (what a new job queues behind)."""
        with self._lock:
            return len({id(j) for _, _, j, _ in self._queue if not j.cancelled})

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=exit_with_parent, initargs=(os.getpid(),))
        return self._pool

    def _dispatch(self) -> list[Job]:
        """Start runs (two per worker in flight: a worker never idles between runs); return the
        jobs a run done before has just answered (the caller tells them, outside the lock)."""
        ready = []
        while self._queue and self._inflight < 2 * self.workers:
            _, _, job, key = heapq.heappop(self._queue)
            if job.cancelled or job.error:
                continue
            rk = job.plan.run_key(*key)
            if rk in self._summaries:  # run before: answer from it
                self._summaries.move_to_end(rk)
                job.results.summaries[key] = self._summaries[rk]
                ready.append(job)
                continue
            if rk in self._waiting_for:  # running for another job: wait for the same run
                self._waiting_for[rk].append((job, key))
                continue
            try:
                fut = self._executor().submit(run_summary, *job.plan.job(*key))
            except (BrokenProcessPool, RuntimeError) as exc:
                self._fail(job, exc)
                continue
            self._inflight += 1
            self._waiting_for[rk] = [(job, key)]
            fut.add_done_callback(lambda f, rk=rk: self._finished(f, rk))
        return ready

    def _finished(self, fut: Future, rk: tuple) -> None:
        with self._lock:
            self._inflight -= 1
            wanting = self._waiting_for.pop(rk, [])
            exc = fut.exception()
            if exc is None:
                self._summaries[rk] = fut.result()
                while len(self._summaries) > RUN_CACHE:
                    self._summaries.popitem(last=False)
            for job, key in wanting:
                if exc is not None:
                    self._fail(job, exc)
                elif not job.cancelled:
                    job.results.summaries[key] = fut.result()
            ready = self._dispatch()
        self._notify([job for job, _ in wanting if exc is None] + ready)

    @staticmethod
    def _notify(jobs: list[Job]) -> None:
        for job in dict.fromkeys(jobs):  # each job once, in order
            if not job.cancelled and job.error is None:
                if job.results.complete:
                    job.done.set()
                job._changed()

    def _fail(self, job: Job, exc: BaseException) -> None:
        log.error("background run failed: %s: %s", type(exc).__name__, exc)
        if isinstance(exc, BrokenProcessPool):
            self._pool = None  # a worker died (killed, out of memory): the next job gets a new pool
        job.error = type(exc).__name__
        job.done.set()
        job._changed()

    def shutdown(self) -> None:
        """Drop what waits, let the running runs finish, and stop the workers."""
        with self._lock:
            self._queue.clear()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def exit_with_parent(parent: int) -> None:
    """Worker initializer: a worker leaves as soon as the server that started it is gone (even
    killed with -9, when no one can tell it to), instead of waiting for work forever."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


_runner: Runner | None = None
_runner_lock = threading.Lock()


def runner() -> Runner:
    """The server's one runner."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = Runner()
        return _runner
