"""Dask: a LocalCluster and a real cluster on 127.0.0.1 give the local pool's results run
for run; a worker or the client killed mid-sweep loses nothing and duplicates nothing;
a run that raises is recorded; a missing install, an unreachable scheduler and a worker
with other versions each end in one line with exit status 2.

The real cluster is a ``dask scheduler`` and two ``dask worker`` processes started
here on 127.0.0.1 with free ports, and stopped here by their process ids."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import dask
import distributed
import pytest
from sweeping import (
    SPEC,
    SPEC_TOML,
    assert_same_results,
    free_port,
    kill_mid_sweep,
    quiet,
    runs_in_parts,
    spec_toml,
    stop,
    sweep_cmd,
    tables,
    wait_for,
)
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.spec import load_spec, parse_spec, run_seed
from sim.experiment.store import MANIFEST
from sim.experiment.sweep import run_sweep

PRELOADS = Path(__file__).parent / "dask_preloads"
# Runs long enough (about 0.08 s each) for a kill to land mid-sweep; 48 runs.
KILL_SPEC = spec_toml(replicates=12, steps=90).replace("n_members = 120", "n_members = 500")


def one_error_line(result) -> str:
    """The CLI's whole standard error: one line starting with ``Error:``."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_a_local_cluster_gives_the_local_pools_results(tmp_path):
    spec = parse_spec(SPEC)
    stream = quiet()
    one = run_sweep(spec, tmp_path / "one", jobs=1, stream=quiet())
    two = run_sweep(spec, tmp_path / "dask", jobs=2, executor="dask", stream=stream)
    assert one.status == two.status == "complete" and two.ran == 12
    assert_same_results(tmp_path / "one", tmp_path / "dask")
    assert "progress: 12/12 runs" in stream.getvalue() and "ETA" in stream.getvalue()
    session = json.loads((tmp_path / "dask" / MANIFEST).read_text())["sessions"][-1]
    assert session["executor"]["kind"] == "dask" and session["executor"]["local_cluster"]
    workers = session["executor"]["workers"]
    assert len(workers) == 2
    assert all(set(w["versions"]) == {"sim", "mesa", "numpy", "python"} for w in workers.values())
    assert len(session["workers"]) == 2  # both ran runs


def test_a_failing_run_on_dask_is_recorded_and_fail_fast_stops(tmp_path, monkeypatch):
    bad = run_seed(5, 2, 1)
    monkeypatch.setenv("SIM_TEST_FAILING_SEED", str(bad))
    spec = parse_spec(SPEC)
    with dask.config.set({"distributed.worker.preload": [str(PRELOADS / "flaky.py")]}):
        report = run_sweep(spec, tmp_path / "s", jobs=2, executor="dask", stream=quiet())
        assert report.status == "failures" and report.counts["failed"] == 1
        runs, _ = tables(tmp_path / "s")
        bad_row = runs[runs["status"] == "failed"]
        assert list(bad_row["run_id"]) == [spec.run_id(2, 1)] and len(runs) == 12
        assert "boom in the model" in bad_row["error"].iloc[0]
        assert "Traceback" in bad_row["error"].iloc[0]
        stopped = run_sweep(
            spec, tmp_path / "f", jobs=1, executor="dask", fail_fast=True, stream=quiet()
        )
    assert stopped.status == "stopped" and stopped.counts["failed"] == 1
    assert stopped.counts["missing"] > 0


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two workers on 127.0.0.1 (one thread each, no nanny, so that a
    killed worker stays dead); every process is stopped by its id at the end."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "cluster-logs"
    logs.mkdir()
    procs: list[subprocess.Popen] = []

    def start(module: str, *args: str) -> subprocess.Popen:
        log = open(logs / f"{len(procs)}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([sys.executable, "-m", module, *args], stdout=log, stderr=log)
        procs.append(proc)
        return proc

    scheduler_file = logs / "scheduler.json"
    try:
        loopback = ("--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0")
        start(
            "distributed.cli.dask_scheduler",
            *(*loopback, "--port", str(port), "--scheduler-file", str(scheduler_file)),
        )
        workers = [
            start(
                "distributed.cli.dask_worker",
                address,
                *(*loopback, "--nthreads", "1", "--no-nanny", "--name", f"w{i}"),
            )
            for i in range(2)
        ]
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers, scheduler_file
    finally:
        stop(procs)


@pytest.mark.slow
def test_a_real_cluster_survives_a_killed_worker(cluster, tmp_path):
    address, (victim, _), scheduler_file = cluster
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(KILL_SPEC)
    out = tmp_path / "dask"
    command = sweep_cmd(spec_file, out, None, "--executor", "dask", "--scheduler", address)
    sweep = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(
            lambda: runs_in_parts(out, f"*-{victim.pid}-*") >= 2 or sweep.poll() is not None,
            "the first worker's runs",
        )
        assert sweep.poll() is None, "the sweep ended before a worker could be killed"
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        stdout, stderr = sweep.communicate(timeout=300)
    finally:
        stop([sweep])
    assert sweep.returncode == 0, stderr
    assert "48/48 runs on disk" in stdout
    run_sweep(load_spec(spec_file), tmp_path / "local", jobs=1, stream=quiet())
    assert_same_results(out, tmp_path / "local")  # every run once, identical values
    manifest = json.loads((out / MANIFEST).read_text())
    executor = manifest["sessions"][-1]["executor"]
    assert executor["scheduler"] == address and len(executor["workers"]) == 2
    assert any(str(victim.pid) in w for w in manifest["sessions"][-1]["workers"])
    # the same cluster, reached through its scheduler file, with the worker that is left
    spec = parse_spec(SPEC)
    by_file = tmp_path / "by-file"
    run_sweep(spec, by_file, executor="dask", scheduler=str(scheduler_file), stream=quiet())
    run_sweep(spec, tmp_path / "one", jobs=1, stream=quiet())
    assert_same_results(by_file, tmp_path / "one")


@pytest.mark.slow
def test_a_killed_client_resumes_on_dask_without_loss_or_duplicates(tmp_path):
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(KILL_SPEC)
    out = tmp_path / "dask"
    command = sweep_cmd(spec_file, out, 2, "--executor", "dask")
    done_before = kill_mid_sweep(command, out)  # also waits until its workers are gone
    assert json.loads((out / MANIFEST).read_text())["status"] == "running"
    assert 5 <= done_before < 48
    resumed = subprocess.run(command, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({48 - done_before} run now)" in resumed.stdout
    run_sweep(load_spec(spec_file), tmp_path / "local", jobs=1, stream=quiet())
    assert_same_results(out, tmp_path / "local")
    assert len(tables(out)[0]) == 48


def test_without_dask_installed_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    (tmp_path / "s.toml").write_text(SPEC_TOML)
    result = CliRunner().invoke(app, ["sweep", "s.toml", "--executor", "dask"])
    assert result.exit_code == 2
    assert "pip install 'sim[dask]'" in one_error_line(result)
    assert not (tmp_path / "results").exists()  # refused before touching anything


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(SPEC_TOML)
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        args = ["sweep", "s.toml", "--executor", "dask", "--scheduler", address]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"cannot reach the Dask scheduler at {address}" in one_error_line(result)
    manifest = json.loads((tmp_path / "results" / "small" / MANIFEST).read_text())
    assert manifest["status"] == "error" and "cannot reach" in manifest["error"]


def test_a_worker_with_other_versions_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(SPEC_TOML)
    preload = {"distributed.worker.preload": [str(PRELOADS / "other_version.py")]}
    with dask.config.set(preload):
        result = CliRunner().invoke(app, ["sweep", "s.toml", "--executor", "dask", "-j", "1"])
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "has sim 0.0.0+other (here 0.1.0)" in line and "same versions" in line
    assert not (tmp_path / "results" / "small" / "runs.parquet").exists()
