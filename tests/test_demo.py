"""`sim demo`: the files a teacher gets, and what the figure and the story say.

The figure is checked for its data (the lines it draws), not its pixels; the
expected ordering of scenarios is the one the founding text predicts, never a
hard-coded number.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from sim.classroom.demo import SCENARIOS
from sim.cli import app
from sim.figures.teaching import SCENARIO_PANELS, plot_scenarios

LABEL = {sc.key: sc.label for sc in SCENARIOS}
SPAMMED = ("unchecked", "etiquette", "moderated")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One `sim demo` run (two seeds per scenario, a full year), shared by the tests."""
    out = tmp_path_factory.mktemp("demo") / "class"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--seed", "3", "--runs", "2"])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def figure_lines(demo: tuple[Path, str]) -> dict[str, dict[str, pd.Series]]:
    """The lines of the side-by-side figure redrawn from the demo's data: panel -> label -> y."""
    out, _ = demo
    daily = pd.read_csv(out / "scenarios_daily.csv")
    fig = plot_scenarios(daily)
    lines: dict[str, dict[str, pd.Series]] = {}
    for ax, (col, _, _) in zip(fig.axes, SCENARIO_PANELS, strict=True):
        lines[col] = {
            line.get_label(): pd.Series(line.get_ydata(), index=line.get_xdata())
            for line in ax.get_lines()
        }
    plt.close(fig)
    return lines


def test_writes_the_figure_the_animation_and_the_data(demo: tuple[Path, str]) -> None:
    out, output = demo
    assert (out / "scenarios.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (out / "scenarios.svg").read_bytes()[:1000]
    gif = Image.open(out / "unchecked.gif")
    assert gif.format == "GIF"
    assert gif.n_frames > 30  # an animation over the year, not a still
    assert gif.info.get("loop") == 0  # loops forever on a slide
    for name in (
        "scenarios.png",
        "scenarios.svg",
        "unchecked.gif",
        "story.md",
        "scenarios_daily.csv",
    ):
        assert str(out / name) in output


def test_every_scenario_runs_the_same_seeds_for_the_same_days(demo: tuple[Path, str]) -> None:
    out, _ = demo
    daily = pd.read_csv(out / "scenarios_daily.csv")
    summary = pd.read_csv(out / "scenarios_summary.csv")
    assert list(dict.fromkeys(daily["scenario"])) == [sc.label for sc in SCENARIOS]
    seeds = {key: sorted(group["seed"]) for key, group in summary.groupby("key")}
    assert all(s == [3, 4] for s in seeds.values())
    assert set(daily.groupby(["scenario", "seed"])["day"].max()) == {365}
    healthy = summary[summary["key"] == "healthy"]
    assert (healthy["final_spammer_share"] == 0).all()


def test_figure_shows_the_unchecked_group_losing_most(figure_lines: dict) -> None:
    members = {key: figure_lines["honest_members"][LABEL[key]] for key in LABEL}
    assert all(line.iloc[0] == pytest.approx(100.0) for line in members.values())
    end = {key: line.iloc[-1] for key, line in members.items()}
    assert end["healthy"] > end["unchecked"]
    assert end["etiquette"] > end["unchecked"]
    assert end["moderated"] > end["unchecked"]


def test_figure_shows_rules_keep_quality_and_cut_promotion(figure_lines: dict) -> None:
    last = {
        panel: {key: lines[LABEL[key]].iloc[-30:].mean() for key in LABEL}
        for panel, lines in figure_lines.items()
    }
    for ruled in ("etiquette", "moderated"):
        assert last["quality"][ruled] > last["quality"]["unchecked"]
        assert last["promo_share"][ruled] < last["promo_share"]["unchecked"]
        assert last["engagement"][ruled] > last["engagement"]["unchecked"]
    assert last["promo_share"]["healthy"] < last["promo_share"]["unchecked"]


def test_figure_lines_are_the_mean_of_the_runs(demo: tuple[Path, str], figure_lines: dict) -> None:
    out, _ = demo
    daily = pd.read_csv(out / "scenarios_daily.csv")
    label = LABEL["unchecked"]
    runs = daily[daily["scenario"] == label].pivot(index="day", columns="seed")["honest_members"]
    expected = (100 * runs / runs.iloc[0]).mean(axis=1)
    drawn = figure_lines["honest_members"][label]
    assert drawn.to_numpy() == pytest.approx(expected.to_numpy())


def test_story_counts_the_groups_that_collapsed_in_each_scenario(demo: tuple[Path, str]) -> None:
    out, output = demo
    summary = pd.read_csv(out / "scenarios_summary.csv")
    told = (out / "story.md").read_text(encoding="utf-8")
    assert told.strip() in output  # printed and written alike
    lines = {sc.key: next(x for x in told.splitlines() if sc.phrase in x) for sc in SCENARIOS}
    for key, line in lines.items():
        runs = summary[summary["key"] == key]
        collapsed, total = int(runs["collapsed"].sum()), len(runs)
        if collapsed == 0:
            assert f"none of the {total} groups collapsed" in line, line
        elif collapsed == total:
            assert f"all {total} groups collapsed" in line, line
        else:
            assert f"{collapsed} of {total} groups collapsed" in line, line
            assert f"{total - collapsed} survived" in line, line
        for kept in runs["honest_ratio"]:  # each run's members, not only their mean
            assert f"{kept:.0%}" in line, line
    sentence = re.search(
        r"(\d+) of (\d+) groups collapsed with no rules, (\d+) with the etiquette", told
    )
    assert sentence, told
    counts = summary.groupby("key")["collapsed"].sum()
    assert int(sentence.group(1)) == counts["unchecked"]
    assert int(sentence.group(3)) == counts["etiquette"]


def test_story_explains_what_the_figure_could_mislead_about(demo: tuple[Path, str]) -> None:
    out, _ = demo
    told = (out / "story.md").read_text(encoding="utf-8")
    assert "above 100%" in told
    assert "Promotion and spam" in told
    summary = pd.read_csv(out / "scenarios_summary.csv")
    first = summary[(summary["key"] == "unchecked") & (summary["seed"] == 3)]["honest_ratio"].iloc[
        0
    ]
    assert "one run of the unchecked group (seed 3)" in told
    assert f"it ends with {first:.0%} of its members" in told


def test_the_demo_speaks_french(tmp_path: Path) -> None:
    out = tmp_path / "classe"
    args = ["demo", "--out", str(out), "--runs", "1", "--days", "30", "--lang", "fr"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    told = (out / "story.md").read_text(encoding="utf-8")
    assert told.startswith("# Le même groupe, 4 façons de le faire vivre")
    assert "Sans spammeurs" in told and "ne s'est pas effondré" in told
    assert "\u00a0%" in told  # French writes 27 %, not 27%
    daily = pd.read_csv(out / "scenarios_daily.csv")
    assert "Spammeurs, aucune règle" in set(daily["scenario"])
    svg = (out / "scenarios.svg").read_text(encoding="utf-8")
    assert "Membres qui restent" in svg and "jour" in svg


def test_an_unknown_language_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--lang", "de"])
    assert result.exit_code == 2
    assert "unknown language 'de'" in result.output
    assert not list(tmp_path.iterdir())  # nothing ran, nothing written


def test_a_folder_that_cannot_be_created_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(app, ["demo", "--out", str(blocker / "demo"), "--runs", "1"])
    assert result.exit_code == 2
    assert "cannot create output folder" in result.output
    assert "Traceback" not in result.output


def test_animation_frames_follow_the_group_day_by_day(tmp_path: Path) -> None:
    from sim.figures.animation import run_recording, write_gif
    from sim.model.model import CommunityModel

    model = CommunityModel(rng=5, n_members=200, share_spammers=0.2)
    frames = run_recording(model, days=20, every=5)
    assert [f.day for f in frames] == [0, 5, 10, 15, 20]
    for f in frames:
        assert f.present.sum() == f.members == f.honest + f.spammers
        assert 0.0 <= f.promo_share <= 1.0
    last = frames[-1]
    assert (last.present == model.state.present).all()
    write_gif(frames, tmp_path / "group.gif", fps=5, hold=0)
    assert Image.open(tmp_path / "group.gif").n_frames == len(frames)
