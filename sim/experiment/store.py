"""A sweep's results folder: the manifest, who may write there, and what a sweep owns.

A results folder holds::

    manifest.json        the spec as given and as resolved, provenance, sessions, status,
                         and the list of files the sweep wrote (``--fresh`` deletes those)
    runs.parquet         one row per run (parameters, outcomes, seed, status, error)
    timeseries.parquet   run_id, day and the recorded daily measures
    .parts/              runs finished since the tables were last consolidated
                         (``sim.experiment.parts``)
    .lock                held by the sweep running there (``sim.experiment.lock``)
    .reserve             room kept while a sweep runs, so that a full disk cannot stop
                         it from recording how it ended
    .outputs             files the report wrote since the last session (folded into
                         the manifest's list when the next session opens)

A folder holding another spec's results is refused with the keys that differ; a
folder without a manifest is not a sweep's, and ``--fresh`` deletes nothing there.
The ``[analysis]`` section does not decide the runs: an edited one is recorded and
used for the figures and summary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from sim.experiment.files import StoreError, remove_temporaries, write_json, writing
from sim.experiment.lock import LOCK
from sim.experiment.parts import PARTS, SESSION_SUFFIX, PartWriter, close_writers, host_name
from sim.experiment.tables import (
    LOG_TABLES,
    RUNS,
    TIMESERIES,
    consolidate,
    done_ids,
    iter_timeseries,
    read_runs,
    rebuild,
)

if TYPE_CHECKING:
    from sim.experiment.spec import Spec

__all__ = [
    "MANIFEST",
    "PARTS",
    "RUNS",
    "TIMESERIES",
    "Store",
    "StoreError",
    "consolidate",
    "done_ids",
    "git_state",
    "iter_timeseries",
    "read_manifest",
    "read_runs",
    "record_outputs",
]

MANIFEST, RESERVE, OUTPUTS = "manifest.json", ".reserve", ".outputs"
# What a sweep writes besides its report; the manifest lists these and what the report adds.
OWN = (MANIFEST, RUNS, TIMESERIES, *LOG_TABLES.values(), PARTS, RESERVE, OUTPUTS)
# Names a sweep writes over: a folder holding them without a manifest is refused.
CLAIMED = (RUNS, TIMESERIES, "figures", "summary.md", "aggregates.csv")
# Keys of the resolved spec that decide the runs ([analysis] does not).
DECIDING = ("name", "replicates", "seed", "steps", "fixed", "vary", "sample", "record")
PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "scipy", "matplotlib", "typer")
MIN_RESERVE = 64 * 1024
# Designs up to this many points list every parameter of every point in the manifest;
# larger ones list the varied values only (the rest is [fixed] and the defaults).
FULL_POINTS = 10_000


def now() -> str:
    """Current time, ISO 8601 with the time zone."""
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The folder's manifest, or None if it has none."""
    path = Path(root) / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise StoreError(
            f"{path} is unreadable ({err}); use --fresh to start over or --out for another folder."
        ) from None


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

    The caller holds the folder's lock (``FolderLock``) from ``open`` to ``finish``.

    Parameters
    ----------
    root : Path
        The results folder (created if missing).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parts = self.root / PARTS
        self.manifest: dict[str, Any] = {}
        self.session = secrets.token_hex(4)
        self.notes: list[str] = []  # what a user should know about this session
        self._writer: PartWriter | None = None

    # --------------------------------------------------------------- opening
    def open(
        self, spec: Spec, fresh: bool, command: list[str], jobs: int, repair: bool = False
    ) -> set[int]:
        """Prepare the folder for ``spec`` and return the ids of runs already done.

        A folder holding another spec's results is refused (``StoreError``) unless
        ``fresh``, which removes what the manifest says the sweep wrote. ``repair``
        first drops what cannot be read, so that those runs are run again. The
        manifest, saved last, says ``running`` from then on.
        """
        old = self._check(spec, fresh)
        with writing(self.parts):
            self.parts.mkdir(parents=True, exist_ok=True)
        remove_temporaries(self.root, self.parts)
        repaired = rebuild(self.root, repair=True).dropped if repair else []
        if repaired:
            self.notes.append("--repair dropped " + "; ".join(repaired) + ".")
        done = done_ids(self.root)
        with writing(self.parts):
            (self.parts / f"{self.session}{SESSION_SUFFIX}").touch()
        self.manifest = old or self._new_manifest(spec)
        self.manifest["files"] = _written(self.root, self.manifest)
        session = {"id": self.session, "command": command, "jobs": jobs, "started": now()}
        session |= {"ended": None, "status": "running", "git": git_state()}
        session |= {"runs_before": len(done)} | ({"repaired": repaired} if repaired else {})
        self.manifest.setdefault("sessions", []).append(session)
        self._apply_analysis(spec, session)
        self.manifest.update(status="running", ended=None)
        self.manifest.pop("error", None)
        self._reserve()
        self.save_manifest()
        (self.root / OUTPUTS).unlink(missing_ok=True)  # folded into the manifest's files
        return done

    def check(self, spec: Spec) -> None:
        """Raise ``StoreError`` if the folder holds another spec's results; write nothing."""
        self._check(spec, fresh=False)

    def _check(self, spec: Spec, fresh: bool) -> dict[str, Any] | None:
        old = read_manifest(self.root)
        if old is None:
            self._refuse_foreign(fresh)
            return None
        if fresh:
            self._remove_own(old)
            return None
        if old.get("fingerprint") != spec.fingerprint():
            was = old.get("spec", {}).get("path") or old.get("name")
            raise StoreError(
                f"{self.root} holds the results of a different spec ({was}): "
                f"{changes(old.get('resolved', {}), spec.resolved())}; use --fresh to replace "
                "them or --out for another folder."
            )
        return old

    def _refuse_foreign(self, fresh: bool) -> None:
        """A folder without a manifest is not a sweep's: never delete or overwrite there."""
        if not self.root.is_dir():
            return
        present = sorted(
            n for n in os.listdir(self.root) if n != LOCK and not _empty_parts(self, n)
        )
        if fresh and present:
            raise StoreError(
                f"{self.root} is not a sweep's results folder (it has no {MANIFEST}), so "
                f"--fresh deletes nothing there ({', '.join(present[:5])}); use --out for "
                "another folder."
            )
        claimed = [n for n in CLAIMED if n in present]
        if claimed:
            raise StoreError(
                f"{self.root} has no {MANIFEST} but holds {', '.join(claimed)}, which a sweep "
                "would overwrite; use --out for another folder."
            )

    def _remove_own(self, manifest: dict[str, Any]) -> None:
        """Delete what the manifest says the sweep wrote, and nothing else."""
        listed = _written(self.root, manifest)
        with writing(self.root):
            for name in sorted(set(listed) | {MANIFEST}, key=len, reverse=True):
                path = self.root / name
                if path.is_dir() and name.rstrip("/") == PARTS:
                    shutil.rmtree(path)
                elif path.is_file():
                    path.unlink()
                    _remove_empty_parents(path.parent, self.root)

    def _new_manifest(self, spec: Spec) -> dict[str, Any]:
        resolved = spec.resolved()
        full = len(spec.points) <= FULL_POINTS  # beyond, every parameter would bloat it
        resolved["points"] = [
            {"point": i, "values": spec.points[i]} | ({"params": spec.params(i)} if full else {})
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
            "files": list(OWN),
            "started": now(),
            "ended": None,
        }

    def _apply_analysis(self, spec: Spec, session: dict[str, Any]) -> None:
        """Record an edited ``[analysis]`` (the figures and summary are made with it)."""
        new = spec.resolved()["analysis"]
        old = self.manifest["resolved"].get("analysis") or {}
        edited = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
        if not edited or not old:
            self.manifest["resolved"]["analysis"] = new
            return
        self.manifest["resolved"]["analysis"] = new
        self.manifest["spec"] = {"path": spec.path, "text": spec.text, "given": spec.source}
        session["analysis_changed"] = edited
        said = ", ".join(f"{k} {_short(a)} -> {_short(b)}" for k, (a, b) in edited.items())
        self.notes.append(
            f"the spec's [analysis] changed since the results were made ({said}); the figures "
            "and summary are made with the new settings."
        )

    def _reserve(self) -> None:
        """Keep room for the final manifest, given back just before it is written."""
        size = max(MIN_RESERVE, 2 * len(json.dumps(self.manifest, default=str)))
        path = self.root / RESERVE
        try:
            with writing(path), open(path, "wb") as handle:
                handle.write(b"\0" * size)
        except StoreError:
            path.unlink(missing_ok=True)
            raise

    def save_manifest(self) -> None:
        """Write the manifest atomically."""
        write_json(self.root / MANIFEST, self.manifest)

    def record_executor(self, info: dict[str, Any]) -> None:
        """Record where this session's runs go (executor, scheduler, workers, versions)."""
        self.manifest["sessions"][-1]["executor"] = info
        self.save_manifest()

    # --------------------------------------------------------------- writing
    def write_run(
        self,
        row: dict[str, Any],
        ts: pa.Table | pd.DataFrame | None,
        logs: dict[str, pa.Table] | None = None,
    ) -> None:
        """Store a run in this process (one whose worker could not write it itself)."""
        if self._writer is None:
            self._writer = PartWriter(
                self.parts, f"{self.session}-{host_name()}-{os.getpid()}-client"
            )
        self._writer.append(row, ts, logs)

    def finish(
        self, status: str, counts: dict[str, int], error: str | None = None, **session: Any
    ) -> None:
        """Record the end of this session in the manifest (room for it is given back first)."""
        self.close()
        with contextlib.suppress(OSError):
            (self.root / RESERVE).unlink()
        ended = now()
        self.manifest.update(status=status, ended=ended, runs=counts)
        if error:
            self.manifest["error"] = error
        last = self.manifest["sessions"][-1]
        last.update(ended=ended, status=status, runs_after=counts.get("done", 0), **session)
        if error:
            last["error"] = error
        self.save_manifest()

    def close(self) -> None:
        """Close this process's part files (the client's and, with one worker, its own)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        close_writers(self.root)


def record_outputs(root: Path, paths: Iterable[Path]) -> None:
    """Record files a sweep's report wrote, so that ``--fresh`` removes them.

    They are appended to ``.outputs`` (the manifest may be in the hands of a running
    sweep), which the next session folds into the manifest's ``files``.
    """
    root = Path(root)
    if read_manifest(root) is None:
        return
    names = []
    for path in paths:
        with contextlib.suppress(ValueError):
            names.append(Path(path).resolve().relative_to(root.resolve()).as_posix())
    with writing(root / OUTPUTS), open(root / OUTPUTS, "a", encoding="utf-8") as journal:
        journal.write("".join(f"{name}\n" for name in names))


def _written(root: Path, manifest: dict[str, Any]) -> list[str]:
    """Every file the sweep wrote: the manifest's list and the report's journal."""
    try:
        journal = (root / OUTPUTS).read_text(encoding="utf-8").splitlines()
    except OSError:
        journal = []
    return list(dict.fromkeys([*(manifest.get("files") or OWN), *journal, OUTPUTS]))


def _empty_parts(store: Store, name: str) -> bool:
    """``.parts`` with nothing but hidden files: left by a sweep stopped at once."""
    if name != PARTS:
        return False
    return all(p.name.startswith(".") for p in store.parts.iterdir())


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


# ---------------------------------------------------------------------- what differs
def changes(old: dict[str, Any], new: dict[str, Any], limit: int = 4) -> str:
    """The deciding keys that differ between two resolved specs, in one short phrase."""
    found: list[str] = []
    for key in DECIDING:
        _diff(key, _comparable(key, old.get(key)), _comparable(key, new.get(key)), found)
    if not found:
        return "the same settings give other points (made by another version of sim?)"
    more = f" and {len(found) - limit} more" if len(found) > limit else ""
    return "changed " + "; ".join(found[:limit]) + more


def _comparable(key: str, value: Any) -> Any:
    if key == "vary" and isinstance(value, list):  # by parameter name, not position
        return {d.get("name"): {k: v for k, v in d.items() if k != "name"} for d in value}
    return value


def _diff(key: str, old: Any, new: Any, found: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for k in dict.fromkeys([*old, *new]):
            _diff(f"{key}.{k}", old.get(k, _MISSING), new.get(k, _MISSING), found)
    elif old != new:
        if old is _MISSING:
            found.append(f"{key} added ({_short(new)})")
        elif new is _MISSING:
            found.append(f"{key} removed (was {_short(old)})")
        else:
            found.append(f"{key} {_short(old)} -> {_short(new)}")


_MISSING = object()


def _short(value: Any, width: int = 40) -> str:
    if isinstance(value, dict) and set(value) == {"values"}:
        value = value["values"]
    text = json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."
