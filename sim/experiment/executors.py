"""Where a sweep's runs go: the executor interface and its simple implementations.

The sweep engine (``sim.experiment.sweep``) knows only this interface: ``start`` the
executor (it says what it is, for the manifest), turn tasks into ``results`` as they
finish, and ``close`` it. What runs on a worker is ``sim.experiment.run.work``: it
executes a run and stores it in the worker's own part files, so the same guarantees
(seeds independent of scheduling, failures recorded, versions checked, nothing lost
or duplicated by a kill) hold on every executor. Implementations:

- ``Serial``: this process, one run after the other (``--jobs 1``);
- ``FuturesExecutor``: any ``concurrent.futures.Executor`` fed a bounded window of
  runs, for example ``ThreadPoolExecutor`` or mpi4py's ``MPIPoolExecutor``
  (``MPIExecutor``, ``--executor mpi``);
- ``LocalPool`` (``sim.experiment.pool``): the local process pool, the default;
- ``DaskExecutor`` (``sim.experiment.dask``): a Dask cluster, local or remote.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib.util
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from sim.errors import UserError
from sim.experiment.cores import available_cores, cap_jobs
from sim.experiment.run import WORKER_DIED, Result, Task, failed, worker_name
from sim.experiment.versions import versions

__all__ = [
    "EXECUTORS",
    "Executor",
    "ExecutorError",
    "FuturesExecutor",
    "MPIExecutor",
    "Serial",
    "available_cores",
    "cap_jobs",
    "check_installed",
]

EXECUTORS = ("local", "dask", "mpi")
# What to install for an executor, as the message says it.
NEEDS = {
    "dask": ("distributed", "pip install 'sim[dask]'"),
    "mpi": ("mpi4py", "pip install mpi4py"),
}


class ExecutorError(UserError):
    """An executor that cannot be used: not installed, unreachable, or workers that
    cannot start."""


class Executor(Protocol):
    """Runs tasks somewhere and hands back their results as they finish."""

    kind: str

    def start(self) -> dict[str, Any]:
        """Get ready (start or reach the workers); return what to record in the manifest.

        Raises ``ExecutorError`` (or ``VersionMismatch``) with one line if it cannot.
        """
        ...

    def results(self, tasks: list[Task], fn: Callable[[Task], Result]) -> Iterator[Result | None]:
        """Each task's result as it finishes, and None about every second while waiting
        (so that progress can be refreshed). A ``UserError`` raised by ``fn`` on a worker
        (a full disk, a worker with other versions) stops the iteration."""
        ...

    def close(self) -> None:
        """Stop the workers; runs still in flight are abandoned (they are redone on resume)."""
        ...


def check_installed(kind: str) -> None:
    """One line saying what to install if an executor's package is missing."""
    if kind not in NEEDS:
        return
    module, install = NEEDS[kind]
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ExecutorError(f"--executor {kind} needs the {module} package: {install}.")


class Serial:
    """Runs in this process, one after the other (``--jobs 1``)."""

    kind = "local"

    def start(self) -> dict[str, Any]:
        return {"kind": self.kind, "jobs": 1, "workers": {worker_name(): versions()}}

    def results(self, tasks: list[Task], fn: Callable[[Task], Result]) -> Iterator[Result | None]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        pass


class FuturesExecutor:
    """Any ``concurrent.futures.Executor``, fed a bounded window of runs.

    At most ``2 * slots`` runs are submitted at a time, so that a sweep of millions of
    runs holds few futures and a worker that frees up finds the next run waiting.

    Parameters
    ----------
    executor : concurrent.futures.Executor, optional
        The executor; subclasses may create it in ``start``.
    slots : int
        Runs it can do at the same time (its workers).
    """

    kind = "futures"
    # Exceptions that mean the worker died while running the task (it is failed).
    lost: tuple[type[BaseException], ...] = ()

    def __init__(self, executor: cf.Executor | None = None, slots: int = 1) -> None:
        self.executor = executor
        self.slots = slots
        self.queue: deque[Task] = deque()
        self.running: dict[cf.Future[Result], Task] = {}
        self.fn: Callable[[Task], Result] | None = None

    def start(self) -> dict[str, Any]:
        return {"kind": self.kind, "workers": self.slots, "versions": versions()}

    def window(self) -> int:
        return 2 * max(1, self.slots)

    def results(self, tasks: list[Task], fn: Callable[[Task], Result]) -> Iterator[Result | None]:
        self.fn, self.queue = fn, deque(tasks)
        try:
            while True:
                self._fill()
                if not self.running:
                    return
                done, _ = cf.wait(self.running, timeout=1.0, return_when=cf.FIRST_COMPLETED)
                if not done:
                    yield None
                yield from self._collect(done)
        finally:
            for future in self.running:
                future.cancel()

    def _submit(self, task: Task) -> None:
        assert self.executor is not None and self.fn is not None
        self.running[self.executor.submit(self.fn, task)] = task

    def _fill(self) -> None:
        while self.queue and len(self.running) < self.window():
            self._submit(self.queue.popleft())

    def _collect(self, done: set[cf.Future[Result]]) -> Iterator[Result]:
        for future in done:
            yield self._outcome(future, self.running.pop(future))

    def _outcome(self, future: cf.Future[Result], task: Task) -> Result:
        """A finished future's result; a run's own failure is recorded, not raised."""
        try:
            return future.result()
        except UserError:
            raise
        except self.lost:
            return failed(task, WORKER_DIED)
        except cf.CancelledError:
            raise ExecutorError(
                f"run {task.run_id} was cancelled by the executor (its workers or scheduler "
                "stopped); run the same command again to resume."
            ) from None
        except Exception as err:  # noqa: BLE001 - e.g. a result that cannot travel back
            return failed(task, "".join(traceback.format_exception(err)))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)


class MPIExecutor(FuturesExecutor):
    """mpi4py's ``MPIPoolExecutor``: the MPI processes started by ``mpiexec``.

    Start the sweep as ``mpiexec -n N python -m mpi4py.futures -m sim.cli sweep SPEC
    --executor mpi``: rank 0 runs the sweep, the other N - 1 ranks run the runs.
    """

    kind = "mpi"

    def start(self) -> dict[str, Any]:
        check_installed(self.kind)
        from mpi4py.futures import MPIPoolExecutor

        self.executor = MPIPoolExecutor()
        self.slots = self.executor.num_workers
        return super().start()
