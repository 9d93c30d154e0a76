"""Dask: a ``LocalCluster`` on this machine, or an existing cluster through its scheduler.

Runs go through ``Client.get_executor()``, a ``concurrent.futures`` executor, so the
engine treats Dask like any other executor. Dask re-runs the runs of a worker that
dies on the workers that remain; a run that keeps killing its workers (Dask gives up
after ``distributed.scheduler.allowed-failures`` tries) is recorded as failed. The
workers present at the start are checked for the client's versions here, and every
run checks its own worker too (``sim.experiment.run.work``), so that a worker joining
later with other versions is refused as well. A worker plugin imports the model on
every worker as it starts, so that the first run of a worker is not slowed by it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from sim.experiment.executors import ExecutorError, FuturesExecutor, check_installed
from sim.experiment.signals import deferred_stops
from sim.experiment.versions import mismatch, versions

__all__ = ["DaskExecutor"]

REFRESH_SECONDS = 5.0  # how often the window follows the cluster's size


def _preload() -> Any:
    """A worker plugin that imports the model when a worker starts (built lazily: Dask is
    optional)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class Preload(WorkerPlugin):
        name = "sim-preload"

        def setup(self, worker: Any) -> None:
            import sim.model.model  # noqa: F401

    return Preload()


class DaskExecutor(FuturesExecutor):
    """Runs on Dask workers.

    Parameters
    ----------
    jobs : int
        Workers of the ``LocalCluster`` (one process each, one thread per process),
        when no scheduler is given.
    scheduler : str, optional
        Address of an existing cluster's scheduler (``tcp://HOST:PORT``) or the path of
        its scheduler file (``dask scheduler --scheduler-file``).
    """

    kind = "dask"

    def __init__(self, jobs: int, scheduler: str | None = None) -> None:
        check_installed(self.kind)
        super().__init__(slots=jobs)
        self.scheduler = scheduler
        self.client: Any = None
        self.cluster: Any = None
        self.refreshed = 0.0

    def start(self) -> dict[str, Any]:
        import distributed

        self.lost = (distributed.KilledWorker,)
        if self.scheduler:
            self.client = self._connect(distributed)
        else:
            self.cluster = self._local_cluster(distributed)
            self.client = distributed.Client(self.cluster)
        self.client.register_plugin(_preload())
        workers = self._check_workers()
        self.executor = self.client.get_executor(pure=False)
        self.slots = max(1, sum(w["nthreads"] for w in workers.values()))
        address = None if self.cluster else self.client.scheduler.address
        return {
            "kind": self.kind,
            "scheduler": address,
            "local_cluster": self.cluster is not None,
        } | {
            "workers": workers,
            "versions": versions(),
        }

    def _local_cluster(self, distributed: Any) -> Any:
        """Workers on this machine: one process and one thread each, listening on
        127.0.0.1 only, without the profiler nobody here would read (it alone costs a
        few percent of a worker's time)."""
        import dask

        no_profiler = dask.config.set({"distributed.worker.profile.enabled": False})
        with no_profiler, deferred_stops():  # a Ctrl-C now would leave half-started workers
            return distributed.LocalCluster(
                n_workers=self.slots,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # its HTTP server: loopback, any free port
                # the sweep reports what matters (a lost worker, a failed run) itself;
                # Dask's own logs would add tracebacks of its shutdown after a Ctrl-C
                silence_logs=logging.CRITICAL,
            )

    def _connect(self, distributed: Any) -> Any:
        target = str(self.scheduler)
        try:
            if Path(target).is_file():
                return distributed.Client(scheduler_file=target)
            return distributed.Client(target)
        except (OSError, TimeoutError, ValueError, TypeError) as err:
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {target} ({reason}); check the address "
                "and that the scheduler is running (`dask scheduler`)."
            ) from None

    def _check_workers(self) -> dict[str, dict[str, Any]]:
        """The workers present, with their versions; refuse any whose versions differ."""
        ours = versions()
        found = self.client.run(versions, on_error="return")
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        workers = {}
        for address, theirs in sorted(found.items()):
            if isinstance(theirs, BaseException):
                raise ExecutorError(
                    f"worker {address} cannot run sim ({type(theirs).__name__}: {theirs}); "
                    "install sim, with the same versions as here, on every worker."
                )
            refusal = mismatch(address, theirs, ours)
            if refusal is not None:
                raise refusal
            w = info.get(address, {})
            workers[address] = {"host": w.get("host"), "nthreads": w.get("nthreads", 1)}
            workers[address] |= {"versions": theirs}
        return workers

    def window(self) -> int:
        """Twice the cluster's threads, followed as workers join or leave."""
        if self.client is not None and time.monotonic() - self.refreshed > REFRESH_SECONDS:
            self.refreshed = time.monotonic()
            try:
                self.slots = max(1, sum(self.client.nthreads().values()))
            except (OSError, TimeoutError):
                pass
        return super().window()

    def close(self) -> None:
        """Cancel what is pending and let the cluster go (a ``LocalCluster`` is stopped)."""
        if self.executor is not None:
            self.executor.shutdown(wait=False)
            self.executor = None
        for closing in (self.client, self.cluster):
            if closing is not None:
                try:
                    closing.close()
                except (OSError, TimeoutError, RuntimeError):
                    pass
        self.client = self.cluster = None
