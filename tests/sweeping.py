"""Helpers shared by the sweep tests: a small spec, the tables in canonical order, and
processes started by a test (found, waited for and stopped by their process ids)."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.experiment.store import PARTS, RUNS, TIMESERIES
from sim.experiment.tables import LOG_TABLES

SPEC = {
    "name": "small",
    "replicates": 3,
    "seed": 5,
    "steps": 30,
    "fixed": {"n_members": 120, "warmup": 10},
    "vary": {"share_spammers": [0.0, 0.2], "policy": ["none", "etiquette"]},
    "record": {"every": 7, "metrics": ["members", "honest_members", "quality"]},
}
SPEC_TOML = """
name = "small"
replicates = 3
seed = 5
steps = 30
[fixed]
n_members = 120
warmup = 10
[vary]
share_spammers = [0.0, 0.2]
policy = ["none", "etiquette"]
[record]
every = 7
metrics = ["members", "honest_members", "quality"]
"""


def spec_toml(**changes: object) -> str:
    """SPEC_TOML with some top-level or [fixed] lines replaced, e.g. steps=60."""
    text = SPEC_TOML
    for key, value in changes.items():
        old = next(line for line in text.splitlines() if line.startswith(f"{key} ="))
        text = text.replace(old, f"{key} = {value}")
    return text


def tables(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """runs and time series, in a canonical order, without the wall time."""
    runs = pd.read_parquet(root / RUNS).drop(columns="wall_time")
    runs = runs.sort_values("run_id").reset_index(drop=True)
    ts = pd.read_parquet(root / TIMESERIES).sort_values(["run_id", "day"]).reset_index(drop=True)
    return runs, ts


def assert_same_results(a: Path, b: Path) -> None:
    """Two folders hold the same runs, series and logs, each run once."""
    runs_a, ts_a = tables(a)
    runs_b, ts_b = tables(b)
    assert runs_a["run_id"].is_unique and not ts_a.duplicated(["run_id", "day"]).any()
    pd.testing.assert_frame_equal(runs_a, runs_b)
    pd.testing.assert_frame_equal(ts_a, ts_b)
    for name in LOG_TABLES.values():
        assert (a / name).exists() == (b / name).exists(), name
        if (a / name).exists():
            pd.testing.assert_frame_equal(log_table(a, name), log_table(b, name))


def log_table(root: Path, name: str) -> pd.DataFrame:
    """A log table (posts.parquet, ...) in a canonical order: by run, then as the run wrote it."""
    log = pd.read_parquet(root / name)
    log["order"] = log.groupby("run_id").cumcount()
    return log.sort_values(["run_id", "order"]).drop(columns="order").reset_index(drop=True)


def quiet() -> io.StringIO:
    return io.StringIO()


def runs_in_parts(root: Path, pattern: str = "*") -> int:
    """Runs finished since the last consolidation: complete lines of the part files."""
    return sum(p.read_bytes().count(b"\n") for p in (root / PARTS).glob(f"{pattern}.runs.jsonl"))


def sweep_cmd(spec: Path, out: Path, jobs: int | None = None, *more: str) -> list[str]:
    command = [sys.executable, "-m", "sim.cli", "sweep", str(spec), "--out", str(out)]
    return command + (["--jobs", str(jobs)] if jobs else []) + ["--no-plot", *more]


def descendants(pid: int) -> list[int]:
    """Process ids of ``pid``'s children, their children and so on (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def kill_mid_sweep(command: list[str], out: Path, runs: int = 5) -> int:
    """Start a sweep, SIGKILL it once ``runs`` runs are on disk, and wait until the
    processes it started are gone too; return the runs then on disk."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: runs_in_parts(out) >= runs or proc.poll() is not None, "runs on disk")
        assert proc.poll() is None, "the sweep ended before it could be killed"
        workers = descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        wait_for(lambda: gone(workers), "the workers to exit after the sweep was killed", 30)
    finally:
        stop([proc])
    return runs_in_parts(out)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    """Poll until ``condition`` holds; fail naming ``what`` if it never does."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def gone(pids: list[int]) -> bool:
    return not any(Path(f"/proc/{pid}").exists() for pid in pids)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(procs: list[subprocess.Popen]) -> None:
    """Kill each process a test started (by its id) and reap it."""
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
