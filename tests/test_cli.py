"""The command line as a user meets it: files written, clear errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model.params import PARAMS

runner = CliRunner()


def test_run_writes_timeseries_summary_and_figure(tmp_path):
    out = tmp_path / "one"
    result = runner.invoke(
        app,
        [
            "run",
            "--set",
            "n_members=150",
            "--set",
            "share_spammers=0.2",
            "--steps",
            "40",
            "--seed",
            "5",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "members (not spammers)" in result.output
    ts = pd.read_csv(out / "timeseries.csv")
    assert {"day", "members", "quality", "spam_share", "engagement"} <= set(ts.columns)
    assert ts["day"].tolist() == list(range(41))
    summary = json.loads((out / "summary.json").read_text())
    for key in ("initial_members", "final_members", "final_quality", "collapsed", "seed"):
        assert key in summary
    assert summary["seed"] == 5
    assert summary["parameters"]["share_spammers"] == 0.2
    assert set(summary["parameters"]) == set(PARAMS)
    assert (out / "run.png").stat().st_size > 10_000


def test_run_is_reproducible_from_its_seed(tmp_path):
    for name in ("a", "b"):
        runner.invoke(
            app,
            [
                "run",
                "--set",
                "n_members=100",
                "--steps",
                "30",
                "--seed",
                "9",
                "--out",
                str(tmp_path / name),
            ],
        )
    a = pd.read_csv(tmp_path / "a" / "timeseries.csv")
    b = pd.read_csv(tmp_path / "b" / "timeseries.csv")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "share_spammers=2"], "share_spammers"),
        (["--set", "bogus=1"], "unknown parameter 'bogus'"),
        (["--set", "policy=anarchy"], "'none', 'etiquette'"),
        (["--set", "share_spammers"], "NAME=VALUE"),
        (["--set", "share_carers=0.6", "--set", "share_spammers=0.5"], "sum to"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(tmp_path, args, message):
    result = runner.invoke(app, ["run", *args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_params_lists_every_parameter_as_text_and_json():
    text = runner.invoke(app, ["params"])
    assert text.exit_code == 0
    for name in PARAMS:
        assert name in text.output
    data = json.loads(runner.invoke(app, ["params", "--json"]).output)
    names = [p["name"] for p in data["parameters"]]
    assert names == list(PARAMS)
    assert data["presets"]["etiquette"]["give_take_ratio"] == 9


def test_console_script_reports_errors_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", "--set", "n_members=-1"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("Error: parameter 'n_members'")
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------ one-line errors
def one_line_error(result) -> str:
    """The output of a refused command: exactly one line, ``Error: ...``, exit status 2."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", "--seed", "-1"], ["--seed", "run --help"]),
        (["run", "--steps", "0"], ["--steps"]),
        (["run", "--colour", "red"], ["No such option", "--colour"]),
        (["sweep"], ["Missing argument", "SPEC"]),
        (["run", "extra"], ["extra"]),
        (["nonsense"], ["nonsense"]),
        (["demo", "--runs", "many"], ["--runs", "integer"]),
    ],
)
def test_the_command_line_own_errors_are_one_line_too(args, words):
    line = one_line_error(runner.invoke(app, args))
    for w in words:
        assert w in line


def test_sim_alone_still_prints_the_help():
    result = runner.invoke(app, [])
    assert "Usage:" in result.output and "sweep" in result.output


def test_the_console_script_prints_typer_errors_in_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", "--seed", "-1"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("Error: ")
    assert "run --help'." in proc.stderr


def test_a_parameter_set_twice_is_refused(tmp_path):
    args = ["run", "--set", "share_spammers=0.1", "--set", "share_spammers = 0.3"]
    line = one_line_error(runner.invoke(app, [*args, "--out", str(tmp_path / "x")]))
    assert "share_spammers is given twice (0.1 and 0.3)" in line
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "args", [["run"], ["demo"], ["sweep", "spec.toml"], ["sweep", "spec.toml", "--dry-run"]]
)
def test_an_empty_out_is_refused_and_nothing_is_written(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.toml").write_text("[fixed]\nn_members = 50\n")
    line = one_line_error(runner.invoke(app, [*args, "--out", ""]))
    assert "--out" in line and "empty" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


@pytest.mark.parametrize("command", ["run", "demo"])
def test_an_out_that_is_a_file_is_refused(tmp_path, command):
    target = tmp_path / "taken"
    target.write_text("mine")
    line = one_line_error(runner.invoke(app, [command, "--out", str(target)]))
    assert "is a file" in line and target.read_text() == "mine"


@pytest.mark.parametrize("command", ["run", "demo"])
def test_an_out_below_a_file_is_refused_before_any_run(tmp_path, command, monkeypatch):
    import sim.model.model

    def no_run(*args, **kwargs):
        raise AssertionError("a group ran before the folder was checked")

    monkeypatch.setattr(sim.model.model.CommunityModel, "run", no_run)
    (tmp_path / "file").write_text("")
    line = one_line_error(runner.invoke(app, [command, "--out", str(tmp_path / "file" / "x")]))
    assert "cannot create output folder" in line and "Not a directory" in line


@pytest.fixture
def read_only(monkeypatch):
    """Make a folder read-only for this process, as a read-only file system would be:
    every file opened in it is refused with EROFS (whoever runs the tests, root too)."""
    import errno
    import os
    from pathlib import Path

    folders = []
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        p = Path(os.fsdecode(path)).resolve()
        if any(p == f or f in p.parents for f in folders):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        folders.append(folder.resolve())
        return folder

    return make


@pytest.mark.parametrize("command", ["run", "demo"])
def test_a_read_only_out_is_one_line_before_any_run(tmp_path, command, read_only, monkeypatch):
    import sim.model.model

    def no_run(*args, **kwargs):
        raise AssertionError("a group ran before the folder was checked")

    monkeypatch.setattr(sim.model.model.CommunityModel, "run", no_run)
    out = read_only(tmp_path / "ro")
    line = one_line_error(runner.invoke(app, [command, "--out", str(out)]))
    assert str(out) in line and "Read-only file system" in line
    assert "choose a folder you can write to" in line


def full_disk(*args, **kwargs):
    """What a write that fills the disk raises: no file name, errno ENOSPC."""
    import errno
    import os

    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_during_sim_run_is_one_line_and_keeps_the_earlier_files(tmp_path, monkeypatch):
    out = tmp_path / "one"
    args = ["run", "--set", "n_members=60", "--steps", "10", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    line = one_line_error(runner.invoke(app, [*args[:-2], "--seed", "2", "--out", str(out)]))
    assert line == (
        f"Error: {out / 'timeseries.csv'}: No space left on device "
        "(free some space and run the command again)."
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary left


# ------------------------------------------------------------------- large designs
LARGE = """
replicates = {replicates}
steps = 5
[fixed]
n_members = 60
warmup = 2
[vary]
share_spammers = {{ start = 0.0, stop = 0.5, num = {num} }}
"""


# 120,000 runs over 20,000 points (too many to check when the spec is read), from point
# 8000 on refused by the model (shares summing past 1)
LARGE_AND_REFUSED = LARGE.format(replicates=6, num=20_000).replace(
    "warmup = 2", "warmup = 2\nshare_sharers = 0.6"
)


def masked(text: str) -> str:
    """The words of a message, its numbers masked (two pilots do not time alike)."""
    import re

    return re.sub(r"\d[\d,.hms]*", "#", text)


def test_a_large_design_is_refused_with_its_time_and_disk_and_nothing_written(
    tmp_path, monkeypatch
):
    from sim.experiment import designs
    from sim.experiment.spec import LARGE_RUNS

    def whole_design(*args, **kwargs):
        raise AssertionError("the whole design was made")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(designs.Points, "__iter__", whole_design)  # pilots index a few
    (tmp_path / "big.toml").write_text(LARGE.format(replicates=100, num=100_000))
    line = one_line_error(runner.invoke(app, ["sweep", "big.toml", "--jobs", "2"]))
    assert line.startswith(f"Error: the design has 10,000,000 runs, more than {LARGE_RUNS:,}: ")
    assert "with 2 workers" in line and "B of disk" in line and "--allow-large" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.toml"]


def test_the_dry_run_of_a_large_design_warns_in_the_same_words(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.toml").write_text(LARGE.format(replicates=20_000, num=11))
    refusal = one_line_error(runner.invoke(app, ["sweep", "big.toml", "--jobs", "2"]))
    dry = runner.invoke(app, ["sweep", "big.toml", "--jobs", "2", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    warning = next(ln for ln in dry.output.splitlines() if ln.startswith("Warning: "))
    assert masked(warning.removeprefix("Warning: ")) == masked(refusal.removeprefix("Error: "))
    assert "220,000 runs" in warning and "Nothing was run" in dry.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.toml"]


def test_allow_large_still_checks_every_point_before_running(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.toml").write_text(LARGE_AND_REFUSED)
    line = one_line_error(runner.invoke(app, ["sweep", "big.toml", "--allow-large"]))
    assert "point 8000 (share_spammers=0.20001" in line and "sum to" in line
    assert not (tmp_path / "results").exists()


def test_a_sweep_of_many_points_is_checked_before_it_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "many.toml").write_text(LARGE_AND_REFUSED.replace("replicates = 6", ""))
    line = one_line_error(runner.invoke(app, ["sweep", "many.toml"]))
    assert "point 8000 (share_spammers=0.20001" in line and "sum to" in line
    assert not (tmp_path / "results").exists()


def test_sweep_help_documents_the_limit():
    from sim.experiment.spec import LARGE_RUNS

    text = runner.invoke(app, ["sweep", "--help"]).output
    assert "--allow-large" in text and f"more than {LARGE_RUNS:,} runs" in " ".join(text.split())


# ----------------------------------------------------------------- failing pilots
def test_a_dry_run_pilot_on_a_point_the_model_refuses_names_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.toml").write_text(LARGE_AND_REFUSED)  # points not checked up front
    line = one_line_error(runner.invoke(app, ["sweep", "big.toml", "--dry-run"]))
    assert line.startswith("Error: the pilot run at share_spammers=0.250012500625 failed: ")
    assert "strategy shares sum to" in line


def test_a_dry_run_pilot_that_raises_names_its_point(tmp_path, monkeypatch):
    import sim.model.model

    real_run = sim.model.model.CommunityModel.run

    def fragile(self, *args, **kwargs):
        if self.params["share_spammers"] == 0.25:
            raise ValueError("b <= 0")
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(sim.model.model.CommunityModel, "run", fragile)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(LARGE.format(replicates=1, num=3))
    line = one_line_error(runner.invoke(app, ["sweep", "s.toml", "--dry-run"]))
    assert line == "Error: the pilot run at share_spammers=0.25 failed: ValueError: b <= 0"
