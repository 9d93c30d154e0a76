"""`sim demo`: the same group under four scenarios, for a class.

Every scenario runs the same seeds (the same starting group and the same luck), so the
differences a class sees come from the spammers and the rules, not from chance. The
demo writes a side-by-side figure, an animation of one unchecked group, the data behind
both and the story with the measured numbers (``story.md``), in English or French.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.classroom.locale import N_, Texts
from sim.classroom.story import story
from sim.errors import UserError
from sim.palette import OKABE_ITO

if TYPE_CHECKING:
    import pandas as pd

    from sim.figures.animation import GifWords, Snapshot

__all__ = ["SCENARIOS", "Scenario", "DemoResult", "run_scenarios", "story", "run_demo"]


@dataclass(frozen=True)
class Scenario:
    """One way the group can be run: who is in it and which rules hold.

    Parameters
    ----------
    key : str
        Short name used in file names and tables.
    label : str
        Legend text (an English message of the catalogue).
    params : dict
        Model parameters that differ from the defaults.
    colour, style : str
        Line colour (Okabe-Ito) and line style in the figure, so that the lines differ
        in more than colour.
    phrase : str
        How the story names the scenario (an English message of the catalogue).
    """

    key: str
    label: str
    params: dict[str, Any]
    colour: str
    style: str
    phrase: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "healthy",
        N_("No spammers"),
        {"share_spammers": 0.0},
        OKABE_ITO["black"],
        ":",
        N_("Without spammers"),
    ),
    Scenario(
        "unchecked",
        N_("Spammers, no rules"),
        {"share_spammers": 0.2, "policy": "none"},
        OKABE_ITO["vermillion"],
        "-",
        N_("With a fifth of the members spamming and no rules"),
    ),
    Scenario(
        "etiquette",
        N_("Spammers, etiquette rules"),
        {"share_spammers": 0.2, "policy": "etiquette"},
        OKABE_ITO["sky blue"],
        "--",
        N_(
            "With the same spammers and the founding text's etiquette "
            "(give before you take, each link once, say who you work for)"
        ),
    ),
    Scenario(
        "moderated",
        N_("Spammers, moderated"),
        {"share_spammers": 0.2, "policy": "moderated"},
        OKABE_ITO["blue"],
        "-.",
        N_(
            "With the same spammers, the etiquette and moderation "
            "(members flag spam, moderators remove it, repeat offenders are banned)"
        ),
    ),
)

UNCHECKED = "unchecked"  # the scenario the animation shows


@dataclass
class DemoResult:
    """What the demo measured and wrote.

    Attributes
    ----------
    runs : DataFrame
        Daily measures, one row per scenario, seed and day (``scenario`` holds the
        label in the demo's language).
    summaries : DataFrame
        One row per scenario and seed: ``sim.metrics.SUMMARY`` plus ``scenario`` and ``key``.
    frames : list of Snapshot
        The animation's frames (the unchecked group on the first seed).
    story : str
        The story, in Markdown, as written to ``story.md``.
    files : list of Path
        Files written.
    """

    runs: pd.DataFrame
    summaries: pd.DataFrame
    frames: list[Snapshot]
    story: str = ""
    files: list[Path] = field(default_factory=list)


def run_scenarios(
    seeds: list[int],
    days: int,
    scenarios: tuple[Scenario, ...] = SCENARIOS,
    texts: Texts | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Snapshot]]:
    """Run every scenario on every seed; record the unchecked group on the first seed.

    Returns the tidy daily measures, the per-run summaries and the animation frames;
    scenario labels are in the language of ``texts``.
    """
    import pandas as pd

    from sim.figures.animation import run_recording
    from sim.model.model import CommunityModel

    texts = texts or Texts()
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
            ts.insert(0, "scenario", texts(sc.label))
            daily.append(ts)
            rows.append({"scenario": texts(sc.label), "key": sc.key, **model.summary()})
    return pd.concat(daily, ignore_index=True), pd.DataFrame(rows), frames


def gif_words(texts: Texts) -> GifWords:
    """The animation's words in the language of ``texts``."""
    from sim.classroom.views import say_status
    from sim.figures.animation import GifWords
    from sim.figures.teaching import STRATEGY_LEGEND

    _ = texts

    def bar(promo: float) -> str:
        return _("promotion\n{promo}\n\nmembers'\nown posts\n{own}").format(
            promo=texts.percent(promo), own=texts.percent(1 - promo)
        )

    def caption(frame: Snapshot, start: int) -> str:
        return say_status(frame.day, frame.honest, start, frame.spammers, texts)

    return GifWords(
        legend=tuple(_(label) for label in STRATEGY_LEGEND),
        feed_title=_("What members\nread this week"),
        bar=bar,
        caption=caption,
    )


def _figure_words(texts: Texts, runs: int) -> dict[str, Any]:
    from sim.figures.teaching import SCENARIO_PANELS

    _ = texts
    return {
        "panels": [(col, _(title), _(ylabel)) for col, title, ylabel in SCENARIO_PANELS],
        "xlabel": _("day"),
        "band": _("shaded: lowest to highest of the {runs} runs").format(runs=runs),
        "note": _(
            "Lines: the mean of the runs. Above 100%: the group gained members, as a good "
            "group attracts newcomers.\nPromotion is every advertisement: ethical promotion "
            "(disclosed, after helping others) and spam; a group without spammers still "
            "has a little ethical promotion."
        ),
    }


def _make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"cannot create output folder {out}: {err.strerror}.") from None


def run_demo(
    out: Path, seed: int = 1, runs: int = 5, days: int = 365, lang: str = "en"
) -> DemoResult:
    """Run the four scenarios and write the figure, the animation, the story and the data.

    Files written in ``out``: ``scenarios.png`` and ``scenarios.svg`` (the side-by-side
    figure), ``unchecked.gif`` (the animation), ``story.md`` (the story),
    ``scenarios_daily.csv`` (the figure's data) and ``scenarios_summary.csv`` (one row
    per run). Words are in ``lang`` (``en`` or ``fr``).
    """
    import matplotlib.pyplot as plt

    from sim.figures.animation import write_gif
    from sim.figures.teaching import plot_scenarios

    texts = Texts(lang)
    _ = texts
    _make_folder(out)
    seeds = list(range(seed, seed + runs))
    daily, summaries, frames = run_scenarios(seeds, days, texts=texts)
    names = ("scenarios.png", "scenarios.svg", "unchecked.gif", "story.md")
    files = [out / name for name in names]
    files += [out / "scenarios_daily.csv", out / "scenarios_summary.csv"]
    size = texts.number(summaries["initial_members"].iloc[0])
    title = _("One group of about {members} members, four ways to run it").format(members=size)
    plt.close(
        plot_scenarios(
            daily,
            files[:2],
            colours={_(sc.label): sc.colour for sc in SCENARIOS},
            styles={_(sc.label): sc.style for sc in SCENARIOS},
            title=title,
            **_figure_words(texts, runs),
        )
    )
    unchecked = next(sc for sc in SCENARIOS if sc.key == UNCHECKED)
    gif_title = _(
        "One run (seed {seed}) of the group with {share} spammers and no rules: "
        "{members} members at the start"
    ).format(
        seed=seeds[0],
        share=texts.percent(unchecked.params["share_spammers"]),
        members=texts.number(frames[0].members),
    )
    write_gif(frames, files[2], title=gif_title, words=gif_words(texts))
    told = story(summaries, days, SCENARIOS, texts, daily=daily, animated=seeds[0])
    files[3].write_text(told + "\n", encoding="utf-8")
    daily.to_csv(files[4], index=False)
    summaries.to_csv(files[5], index=False)
    return DemoResult(daily, summaries, frames, told, files)
