"""An animated GIF of one group over time, for slides.

Members are dots at stable places (coloured by strategy, fading as their satisfaction
falls, gone when they leave); a bar shows what the feed served that week, members'
posts versus promotion; the caption gives the day and the membership, the title says
which run it is. A GIF plays in
any slide software without a video codec, which is why this format was chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.model.model import CommunityModel

__all__ = ["GifWords", "Snapshot", "snapshot", "run_recording", "write_gif"]

_WEEK = 7


@dataclass(frozen=True)
class Snapshot:
    """What one frame shows: the members' state on one day and the week's feed mix.

    Arrays are copies indexed by member slot, so later days do not change them.
    """

    day: int
    present: np.ndarray
    strategy: np.ndarray
    satisfaction: np.ndarray
    standard: np.ndarray
    activity: np.ndarray
    members: int
    honest: int
    spammers: int
    promo_share: float


def snapshot(model: CommunityModel, promo_share: float) -> Snapshot:
    """Copy the state a frame needs out of ``model``."""
    s, today = model.state, model.today
    return Snapshot(
        day=int(model.day),
        present=s.present.copy(),
        strategy=s.strategy.copy(),
        satisfaction=s.satisfaction.copy(),
        standard=s.standard.copy(),
        activity=s.activity.copy(),
        members=int(today["members"]),
        honest=int(today["honest_members"]),
        spammers=int(today["spammers"]),
        promo_share=promo_share,
    )


def run_recording(model: CommunityModel, days: int, every: int = 3) -> list[Snapshot]:
    """Run ``model`` for ``days`` days, keeping a snapshot every ``every`` days.

    The feed mix of a frame is the share of promotion among the posts read over the
    last week (weighted by reads), steadier to the eye than a single day.
    """
    promo, reads = [], []
    frames = [snapshot(model, float(model.today.get("promo_share", 0.0)))]
    for d in range(1, days + 1):
        model.step()
        promo.append(model.today["promo_share"] * model.today["reads"])
        reads.append(model.today["reads"])
        if d % every == 0 or d == days:
            week = sum(reads[-_WEEK:])
            share = sum(promo[-_WEEK:]) / week if week else 0.0
            frames.append(snapshot(model, float(share)))
    return frames


def _bar_words(promo_share: float) -> str:
    return f"promotion\n{promo_share:.0%}\n\nmembers'\nown posts\n{1 - promo_share:.0%}"


def _caption(frame: Snapshot, start: int) -> str:
    return (
        f"Day {frame.day}: {frame.honest:,} members who are not spammers "
        f"({frame.honest / max(start, 1):.0%} of the start), {frame.spammers:,} spammers"
    )


@dataclass(frozen=True)
class GifWords:
    """The words of an animation, in the reader's language (English by default).

    ``bar`` writes the feed bar's text from the week's share of promotion; ``caption``
    writes a frame's caption from the frame and the non-spamming members at the start.
    """

    legend: tuple[str, ...] = ()
    feed_title: str = "What members\nread this week"
    bar: Callable[[float], str] = _bar_words
    caption: Callable[[Snapshot, int], str] = _caption


def write_gif(
    frames: list[Snapshot],
    path: str | Path,
    title: str = "",
    fps: int = 12,
    hold: float = 2.0,
    words: GifWords | None = None,
) -> Figure:
    """Write the frames as a looping GIF; the last frame is held ``hold`` seconds.

    ``title`` should say which run the animation shows (one run, not an average).
    Returns the figure (showing the last frame) so callers can check what it draws.
    """
    from matplotlib.animation import FuncAnimation, PillowWriter
    from matplotlib.figure import Figure

    from sim.figures.teaching import (
        STRATEGY_COLOURS,
        STRATEGY_LEGEND,
        MembersPicture,
        strategy_legend,
    )

    words = words or GifWords()
    fig = Figure(figsize=(8, 5), dpi=100)
    members = MembersPicture(
        fig.add_axes((0.0, 0.1, 0.62, 0.8)), extent=max(len(f.present) for f in frames), scale=0.6
    )
    bar = fig.add_axes((0.68, 0.5, 0.07, 0.36))
    legend = words.legend or STRATEGY_LEGEND
    strategy_legend(fig, legend, loc="lower right", bbox_to_anchor=(0.99, 0.1), fontsize=8)
    honest_bar = bar.bar(0, 1.0, color=STRATEGY_COLOURS[0], width=0.8)[0]
    promo_bar = bar.bar(0, 0.0, bottom=1.0, color=STRATEGY_COLOURS[3], width=0.8, hatch="//")[0]
    bar.set(xlim=(-0.5, 0.5), ylim=(0, 1), xticks=[], yticks=[0, 0.5, 1])
    bar.set_yticklabels(["0", "50", "100"], fontsize=8)
    bar.set_title(words.feed_title, fontsize=9)
    bar_text = bar.text(1.2, 0.5, "", transform=bar.transAxes, fontsize=9, va="center")
    caption = fig.text(0.03, 0.04, "", ha="left", fontsize=11)
    if title:
        fig.suptitle(title, fontsize=11)
    start = frames[0].honest

    def draw(i: int) -> None:
        f = frames[min(i, len(frames) - 1)]
        members.update(f)
        honest_bar.set_height(1.0 - f.promo_share)
        promo_bar.set_y(1.0 - f.promo_share)
        promo_bar.set_height(f.promo_share)
        bar_text.set_text(words.bar(f.promo_share))
        caption.set_text(words.caption(f, start))

    total = len(frames) + int(round(hold * fps))
    anim = FuncAnimation(fig, draw, frames=total, interval=1000 / fps, blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps))
    draw(len(frames) - 1)
    return fig
