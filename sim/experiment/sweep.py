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
import math
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.errors import UserError
from sim.experiment.store import Store, consolidate, read_runs, write_runs_snapshot

if TYPE_CHECKING:
    from sim.experiment.spec import Spec

__all__ = [
    "Interrupted",
    "Progress",
    "SweepReport",
    "Task",
    "WorkerError",
    "estimate",
    "format_duration",
    "execute",
    "plan",
    "run_sweep",
]

SNAPSHOT_SECONDS = 30.0
WORKER_DIED = (
    "the worker process running this run died (killed, crashed or out of memory); "
    "it died again when the run was retried alone"
)


class Interrupted(BaseException):
    """The sweep was asked to stop (SIGTERM, like Ctrl-C); what finished is kept.

    A ``BaseException``, like ``KeyboardInterrupt``, so that a run's failure isolation
    (which catches ``Exception``) does not record the stop as a failed run."""


class WorkerError(UserError):
    """Worker processes cannot start, so no run can be done in parallel."""


@dataclass(frozen=True)
class Task:
    """One run to do: where it sits in the design, its seed and what to record."""

    run_id: int
    point: int
    replicate: int
    seed: int
    params: dict[str, Any]
    steps: int
    every: int
    metrics: tuple[str, ...]


@dataclass
class Result:
    """A finished run: its row for runs.parquet and its recorded time series, or
    ``stored`` if the worker has written both to the store already (the series is
    then dropped, so that it does not travel back to the parent)."""

    row: dict[str, Any]
    ts: pa.Table | None = None
    stored: bool = False

    @property
    def failed(self) -> bool:
        return self.row["status"] != "ok"


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


# ------------------------------------------------------------------------------- a run
def execute(task: Task) -> Result:
    """Run one group; never raises: a failure becomes a row with status ``failed``."""
    from sim.model.model import CommunityModel
    from sim.model.params import resolve

    started = time.perf_counter()
    base = {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
    }
    try:
        model = CommunityModel(rng=task.seed, **task.params).run(task.steps)
        summary = {k: v for k, v in model.summary().items() if k != "seed"}
        row = {**base, **model.params, **summary, "status": "ok", "error": None}
        # the collector's columns, not model.timeseries(): no DataFrame built per run
        kept = record(model.datacollector.model_vars, task.every, task.metrics)
        ts = pa.table({"run_id": np.full(len(kept["day"]), task.run_id, np.int64), **kept})
    except Exception:  # noqa: BLE001 - isolating any failure of a run is the point
        row = {**base, **resolve(task.params), "status": "failed", "error": traceback.format_exc()}
        ts = None
    row["wall_time"] = time.perf_counter() - started
    return Result(row=row, ts=ts)


def record(
    columns: Mapping[str, Sequence[Any]], every: int, metrics: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """The days kept (every ``every`` days from day 0, and the last day) and measures kept.

    ``columns`` holds one sequence per daily measure (a collector's ``model_vars`` or
    a time series frame); days come out as int64 and measures as float64, the types
    of timeseries.parquet.
    """
    days = np.asarray(columns["day"], dtype=np.int64)
    keep = (days % every == 0) | (days == days.max())
    kept = {m: np.asarray(columns[m], dtype=np.float64)[keep] for m in metrics}
    return {"day": days[keep], **kept}


def execute_and_store(task: Task, root: Path) -> Result:
    """Run one group and write its part files to the store at ``root``, in the worker.

    The parent then receives only the row: it does no per-run I/O and never holds a
    time series. A run is on disk as soon as it is finished, as when the parent wrote it.
    """
    result = execute(task)
    Store(root).write_run(result.row, result.ts)
    return Result(row=result.row, stored=True)


# -------------------------------------------------------------------------- the workers
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


def _serial(tasks: list[Task], fn: Callable[[Task], Result]) -> Iterator[Result | None]:
    for task in tasks:
        yield fn(task)


class _Pool:
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


# ----------------------------------------------------------------------------- progress
class Progress:
    """Runs done/total, runs per second, ETA and failures: a live bar on a terminal,
    a plain line every ``every`` seconds otherwise (logs, CI)."""

    def __init__(self, total: int, before: int, stream: IO[str] | None = None, every: float = 10):
        self.total, self.before = total, before
        self.stream = stream if stream is not None else sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every
        self.started = self.last = time.monotonic()
        self.done = self.failed = 0

    def update(self, result: Result | None = None, force: bool = False) -> None:
        if result is not None:
            self.done += 1
            self.failed += result.failed
        now = time.monotonic()
        if not (self.live or force or now - self.last >= self.every):
            return
        self.last = now
        line = self.line(now)
        if self.live:
            self.stream.write("\r" + line + " " * 4)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def line(self, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        done = self.before + self.done
        left = self.total - done
        eta = format_duration(left / rate) if rate > 0 else "?"
        text = (
            f"{done}/{self.total} runs  {rate:.1f} runs/s  ETA {eta}  "
            f"failed {self.failed}  elapsed {format_duration(elapsed)}"
        )
        if not self.live:
            return "progress: " + text
        width = 24
        filled = int(width * done / max(self.total, 1))
        return f"[{'#' * filled}{'.' * (width - filled)}] " + text

    def close(self) -> None:
        self.update(force=True)
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


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
    serial = jobs == 1 or len(tasks) <= 1
    source = _serial(tasks, fn) if serial else _Pool(tasks, jobs, fn).results()
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
