"""Every combination of allowed values either runs or is refused in one line: the
parameter space is safe by construction (bounds and joint constraints in the
schema, bounded growth, a memory budget)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model.budget import BudgetError
from sim.model.model import CommunityModel

FUZZ = Path(__file__).with_name("fuzz_params.py")
ADDRESS_SPACE = 3 * 1024**3  # the fuzz's child process may not map more


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.mark.slow
def test_random_parameter_sets_run_or_are_refused_within_a_memory_cap():
    done = subprocess.run(
        [sys.executable, str(FUZZ), "200", "2026"],
        capture_output=True,
        text=True,
        preexec_fn=_capped,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["crashed"] == [], report["crashed"][0]["error"]
    assert report["completed"] + len(report["refused"]) == report["tried"] == 200
    assert report["completed"] >= 100  # most draws are meaningful groups, not refusals


@pytest.mark.parametrize(
    "sets",
    [
        ["visit_rate=1"],  # a Beta of mean 1 is undefined: refused by its bound
        ["motivation_gain=5"],  # posting rates would go negative: refused by its bound
        ["n_members=2000000", "market_size=100"],  # potential membership past the limit
    ],
)
def test_values_the_model_cannot_run_are_refused_in_one_line(sets, tmp_path):
    args = ["run", "--steps", "5", "--out", str(tmp_path)]
    for s in sets:
        args += ["--set", s]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output


def test_a_group_whose_reputation_draws_everyone_stops_at_its_potential_membership():
    # once: MemoryError as membership exploded; now bounded by market_size x n_members
    model = CommunityModel(
        rng=1, n_members=200, reputation_ref=0.1, reputation_power=10, warmup=10
    ).run(60)
    potential = model.params["market_size"] * model.params["n_members"]
    assert model.timeseries()["members"].max() <= potential
    assert model.timeseries()["members"].max() > 1.5 * 200  # it did grow toward it


def test_a_group_past_its_memory_limit_stops_with_a_budget_error():
    with pytest.raises(BudgetError, match="memory_limit"):
        CommunityModel(rng=1, n_members=100_000, memory_limit=10)
