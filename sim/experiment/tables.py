"""The tables of a results folder: every run on disk, consolidated or still in parts, and
consolidation into ``runs.parquet`` and ``timeseries.parquet`` (and the logs the spec
keeps: ``posts.parquet``, ``members.parquet``, ``replies.parquet``, with a run_id column).

A run's row, series and logs are read from the first part that has it, else from the
consolidated tables. Consolidation is safe against a kill at any moment: the new log
tables replace the old, then the time series table, then the runs table, and only then
are the merged parts deleted; until a part is deleted it takes precedence over the consolidated
rows of its runs, so no run is ever lost or counted twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.experiment.files import ROW_GROUP_ROWS, StoreError, damaged, write_streamed, write_table
from sim.experiment.lock import FolderLock
from sim.experiment.parts import LOG_SUFFIXES, PARTS, SESSION_SUFFIX, Found, scan

__all__ = [
    "LOG_TABLES",
    "RUNS",
    "TIMESERIES",
    "Rebuilt",
    "consolidate",
    "done_ids",
    "iter_timeseries",
    "read_runs",
    "rebuild",
    "write_runs_snapshot",
]

RUNS, TIMESERIES = "runs.parquet", "timeseries.parquet"
LOG_TABLES = {kind: f"{kind}.parquet" for kind in LOG_SUFFIXES}


def done_ids(root: Path) -> set[int]:
    """Ids of the runs on disk (finished or failed), consolidated or still in parts."""
    root = Path(root)
    ids = set(scan(root / PARTS).chosen)
    if (root / RUNS).exists():
        ids.update(_consolidated_runs(root, ["run_id"])["run_id"].tolist())
    return ids


def read_runs(root: Path) -> pd.DataFrame:
    """Every run row on disk, consolidated or not, one per run_id, sorted by run_id."""
    root = Path(root)
    return _runs(root, scan(root / PARTS), _consolidated_runs(root))


def _runs(root: Path, found: Found, old: pd.DataFrame | None) -> pd.DataFrame:
    frames = []
    if old is not None and len(old):
        frames.append(old[~old["run_id"].isin(list(found.chosen))])
    rows = found.rows()
    if rows:
        frames.append(_frame(rows))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({"run_id": pd.Series([], dtype="int64")})
    runs = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return runs.sort_values("run_id", kind="stable").reset_index(drop=True)


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as one frame, built in Arrow: columns in order of first appearance, a value a
    row lacks (a failed run has no outcomes) is null, and each column takes the type
    of all its values (int with float is float), as ``pandas.concat`` would make them."""
    names = list(dict.fromkeys(k for r in rows for k in r))
    table = pa.table({n: pa.array([r.get(n) for r in rows]) for n in names})
    return table.to_pandas()


def _consolidated_runs(
    root: Path, columns: list[str] | None = None, repair: bool = False
) -> pd.DataFrame | None:
    """runs.parquet, None if absent (or, with ``repair``, unreadable)."""
    path = root / RUNS
    if not path.exists():
        return None
    try:
        return pd.read_parquet(path, columns=columns)
    except (pa.ArrowInvalid, OSError) as err:
        if repair:
            return None
        raise damaged(path, err) from None


def iter_timeseries(root: Path, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """The time series on disk in batches: consolidated rows, then parts not yet merged.

    Consolidated rows of a run that also has a part are skipped (the part wins), so
    a consolidation interrupted half-way never yields a run twice.
    """
    root = Path(root)
    found = scan(root / PARTS)
    yield from _series(root, found, columns, skip=set(found.chosen))


def _series(
    root: Path,
    found: Found,
    columns: list[str] | None,
    skip: set[int],
    keep: set[int] | None = None,
) -> Iterator[pa.Table]:
    """Consolidated series except runs in ``skip`` (and, if given, only runs in ``keep``),
    then each chosen part's series."""
    path = root / TIMESERIES
    if path.exists():
        want = None if columns is None else list(dict.fromkeys(["run_id", *columns]))
        try:
            pf = pq.ParquetFile(path)
            for batch in pf.iter_batches(batch_size=ROW_GROUP_ROWS, columns=want):
                table = _filter(pa.Table.from_batches([batch]), skip, keep)
                yield table if columns is None else table.select(columns)
        except (pa.ArrowInvalid, OSError) as err:
            raise damaged(path, err) from None
    by_part: dict[str, set[int]] = {}
    for run_id, part in found.chosen.items():
        by_part.setdefault(part.name, set()).add(run_id)
    for part in found.parts:
        yield from part.series(by_part.get(part.name, set()), columns)


def _filter(table: pa.Table, skip: set[int], keep: set[int] | None) -> pa.Table:
    ids = table.column("run_id")
    mask = None
    if skip:
        mask = pc.invert(pc.is_in(ids, value_set=pa.array(list(skip), type=pa.int64())))
    if keep is not None:
        kept = pc.is_in(ids, value_set=pa.array(list(keep), type=pa.int64()))
        mask = kept if mask is None else pc.and_(mask, kept)
    return table if mask is None else table.filter(mask)


# -------------------------------------------------------------------------- consolidate
@dataclass
class Rebuilt:
    """What a consolidation merged and, with ``repair``, what it dropped."""

    merged: int = 0
    dropped: list[str] = field(default_factory=list)


def consolidate(root: Path) -> int:
    """Merge the parts into the tables, unless a sweep is running on the folder (its
    workers are still appending; readers merge the parts themselves) or the folder
    cannot be locked (read-only). Returns the runs merged."""
    root = Path(root)
    if not (root / PARTS).is_dir():
        return 0
    try:
        lock = FolderLock(root)
        lock.acquire()
    except StoreError:
        return 0
    try:
        return rebuild(root).merged
    finally:
        lock.release()


def rebuild(root: Path, repair: bool = False) -> Rebuilt:
    """Merge the parts into the log tables (if any), timeseries.parquet and runs.parquet,
    in that order; the caller holds the lock.

    With ``repair``, what cannot be read is dropped instead of stopping with an error:
    damaged parts, an unreadable runs.parquet, timeseries.parquet or log table, and rows
    whose series or logs are gone with them, so that those runs are run again.
    """
    root = Path(root)
    found = scan(root / PARTS, repair=repair)
    done = Rebuilt(merged=len(found.chosen), dropped=list(found.dropped))
    if not found.files and not repair:
        _remove_markers(root)
        return done
    old = _consolidated_runs(root, repair=repair)
    keep = None
    if repair:
        old, keep = _repaired(root, old, set(found.chosen), done.dropped)
    for kind, name in LOG_TABLES.items():
        if (root / name).exists() or any(kind in p.logs_at for p in found.parts):
            write_streamed(root / name, _log_rows(root, found, kind, keep))
    if found.chosen or (root / TIMESERIES).exists():
        write_streamed(root / TIMESERIES, _series(root, found, None, set(found.chosen), keep))
    runs = _runs(root, found, old)
    if len(runs.columns) > 1 or (root / RUNS).exists():
        write_table(root / RUNS, pa.Table.from_pandas(runs, preserve_index=False))
    for path in found.files:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    _remove_markers(root)
    return done


def _log_rows(root: Path, found: Found, kind: str, keep: set[int] | None) -> Iterator[pa.Table]:
    """A log's consolidated rows (but those of runs in parts: the part wins), then the
    chosen parts' rows, all with the types of the first."""
    path, schema = root / LOG_TABLES[kind], None
    tables: list[Iterator[pa.Table]] = []
    if path.exists():
        try:
            batches = pq.ParquetFile(path).iter_batches(batch_size=ROW_GROUP_ROWS)
        except (pa.ArrowInvalid, OSError) as err:
            raise damaged(path, err) from None
        skip = set(found.chosen)
        tables.append(_filter(pa.Table.from_batches([b]), skip, keep) for b in batches)
    by_part: dict[str, set[int]] = {}
    for run_id, part in found.chosen.items():
        by_part.setdefault(part.name, set()).add(run_id)
    tables += [part.log(kind, by_part.get(part.name, set())) for part in found.parts]
    for source in tables:
        for table in source:
            schema = schema or table.schema
            yield table.cast(schema)


def _repaired(
    root: Path, old: pd.DataFrame | None, in_parts: set[int], dropped: list[str]
) -> tuple[pd.DataFrame | None, set[int]]:
    """Consolidated rows that can be trusted, and the runs whose series and logs to keep.

    An unreadable table is set aside; a finished run whose series or logs are gone is
    dropped (all of them when a log table is unreadable: a run may have no rows in it).
    """
    if old is None and (root / RUNS).exists():
        dropped.append(f"{RUNS} (unreadable)")
        (root / RUNS).unlink()
    with_series = _series_ids(root, dropped)
    if not _logs_readable(root, dropped):
        with_series = set()  # which runs had rows in the lost log is unknown: all did
    if old is None:
        return None, set()
    ids = old["run_id"]
    lost = old[(old["status"] == "ok") & ~ids.isin(list(with_series)) & ~ids.isin(list(in_parts))]
    if len(lost):
        dropped.append(f"{len(lost)} runs of {RUNS} whose time series or logs are missing")
    kept = old.drop(lost.index)
    return kept, set(kept["run_id"].tolist())


def _series_ids(root: Path, dropped: list[str]) -> set[int]:
    """Run ids in timeseries.parquet; an unreadable one is removed (and nothing kept)."""
    path = root / TIMESERIES
    if not path.exists():
        return set()
    try:
        ids: set[int] = set()
        for batch in pq.ParquetFile(path).iter_batches(columns=["run_id"]):
            ids.update(pc.unique(batch.column(0)).to_pylist())
        return ids
    except (pa.ArrowInvalid, OSError):
        dropped.append(f"{TIMESERIES} (unreadable)")
        path.unlink()
        return set()


def _logs_readable(root: Path, dropped: list[str]) -> bool:
    """Whether every log table on disk can be read; an unreadable one is removed."""
    readable = True
    for name in LOG_TABLES.values():
        path = root / name
        if not path.exists():
            continue
        try:
            for _ in pq.ParquetFile(path).iter_batches(columns=["run_id"]):
                pass
        except (pa.ArrowInvalid, OSError):
            dropped.append(f"{name} (unreadable)")
            path.unlink()
            readable = False
    return readable


def _remove_markers(root: Path) -> None:
    for marker in (root / PARTS).glob(f"*{SESSION_SUFFIX}"):
        with contextlib.suppress(OSError):
            marker.unlink()


def write_runs_snapshot(root: Path, rows: pd.DataFrame) -> None:
    """Rewrite runs.parquet from rows already in memory (a periodic, cheap snapshot)."""
    write_table(Path(root) / RUNS, pa.Table.from_pandas(rows, preserve_index=False))
