"""The local pool's fork server: one process that loads the model once, from which
every worker is forked ready to run.

A worker started from nothing (``spawn``) imports Mesa, pandas and Numba and loads the
compiled loops, about 1.2 s of CPU, in every sweep. The fork server does it once, and
``prestart`` has it do so while the sweep's own process is still importing and
planning: a two-worker sweep's fixed cost falls from about 2.3 s to 1.7 s.

The server lives as long as the process that started it, and workers are forked from
it as it was then: a sweep started later in the same Python session (a notebook) gets
workers with the environment variables (``SIM_KERNELS``...) and the code of the
moment the server started (the working folder and ``sys.path`` are the sweep's own).
Where the platform has no fork server (Windows), workers are spawned.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.context import BaseContext

from sim.experiment.cores import cap_jobs

__all__ = ["PRELOAD", "context", "prestart"]

PRELOAD = "sim.experiment.preload"  # what the server imports: the model, loaded


def context() -> BaseContext:
    """The start method of the pool's workers: forked from the fork server where there
    is one, else spawned."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD])
    return ctx


def prestart(jobs: int | None) -> None:
    """Start the fork server now, so that it loads the model while this process does
    other work; the pool started later forks its workers from it. Nothing to start
    when the sweep will run in this process (one worker asked for, or one core)."""
    if cap_jobs(jobs)[0] < 2:
        return
    if context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
