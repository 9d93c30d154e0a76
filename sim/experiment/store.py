"""Results on disk: the manifest, one small file per finished run, and the tidy tables.

A results folder holds::

    manifest.json        the spec as given and as resolved, provenance, sessions, status
    runs.parquet         one row per run (parameters, outcomes, seed, status, error)
    timeseries.parquet   run_id, day and the recorded daily measures
    .parts/              runs finished since the tables were last consolidated

Every file is written to a temporary name and moved into place with ``os.replace``,
so a reader (or a killed sweep) never sees half a file. Each finished run is written
at once as its own part files, so killing a sweep loses at most the runs in flight;
the tables are rebuilt from the parts and the previous tables, streaming the time
series so that they are never all in memory.

Part files are Arrow IPC files, uncompressed: writing one costs about a tenth of a
millisecond where a Parquet file costs one or two (its metadata is heavy for a table
of one row), and a sweep writes two per run. Parquet, compact and widely read, is
kept for the consolidated tables. Part files of older versions (``.parquet``) are
still read, so a sweep killed before an upgrade resumes after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from sim.experiment.spec import SpecError

if TYPE_CHECKING:
    from sim.experiment.spec import Spec

__all__ = [
    "MANIFEST",
    "PART_SUFFIX",
    "RUNS",
    "TIMESERIES",
    "Store",
    "consolidate",
    "done_ids",
    "git_state",
    "iter_timeseries",
    "read_manifest",
    "read_runs",
]

MANIFEST, RUNS, TIMESERIES, PARTS = "manifest.json", "runs.parquet", "timeseries.parquet", ".parts"
# Files a sweep owns in its folder: `--fresh` removes these and nothing else.
OWNED = (MANIFEST, RUNS, TIMESERIES, PARTS, "figures", "summary.md", "aggregates.csv")
# Suffix of part files: Arrow IPC, then the Parquet parts of older versions (read only).
PART_SUFFIX, LEGACY_PART_SUFFIX = ".arrow", ".parquet"
PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "scipy", "matplotlib", "typer")
ROW_GROUP_ROWS = 200_000


def now() -> str:
    """Current time, ISO 8601 with the time zone."""
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


# ------------------------------------------------------------------------ atomic files
def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary file, then ``os.replace``)."""
    tmp = _tmp(path)
    tmp.write_text(json.dumps(data, indent=2, default=_jsonable) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return str(value)


def write_table(path: Path, table: pa.Table) -> None:
    """Write a parquet file atomically."""
    tmp = _tmp(path)
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def write_part(path: Path, table: pa.Table) -> None:
    """Write an Arrow IPC file atomically: serialised in memory, then one write."""
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    tmp = _tmp(path)
    tmp.write_bytes(sink.getvalue())
    os.replace(tmp, path)


def read_part(path: Path, columns: list[str] | None = None) -> pa.Table:
    """A part file (Arrow IPC, or Parquet from an older version), read whole."""
    if path.suffix == LEGACY_PART_SUFFIX:
        return pq.read_table(path, columns=columns)
    table = ipc.open_file(pa.py_buffer(path.read_bytes())).read_all()
    return table if columns is None else table.select(columns)


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None if it has none."""
    path = Path(root) / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise SpecError(f"{path} is unreadable ({err}); use --fresh to start over.") from None


# --------------------------------------------------------------------------- provenance
def git_state(root: Path | None = None) -> dict[str, Any]:
    """Commit of the source tree and whether it has uncommitted changes (None outside git)."""
    root = root or Path(__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def provenance() -> dict[str, Any]:
    """Who and what produced the results: versions, commit, interpreter, host."""
    from importlib.metadata import PackageNotFoundError, version

    import sim

    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {
        "version": sim.__version__,
        "git": git_state(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "packages": packages,
    }


# -------------------------------------------------------------------------------- store
class Store:
    """A sweep's results folder: refuses a foreign spec, resumes its own, writes runs.

    Parameters
    ----------
    root : Path
        The results folder (created if missing).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parts = self.root / PARTS
        self.manifest: dict[str, Any] = {}

    # --------------------------------------------------------------- opening
    def open(self, spec: Spec, fresh: bool, command: list[str], jobs: int) -> set[int]:
        """Prepare the folder for ``spec`` and return the ids of runs already done.

        A folder holding another spec's results is refused (``SpecError``) unless
        ``fresh``, which removes the sweep's own files (never anything else).
        """
        old = self._check(spec, fresh)
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise SpecError(f"cannot create results folder {self.root}: {err.strerror}.") from None
        self._clean_temporaries()
        done = done_ids(self.root)
        self.manifest = old or self._new_manifest(spec)
        self.manifest["status"] = "running"
        self.manifest.setdefault("sessions", []).append(
            {"command": command, "jobs": jobs, "started": now(), "ended": None, "status": "running"}
            | {"git": git_state(), "runs_before": len(done)}
        )
        self.save_manifest()
        return done

    def check(self, spec: Spec) -> None:
        """Raise ``SpecError`` if the folder holds another spec's results; write nothing."""
        self._check(spec, fresh=False)

    def _check(self, spec: Spec, fresh: bool) -> dict[str, Any] | None:
        if fresh:
            self.remove_owned()
            return None
        old = read_manifest(self.root)
        if old is None:
            present = [n for n in OWNED if n != MANIFEST and (self.root / n).exists()]
            if present and present != [PARTS]:
                raise SpecError(
                    f"{self.root} holds results ({', '.join(present)}) without a manifest; "
                    "use --fresh to replace them or --out for another folder."
                )
            return None
        if old.get("fingerprint") != spec.fingerprint():
            was = old.get("spec", {}).get("path") or old.get("name")
            raise SpecError(
                f"{self.root} holds the results of a different spec ({was}); use --fresh to "
                "replace them or --out for another folder."
            )
        return old

    def remove_owned(self) -> None:
        """Delete the files a sweep writes in its folder, and nothing else."""
        import shutil

        for name in OWNED:
            path = self.root / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def _clean_temporaries(self) -> None:
        for folder in (self.root, self.parts):
            for tmp in folder.glob(".*.tmp-*"):
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def _new_manifest(self, spec: Spec) -> dict[str, Any]:
        resolved = spec.resolved()
        resolved["points"] = [
            {"point": i, "values": spec.points[i], "params": spec.params(i)}
            for i in range(len(spec.points))
        ]
        return {
            "name": spec.name,
            "fingerprint": spec.fingerprint(),
            "status": "running",
            "spec": {"path": spec.path, "text": spec.text, "given": spec.source},
            "resolved": resolved,
            "seeds": (
                "seed of run (point p, replicate r) = "
                "SeedSequence(master, spawn_key=(p, r)).generate_state(1, uint64)[0] >> 1; "
                "run_id = p * replicates + r"
            ),
            "provenance": provenance(),
            "started": now(),
            "ended": None,
        }

    def save_manifest(self) -> None:
        """Write the manifest atomically."""
        write_json(self.root / MANIFEST, self.manifest)

    # --------------------------------------------------------------- writing
    def write_run(self, row: dict[str, Any], ts: pa.Table | pd.DataFrame | None) -> None:
        """Write one finished run as part files: its time series first, then its row.

        A row part exists only once its time series is on disk, so the presence of
        ``<id>.run.arrow`` is what marks a run done. Sweep workers call this for the
        runs they finish, so that the sweep's parent process does no per-run I/O.
        """
        run_id = int(row["run_id"])
        if ts is not None and len(ts):
            write_part(self.parts / f"{run_id:09d}.ts{PART_SUFFIX}", _ts_table(ts))
        write_part(self.parts / f"{run_id:09d}.run{PART_SUFFIX}", pa.Table.from_pylist([row]))

    def finish(self, status: str, counts: dict[str, int]) -> None:
        """Record the end of this session in the manifest."""
        ended = now()
        self.manifest["status"] = status
        self.manifest["ended"] = ended
        self.manifest["runs"] = counts
        session = self.manifest["sessions"][-1]
        session.update(ended=ended, status=status, runs_after=counts.get("done", 0))
        self.save_manifest()


def _ts_table(ts: pa.Table | pd.DataFrame) -> pa.Table:
    """A run's time series with fixed types: run_id and day int64, measures float64."""
    if isinstance(ts, pd.DataFrame):
        ts = pa.Table.from_pandas(ts, preserve_index=False)
    types = [pa.int64() if n in ("run_id", "day") else pa.float64() for n in ts.column_names]
    return ts.cast(pa.schema(list(zip(ts.column_names, types, strict=True))))


# ------------------------------------------------------------------------------ reading
def _parts(parts: Path, kind: str) -> dict[int, Path]:
    """The part files of one kind (``run`` or ``ts``) by run id, Arrow over legacy Parquet."""
    found: dict[int, Path] = {}
    for suffix in (LEGACY_PART_SUFFIX, PART_SUFFIX):  # the later suffix wins
        for path in parts.glob(f"*.{kind}{suffix}"):
            if not path.name.startswith("."):
                found[int(path.name.split(".")[0])] = path
    return dict(sorted(found.items()))


def done_ids(root: Path) -> set[int]:
    """Ids of the runs on disk (finished or failed), consolidated or still in parts."""
    root = Path(root)
    ids = set(_parts(root / PARTS, "run"))
    if (root / RUNS).exists():
        ids.update(pq.read_table(root / RUNS, columns=["run_id"]).column(0).to_pylist())
    return ids


def read_runs(root: Path) -> pd.DataFrame:
    """Every run row on disk, consolidated or not, one per run_id, sorted by run_id."""
    root = Path(root)
    frames = []
    parts = _parts(root / PARTS, "run")
    if (root / RUNS).exists():
        old = pd.read_parquet(root / RUNS)
        frames.append(old[~old["run_id"].isin(list(parts))])
    if parts:
        frames.append(_rows_of(list(parts.values())))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({"run_id": pd.Series([], dtype="int64")})
    runs = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return runs.sort_values("run_id", kind="stable").reset_index(drop=True)


def _rows_of(paths: list[Path]) -> pd.DataFrame:
    """Row parts as one frame, joined in Arrow: one conversion to pandas, not one per run.

    Columns are in order of first appearance and a column a row lacks (a failed run has
    no outcomes) is null, as ``pandas.concat`` would make them; a column that is null in
    one row and typed in another takes the type (``permissive`` also widens int to float).
    """
    tables = [read_part(p) for p in paths]
    return pa.concat_tables(tables, promote_options="permissive").to_pandas()


def iter_timeseries(root: Path, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """The time series on disk in batches: consolidated rows, then parts not yet merged.

    Consolidated rows of a run that also has a part are skipped (the part wins), so
    a consolidation interrupted half-way never yields a run twice.
    """
    root = Path(root)
    parts = _parts(root / PARTS, "ts")
    if (root / TIMESERIES).exists():
        skip = pa.array(list(parts), type=pa.int64())
        pf = pq.ParquetFile(root / TIMESERIES)
        want = None if columns is None else list(dict.fromkeys(["run_id", *columns]))
        for batch in pf.iter_batches(batch_size=ROW_GROUP_ROWS, columns=want):
            table = pa.Table.from_batches([batch])
            if parts:
                keep = pc.invert(pc.is_in(table.column("run_id"), value_set=skip))
                table = table.filter(keep)
            yield table if columns is None else table.select(columns)
    for path in parts.values():
        yield read_part(path, columns)


def _batched(tables: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    pending: list[pa.Table] = []
    count = 0
    for table in tables:
        pending.append(table)
        count += len(table)
        if count >= rows:
            yield pa.concat_tables(pending)
            pending, count = [], 0
    if pending:
        yield pa.concat_tables(pending)


# -------------------------------------------------------------------------- consolidate
def consolidate(root: Path) -> int:
    """Merge the parts into runs.parquet and timeseries.parquet; return the runs merged.

    Order matters for a kill at any moment: the new time series table replaces the old,
    then the runs table, and only then are the merged parts deleted. Until a part is
    deleted it takes precedence over the consolidated rows of its run, so no run is
    ever lost or counted twice.
    """
    root = Path(root)
    with _locked(root / PARTS):
        return _consolidate(root)


@contextlib.contextmanager
def _locked(parts: Path) -> Iterator[None]:
    """One consolidation at a time per folder (e.g. `sim plot` during a running sweep)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    if not parts.is_dir():
        yield
        return
    with open(parts / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _consolidate(root: Path) -> int:
    run_parts = _parts(root / PARTS, "run")
    ts_parts = _parts(root / PARTS, "ts")
    if not run_parts and not ts_parts:
        return 0
    if ts_parts or (root / TIMESERIES).exists():
        _write_streamed(root / TIMESERIES, iter_timeseries(root))
    runs = read_runs(root)
    write_table(root / RUNS, pa.Table.from_pandas(runs, preserve_index=False))
    for path in [*run_parts.values(), *ts_parts.values()]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return len(run_parts)


def _write_streamed(path: Path, tables: Iterable[pa.Table]) -> None:
    """Write batches of tables to one parquet file atomically, holding one batch at a time."""
    tmp = _tmp(path)
    writer: pq.ParquetWriter | None = None
    try:
        for table in _batched(tables, ROW_GROUP_ROWS):
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        return
    os.replace(tmp, path)


def write_runs_snapshot(root: Path, rows: pd.DataFrame) -> None:
    """Rewrite runs.parquet from rows already in memory (a periodic, cheap snapshot)."""
    write_table(Path(root) / RUNS, pa.Table.from_pandas(rows, preserve_index=False))
