"""Sweeps: interleaved schedule, seeds independent of --jobs, failures isolated, and a
sweep killed with SIGKILL that resumes to exactly what an uninterrupted sweep gives."""

from __future__ import annotations

import importlib.util
import io
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sweeping import (
    SPEC,
    SPEC_TOML,
    assert_same_results,
    kill_mid_sweep,
    quiet,
    spec_toml,
    sweep_cmd,
    tables,
)
from typer.testing import CliRunner

import sim.experiment.run
import sim.model.model
from sim.cli import app
from sim.experiment.executors import available_cores
from sim.experiment.pool import LocalPool
from sim.experiment.progress import DayProgress, Progress, run_days, said_if_slow
from sim.experiment.run import WORKER_DIED, Result, Task, execute
from sim.experiment.spec import load_spec, parse_spec, run_seed
from sim.experiment.store import RUNS, Store
from sim.experiment.sweep import plan, run_sweep


def test_schedule_is_interleaved_and_skips_what_is_done():
    spec = parse_spec(SPEC)
    tasks = plan(spec)
    assert [(t.replicate, t.point) for t in tasks[:5]] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0)]
    assert sorted(t.run_id for t in tasks) == list(range(12))
    assert all(t.seed == run_seed(5, t.point, t.replicate) for t in tasks)
    left = plan(spec, done={0, 3, 4})
    assert {t.run_id for t in left} == set(range(12)) - {0, 3, 4}


def test_recorded_days_include_the_last_and_the_chosen_measures():
    spec = parse_spec(SPEC)
    result = execute(plan(spec)[0])
    assert result.ts.column("day").to_pylist() == [0, 7, 14, 21, 28, 30]
    assert result.ts.column_names == ["run_id", "day", "members", "honest_members", "quality"]
    assert result.row["status"] == "ok" and result.row["seed"] == run_seed(5, 0, 0)
    assert result.row["n_members"] == 120 and "honest_ratio" in result.row


def test_results_do_not_depend_on_jobs(tmp_path):
    spec = parse_spec(SPEC)
    one = run_sweep(spec, tmp_path / "one", jobs=1, stream=quiet())
    two = run_sweep(spec, tmp_path / "two", jobs=2, stream=quiet())
    assert one.status == two.status == "complete"
    assert_same_results(tmp_path / "one", tmp_path / "two")
    assert len(tables(tmp_path / "one")[0]) == 12


def test_a_row_is_reproduced_by_sim_run_with_its_seed(tmp_path):
    spec = parse_spec(SPEC)
    run_sweep(spec, tmp_path / "s", jobs=1, stream=quiet())
    runs, _ = tables(tmp_path / "s")
    row = runs.iloc[7]
    sets = [f"--set={k}={row[k]}" for k in (*spec.fixed, *spec.points[row["point"]])]
    args = ["run", "--seed", str(row["seed"]), "--steps", "30", "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(app, [*args, *sets])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["seed"] == row["seed"]
    for key in ("final_members", "final_honest", "promo_reach_total", "final_quality"):
        assert summary[key] == pytest.approx(row[key])


def test_resume_runs_only_what_is_missing(tmp_path):
    spec = parse_spec(SPEC)
    out = tmp_path / "s"
    run_sweep(spec, out, jobs=1, stream=quiet())
    first, _ = tables(out)
    again = run_sweep(spec, out, jobs=1, stream=quiet())
    assert again.ran == 0 and again.status == "complete"
    assert first.equals(tables(out)[0])


class Flaky(sim.model.CommunityModel):
    """A model that raises for one seed: a bug met in one corner of the space."""

    BAD = run_seed(5, 2, 1)

    def step(self) -> None:
        if self.seed == self.BAD and self.day > 3:
            raise FloatingPointError("boom in the model")
        super().step()


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.model.model, "CommunityModel", Flaky)
    spec = parse_spec(SPEC)
    report = run_sweep(spec, tmp_path / "s", jobs=1, stream=quiet())
    assert report.status == "failures" and report.counts["failed"] == 1
    runs, ts = tables(tmp_path / "s")
    assert len(runs) == 12
    bad = runs[runs["status"] == "failed"]
    assert list(bad["run_id"]) == [spec.run_id(2, 1)]
    assert "boom in the model" in bad["error"].iloc[0] and "Traceback" in bad["error"].iloc[0]
    assert bad["share_spammers"].iloc[0] == spec.points[2]["share_spammers"]
    assert spec.run_id(2, 1) not in set(ts["run_id"])
    assert (runs["status"] == "ok").sum() == 11


def test_fail_fast_stops_at_the_first_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.model.model, "CommunityModel", Flaky)
    report = run_sweep(parse_spec(SPEC), tmp_path / "s", jobs=1, fail_fast=True, stream=quiet())
    assert report.status == "stopped"
    # the schedule is interleaved: point 2, replicate 1 is the 7th run
    assert report.ran == 7 and report.counts["missing"] == 5


def test_cli_exit_status_counts_failures(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.model.model, "CommunityModel", Flaky)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(SPEC_TOML)
    result = CliRunner().invoke(app, ["sweep", "s.toml", "--jobs", "1", "--no-plot"])
    assert result.exit_code == 1
    assert "1 failed" in result.output
    assert (tmp_path / "results" / "small" / RUNS).exists()


def crash_on_3(task: Task) -> Result:
    """Kill the worker process outright (as an out-of-memory kill would) on run 3."""
    if task.run_id == 3:
        os._exit(9)
    return execute(task)


def test_a_dying_worker_fails_only_its_own_run():
    spec = parse_spec(SPEC | {"replicates": 1})
    pool = LocalPool(jobs=2)
    pool.start()
    try:
        results = [r for r in pool.results(plan(spec), crash_on_3) if r is not None]
    finally:
        pool.close()
    by_id = {r.row["run_id"]: r.row for r in results}
    assert sorted(by_id) == [0, 1, 2, 3]
    assert by_id[3]["status"] == "failed" and by_id[3]["error"] == WORKER_DIED
    assert all(by_id[i]["status"] == "ok" for i in (0, 1, 2))


def loaded_before_this_run(task: Task) -> Result:
    """Whether this worker had the compiled loops loaded before its run (a worker
    forked from the fork server has; one started from nothing loads them itself)."""
    from sim.model import kernels

    loops = kernels.compiled()  # a dispatcher has signatures once its code is loaded
    ready = loops is not None and bool(loops.tally.signatures)
    return Result(row={"run_id": task.run_id, "status": "ok", "ready": ready})


@pytest.mark.skipif(
    importlib.util.find_spec("numba") is None or "forkserver" not in mp.get_all_start_methods(),
    reason="needs Numba (sim[fast]) and a platform with a fork server",
)
def test_pool_workers_start_with_the_model_loaded():
    pool = LocalPool(jobs=2)
    pool.start()
    try:
        results = [r for r in pool.results(plan(parse_spec(SPEC)), loaded_before_this_run) if r]
    finally:
        pool.close()
    assert len(results) == 12 and all(r.row["ready"] for r in results)


def test_progress_line_without_a_terminal():
    stream = quiet()
    progress = Progress(total=10, before=4, stream=stream, every=0)
    progress.update(Result(row={"status": "ok"}))
    progress.update(Result(row={"status": "failed"}))
    progress.close()
    line = stream.getvalue().splitlines()[-1]
    assert line.startswith("progress: 6/10 runs")
    assert "runs/s" in line and "ETA" in line and "failed 1" in line and "\r" not in line


def test_a_long_run_shows_its_days_and_a_short_one_stays_quiet():
    shown = quiet()
    progress = DayProgress(total=10, stream=shown, every=0, after=0)
    for day in (1, 2, 3):
        progress.update(day, 1234)
    progress.close()
    lines = shown.getvalue().splitlines()
    assert lines[-1].startswith("progress: day 3/10  1,234 members  ETA")
    assert len(lines) == 3 and "\r" not in shown.getvalue()
    silent = quiet()  # the default waits: a run of a few days prints nothing
    model = sim.model.model.CommunityModel(rng=1, n_members=100, warmup=0)
    run_days(model, 3, silent)
    assert silent.getvalue() == "" and model.timeseries()["day"].iloc[-1] == 3


def test_a_slow_set_up_gets_a_word_and_a_quick_one_none():
    class Stream(io.StringIO):
        def write(self, text: str) -> int:
            written.set()
            return super().write(text)

    written, stream = threading.Event(), Stream()
    with said_if_slow("Setting up...", after=0, stream=stream):
        assert written.wait(30)  # the block outlasts the wait: the word is said
    assert stream.getvalue() == "Setting up...\n"
    quick = Stream()
    written.clear()
    with said_if_slow("Setting up...", after=3600, stream=quick):
        pass
    assert quick.getvalue() == "" and not written.is_set()


def test_dry_run_estimates_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(SPEC_TOML)
    result = CliRunner().invoke(app, ["sweep", "s.toml", "--dry-run", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "4 points x 3 replicates = 12 runs" in result.output
    assert "estimated time" in result.output and "MB" in result.output
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_a_killed_sweep_resumes_to_the_same_results(tmp_path):
    spec_file = tmp_path / "kill.toml"
    # over a second of runs after the fifth, so that the suite's load cannot let all 48
    # finish before the kill
    spec_file.write_text(spec_toml(replicates=12, steps=150))
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    done_before = kill_mid_sweep(sweep_cmd(spec_file, killed, 2), killed)
    partial = json.loads((killed / "manifest.json").read_text())
    assert partial["status"] == "running"  # it never got to say goodbye
    assert 5 <= done_before < 48

    resumed = subprocess.run(sweep_cmd(spec_file, killed, 1), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({48 - done_before} run now)" in resumed.stdout
    run_sweep(load_spec(spec_file), whole, jobs=1, stream=quiet())
    assert_same_results(killed, whole)
    assert len(tables(killed)[0]) == 48
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["sessions"]) == 2


def test_jobs_above_the_cores_available_are_capped_with_a_note(tmp_path):
    stream = quiet()
    report = run_sweep(parse_spec(SPEC), tmp_path / "s", jobs=1000, stream=stream)
    assert report.status == "complete"
    cores = available_cores()
    note = f"note: --jobs 1000 is more than the {cores} cores available here; using {cores}."
    assert note in stream.getvalue()
    session = json.loads((tmp_path / "s" / "manifest.json").read_text())["sessions"][-1]
    assert session["jobs"] == cores and len(session["workers"]) <= cores


def test_any_concurrent_futures_executor_gives_the_same_results(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from sim.experiment.executors import FuturesExecutor

    spec = parse_spec(SPEC)
    run_sweep(spec, tmp_path / "one", jobs=1, stream=quiet())
    with ThreadPoolExecutor(2) as threads:
        executor = FuturesExecutor(threads, slots=2)
        report = run_sweep(spec, tmp_path / "t", executor=executor, stream=quiet())
    assert report.status == "complete" and report.ran == 12
    assert_same_results(tmp_path / "one", tmp_path / "t")
    session = json.loads((tmp_path / "t" / "manifest.json").read_text())["sessions"][-1]
    assert session["executor"]["kind"] == "futures"


@pytest.mark.skipif(
    shutil.which("mpiexec", path=str(Path(sys.executable).parent)) is None,
    reason="mpi4py and an MPI (the test extra's mpich) are not installed",
)
def test_mpi_gives_the_same_results(tmp_path):
    spec_file = tmp_path / "s.toml"
    spec_file.write_text(SPEC_TOML)
    mpiexec = str(Path(sys.executable).parent / "mpiexec")
    command = [mpiexec, "-n", "3", sys.executable, "-m", "mpi4py.futures", "-m", "sim.cli"]
    args = ["sweep", str(spec_file), "--out", str(tmp_path / "mpi"), "--executor", "mpi"]
    done = subprocess.run(
        [*command, *args, "--no-plot"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    run_sweep(parse_spec(SPEC), tmp_path / "one", jobs=1, stream=quiet())
    assert_same_results(tmp_path / "one", tmp_path / "mpi")
    session = json.loads((tmp_path / "mpi" / "manifest.json").read_text())["sessions"][-1]
    assert session["executor"]["kind"] == "mpi" and session["executor"]["workers"] == 2


def test_runs_from_workers_that_cannot_see_the_folder_are_written_by_the_client(
    tmp_path, monkeypatch
):
    spec = parse_spec(SPEC)
    run_sweep(spec, tmp_path / "one", jobs=1, stream=quiet())
    monkeypatch.setattr(sim.experiment.run, "writer_for", lambda root, session: None)
    written, write_run = [], Store.write_run

    def spy(store, row, ts, logs=None):
        written.append(row["run_id"])
        write_run(store, row, ts, logs)

    monkeypatch.setattr(Store, "write_run", spy)
    report = run_sweep(spec, tmp_path / "far", jobs=1, stream=quiet())
    assert report.status == "complete" and sorted(written) == list(range(12))
    assert_same_results(tmp_path / "one", tmp_path / "far")
