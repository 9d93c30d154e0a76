"""Analysis and figures: confidence intervals, the tipping point recovered from data with
a known threshold, and figures that hold the data they should."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from test_cli import one_line_error
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.analysis import (
    aggregate,
    analyse,
    crossing,
    envelopes,
    levels,
    mean_ci,
    tipping_points,
)
from sim.experiment.spec import parse_spec
from sim.experiment.store import TIMESERIES
from sim.experiment.sweep import run_sweep


def test_mean_ci_matches_the_t_interval():
    m, lo, hi = mean_ci(np.array([1.0, 2.0, 3.0, 4.0]))
    assert m == 2.5
    assert hi - m == pytest.approx(3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2, rel=1e-5)
    assert np.isnan(mean_ci(np.array([1.0]))[1])


def test_a_share_of_yes_and_no_has_wilsons_interval_inside_0_and_1():
    m, lo, hi = mean_ci(np.array([1.0, 1.0, 1.0, 1.0, 0.0]))  # 4 of 5 groups collapsed
    assert m == 0.8
    assert (lo, hi) == pytest.approx((0.3755, 0.9638), abs=1e-4)  # Wilson (1927)
    none = mean_ci(np.zeros(5))
    assert none[0] == 0 and none[1] == 0 and 0.3 < none[2] < 0.6  # not an empty interval


def test_a_day_that_never_came_is_left_out_of_its_mean():
    runs = pd.DataFrame({"p": ["a"] * 4, "collapse_day": [-1, -1, 100, 200]})
    cell = aggregate(runs, ["p"], ["collapse_day"]).iloc[0]
    assert cell["collapse_day"] == 150
    assert cell["collapse_day_lo"] < 150 < cell["collapse_day_hi"]


def test_crossing_interpolates_and_reports_none():
    x = np.array([0.0, 0.1, 0.2, 0.3])
    assert crossing(x, np.array([1.0, 0.8, 0.4, 0.2]), 0.5)[0] == pytest.approx(0.175)
    assert np.isnan(crossing(x, np.array([1.0, 0.9, 0.8, 0.7]), 0.5)[0])
    rows = crossing(x, np.array([[1.0, 0.2, 0.1, 0.0], [0.2, 0.4, 0.6, 0.9]]), 0.5)
    assert rows == pytest.approx([0.0625, 0.15])


def synthetic(threshold_at: dict[str, float], reps: int = 30, seed: int = 0) -> pd.DataFrame:
    """Runs whose outcome falls as a logistic in x through 0.5 at a known point, with noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for group, x0 in threshold_at.items():
        for x in np.linspace(0.0, 0.5, 11):
            for _ in range(reps):
                y = 1.0 / (1.0 + np.exp((x - x0) / 0.04)) + rng.normal(0, 0.08)
                rows.append({"share_spammers": round(x, 2), "policy": group, "honest_ratio": y})
    return pd.DataFrame(rows)


def test_tipping_point_recovers_a_known_threshold():
    runs = synthetic({"none": 0.17, "etiquette": 0.33, "strict": 0.9})
    tips = {
        t.group["policy"]: t
        for t in tipping_points(runs, "share_spammers", ["policy"], "honest_ratio", 0.5)
    }
    for policy, truth in (("none", 0.17), ("etiquette", 0.33)):
        t = tips[policy]
        assert t.estimate == pytest.approx(truth, abs=0.015)
        assert t.lo <= truth <= t.hi and t.hi - t.lo < 0.05
        assert t.crossed > 0.95 and t.note == ""
    # a group that never falls below the threshold in the range says so
    assert np.isnan(tips["strict"].estimate) and "no crossing" in tips["strict"].note


def test_levels_bin_a_sampled_parameter():
    x = pd.Series(np.linspace(0, 1, 101))
    binned = levels(x, bins=10)
    assert binned.nunique() == 10 and binned.iloc[0] == pytest.approx(0.05)
    grid = pd.Series([0.0, 0.1, 0.2] * 5)
    assert levels(grid).equals(grid)


SPEC = {
    "name": "figs",
    "replicates": 3,
    "seed": 9,
    "steps": 30,
    "fixed": {"n_members": 100, "warmup": 10},
    "vary": {
        "share_spammers": [0.0, 0.3],
        "spam_rate": [0.1, 0.5],
        "policy": ["none", "etiquette"],
    },
    "record": {"every": 5, "metrics": ["honest_members", "quality"]},
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("figs") / "out"
    run_sweep(parse_spec(SPEC), root, jobs=1, stream=io.StringIO())
    return root


def test_report_writes_figures_summary_and_aggregates(results):
    from sim.experiment.report import write_report

    a = analyse(results, n_boot=200)
    written = {p.name for p in write_report(a)}
    expected = {
        "outcomes_vs_share_spammers.png",
        "outcomes_vs_spam_rate.png",
        "outcomes_vs_policy.png",
        "tipping_honest_ratio_vs_share_spammers.png",
        "tipping_point_vs_spam_rate.png",  # the tipping point against the other numeric one
        "heatmap_honest_ratio_share_spammers_spam_rate.png",
        "timeseries_honest_members.png",
        "timeseries_quality.png",
        "summary.md",
        "aggregates.csv",
    }
    assert expected <= written
    for name in expected:
        path = results / ("figures" if name.endswith(".png") else "") / name
        assert path.stat().st_size > 1000
    summary = (results / "summary.md").read_text()
    assert "## Tipping point" in summary and "spam_rate=0.5, policy=etiquette" in summary
    table = pd.read_csv(results / "aggregates.csv")
    assert len(table) == 8 and (table["n"] == 3).all()


def test_outcome_figure_plots_the_means_per_policy(results):
    from sim.experiment.analysis import outcome_table
    from sim.figures.sweeps import plot_outcomes

    a = analyse(results, n_boot=50)
    agg, series = outcome_table(a, "share_spammers")
    assert series == ["policy", "spam_rate"]
    fig = plot_outcomes(agg, "share_spammers", a.outcomes)
    ax = fig.axes[a.outcomes.index("honest_ratio")]
    runs = a.runs.astype({"policy": str})
    for line in ax.lines:
        label = line.get_label()
        policy = label.split(",")[0].split("=")[1]
        rate = float(label.split("spam_rate=")[1])
        sub = runs[(runs["policy"] == policy) & (runs["spam_rate"] == rate)]
        expected = sub.groupby("share_spammers")["honest_ratio"].mean()
        assert list(line.get_xdata()) == list(expected.index)
        assert line.get_ydata() == pytest.approx(expected.to_numpy())
    assert len(ax.lines) == 4


def test_heatmap_holds_the_mean_of_each_cell(results):
    from sim.figures.sweeps import plot_heatmap

    a = analyse(results, n_boot=50)
    cells = aggregate(a.runs, ["policy", "share_spammers", "spam_rate"], ["honest_ratio"])
    cells["panel"] = "policy=" + cells["policy"].astype(str)
    fig = plot_heatmap(cells, "share_spammers", "spam_rate", "honest_ratio", threshold=0.5)
    image = fig.axes[0].images[0].get_array()
    runs = a.runs[a.runs["policy"] == "none"]
    expected = runs.pivot_table(
        index="spam_rate", columns="share_spammers", values="honest_ratio", aggfunc="mean"
    )
    assert np.asarray(image) == pytest.approx(expected.to_numpy())


def test_envelopes_are_median_and_quartiles_of_the_stored_series(results):
    a = analyse(results, n_boot=50)
    env = envelopes(a, "honest_members")
    ts = pd.read_parquet(results / TIMESERIES)
    point = a.runs.set_index("run_id")["point"]
    ts["point"] = point.loc[ts["run_id"]].to_numpy()
    day = ts[(ts["point"] == 5) & (ts["day"] == 30)]["honest_members"]
    row = env[(env["point"] == 5) & (env["day"] == 30)].iloc[0]
    assert (row["q25"], row["q50"], row["q75"]) == pytest.approx(
        (day.quantile(0.25), day.median(), day.quantile(0.75))
    )
    assert sorted(env["day"].unique()) == [0, 5, 10, 15, 20, 25, 30]


def test_tipping_figure_marks_each_estimate(results):
    from sim.experiment.analysis import tipping_table
    from sim.figures.sweeps import plot_tipping

    a = analyse(results, n_boot=50)
    tips = pd.DataFrame(
        [{"series": "g", "estimate": 0.2, "lo": 0.15, "hi": 0.25}]
        + [{"series": "h", "estimate": np.nan, "lo": np.nan, "hi": np.nan}]
    )
    agg = tipping_table(a)
    fig = plot_tipping(agg, "share_spammers", "honest_ratio", 0.5, tips)
    marks = [ln for ln in fig.axes[0].lines if ln.get_marker() == "v"]
    assert len(marks) == 1 and list(marks[0].get_xdata()) == [0.2]


def test_cli_plot_reports_the_tipping_point(results):
    result = CliRunner().invoke(app, ["plot", str(results), "--threshold", "0.9"])
    assert result.exit_code == 0, result.output
    assert "crosses 0.9" in result.output and "figures" in result.output
    missing = CliRunner().invoke(app, ["plot", str(results / "nope")])
    assert missing.exit_code == 2 and "Error:" in missing.output
    bad = CliRunner().invoke(app, ["plot", str(results), "--along", "policy"])
    assert bad.exit_code == 2 and "--along" in bad.output


def test_a_sampled_design_is_binned_and_says_why_there_is_no_tipping_point(tmp_path):
    from sim.experiment.report import write_report

    spec = parse_spec(
        {
            "replicates": 1,
            "seed": 4,
            "steps": 20,
            "fixed": {"n_members": 60, "warmup": 5},
            "vary": {
                "share_spammers": {"min": 0.0, "max": 0.4},
                "spam_rate": {"min": 0.05, "max": 0.5, "log": True},
                "attention": {"min": 3.0, "max": 20.0},
                "feed_ranking": ["chronological", "engagement"],
            },
            "sample": {"method": "lhs", "n": 16},
            "record": {"every": 10, "metrics": ["honest_members"]},
        }
    )
    root = tmp_path / "lhs"
    run_sweep(spec, root, jobs=1, stream=io.StringIO())
    a = analyse(root, n_boot=50)
    assert not a.tipping and "sampled design" in a.tipping_note
    names = {p.name for p in write_report(a)}
    assert {f"outcomes_vs_{v}.png" for v in spec.points[0]} <= names
    assert not any(n.startswith("heatmap") for n in names)
    assert "Not estimated" in (root / "summary.md").read_text()


# ------------------------------------------------------------------ sim plot refuses
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--threshold", "nan"], ["--threshold", "finite", "nan"]),
        (["--threshold", "inf"], ["--threshold", "finite", "inf"]),
        (["--threshold", "-inf"], ["--threshold", "finite"]),
        (["--outcome", "n_members"], ["'n_members' is not a per-run outcome", "honest_ratio"]),
        (["--outcome", "honest_ration"], ["Did you mean 'honest_ratio'?"]),
        (["--outcome", "seed"], ["'seed' is not a per-run outcome"]),
    ],
)
def test_plot_refuses_what_no_tipping_point_can_use_and_keeps_the_summary(results, args, words):
    summary = results / "summary.md"
    summary.write_text("the user's last summary")
    line = one_line_error(CliRunner().invoke(app, ["plot", str(results), *args]))
    for w in words:
        assert w in line
    assert summary.read_text() == "the user's last summary"


def test_plot_given_a_file_says_it_is_a_file(results):
    line = one_line_error(CliRunner().invoke(app, ["plot", str(results / "runs.parquet")]))
    assert "runs.parquet is a file" in line and "not found" not in line


def test_a_full_disk_during_sim_plot_is_one_line_and_keeps_the_summary(results, monkeypatch):
    import errno
    import os

    from matplotlib.figure import Figure

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    summary = results / "summary.md"
    summary.write_text("the summary written before")
    monkeypatch.setattr(Figure, "savefig", full_disk)
    line = one_line_error(CliRunner().invoke(app, ["plot", str(results)]))
    assert line == (
        f"Error: {results / 'figures'}: No space left on device "
        "(free some space and run the command again)."
    )
    assert summary.read_text() == "the summary written before"
    monkeypatch.undo()  # the figures can be written again; now the table cannot
    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    line = one_line_error(CliRunner().invoke(app, ["plot", str(results)]))
    assert str(results / "aggregates.csv") in line and "No space left" in line
    assert summary.read_text() == "the summary written before"
    assert not [p for p in results.iterdir() if ".tmp" in p.name]


def test_without_analysis_settings_the_spec_defaults_apply(results, tmp_path):
    """The tipping outcome and threshold default to the spec module's, the threshold to
    the schema's collapse_threshold: one source, not a copy in the analysis."""
    import json
    import shutil

    from sim.experiment.spec import DEFAULT_TIPPING
    from sim.model.params import PARAMS

    copy = tmp_path / "copy"
    shutil.copytree(results, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["resolved"]["analysis"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    a = analyse(copy, n_boot=20)
    assert a.threshold == PARAMS["collapse_threshold"].default
    assert a.tipping_outcome == DEFAULT_TIPPING == "honest_ratio"


def test_tipping_point_against_a_second_numeric_parameter_is_drawn_with_its_intervals():
    from sim.figures.sweeps import plot_tipping_against

    tips = pd.DataFrame(
        {
            "n_members": [300, 1000, 300, 1000],
            "series": ["policy=none", "policy=none", "policy=moderated", "policy=moderated"],
            "estimate": [0.15, 0.2, 0.3, np.nan],
            "lo": [0.12, 0.18, 0.25, np.nan],
            "hi": [0.18, 0.23, 0.35, np.nan],
        }
    )
    fig = plot_tipping_against(tips, "n_members", "share_spammers", top=0.5)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["policy=none"].get_ydata().tolist() == [0.15, 0.2]
    # a series that does not tip within the range is drawn at its end, open
    assert lines["policy=moderated"].get_ydata().tolist() == [0.3, 0.5]
    assert ax.get_xscale() == "linear"  # 300 to 1,000 is not a decade
    wide = tips.assign(n_members=[300, 100_000, 300, 100_000])
    assert (
        plot_tipping_against(wide, "n_members", "share_spammers", top=0.5).axes[0].get_xscale()
        == "log"
    )
