"""Sensitivity analysis: SALib's designs through sim's sampling, engine and analysis."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample
from typer.testing import CliRunner

from sim.cli import app
from sim.errors import UserError
from sim.experiment.analysis import analyse
from sim.experiment.designs import DESIGN_KEY
from sim.experiment.sensitivity import RESAMPLES, Plan, analysis_seed, indices
from sim.experiment.spec import SpecError, parse_spec
from sim.experiment.sweep import run_sweep

# Three real parameters whose ranges stand for Ishigami's [-pi, pi]: the model is swapped
# out for the function, everything else (the spec, the design, the analysis) is sim's.
RANGES = {"spam_rate": (0.02, 0.5), "attention": (3.0, 30.0), "standard_mean": (0.15, 0.45)}
A, B = 7.0, 0.1
# Known indices of the Ishigami function (Ishigami and Homma 1990; Saltelli et al. 2008)
VAR = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
V1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
V2 = A**2 / 8
V13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
S1 = {"spam_rate": V1 / VAR, "attention": V2 / VAR, "standard_mean": 0.0}
ST = {"spam_rate": (V1 + V13) / VAR, "attention": V2 / VAR, "standard_mean": V13 / VAR}


def ishigami_spec(n: int, method: str = "sobol-saltelli", **sample):
    vary = {k: {"min": lo, "max": hi} for k, (lo, hi) in RANGES.items()}
    return parse_spec({"seed": 5, "vary": vary, "sample": {"method": method, "n": n, **sample}})


def ishigami(points) -> np.ndarray:
    x = np.array([[(p[k] - lo) / (hi - lo) for k, (lo, hi) in RANGES.items()] for p in points])
    x = -np.pi + 2 * np.pi * x
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_indices_are_found_within_their_intervals():
    spec = ishigami_spec(1024, second_order=True)
    assert len(spec.points) == 1024 * (2 * 3 + 2)
    found = indices(Plan.of(spec), {"y": ishigami(spec.points)})
    table = found.table.set_index("parameter")
    for name in RANGES:
        row = table.loc[name]
        assert abs(row["S1"] - S1[name]) <= row["S1_conf"], (name, row["S1"], S1[name])
        assert abs(row["ST"] - ST[name]) <= row["ST_conf"], (name, row["ST"], ST[name])
        assert row["S1_conf"] < 0.1 and row["ST_conf"] < 0.1  # intervals that say something
    assert list(table.index[:2]) == ["spam_rate", "attention"]  # ranked by ST
    pair = found.second.set_index(["parameter", "other"]).loc[("spam_rate", "standard_mean")]
    assert abs(pair["S2"] - V13 / VAR) <= pair["S2_conf"]


def test_morris_ranks_a_linear_function_by_its_slopes():
    spec = ishigami_spec(20, method="morris", levels=4)
    assert len(spec.points) == 20 * (3 + 1)
    slopes = {"spam_rate": 3.0, "attention": -1.0, "standard_mean": 0.2}
    y = sum(
        c * np.array([(p[k] - RANGES[k][0]) / np.ptp(RANGES[k]) for p in spec.points])
        for k, c in slopes.items()
    )
    table = indices(Plan.of(spec), {"y": y}).table.set_index("parameter")
    for name, c in slopes.items():
        assert table.loc[name, "mu_star"] == pytest.approx(abs(c))
        assert table.loc[name, "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert list(table.index) == ["spam_rate", "attention", "standard_mean"]


def test_other_designs_are_refused():
    with pytest.raises(UserError, match="'lhs' design cannot give sensitivity indices"):
        Plan.of(ishigami_spec(64, method="lhs"))
    with pytest.raises(SpecError, match="sensitivity.*'sobol-sequence' design cannot"):
        parse_spec(
            {
                "vary": {"spam_rate": {"min": 0.1, "max": 0.2}},
                "sample": {"method": "sobol-sequence", "n": 8},
                "analysis": {"sensitivity": ["honest_ratio"]},
            }
        )


def test_the_command_line_refuses_it_in_one_line(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(
        "[vary]\nspam_rate = { min = 0.1, max = 0.2 }\n[sample]\nmethod = 'lhs'\nn = 8\n"
        "[analysis]\nsensitivity = ['honest_ratio']\n"
    )
    result = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "'sobol-saltelli'" in lines[0]
    assert not (tmp_path / "out").exists()


SMALL = {
    "name": "saltelli",
    "seed": 9,
    "steps": 40,
    "fixed": {"n_members": 60, "warmup": 10},
    "vary": {
        "share_spammers": {"min": 0.0, "max": 0.5},
        "spam_rate": {"min": 0.05, "max": 1.0},
        "attention": {"min": 3.0, "max": 20.0},
    },
    "sample": {"method": "sobol-saltelli", "n": 16},
    "record": {"every": 40, "metrics": ["members"]},
    "analysis": {"sensitivity": ["honest_ratio", "final_quality"]},
}


def test_a_saltelli_sweep_gives_salibs_indices_of_its_runs(tmp_path):
    spec = parse_spec(SMALL)
    report = run_sweep(spec, tmp_path, jobs=2, stream=io.StringIO())
    assert report.status == "complete"
    runs = pd.read_parquet(tmp_path / "runs.parquet").sort_values("point")
    # the points run are SALib's own sample, drawn with the design's seed
    names = list(SMALL["vary"])
    bounds = [[SMALL["vary"][k]["min"], SMALL["vary"][k]["max"]] for k in names]
    seed = int(np.random.SeedSequence(9, spawn_key=DESIGN_KEY).generate_state(1)[0])
    problem = {"num_vars": 3, "names": names, "bounds": bounds}
    x = salib_sample.sample(problem, 16, calc_second_order=False, seed=seed)
    np.testing.assert_allclose(runs[names].to_numpy(), x, rtol=1e-12)
    # and the indices are SALib's on the same outputs
    a = analyse(tmp_path)
    assert a.sensitivity is not None
    for outcome in ("honest_ratio", "final_quality"):
        y = runs[outcome].to_numpy(dtype=float)
        assert np.ptp(y) > 0
        by_hand = salib_sobol.analyze(
            problem, y, calc_second_order=False, num_resamples=RESAMPLES, seed=analysis_seed(9)
        )
        got = a.sensitivity.table[a.sensitivity.table["outcome"] == outcome]
        got = got.set_index("parameter").loc[names]
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            np.testing.assert_allclose(got[key], by_hand[key], rtol=1e-12, err_msg=key)
    from sim.experiment.report import write_report

    written = write_report(a)
    assert tmp_path / "sensitivity.csv" in written
    assert (tmp_path / "figures" / "sensitivity.png").stat().st_size > 0
    text = (tmp_path / "summary.md").read_text()
    assert "## Sensitivity" in text and "| honest_ratio | share_spammers |" in text
    saved = pd.read_csv(tmp_path / "sensitivity.csv")
    assert set(saved["outcome"]) == {"honest_ratio", "final_quality"}
