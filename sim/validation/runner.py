"""Running the validation's groups: every run in a fresh worker process, in parallel,
with a progress line; the runs' statistics as one table.

Each worker is forked from the fork server of ``sim.experiment.forkserver``, which has
loaded the model and its compiled loops once, so that a run does not pay for importing
them (about 1.2 s of CPU a process started from nothing).

A run is the model on one group and seed; its worker computes the run's statistics
from its logs (``groups.statistics``) and sends back only those numbers, so no log
crosses a process boundary and the parent's memory does not grow with the runs. A
worker serves a single run and is then replaced, so that no run inherits another's
memory. A run that raises becomes a row with its error; a worker that dies stops the
validation with one clear line.
"""

from __future__ import annotations

import math
import signal
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.experiment import forkserver
from sim.experiment.progress import Progress
from sim.validation.groups import Group, statistics

__all__ = ["RunResult", "Runs", "WorkerDied", "run_groups", "run_one"]


class WorkerDied(UserError):
    """A worker process died (killed, out of memory) in the middle of a run."""


@dataclass
class RunResult:
    """One finished run: its group and seed, its statistics, or the error it raised."""

    group: str
    seed: int
    stats: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    seconds: float = math.nan

    @property
    def failed(self) -> bool:
        return self.error is not None


def run_one(group: Group, seed: int) -> RunResult:
    """Run ``group`` with ``seed`` and compute its statistics; never raises."""
    from sim.model import kernels
    from sim.model.model import CommunityModel

    kernels.load()  # each worker runs many groups: compiled loops pay (sim[fast])
    started = time.perf_counter()
    try:
        model = CommunityModel(rng=seed, logs=group.logs, **group.overrides)
        model.run(group.days)
        stats = statistics(group, model)
        return RunResult(group.key, seed, stats, None, time.perf_counter() - started)
    except Exception:  # noqa: BLE001 - a failed run is reported, not fatal
        return RunResult(group.key, seed, {}, traceback.format_exc(), time.perf_counter() - started)


def _quiet_worker() -> None:
    """Leave Ctrl-C to the parent, which stops every worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_groups(groups: list[Group], jobs: int, stream: IO[str] | None = None) -> Runs:
    """Run every seed of every group on ``jobs`` worker processes, largest runs first."""
    tasks = [(g, s) for g in sorted(groups, key=lambda g: -g.cost) for s in range(1, g.seeds + 1)]
    progress = Progress(len(tasks), 0, stream)
    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=forkserver.context(),
        initializer=_quiet_worker,
        max_tasks_per_child=1,
    )
    futures: dict[Future[RunResult], tuple[Group, int]] = {
        executor.submit(run_one, g, s): (g, s) for g, s in tasks
    }
    results: list[RunResult] = []
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
            for fut in done:
                results.append(_result(fut, *futures[fut]))
                progress.update(results[-1])
            if not done:
                progress.update()
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown(wait=True)
    progress.close()
    return Runs.from_results(results)


def _result(fut: Future[RunResult], group: Group, seed: int) -> RunResult:
    try:
        return fut.result()
    except BrokenProcessPool:
        raise WorkerDied(
            f"a worker process died (killed or out of memory) running {group.key}, seed {seed}; "
            "nothing was written."
        ) from None


def _stop(executor: ProcessPoolExecutor) -> None:
    """End the workers at once (interrupt, or a worker died)."""
    procs = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()


class Runs:
    """The statistics of every run: one row per group and seed."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table

    @classmethod
    def from_results(cls, results: list[RunResult]) -> Runs:
        rows = [
            {"group": r.group, "seed": r.seed, "error": r.error, "seconds": r.seconds, **r.stats}
            for r in results
        ]
        table = pd.DataFrame(
            rows, columns=["group", "seed", "error", "seconds"] if not rows else None
        )
        return cls(table.sort_values(["group", "seed"], kind="stable").reset_index(drop=True))

    def values(self, group: Group, stat: str) -> np.ndarray:
        """The statistic of seeds 1..n of ``group``, in seed order; NaN for a run that
        failed or could not give it."""
        out = np.full(group.seeds, math.nan)
        if stat not in self.table.columns:
            return out
        rows = self.table[self.table["group"] == group.key]
        seeds = rows["seed"].to_numpy(dtype=int)
        ok = (seeds >= 1) & (seeds <= group.seeds)
        out[seeds[ok] - 1] = rows[stat].to_numpy(dtype=float)[ok]
        return out

    def failures(self) -> pd.DataFrame:
        """The runs that raised, with their errors."""
        return self.table[self.table["error"].notna()]
