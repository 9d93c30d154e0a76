"""Sweeps: a spec's points x replicates, run on an executor, each run stored as it finishes.

The client schedules runs interleaved (the first replicate of every point, then the
second, ...) so that a partial sweep covers the whole space, and submits them to an
executor (``sim.experiment.executors``): this process, the local process pool (the
default), a Dask cluster or MPI. Each worker runs its runs, appends each to its own
part files at once and returns the small row; the client keeps only the rows and does
no per-run I/O. A run that raises is recorded as ``failed`` with its traceback and the
sweep goes on (``fail_fast`` stops it); a worker that dies loses only its runs in
flight, which are run again.

Whatever ends a session that the program sees (the end, Ctrl-C, SIGTERM, an error, a
full disk) is recorded in the manifest, never left at ``running``; only a kill it
cannot see (SIGKILL, a power cut) leaves ``running``, and the next session resumes.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from sim.experiment.executors import (
    EXECUTORS,
    Executor,
    ExecutorError,
    MPIExecutor,
    Serial,
    cap_jobs,
    check_installed,
)
from sim.experiment.lock import FolderLock
from sim.experiment.pool import LocalPool
from sim.experiment.progress import Progress
from sim.experiment.run import Destination, Result, Task, keeps_feed, log_frame, work
from sim.experiment.signals import Interrupted, deferred_stops, sigterm_stops
from sim.experiment.store import Store, StoreError, read_runs
from sim.experiment.tables import rebuild, write_runs_snapshot
from sim.experiment.versions import versions

if TYPE_CHECKING:
    from sim.experiment.spec import Spec

__all__ = ["Interrupted", "SweepReport", "estimate", "make_executor", "plan", "run_sweep"]

SNAPSHOT_SECONDS = 30.0


@dataclass
class SweepReport:
    """What a sweep session did, for the command line and the tests."""

    total: int
    before: int = 0
    ran: int = 0
    failed_now: int = 0
    status: str = "running"
    counts: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None
    error: str | None = None  # why the session stopped, when status is "error"
    storage_failed: bool = False  # the error was the store's (a full disk...)
    notes: list[str] = field(default_factory=list)
    workers: set[str] = field(default_factory=set)

    def lines(self, out: Path) -> list[tuple[str, bool]]:
        """What the command line says at the end: (line, whether it goes to stderr)."""
        c = self.counts
        said = [
            (
                f"Sweep {self.status}: {c.get('done', 0)}/{c.get('total', 0)} runs on disk "
                f"({self.ran} run now), {c.get('failed', 0)} failed, "
                f"{c.get('missing', 0)} missing.",
                False,
            ),
            (f"Results in {out}/ (runs.parquet, timeseries.parquet, manifest.json)", False),
        ]
        if c.get("failed"):
            where = f"their tracebacks are in the `error` column of {out}/runs.parquet."
            said.append((f"{c['failed']} runs failed; {where}", True))
            if self.first_error:
                said.append(("First failure this time: " + self.first_error.strip(), True))
        if self.status == "interrupted":
            said.append(("Interrupted: run the same command again to resume.", True))
        if self.status == "stopped":
            said.append(("Stopped at the first failure (--fail-fast).", True))
        return said


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
                    logs=spec.record_logs,
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
    executor: str | Executor = "local",
    scheduler: str | None = None,
    repair: bool = False,
) -> SweepReport:
    """Run what is missing of ``spec`` into ``out`` and consolidate the tables.

    Parameters
    ----------
    executor : {"local", "dask", "mpi"} or Executor
        Where the runs go: this machine's process pool (``jobs`` workers; this process
        if 1), Dask (a ``LocalCluster`` of ``jobs`` workers, or the cluster whose
        ``scheduler`` is given), MPI (the processes of ``mpiexec``), or any executor
        object, for example ``FuturesExecutor(concurrent_futures_executor, slots)``.
    repair : bool
        Drop what cannot be read in the folder first, so that those runs are run again.

    Returns a report whose ``status`` is ``complete``, ``failures`` (some runs failed),
    ``stopped`` (``fail_fast`` after a failure) or ``interrupted`` (Ctrl-C or SIGTERM,
    both stop cleanly). A fault that stops
    the session (a full disk, an unreachable scheduler) raises a ``UserError`` after
    recording status ``error`` and its message in the manifest.
    """
    stream = stream if stream is not None else sys.stderr
    command = command or sys.argv
    report = SweepReport(total=spec.n_runs)
    start = _starter(executor, scheduler)
    jobs = _workers(executor, jobs, scheduler, report.notes)
    with sigterm_stops(), FolderLock(out, command) as lock:
        report.notes += [lock.note] if lock.note else []
        store = Store(out)
        try:
            done = store.open(spec, fresh, command, jobs, repair=repair)
        except (KeyboardInterrupt, Interrupted):
            report.status = "interrupted"  # the manifest was not touched
            return report
        try:
            report.before = len(done)
            _say(stream, report.notes + store.notes)
            _run(store, spec, done, report, start, jobs, fail_fast, stream)
        except (KeyboardInterrupt, Interrupted):
            report.status = "interrupted"
        except BaseException as err:
            report.status, report.error = "error", _one_line(err)
            report.storage_failed = isinstance(err, StoreError)
            raise
        finally:
            _finish(store, spec, report)
    return report


def _starter(executor: str | Executor, scheduler: str | None) -> Callable[[int], Executor]:
    """Check the choice of executor at once (before the folder is touched) and return
    what makes it for a number of workers."""
    if not isinstance(executor, str):
        return lambda jobs: executor
    if executor not in EXECUTORS:
        raise ExecutorError(f"unknown executor {executor!r}; choose {', '.join(EXECUTORS)}.")
    check_installed(executor)
    if scheduler and executor != "dask":
        raise ExecutorError("--scheduler is for --executor dask.")
    return functools.partial(make_executor, executor, scheduler=scheduler)


def _workers(
    executor: str | Executor, jobs: int | None, scheduler: str | None, notes: list[str]
) -> int:
    """How many workers to start here (capped at the cores available, with a note)."""
    if not isinstance(executor, str):
        return jobs or 1
    if scheduler or executor == "mpi":
        if jobs is not None:
            given = "--scheduler: the cluster's" if scheduler else "--executor mpi: mpiexec's"
            notes.append(f"--jobs is ignored with {given} workers run the runs.")
        return jobs or 1
    jobs, capped = cap_jobs(jobs)
    notes += [capped] if capped else []
    return jobs


def make_executor(kind: str, jobs: int, scheduler: str | None = None) -> Executor:
    """The executor named on the command line (``--executor``, ``--jobs``, ``--scheduler``)."""
    if kind == "dask":
        from sim.experiment.dask import DaskExecutor

        return DaskExecutor(jobs, scheduler)
    if kind == "mpi":
        return MPIExecutor()
    return Serial() if jobs <= 1 else LocalPool(jobs)  # no pool for one worker


def _run(
    store: Store,
    spec: Spec,
    done: set[int],
    report: SweepReport,
    start: Callable[[int], Executor],
    jobs: int,
    fail_fast: bool,
    stream: IO[str],
) -> None:
    """Plan what is missing, run it on the executor, keep each result as it comes.

    The progress line starts once the executor is ready, so that its rate and ETA are
    those of the runs, and an executor that cannot start ends in its one line alone.
    """
    tasks = plan(spec, done)
    rows = _Rows(store.root)
    if not tasks:
        return
    executor = start(min(jobs, len(tasks)))
    progress: Progress | None = None
    source: Generator[Result | None] | None = None
    try:
        store.record_executor(executor.start())
        progress = Progress(spec.n_runs, len(done), stream)
        to = Destination(str(store.root), store.session, versions())
        source = executor.results(tasks, functools.partial(work, to=to))
        for result in source:
            if result is not None:
                _keep(store, rows, result, report)
            progress.update(result)
            if fail_fast and report.failed_now:
                report.status = "stopped"
                break
    finally:
        if source is not None:
            source.close()
        executor.close()
        if progress is not None:
            progress.close()


class _Rows:
    """The run rows of the folder, kept in memory (they are small) for periodic snapshots."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.old = read_runs(root)
        self.new: list[dict[str, Any]] = []
        self.saved = -SNAPSHOT_SECONDS  # the first run is in runs.parquet at once

    def add(self, row: dict[str, Any]) -> None:
        self.new.append(row)
        if time.monotonic() - self.saved >= SNAPSHOT_SECONDS:
            frames = [f for f in (self.old, pd.DataFrame(self.new)) if len(f)]
            write_runs_snapshot(self.root, pd.concat(frames, ignore_index=True))
            self.saved = time.monotonic()


def _keep(store: Store, rows: _Rows, result: Result, report: SweepReport) -> None:
    if not result.stored:  # a worker that could not see the folder: stored here
        store.write_run(result.row, result.ts, result.logs)
    rows.add(result.row)
    report.ran += 1
    if result.worker:
        report.workers.add(result.worker)
    if result.failed:
        report.failed_now += 1
        if report.first_error is None:
            report.first_error = f"run {result.row['run_id']}: {result.row['error']}"


def _finish(store: Store, spec: Spec, report: SweepReport) -> None:
    """Merge the parts into the tables and record how the session ended.

    After a storage error (a full disk) the tables are not rebuilt (that needs room);
    the parts stay and the next session merges them. A second Ctrl-C while merging
    skips the merge; a stop while the manifest is written waits for it.
    """
    raised: StoreError | None = None
    try:
        store.close()
        if not report.storage_failed:
            rebuild(store.root)
    except (KeyboardInterrupt, Interrupted):
        report.status = "interrupted"
    except StoreError as err:
        raised, report.status, report.error = err, "error", _one_line(err)
    try:
        report.counts = _counts(store.root, spec)
    except (KeyboardInterrupt, Interrupted):
        report.status, report.counts = "interrupted", {"total": spec.n_runs}
    if report.status == "running":
        report.status = "complete" if report.counts.get("failed", 0) == 0 else "failures"
        if report.counts.get("missing"):
            report.status = "interrupted"
    with deferred_stops(drop=True):
        store.finish(report.status, report.counts, report.error, workers=sorted(report.workers))
    if raised is not None:
        raise raised


def _counts(root: Path, spec: Spec) -> dict[str, int]:
    try:
        runs = read_runs(root)
    except StoreError:
        return {"total": spec.n_runs}
    ids = set(runs["run_id"]) if len(runs) else set()
    failed = int((runs["status"] != "ok").sum()) if len(runs) else 0
    return {
        "total": spec.n_runs,
        "done": len(ids),
        "ok": len(ids) - failed,
        "failed": failed,
        "missing": spec.n_runs - len(ids),
    }


def _one_line(err: BaseException) -> str:
    """An error as the manifest records it."""
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _say(stream: IO[str], notes: list[str]) -> None:
    for note in notes:
        stream.write(f"note: {note}\n")
    stream.flush()


# ------------------------------------------------------------------------------ dry run
def estimate(
    spec: Spec, done: set[int] | None = None, jobs: int | None = None, pilot: int = 3
) -> dict[str, Any]:
    """Points, runs, and time and disk estimated from a short pilot; runs nothing else.

    The pilot builds up to ``pilot`` groups at points spread over the design (set-up
    and warm-up included) and runs each for at most 60 days, in this process; the time
    per day is scaled to ``spec.steps``. Disk is counted as 8 bytes per stored value,
    an upper bound (parquet compresses): the row, the recorded series and the logs the
    spec keeps, scaled from the pilot's days like its time.
    """
    from sim.model.model import CommunityModel  # imported before the clock starts

    jobs = cap_jobs(jobs)[0]
    todo = spec.n_runs - len((done or set()) & set(range(spec.n_runs)))
    days = min(spec.steps, 60)
    picks = sorted({round(i * (len(spec.points) - 1) / max(pilot - 1, 1)) for i in range(pilot)})
    seconds, row_values, log_values = [], 0, 0.0
    feed = keeps_feed(spec.record_logs)
    for p in picks:
        t0 = time.perf_counter()
        model = CommunityModel(rng=spec.seed_for(p, 0), logs=feed, **spec.overrides(p))
        t1 = time.perf_counter()
        model.run(days)
        seconds.append(t1 - t0 + (time.perf_counter() - t1) * spec.steps / days)
        row_values = max(row_values, len(model.params) + len(model.summary()) + 6)
        log_values = max(log_values, _log_values(model, spec.record_logs, spec.steps / days))
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
        "bytes": 8 * (ts_values + row_values + log_values) * todo,
    }


def _log_values(model: Any, logs: tuple[str, ...], scale: float) -> float:
    """Values of a run's logs from a pilot's, ``scale`` times as long: posts and comments
    in proportion to the days, members as those there at day 0 plus the joins scaled."""
    values = 0.0
    for kind in logs:
        frame = log_frame(model, kind)
        rows = len(frame) * scale
        if kind == "members":
            joined = int((frame["joined"] > 0).sum())
            rows = len(frame) + joined * (scale - 1)
        values += rows * (len(frame.columns) + 1)  # and its run_id
    return values
