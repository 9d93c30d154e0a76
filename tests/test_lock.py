"""One sweep at a time per results folder: a second is refused with one line naming the
process that holds the folder, and the lock of a killed sweep is taken over."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest
from sweeping import (
    assert_same_results,
    quiet,
    runs_in_parts,
    spec_toml,
    stop,
    sweep_cmd,
    wait_for,
)
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.lock import LOCK, FolderLock
from sim.experiment.spec import load_spec
from sim.experiment.store import MANIFEST, StoreError
from sim.experiment.sweep import run_sweep


def test_a_second_sweep_is_refused_and_a_killed_ones_lock_is_taken_over(tmp_path):
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(spec_toml(replicates=12, steps=150))  # a few seconds
    out = tmp_path / "s"
    first = subprocess.Popen(sweep_cmd(spec_file, out, 1), stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: runs_in_parts(out) >= 1, "the first sweep's runs")
        second = CliRunner().invoke(app, ["sweep", str(spec_file), "--out", str(out), "-j", "1"])
        assert second.exit_code == 2
        (line,) = second.stderr.strip().splitlines()
        assert line.startswith(f"Error: {out} is in use by another sweep: process {first.pid}")
        assert "s.toml" in line  # the holder's command
        os.kill(first.pid, signal.SIGKILL)  # the lock is now stale
        first.wait()
    finally:
        stop([first])
    assert json.loads((out / MANIFEST).read_text())["status"] == "running"
    third = CliRunner().invoke(app, ["sweep", str(spec_file), "--out", str(out), "--no-plot"])
    assert third.exit_code == 0, third.output
    assert f"took over the lock of {out} left by process {first.pid}" in third.stderr
    run_sweep(load_spec(spec_file), tmp_path / "whole", jobs=1, stream=quiet())
    assert_same_results(out, tmp_path / "whole")
    assert (out / LOCK).read_text() == ""  # released cleanly


def test_the_lock_is_held_for_the_whole_session(tmp_path):
    with FolderLock(tmp_path / "f", ["sim", "sweep", "a.toml"]):
        holder = json.loads((tmp_path / "f" / LOCK).read_text())
        assert holder["pid"] == os.getpid() and holder["command"] == "sim sweep a.toml"
        with pytest.raises(StoreError, match=f"in use by another sweep: process {os.getpid()}"):
            FolderLock(tmp_path / "f").acquire()
    again = FolderLock(tmp_path / "f")
    again.acquire()  # released at the end of the block
    assert again.note is None
    again.release()
