"""One run of a sweep: what to do (``Task``), doing it, and what it gives (``Result``).

``execute`` never raises: a run that fails becomes a row with status ``failed`` and
its traceback, so that one bad point cannot stop a sweep. ``work`` is what an executor
runs on a worker: it refuses a worker with other versions than the client's, executes
the run and appends it to the worker's own part files.
"""

from __future__ import annotations

import math
import os
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sim.experiment.parts import host_name, writer_for
from sim.experiment.versions import mismatch, versions

__all__ = [
    "WORKER_DIED",
    "Destination",
    "Result",
    "Task",
    "LOG_METHODS",
    "execute",
    "failed",
    "keeps_feed",
    "load_loops",
    "log_frame",
    "record",
    "work",
    "worker_name",
]

WORKER_DIED = (
    "the worker process running this run died (killed, crashed or out of memory); "
    "it died again when the run was retried"
)


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
    logs: tuple[str, ...] = ()  # the run's traces to keep: "posts", "members", "replies"


@dataclass
class Result:
    """A finished run: its row for runs.parquet and its recorded time series, or
    ``stored`` if the worker has written both to the store already (the series is
    then dropped, so that it does not travel back to the client). ``worker`` names
    the process that ran it."""

    row: dict[str, Any]
    ts: pa.Table | None = None
    stored: bool = False
    worker: str | None = None
    logs: dict[str, pa.Table] = field(default_factory=dict)  # kept traces, by log

    @property
    def failed(self) -> bool:
        return self.row["status"] != "ok"


@dataclass(frozen=True)
class Destination:
    """Where the workers of one sweep session store runs, and the client's versions,
    which they must have."""

    root: str
    session: str
    versions: dict[str, str | None] = field(default_factory=dict)


def worker_name() -> str:
    """This process, as the manifest names workers: host and process id."""
    return f"{host_name()}-{os.getpid()}"


def work(task: Task, to: Destination) -> Result:
    """Run one group on a worker and store it in the worker's part files.

    If the results folder is not visible from the worker (no shared file system), the
    series travels back with the row and the client stores it.
    """
    refusal = mismatch(worker_name(), versions(), to.versions) if to.versions else None
    if refusal is not None:
        raise refusal
    result = execute(task)
    result.worker = worker_name()
    writer = writer_for(Path(to.root), to.session)
    if writer is None:
        return result
    writer.append(result.row, result.ts, result.logs)
    return Result(row=result.row, stored=True, worker=result.worker)


def load_loops() -> None:
    """Use the compiled loops in this process, if Numba is installed, and run a tiny
    group so that their code is loaded now (about a third of a second), not in a run."""
    from sim.model import kernels
    from sim.model.model import CommunityModel

    if kernels.load():
        CommunityModel(rng=0, n_members=100).run(3)


def execute(task: Task) -> Result:
    """Run one group; never raises: a failure becomes a row with status ``failed``."""
    from sim.model import kernels
    from sim.model.model import CommunityModel

    kernels.load()  # a sweep's process runs many groups: compiled loops pay (sim[fast])
    started = time.perf_counter()
    try:
        feed = keeps_feed(task.logs)
        model = CommunityModel(rng=task.seed, logs=feed, **task.params).run(task.steps)
        summary = {k: v for k, v in model.summary().items() if k != "seed"}
        row = {**_where(task), **model.params, **summary, "status": "ok", "error": None}
        # the collector's columns, not model.timeseries(): no DataFrame built per run
        kept = record(model.datacollector.model_vars, task.every, task.metrics)
        ts = pa.table({"run_id": np.full(len(kept["day"]), task.run_id, np.int64), **kept})
        logs = {kind: _log(model, kind, task.run_id) for kind in task.logs}
    except Exception:  # noqa: BLE001 - isolating any failure of a run is the point
        return failed(task, traceback.format_exc(), time.perf_counter() - started)
    row["wall_time"] = time.perf_counter() - started
    return Result(row=row, ts=ts, logs=logs)


# The model's method that gives each log a sweep can keep ([record] logs).
LOG_METHODS = {"posts": "post_log", "members": "member_log", "replies": "reply_log"}


def keeps_feed(logs: Sequence[str]) -> bool:
    """Whether the model must keep its post and reply logs (only then: they cost memory)."""
    return bool({"posts", "replies"} & set(logs))


def log_frame(model: Any, kind: str) -> Any:
    """One of a run's logs as the model gives it (a DataFrame)."""
    return getattr(model, LOG_METHODS[kind])()


def _log(model: Any, kind: str, run_id: int) -> pa.Table:
    """One of the run's logs as a table, its run_id first."""
    table = pa.Table.from_pandas(log_frame(model, kind), preserve_index=False)
    return table.add_column(0, "run_id", pa.array(np.full(len(table), run_id, np.int64)))


def failed(task: Task, error: str, wall_time: float = math.nan) -> Result:
    """The row of a run that failed: where it sits, its parameters, and the error."""
    from sim.model.params import resolve

    row = {**_where(task), **resolve(task.params), "status": "failed", "error": error}
    return Result(row={**row, "wall_time": wall_time})


def _where(task: Task) -> dict[str, Any]:
    return {"run_id": task.run_id, "point": task.point, "replicate": task.replicate} | {
        "seed": task.seed
    }


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
