"""One run of a sweep: what to do (``Task``), doing it, and what it gives (``Result``).

``execute`` never raises: a run that fails becomes a row with status ``failed`` and
its traceback, so that one bad point cannot stop a sweep.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sim.experiment.store import Store

__all__ = ["Result", "Task", "execute", "execute_and_store", "record"]


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
