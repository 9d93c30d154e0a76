"""Sweeps: a spec's points x replicates, run in parallel, each run stored as it finishes.

The parent process schedules runs interleaved (the first replicate of every point,
then the second, ...) so that a partial sweep covers the whole space; long-lived
worker processes (Mesa is imported once per worker, not once per run) run them, write
each run's part files to the store at once and return its row. The parent keeps only
the small rows and does no per-run I/O, so that it takes next to no CPU from the
workers. A run that raises is recorded as ``failed`` with its traceback and the sweep
goes on; a worker that dies (killed, out of memory) is replaced and the runs it may
have been running are retried one at a time, so the culprit is found and recorded as
failed.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from sim.experiment.pool import Pool, serial
from sim.experiment.progress import Progress
from sim.experiment.run import Result, Task, execute_and_store
from sim.experiment.store import Store, consolidate, read_runs, write_runs_snapshot

if TYPE_CHECKING:
    from sim.experiment.spec import Spec

__all__ = ["Interrupted", "SweepReport", "estimate", "plan", "run_sweep"]

SNAPSHOT_SECONDS = 30.0


class Interrupted(BaseException):
    """The sweep was asked to stop (SIGTERM, like Ctrl-C); what finished is kept.

    A ``BaseException``, like ``KeyboardInterrupt``, so that a run's failure isolation
    (which catches ``Exception``) does not record the stop as a failed run."""


@dataclass
class SweepReport:
    """What a sweep session did, for the command line and the tests."""

    total: int
    before: int
    ran: int = 0
    failed_now: int = 0
    status: str = "running"
    counts: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None


# ------------------------------------------------------------------------------ planning
def plan(spec: Spec, done: set[int] | None = None) -> list[Task]:
    """The runs still to do, interleaved: replicate 0 of every point, then replicate 1, ..."""
    done = done or set()
    tasks = []
    for r in range(spec.replicates):
        for p in range(len(spec.points)):
            run_id = spec.run_id(p, r)
            if run_id in done:
                continue
            tasks.append(
                Task(
                    run_id=run_id,
                    point=p,
                    replicate=r,
                    seed=spec.seed_for(p, r),
                    params=spec.overrides(p),
                    steps=spec.steps,
                    every=spec.record_every,
                    metrics=spec.record_metrics,
                )
            )
    return tasks


# -------------------------------------------------------------------------------- sweep
def run_sweep(
    spec: Spec,
    out: Path,
    jobs: int | None = None,
    fresh: bool = False,
    fail_fast: bool = False,
    command: list[str] | None = None,
    stream: IO[str] | None = None,
) -> SweepReport:
    """Run what is missing of ``spec`` into ``out`` and consolidate the tables.

    Returns a report whose ``status`` is ``complete``, ``failures`` (some runs failed),
    ``stopped`` (``fail_fast`` after a failure) or ``interrupted``.
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    store = Store(out)
    done = store.open(spec, fresh, command or sys.argv, jobs)
    tasks = plan(spec, done)
    report = SweepReport(total=spec.n_runs, before=len(done))
    progress = Progress(spec.n_runs, len(done), stream)
    rows = _Rows(out)
    fn = functools.partial(execute_and_store, root=store.root)
    one = jobs == 1 or len(tasks) <= 1
    source = serial(tasks, fn) if one else Pool(tasks, jobs, fn).results()
    try:
        for result in source:
            if result is not None:
                _keep(store, rows, result, report)
            progress.update(result)
            if fail_fast and report.failed_now:
                report.status = "stopped"
                break
    except (KeyboardInterrupt, Interrupted):
        report.status = "interrupted"
    finally:
        source.close()
        progress.close()
        _finish(store, spec, report)
    return report


class _Rows:
    """The run rows of the folder, kept in memory (they are small) for periodic snapshots."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.old = read_runs(root)
        self.new: list[dict[str, Any]] = []
        self.saved = time.monotonic()

    def add(self, row: dict[str, Any]) -> None:
        self.new.append(row)
        if time.monotonic() - self.saved >= SNAPSHOT_SECONDS:
            frames = [f for f in (self.old, pd.DataFrame(self.new)) if len(f)]
            write_runs_snapshot(self.root, pd.concat(frames, ignore_index=True))
            self.saved = time.monotonic()


def _keep(store: Store, rows: _Rows, result: Result, report: SweepReport) -> None:
    if not result.stored:  # a run whose worker died: its row is written here
        store.write_run(result.row, result.ts)
    rows.add(result.row)
    report.ran += 1
    if result.failed:
        report.failed_now += 1
        if report.first_error is None:
            report.first_error = f"run {result.row['run_id']}: {result.row['error']}"


def _finish(store: Store, spec: Spec, report: SweepReport) -> None:
    consolidate(store.root)
    runs = read_runs(store.root)
    ids = set(runs["run_id"]) if len(runs) else set()
    failed = int((runs["status"] != "ok").sum()) if len(runs) else 0
    report.counts = {
        "total": spec.n_runs,
        "done": len(ids),
        "ok": len(ids) - failed,
        "failed": failed,
        "missing": spec.n_runs - len(ids),
    }
    if report.status == "running":
        report.status = "complete" if failed == 0 else "failures"
        if report.counts["missing"]:
            report.status = "interrupted"
    store.finish(report.status, report.counts)


# ------------------------------------------------------------------------------ dry run
def estimate(
    spec: Spec, done: set[int] | None = None, jobs: int | None = None, pilot: int = 3
) -> dict[str, Any]:
    """Points, runs, and time and disk estimated from a short pilot; runs nothing else.

    The pilot builds up to ``pilot`` groups at points spread over the design (set-up
    and warm-up included) and runs each for at most 60 days, in this process; the time
    per day is scaled to ``spec.steps``. Disk is counted as 8 bytes per stored value,
    an upper bound (parquet compresses).
    """
    from sim.model.model import CommunityModel  # imported before the clock starts

    jobs = max(1, jobs or os.cpu_count() or 1)
    todo = spec.n_runs - len((done or set()) & set(range(spec.n_runs)))
    days = min(spec.steps, 60)
    picks = sorted({round(i * (len(spec.points) - 1) / max(pilot - 1, 1)) for i in range(pilot)})
    seconds, row_values = [], 0
    for p in picks:
        t0 = time.perf_counter()
        model = CommunityModel(rng=spec.seed_for(p, 0), **spec.overrides(p))
        t1 = time.perf_counter()
        model.run(days)
        seconds.append(t1 - t0 + (time.perf_counter() - t1) * spec.steps / days)
        row_values = max(row_values, len(model.params) + len(model.summary()) + 6)
    per_run = sum(seconds) / len(seconds)
    kept = len(range(0, spec.steps + 1, spec.record_every)) + (spec.steps % spec.record_every > 0)
    ts_values = kept * (2 + len(spec.record_metrics)) if spec.record_metrics else 0
    return {
        "points": len(spec.points),
        "runs": spec.n_runs,
        "done": spec.n_runs - todo,
        "todo": todo,
        "jobs": jobs,
        "pilot_runs": len(picks),
        "pilot_days": days,
        "seconds_per_run": per_run,
        "seconds": per_run * todo / min(jobs, max(todo, 1)),
        "bytes": 8 * (ts_values + row_values) * todo,
    }
