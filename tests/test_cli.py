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
