"""The local process pool: long-lived workers fed a bounded window of runs.

Mesa is imported once per worker, not once per run. A worker that dies (killed, out
of memory) is replaced, and the runs it may have been running are retried one at a
time, so that the culprit is found and recorded as failed.
"""

from __future__ import annotations

import math
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from sim.errors import UserError
from sim.experiment.run import Result, Task, execute

__all__ = ["WORKER_DIED", "WorkerError", "Pool", "serial"]

WORKER_DIED = (
    "the worker process running this run died (killed, crashed or out of memory); "
    "it died again when the run was retried alone"
)


class WorkerError(UserError):
    """Worker processes cannot start, so no run can be done in parallel."""


def _init_worker(parent: int) -> None:
    """Load the model once per worker; leave Ctrl-C to the parent, which stops the sweep;
    exit if the parent dies (a killed sweep must not leave workers behind). ``parent`` is
    the sweep's process id, passed in because it may be dead before this runs."""
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    import sim.model.model  # noqa: F401


def _exit_with_parent(parent: int) -> None:
    """Poll the parent process id; once it changes, the parent is gone: exit at once."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _ping() -> bool:
    return True


def serial(tasks: list[Task], fn: Callable[[Task], Result]) -> Iterator[Result | None]:
    for task in tasks:
        yield fn(task)


class Pool:
    """A process pool fed a bounded window of tasks; survives workers that die.

    When a worker dies, every run then in flight is suspect: they are retried one at a
    time, alone in the pool, and a run that kills its worker alone is recorded as failed.
    """

    def __init__(
        self, tasks: list[Task], jobs: int, fn: Callable[[Task], Result] = execute
    ) -> None:
        self.fn = fn
        self.queue = deque(tasks)
        self.suspects: deque[Task] = deque()
        self.isolating = False  # the one run in flight is a suspect running alone
        self.jobs = jobs
        self.window = 2 * jobs
        self.running: dict[Future[Result], Task] = {}
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        """A fresh pool, checked with a first task so that workers that cannot start at all
        stop the sweep instead of failing every run."""
        import multiprocessing as mp

        executor = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=mp.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        try:
            executor.submit(_ping).result()
        except BrokenProcessPool:
            executor.shutdown(wait=False, cancel_futures=True)
            raise WorkerError(
                "worker processes could not start (see the messages above); "
                "try --jobs 1 to run in this process."
            ) from None
        return executor

    def _submit(self, task: Task) -> None:
        self.running[self.executor.submit(self.fn, task)] = task

    def _fill(self) -> None:
        if self.suspects:
            if not self.running:
                self.isolating = True
                self._submit(self.suspects.popleft())
            return
        if not self.running:
            self.isolating = False
        while self.queue and len(self.running) < self.window:
            self._submit(self.queue.popleft())

    def results(self) -> Iterator[Result | None]:
        """Results as they complete; None every second while waiting (to refresh progress)."""
        try:
            while True:
                self._fill()
                if not self.running:
                    return
                finished, _ = wait(self.running, timeout=1.0, return_when=FIRST_COMPLETED)
                if not finished:
                    yield None
                yield from self._collect(finished)
        finally:
            self.stop()

    def _collect(self, finished: set[Future[Result]]) -> Iterator[Result]:
        crashed: list[Task] = []
        for fut in finished:
            task = self.running.pop(fut)
            try:
                yield fut.result()
            except BrokenProcessPool:
                crashed.append(task)
        if not crashed:
            return
        crashed += self.running.values()
        self.running.clear()
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()
        if self.isolating:
            yield _died(crashed[0])
        else:
            self.suspects.extend(sorted(crashed, key=lambda t: t.run_id))

    def stop(self) -> None:
        """End the workers: at once if runs are pending (interrupt, fail-fast), else cleanly."""
        if not self.running and not self.queue and not self.suspects:
            self.executor.shutdown(wait=True)
            return
        procs = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()


def _died(task: Task) -> Result:
    from sim.model.params import resolve

    base = {"run_id": task.run_id, "point": task.point, "replicate": task.replicate}
    row = {**base, "seed": task.seed, **resolve(task.params)}
    return Result(row={**row, "status": "failed", "error": WORKER_DIED, "wall_time": math.nan})
