"""Faults a results folder meets: a full disk, truncated or damaged tables and part files,
interruptions at any moment. Each ends in one line naming the way out, loses no finished
run, leaves no temporary file, and never leaves the manifest at ``running``."""

from __future__ import annotations

import errno
import json
import shutil
import signal
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sweeping import (
    SPEC,
    SPEC_TOML,
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
from sim.experiment.run import Destination, work
from sim.experiment.spec import SpecError, parse_spec
from sim.experiment.store import MANIFEST, PARTS, RUNS, Store, StoreError
from sim.experiment.sweep import plan, run_sweep


def error_line(stderr: str) -> str:
    """The one ``Error:`` line of a command's standard error (and no traceback)."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, stderr
    return lines[0]


def leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if ".tmp-" in p.name]


def status(root: Path) -> str:
    return json.loads((root / MANIFEST).read_text())["status"]


def partial_sweep(root: Path, runs: int) -> None:
    """What a sweep killed after ``runs`` runs leaves: parts, no tables, status running."""
    store = Store(root)
    store.open(parse_spec(SPEC), fresh=False, command=["sim", "sweep"], jobs=1)
    to = Destination(str(root), store.session)
    for task in plan(parse_spec(SPEC))[:runs]:
        work(task, to)
    store.close()


@pytest.fixture
def whole(tmp_path) -> Path:
    """The same spec swept without any fault, to compare with."""
    run_sweep(parse_spec(SPEC), tmp_path / "whole", jobs=1, stream=quiet())
    return tmp_path / "whole"


def resume(root: Path, *more: str):
    (root.parent / "s.toml").write_text(SPEC_TOML)
    args = ["sweep", str(root.parent / "s.toml"), "--out", str(root), "--jobs", "1", "--no-plot"]
    return CliRunner().invoke(app, [*args, *more])


# ---------------------------------------------------------------------------- full disk
@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB file system (tmpfs; needs root, as in CI), unmounted at the end."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)])
    if done.returncode != 0:
        pytest.skip("cannot mount a small file system here (not root)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_ends_in_one_line_and_the_sweep_resumes(small_disk, tmp_path):
    spec_file = tmp_path / "big.toml"
    spec_file.write_text(spec_toml(replicates=12, steps=60).replace("every = 7", "every = 1"))
    out = small_disk / "out"
    full = subprocess.run(sweep_cmd(spec_file, out, 2), capture_output=True, text=True)
    assert full.returncode == 2, full.stderr
    assert "no space left on the device" in error_line(full.stderr)
    assert leftovers(out) == []
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["status"] == "error" and "no space left" in manifest["error"]
    kept = runs_in_parts(out)
    assert kept > 0  # what finished before the disk filled is kept

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    resumed = subprocess.run(sweep_cmd(spec_file, out, 2), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({48 - kept} run now)" in resumed.stdout
    subprocess.run(sweep_cmd(spec_file, tmp_path / "whole", 1), check=True, capture_output=True)
    assert_same_results(out, tmp_path / "whole")


def test_a_full_disk_while_merging_keeps_the_runs(tmp_path, whole, monkeypatch):
    partial_sweep(tmp_path / "s", 12)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", no_space)
    result = resume(tmp_path / "s")
    assert result.exit_code == 2
    assert "no space left" in error_line(result.stderr)
    assert leftovers(tmp_path / "s") == [] and status(tmp_path / "s") == "error"
    assert runs_in_parts(tmp_path / "s") == 12  # nothing lost
    monkeypatch.undo()
    again = resume(tmp_path / "s")
    assert again.exit_code == 0, again.output
    assert "(0 run now)" in again.stdout
    assert_same_results(tmp_path / "s", whole)


# ----------------------------------------------------------------------- damaged files
def test_a_truncated_runs_table_names_the_way_out_and_repair_reruns(tmp_path, whole):
    out = tmp_path / "s"
    shutil.copytree(whole, out)
    data = (out / RUNS).read_bytes()
    (out / RUNS).write_bytes(data[: len(data) // 2])
    refused = resume(out)
    assert refused.exit_code == 2
    line = error_line(refused.stderr)
    assert str(out / RUNS) in line and "--repair" in line and "--fresh" in line
    assert (out / RUNS).stat().st_size == len(data) // 2  # nothing touched by the refusal
    repaired = resume(out, "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "--repair dropped runs.parquet (unreadable)" in repaired.stderr
    assert "(12 run now)" in repaired.stdout
    assert_same_results(out, whole)


def test_a_zero_length_part_file_names_the_way_out_and_repair_reruns(tmp_path, whole):
    out = tmp_path / "s"
    partial_sweep(out, 5)
    (series,) = (out / PARTS).glob("*.ts.arrows")
    series.write_bytes(b"")
    refused = resume(out)
    assert refused.exit_code == 2
    line = error_line(refused.stderr)
    assert series.name in line and "--repair" in line
    repaired = resume(out, "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "(12 run now)" in repaired.stdout  # the 5 runs whose series was lost, and the rest
    assert_same_results(out, whole)


def test_a_torn_tail_left_by_a_kill_is_ignored(tmp_path, whole):
    out = tmp_path / "s"
    partial_sweep(out, 5)
    (rows,) = (out / PARTS).glob("*.runs.jsonl")
    data = rows.read_bytes()
    rows.write_bytes(data[:-40])  # the last run's line cut short, as by a kill mid-write
    result = resume(out)
    assert result.exit_code == 0, result.output
    assert "(8 run now)" in result.stdout
    assert_same_results(out, whole)


# ---------------------------------------------------------------------- interruptions
@pytest.mark.parametrize(
    ("executor", "sig"),
    [("local", signal.SIGINT), ("local", signal.SIGTERM), ("dask", signal.SIGINT)],
)
def test_a_stop_during_start_up_is_recorded(tmp_path, executor, sig):
    spec_file = tmp_path / "s.toml"
    # Seconds of runs after start-up, even under the load of the whole suite: a stop
    # that came only as the sweep was writing its last manifest would be dropped.
    spec_file.write_text(spec_toml(replicates=12, steps=1000))
    out = tmp_path / "s"
    command = sweep_cmd(spec_file, out, 2, "--executor", executor)
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:  # the manifest says running as soon as the folder is open: the pool starts next
        wait_for(lambda: (out / MANIFEST).exists() and status(out) == "running", "the start")
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
    finally:
        stop([proc])
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert status(out) == "interrupted" and leftovers(out) == []


def test_storage_errors_are_store_errors_not_spec_errors(tmp_path):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("mine")
    with pytest.raises(StoreError) as caught:
        run_sweep(parse_spec(SPEC), not_a_folder, jobs=1, stream=quiet())
    assert not isinstance(caught.value, SpecError)
    assert str(not_a_folder) in str(caught.value) and not_a_folder.read_text() == "mine"
