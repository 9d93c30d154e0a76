"""`sim demo`: the same group under four scenarios, for a class.

Every scenario runs the same seeds (the same starting group and the same luck), so the
differences a class sees come from the spammers and the rules, not from chance. The
demo writes a side-by-side figure, an animation of the unchecked group and the data
behind both, and tells the story with the measured numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from sim.figures.animation import Snapshot

__all__ = ["SCENARIOS", "Scenario", "DemoResult", "run_scenarios", "story", "run_demo"]


@dataclass(frozen=True)
class Scenario:
    """One way the group can be run: who is in it and which rules hold.

    Parameters
    ----------
    key : str
        Short name used in file names and tables.
    label : str
        Legend text.
    params : dict
        Model parameters that differ from the defaults.
    colour : str
        Line colour in the figure.
    phrase : str
        How the story names the scenario.
    """

    key: str
    label: str
    params: dict[str, Any]
    colour: str
    phrase: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "healthy",
        "No spammers",
        {"share_spammers": 0.0},
        "#2a9d8f",
        "Without spammers",
    ),
    Scenario(
        "unchecked",
        "Spammers, no rules",
        {"share_spammers": 0.2, "policy": "none"},
        "#d62828",
        "With a fifth of the members spamming and no rules",
    ),
    Scenario(
        "etiquette",
        "Spammers, etiquette rules",
        {"share_spammers": 0.2, "policy": "etiquette"},
        "#e9a23b",
        "With the same spammers and the founding text's etiquette "
        "(give before you take, each link once, say who you work for)",
    ),
    Scenario(
        "moderated",
        "Spammers, moderated",
        {"share_spammers": 0.2, "policy": "moderated"},
        "#457b9d",
        "With the same spammers, the etiquette and moderation "
        "(members flag spam, moderators remove it, repeat offenders are banned)",
    ),
)

UNCHECKED = "unchecked"  # the scenario the animation shows


@dataclass
class DemoResult:
    """What the demo measured and wrote.

    Attributes
    ----------
    runs : DataFrame
        Daily measures, one row per scenario, seed and day (``scenario`` holds the label).
    summaries : DataFrame
        One row per scenario and seed: ``sim.metrics.SUMMARY`` plus ``scenario`` and ``key``.
    frames : list of Snapshot
        The animation's frames (the unchecked group on the first seed).
    files : list of Path
        Files written.
    """

    runs: pd.DataFrame
    summaries: pd.DataFrame
    frames: list[Snapshot]
    files: list[Path] = field(default_factory=list)


def run_scenarios(
    seeds: list[int], days: int, scenarios: tuple[Scenario, ...] = SCENARIOS
) -> tuple[pd.DataFrame, pd.DataFrame, list[Snapshot]]:
    """Run every scenario on every seed; record the unchecked group on the first seed.

    Returns the tidy daily measures, the per-run summaries and the animation frames.
    """
    import pandas as pd

    from sim.figures.animation import run_recording
    from sim.model.model import CommunityModel

    daily, rows, frames = [], [], []
    for sc in scenarios:
        for seed in seeds:
            model = CommunityModel(rng=seed, **sc.params)
            if sc.key == UNCHECKED and seed == seeds[0]:
                frames = run_recording(model, days)
            else:
                model.run(days)
            ts = model.timeseries()
            ts.insert(0, "seed", seed)
            ts.insert(0, "scenario", sc.label)
            daily.append(ts)
            rows.append({"scenario": sc.label, "key": sc.key, **model.summary()})
    return pd.concat(daily, ignore_index=True), pd.DataFrame(rows), frames


def _mean(summaries: pd.DataFrame, key: str, column: str) -> float:
    return float(summaries.loc[summaries["key"] == key, column].mean())


def story(summaries: pd.DataFrame, days: int, scenarios: tuple[Scenario, ...] = SCENARIOS) -> str:
    """The demo's story in plain words, with the numbers measured in this run.

    Members are counted without spammers (they are the people who make the group);
    each number is the mean over the seeds.
    """
    seeds = sorted(summaries["seed"].unique())
    size = int(summaries["initial_members"].iloc[0])
    when = "a year" if days == 365 else f"{days} days"
    lines = [
        f"The same group of about {size:,} members, followed for {when} under four "
        f"scenarios ({len(seeds)} runs each, seeds {seeds[0]}-{seeds[-1]}):",
    ]
    for sc in scenarios:
        kept = _mean(summaries, sc.key, "honest_ratio")
        quality = _mean(summaries, sc.key, "final_quality")
        spam = _mean(summaries, sc.key, "final_spam_share")
        lines.append(
            f"- {sc.phrase}: the group ended with {kept:.0%} of the members it started with "
            f"(spammers not counted); the posts people read scored {quality:.2f} for quality "
            f"and {spam:.0%} of them were spam."
        )
    ratios = {sc.key: _mean(summaries, sc.key, "honest_ratio") for sc in scenarios}
    lines.append(
        f"In one sentence: after {when} the unchecked group kept {ratios['unchecked']:.0%} of "
        f"its members; with the etiquette rules, {ratios['etiquette']:.0%}; with moderation, "
        f"{ratios['moderated']:.0%}."
    )
    return "\n".join(lines)


def _title(frames: list[Snapshot], params: dict[str, Any]) -> str:
    share = params["share_spammers"]
    return f"{frames[0].members:,} members, {share:.0%} of them spammers in company rings, no rules"


def run_demo(out: Path, seed: int = 1, runs: int = 5, days: int = 365) -> DemoResult:
    """Run the four scenarios and write the figure, the animation and their data.

    Files written in ``out``: ``scenarios.png`` and ``scenarios.svg`` (the side-by-side
    figure), ``unchecked.gif`` (the animation), ``scenarios_daily.csv`` (the figure's
    data) and ``scenarios_summary.csv`` (one row per run).
    """
    import matplotlib.pyplot as plt

    from sim.figures.animation import write_gif
    from sim.figures.teaching import plot_scenarios

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"cannot create output folder {out}: {err.strerror}.") from None
    seeds = list(range(seed, seed + runs))
    daily, summaries, frames = run_scenarios(seeds, days)
    files = [out / name for name in ("scenarios.png", "scenarios.svg", "unchecked.gif")]
    files += [out / "scenarios_daily.csv", out / "scenarios_summary.csv"]
    colours = {sc.label: sc.colour for sc in SCENARIOS}
    size = int(summaries["initial_members"].iloc[0])
    title = f"One group of about {size:,} members, four ways to run it"
    plt.close(plot_scenarios(daily, files[:2], colours=colours, title=title))
    unchecked = next(sc for sc in SCENARIOS if sc.key == UNCHECKED)
    write_gif(frames, files[2], title=_title(frames, unchecked.params))
    daily.to_csv(files[3], index=False)
    summaries.to_csv(files[4], index=False)
    return DemoResult(daily, summaries, frames, files)
