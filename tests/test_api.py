"""sim as a function: run_one, run_batch, and specs whose points come from a table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.experiment.spec import SpecError, load_spec, parse_spec
from sim.model.params import ParamError

SMALL = {"n_members": 80, "warmup": 5}
PY = {"share_spammers": 0.3, "ring_size": 4, "flagging": True, "policy": "etiquette"}
NP = {
    "share_spammers": np.float64(0.3),
    "ring_size": np.int64(4),
    "flagging": np.bool_(True),
    "policy": np.str_("etiquette"),
}


def test_numpy_scalars_give_the_same_outcomes_as_python_ones():
    python = sim.run_one(seed=3, steps=30, **SMALL, **PY)
    numpy = sim.run_one(seed=np.int64(3), steps=np.int64(30), **SMALL, **NP)
    assert numpy == python
    assert numpy["parameters"]["ring_size"] == 4 and type(numpy["parameters"]["ring_size"]) is int
    other = sim.run_one(seed=3, steps=30, **SMALL, **{**PY, "share_spammers": 0.0})
    assert other["final_spam_share"] != python["final_spam_share"]  # the values were used


def test_run_one_is_what_sim_run_writes(tmp_path):
    sets = [f"--set={k}={v}" for k, v in {**SMALL, **PY}.items()]
    result = CliRunner().invoke(
        app, ["run", "--seed", "3", "--steps", "30", "--out", str(tmp_path), *sets]
    )
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "summary.json").read_text())
    assert json.loads(json.dumps(sim.run_one(seed=3, steps=30, **SMALL, **PY))) == written


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"seed": -1}, ["seed"]),
        ({"seed": 1.5}, ["seed"]),
        ({"steps": 0}, ["steps"]),
        ({"share_spamers": 0.1}, ["share_spamers", "share_spammers"]),
        ({"ring_size": np.float64(2.5)}, ["ring_size", "2.5"]),
    ],
)
def test_run_one_refuses_what_the_schema_refuses(kwargs, words):
    with pytest.raises(ParamError) as err:
        sim.run_one(**kwargs)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_run_batch_runs_a_table_through_the_pool_and_resumes(tmp_path):
    points = pd.DataFrame(
        {"share_spammers": np.array([0.0, 0.4]), "policy": np.array(["none", "moderated"])}
    )
    out = tmp_path / "batch"
    table = sim.run_batch(
        points, replicates=2, seed=4, steps=25, fixed=SMALL, jobs=2, out=out, progress=False
    )
    assert list(table["run_id"]) == [0, 1, 2, 3] and (table["status"] == "ok").all()
    assert list(table["point"]) == [0, 0, 1, 1]
    for _, row in table.iterrows():
        alone = sim.run_one(
            seed=row["seed"], steps=25, **SMALL, **points.iloc[row["point"]].to_dict()
        )
        assert row["honest_ratio"] == alone["honest_ratio"]
        assert row["final_quality"] == alone["final_quality"]
    again = sim.run_batch(
        points, replicates=2, seed=4, steps=25, fixed=SMALL, jobs=2, out=out, progress=False
    )
    pd.testing.assert_frame_equal(again, table)  # resumed: nothing run again
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert len(sessions) == 2 and sessions[-1]["runs_before"] == 4


def test_run_batch_refuses_a_point_the_model_refuses():
    with pytest.raises(SpecError, match="row 1, share_spammers"):
        sim.run_batch([{"share_spammers": 0.1}, {"share_spammers": 1.5}], progress=False)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_spec_takes_its_points_from_a_table(tmp_path, suffix):
    points = pd.DataFrame({"share_spammers": [0.1, 0.2, 0.1], "policy": ["none", "none", "strict"]})
    path = tmp_path / f"design{suffix}"
    points.to_csv(path, index=False) if suffix == ".csv" else points.to_parquet(path)
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(f'replicates = 2\n[points]\nfile = "design{suffix}"\n')
    spec = load_spec(spec_file)
    assert list(spec.points) == points.to_dict("records")
    assert [d.name for d in spec.vary] == ["share_spammers", "policy"]
    assert spec.seed_for(0, 0) != spec.seed_for(1, 0)
    assert spec.resolved()["points_file"] == f"design{suffix}"


def test_common_seeds_give_every_point_the_same_seeds():
    data = {"replicates": 3, "points": {"rows": [{"ring_size": 1}, {"ring_size": 9}]}}
    spec = parse_spec({**data, "common_seeds": True})
    assert [spec.seed_for(1, r) for r in range(3)] == [spec.seed_for(0, r) for r in range(3)]
    assert len({spec.seed_for(0, r) for r in range(3)}) == 3
    assert parse_spec(data).fingerprint() != spec.fingerprint()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"points": {"rows": [{"share_spamers": 0.1}]}}, ["share_spamers", "share_spammers"]),
        ({"points": {"rows": []}}, ["no points"]),
        ({"points": {"file": "missing.csv"}}, ["missing.csv", "not found"]),
        ({"points": {"file": "design.xlsx"}}, [".csv or .parquet"]),
        (
            {"points": {"rows": [{"ring_size": 1}]}, "vary": {"policy": ["none"]}},
            ["[vary]", "[points]"],
        ),
        (
            {"points": {"rows": [{"ring_size": 1}]}, "fixed": {"ring_size": 2}},
            ["ring_size", "[fixed]"],
        ),
        ({"points": {"rows": [{"ring_size": 1}], "seeds": 2}}, ["[points] takes one key"]),
        ({"common_seeds": "yes", "points": {"rows": [{"ring_size": 1}]}}, ["common_seeds"]),
    ],
)
def test_bad_points_are_refused_by_name(tmp_path, body, words):
    with pytest.raises(SpecError) as err:
        parse_spec(body, base=tmp_path)
    assert all(w in str(err.value) for w in words), str(err.value)
