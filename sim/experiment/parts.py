"""Part files: what the workers of a sweep write as they finish runs.

Each writer (a worker process, or one thread of it, in one sweep session) appends to
two files of its own in ``ROOT/.parts/``, opened once and never rewritten::

    <session>-<host>-<pid>-<thread>.ts.arrows    Arrow IPC stream, one record batch per
                                                 run: its recorded time series
    <session>-<host>-<pid>-<thread>.runs.jsonl   one line per finished run:
                                                 {"run_id": ..., "ts": true, "row": {...}}
    <session>-<host>-<pid>-<thread>.<log>.arrows the run's post, member or reply log when
                                                 the spec keeps it ([record] logs), one
                                                 batch per run; the line lists the logs

One file per worker and session, not one per run, because shared file systems of
clusters suffer from many small files; append-only, because appending is cheap and a
kill cannot damage what was written before. A run's series is appended first and its
row line second, and a run counts as done once its line is complete: a worker killed
mid-write leaves a partial line or batch at the end of a file (a torn tail), which is
ignored, and the run is simply run again. A write that fails (a full disk) is cut off
again at once, so it leaves no torn tail either. Rows are JSON lines rather than Arrow
batches because a failed run's row lacks the outcome columns; JSON keeps every value's
type (int, float, bool, text, null) exactly.

Anything else that cannot be read (a complete line that is not a record, a row whose
series is missing from its stream) is damage: reading stops with one line naming the
file and the way out, unless ``repair``, which drops the runs that cannot be read so
that they are run again. Part files of older versions (one ``<id>.run.arrow`` and
``<id>.ts.arrow``, or ``.parquet``, per run) are still read.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from sim.experiment.files import damaged, writing
from sim.experiment.sections import LOGS

__all__ = [
    "PARTS",
    "SESSION_SUFFIX",
    "Found",
    "Part",
    "PartWriter",
    "close_writers",
    "host_name",
    "scan",
    "ts_table",
    "writer_for",
]

PARTS = ".parts"
SESSION_SUFFIX = ".session"
ROWS_SUFFIX, TS_SUFFIX = ".runs.jsonl", ".ts.arrows"
LOG_SUFFIXES = {kind: f".{kind}.arrows" for kind in LOGS}
SUFFIXES = (ROWS_SUFFIX, TS_SUFFIX, *LOG_SUFFIXES.values())  # a part's files
LEGACY_SUFFIXES = (".parquet", ".arrow")  # later wins
_LEGACY = re.compile(r"^(\d+)\.(run|ts)(\.arrow|\.parquet)$")


def ts_table(ts: pa.Table | pd.DataFrame) -> pa.Table:
    """A run's time series with fixed types: run_id and day int64, measures float64."""
    if isinstance(ts, pd.DataFrame):
        ts = pa.Table.from_pandas(ts, preserve_index=False)
    types = [pa.int64() if n in ("run_id", "day") else pa.float64() for n in ts.column_names]
    return ts.cast(pa.schema(list(zip(ts.column_names, types, strict=True))))


# ------------------------------------------------------------------------------ writing
class PartWriter:
    """The two append-only files of one writer; ``append`` stores one finished run."""

    def __init__(self, parts: Path, name: str) -> None:
        self.name = name
        self.parts = parts
        self.rows_path = parts / f"{name}{ROWS_SUFFIX}"
        self.ts_path = parts / f"{name}{TS_SUFFIX}"
        self._fds: dict[Path, int] = {}
        self._schemas: dict[str, pa.Schema] = {}

    def append(
        self,
        row: dict[str, Any],
        ts: pa.Table | pd.DataFrame | None,
        logs: dict[str, pa.Table] | None = None,
    ) -> None:
        """Append a run's logs and series (if any), then its row line, which marks it done."""
        kept = [kind for kind, table in (logs or {}).items() if len(table)]
        for kind in kept:
            assert logs is not None
            self._append_log(kind, logs[kind])
        has_ts = ts is not None and len(ts) > 0
        if has_ts:
            assert ts is not None
            self._append_table(self.ts_path, ts_table(ts))
        record = {"run_id": int(row["run_id"]), "ts": has_ts, "row": row}
        if kept:
            record["logs"] = kept
        line = json.dumps(record, default=_jsonable, allow_nan=True).encode() + b"\n"
        self._append(self.rows_path, line)

    def _append_log(self, kind: str, table: pa.Table) -> None:
        """A run's log as one batch of the writer's stream of that log (whose schema is
        that of its first run: later runs are cast to it)."""
        schema = self._schemas.setdefault(kind, table.schema)
        self._append_table(self.parts / f"{self.name}{LOG_SUFFIXES[kind]}", table.cast(schema))

    def _append_table(self, path: Path, table: pa.Table) -> None:
        """A table as one record batch of the Arrow IPC stream at ``path`` (the stream's
        schema written first when the file is new)."""
        table = table.combine_chunks()
        data = b"".join(b.serialize().to_pybytes() for b in table.to_batches())
        self._append(path, data, header=table.schema.serialize().to_pybytes())

    def _append(self, path: Path, data: bytes, header: bytes = b"") -> None:
        """One append; a failed one is cut off again, so it leaves no partial record."""
        with writing(path):
            fd = self._fds.get(path)
            if fd is not None and os.fstat(fd).st_nlink == 0:  # merged and deleted meanwhile
                os.close(self._fds.pop(path))
                fd = None
            if fd is None:
                fd = self._fds[path] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            size = os.fstat(fd).st_size
            view = memoryview((header if size == 0 else b"") + data)
            try:
                while view:
                    view = view[os.write(fd, view) :]
            except BaseException:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)
                raise

    def close(self) -> None:
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return str(value)


_WRITERS: dict[tuple[int, int, str, str], PartWriter] = {}
_WRITERS_LOCK = threading.Lock()


def writer_for(root: Path, session: str) -> PartWriter | None:
    """This process's (and thread's) writer for a session, or None if the results folder
    is not visible here (a worker on a machine that does not share the file system).

    The session's marker file, written by the client when the session opens, tells a
    shared folder from another one that merely has the same path.
    """
    key = (os.getpid(), threading.get_ident(), str(root), session)
    writer = _WRITERS.get(key)
    if writer is not None:
        return writer
    parts = Path(root) / PARTS
    if not (parts / f"{session}{SESSION_SUFFIX}").exists():
        return None
    with _WRITERS_LOCK:
        for old in [k for k in _WRITERS if k[:2] == key[:2] and k[3] != session]:
            _WRITERS.pop(old).close()  # a finished session of a long-lived worker
        thread = sum(1 for k in _WRITERS if k[0] == key[0] and k[2:] == key[2:])
        name = f"{session}-{host_name()}-{os.getpid()}-{thread}"
        writer = _WRITERS[key] = PartWriter(parts, name)
    return writer


def close_writers(root: Path) -> None:
    """Close this process's writers into ``root`` (a session that ends)."""
    with _WRITERS_LOCK:
        for key in [k for k in _WRITERS if k[0] == os.getpid() and k[2] == str(root)]:
            _WRITERS.pop(key).close()


def host_name() -> str:
    """This machine's name, safe in a file name."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


# ------------------------------------------------------------------------------ reading
@dataclass
class Part:
    """What one writer left: its complete runs and where each run's series is."""

    name: str
    files: list[Path]
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    series_at: dict[int, int] = field(default_factory=dict)  # run_id -> batch or 0 (legacy)
    ts_path: Path | None = None
    logs_at: dict[str, tuple[Path, dict[int, int]]] = field(default_factory=dict)

    def series(self, ids: set[int], columns: list[str] | None = None) -> Iterator[pa.Table]:
        """The series of the runs in ``ids`` (each once: the last one this writer wrote)."""
        if self.ts_path is None or not ids & self.series_at.keys():
            return
        if self.ts_path.name.endswith(TS_SUFFIX):
            for i, batch in enumerate(_batches(self.ts_path)):
                run_id = batch.column(0)[0].as_py()
                if run_id in ids and self.series_at.get(run_id) == i:
                    table = pa.Table.from_batches([batch])
                    yield table if columns is None else table.select(columns)
        else:
            yield _read_legacy(self.ts_path, columns)

    def log(self, kind: str, ids: set[int]) -> Iterator[pa.Table]:
        """One log of the runs in ``ids`` (each once: the last one this writer wrote)."""
        path, at = self.logs_at.get(kind, (None, {}))
        if path is None or not ids & at.keys():
            return
        for i, batch in enumerate(_batches(path)):
            run_id = batch.column(0)[0].as_py() if batch.num_rows else None
            if run_id in ids and at.get(run_id) == i:
                yield pa.Table.from_batches([batch])


@dataclass
class Found:
    """Every part in a folder, and which part counts for each run (the first that has it)."""

    parts: list[Part]
    chosen: dict[int, Part]
    dropped: list[str] = field(default_factory=list)  # what ``repair`` dropped, said plainly

    @property
    def files(self) -> list[Path]:
        return [f for p in self.parts for f in p.files]

    def rows(self) -> list[dict[str, Any]]:
        return [part.rows[i] for i, part in sorted(self.chosen.items())]


def scan(parts: Path, repair: bool = False) -> Found:
    """Read every part in ``parts``; raise ``StoreError`` on damage unless ``repair``."""
    found = Found(parts=[], chosen={})
    if not parts.is_dir():
        return found
    names = sorted(p.name for p in parts.iterdir() if not p.name.startswith("."))
    streams = sorted({_stem(n) for n in names if n.endswith(SUFFIXES)})
    for name in streams:
        found.parts.append(_stream_part(parts, name, repair, found.dropped))
    found.parts += _legacy_parts(parts, names, repair, found.dropped)
    for part in found.parts:
        for run_id in part.rows:
            found.chosen.setdefault(run_id, part)
    return found


def _stem(name: str) -> str:
    """A part's name from one of its files' names."""
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _stream_part(parts: Path, name: str, repair: bool, dropped: list[str]) -> Part:
    rows_path, ts_path = parts / f"{name}{ROWS_SUFFIX}", parts / f"{name}{TS_SUFFIX}"
    logs = {k: parts / f"{name}{suffix}" for k, suffix in LOG_SUFFIXES.items()}
    files = [p for p in (rows_path, ts_path, *logs.values()) if p.exists()]
    part = Part(name, files, ts_path=ts_path)
    records = _records(rows_path, repair, dropped) if rows_path.exists() else []
    if ts_path.exists() and any(r["ts"] for r in records):
        part.series_at = _index(ts_path)
    for kind, path in logs.items():
        if path.exists() and any(kind in r.get("logs", ()) for r in records):
            part.logs_at[kind] = (path, _index(path))
    lost = 0
    for record in records:
        run_id = int(record["run_id"])
        missing = _missing(record, part)
        if missing is not None:
            if not repair:
                raise damaged(missing[0], f"the {missing[1]} of run {run_id} is missing")
            lost += 1
            continue
        part.rows[run_id] = record["row"]
    if lost:
        dropped.append(f"{lost} runs whose time series or logs are missing from {name}")
    return part


def _missing(record: dict[str, Any], part: Part) -> tuple[Path, str] | None:
    """The file and what of a run it lacks, or None if everything its line lists is there."""
    run_id = int(record["run_id"])
    if record["ts"] and run_id not in part.series_at:
        assert part.ts_path is not None
        return part.ts_path, "time series"
    for kind in record.get("logs", ()):
        if run_id not in part.logs_at.get(kind, (None, {}))[1]:
            assert part.ts_path is not None  # the part's files share a folder
            return part.ts_path.with_name(f"{part.name}{LOG_SUFFIXES[kind]}"), f"{kind} log"
    return None


def _records(path: Path, repair: bool, dropped: list[str]) -> list[dict[str, Any]]:
    """The complete lines of a rows file (a partial last line is a torn tail: ignored)."""
    lines = path.read_bytes().split(b"\n")[:-1]
    records, bad = [], 0
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not {"run_id", "ts", "row"} <= record.keys():
                raise ValueError("not a run record")
        except ValueError as err:
            if not repair:
                raise damaged(path, f"line {number}: {err}") from None
            bad += 1
            continue
        records.append(record)
    if bad:
        dropped.append(f"{bad} lines of {path.name} that are not run records")
    return records


def _batches(path: Path) -> Iterator[pa.RecordBatch]:
    """The complete record batches of a stream; stops quietly at a torn or damaged tail
    (a row whose batch is lost that way is reported by the caller)."""
    try:
        reader = ipc.open_stream(pa.memory_map(str(path)))
    except (pa.ArrowInvalid, OSError):
        return
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, OSError):
            return


def _index(path: Path) -> dict[int, int]:
    """Run id -> index of its (last) batch in a stream."""
    return {b.column(0)[0].as_py(): i for i, b in enumerate(_batches(path)) if b.num_rows}


def _read_legacy(path: Path, columns: list[str] | None = None) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path, columns=columns)
    table = ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()
    return table if columns is None else table.select(columns)


def _legacy_parts(parts: Path, names: list[str], repair: bool, dropped: list[str]) -> list[Part]:
    """One part per run of an older version's per-run files."""
    files: dict[int, dict[str, Path]] = {}
    for suffix in LEGACY_SUFFIXES:
        for n in names:
            m = _LEGACY.match(n)
            if m and m.group(3) == suffix:
                files.setdefault(int(m.group(1)), {})[m.group(2)] = parts / n
    out = []
    for run_id, kinds in sorted(files.items()):
        part = Part(f"{run_id:09d}", sorted(kinds.values()), ts_path=kinds.get("ts"))
        out.append(part)
        try:
            rows = _read_legacy(kinds["run"]).to_pylist() if "run" in kinds else []
            if "ts" in kinds:
                _read_legacy(kinds["ts"], ["run_id"])
        except (pa.ArrowInvalid, OSError) as err:
            if not repair:
                raise damaged(_unreadable(kinds), err) from None
            dropped.append(f"run {run_id} ({_unreadable(kinds).name} cannot be read)")
            continue
        if rows:
            part.rows[run_id] = rows[0]
            part.series_at.update({run_id: 0} if "ts" in kinds else {})
    return out


def _unreadable(kinds: dict[str, Path]) -> Path:
    """The first of a run's legacy files that cannot be read."""
    for path in kinds.values():
        try:
            _read_legacy(path, None)
        except (pa.ArrowInvalid, OSError):
            return path
    return next(iter(kinds.values()))
