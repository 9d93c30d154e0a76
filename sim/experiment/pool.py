"""The local process pool: long-lived workers fed a bounded window of runs.

Workers are forked from a fork server that has loaded the model once
(``sim.experiment.forkserver``), and each runs many runs. A worker that dies (killed, out
of memory) breaks the whole ``ProcessPoolExecutor``: the pool is started again, and
the runs that were in flight are retried one at a time, alone, so that the culprit is
found and recorded as failed while the others finish.
"""

from __future__ import annotations

import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.experiment import forkserver
from sim.experiment.executors import ExecutorError, FuturesExecutor
from sim.experiment.parts import host_name
from sim.experiment.run import WORKER_DIED, Result, Task, failed
from sim.experiment.signals import deferred_stops
from sim.experiment.versions import versions

__all__ = ["LocalPool", "WorkerError"]


class WorkerError(ExecutorError):
    """Worker processes cannot start, so no run can be done in parallel."""


def _init_worker(parent: int) -> None:
    """Load the model (a worker forked by the fork server has it already); leave Ctrl-C
    to the parent, which stops the sweep;
    exit if the parent dies (a killed sweep must not leave workers behind). ``parent`` is
    the sweep's process id, passed in because it may be dead before this runs."""
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    import sim.model.model  # noqa: F401


def _exit_with_parent(parent: int) -> None:
    """Exit at once when the sweep is gone: its process id no longer exists, or this
    worker has been handed to another parent (a worker forked by the fork server is,
    when the server ends with the sweep; a spawned one when the sweep dies)."""
    first = os.getppid()
    while os.getppid() == first and _exists(parent):
        time.sleep(0.5)
    os._exit(0)


def _exists(pid: int) -> bool:
    if os.name != "posix":  # on Windows os.kill would end the process, not ask about it
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, and is another user's
        return True
    return True


def _ping() -> bool:
    return True


class LocalPool(FuturesExecutor):
    """A process pool on this machine that survives workers that die.

    When a worker dies, every run then in flight is suspect: they are retried one at a
    time, alone in the pool, and a run that kills its worker alone is recorded as failed.
    """

    kind = "local"

    def __init__(self, jobs: int) -> None:
        super().__init__(slots=jobs)
        self.suspects: deque[Task] = deque()
        self.isolating = False  # the one run in flight is a suspect running alone

    def start(self) -> dict[str, Any]:
        self._start_pool()
        return {"kind": self.kind, "jobs": self.slots, "host": host_name()} | {
            "versions": versions()
        }

    def _start_pool(self) -> None:
        """A fresh pool, checked with a first task so that workers that cannot start at all
        stop the sweep instead of failing every run."""
        with deferred_stops():  # a Ctrl-C now would leave half-started workers
            self.executor = ProcessPoolExecutor(
                max_workers=self.slots,
                mp_context=forkserver.context(),
                initializer=_init_worker,
                initargs=(os.getpid(),),
            )
            try:
                self.executor.submit(_ping).result()
                return
            except BrokenProcessPool:
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = None
        raise WorkerError(
            "worker processes could not start (see the messages above); "
            "try --jobs 1 to run in this process."
        )

    def results(self, tasks: list[Task], fn: Callable[[Task], Result]) -> Iterator[Result | None]:
        self.suspects.clear()
        return super().results(tasks, fn)

    def _fill(self) -> None:
        if self.suspects:
            if not self.running:
                self.isolating = True
                self._submit(self.suspects.popleft())
            return
        if not self.running:
            self.isolating = False
        super()._fill()

    def _collect(self, done: set[Future[Result]]) -> Iterator[Result]:
        crashed: list[Task] = []
        for future in done:
            task = self.running.pop(future)
            if not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
                crashed.append(task)
            else:
                yield self._outcome(future, task)
        if not crashed:
            return
        crashed += self.running.values()
        self.running.clear()
        assert self.executor is not None
        self.executor.shutdown(wait=False, cancel_futures=True)
        self._start_pool()
        if self.isolating:
            yield failed(crashed[0], WORKER_DIED)
        else:
            self.suspects.extend(sorted(crashed, key=lambda t: t.run_id))

    def close(self) -> None:
        """End the workers: at once if runs are pending (interrupt, fail-fast), else cleanly."""
        executor = self.executor
        if executor is None:
            return
        self.executor = None
        if not self.running and not self.queue and not self.suspects:
            executor.shutdown(wait=True)
            return
        procs = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
