"""Teaching pictures: scenarios side by side, members as dots, the top of the feed.

The pictures that a live page redraws every day (``MembersPicture``,
``FeedTopPicture``) update their artists in place instead of drawing a new figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "SCENARIO_PANELS",
    "FeedTopPicture",
    "MembersPicture",
    "plot_scenarios",
    "strategy_legend",
]

# (column, title, y label) of the panels that compare scenarios, in words a class reads.
SCENARIO_PANELS: tuple[tuple[str, str, str], ...] = (
    ("honest_members", "Members who stay (spammers not counted)", "% of the members at the start"),
    ("quality", "How good the posts people read are", "quality (0 = poor, 1 = excellent)"),
    ("promo_share", "How much of what people read is promotion", "share of posts read"),
    ("engagement", "How much members take part", "likes and comments per member per day"),
)

# Colour and legend text of each strategy, indexed by ``sim.agents.Strategy``.
STRATEGY_COLOURS: tuple[str, ...] = ("#2a9d8f", "#457b9d", "#e9a23b", "#d62828", "#8d99ae")
STRATEGY_LEGEND: tuple[str, ...] = (
    "sharer (shares material)",
    "carer (likes, comments, answers)",
    "ethical promoter",
    "spammer",
    "lurker (reads only)",
)
_GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))


def plot_scenarios(
    runs: pd.DataFrame,
    paths: Sequence[str | Path] = (),
    colours: dict[str, str] | None = None,
    title: str = "",
) -> Figure:
    """Scenarios side by side: members, quality, promotion read and engagement over time.

    One line per scenario (the mean over its runs, noisy measures as a 7-day moving
    average) with a light band from the lowest to the highest run, so a class sees
    both the typical course and how much chance matters.

    Parameters
    ----------
    runs : DataFrame
        Tidy daily measures with columns ``scenario`` (its label, in legend order),
        ``seed``, ``day`` and the columns of ``SCENARIO_PANELS``.
    paths : sequence of path
        Files to save the figure to (the suffix picks the format, e.g. PNG and SVG).
    colours : dict, optional
        Colour of each scenario label.
    title : str
        Title above the panels.
    """
    labels = list(dict.fromkeys(runs["scenario"]))
    colours = colours or {}
    fig, axes = plt.subplots(1, 4, figsize=(17, 4.6), sharex=True)
    for ax, (col, panel, ylabel) in zip(axes, SCENARIO_PANELS, strict=True):
        for i, label in enumerate(labels):
            wide = runs[runs["scenario"] == label].pivot(index="day", columns="seed", values=col)
            if col == "honest_members":
                wide = 100.0 * wide / wide.iloc[0]
            else:
                wide = wide.rolling(7, min_periods=1).mean()
            colour = colours.get(label, f"C{i}")
            low, high = wide.min(axis=1), wide.max(axis=1)
            ax.fill_between(wide.index, low, high, color=colour, alpha=0.15)
            ax.plot(wide.index, wide.mean(axis=1), color=colour, lw=2, label=label)
        ax.set_title(panel, fontsize=11)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("day")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[2].set_ylim(top=1.0)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(labels), frameon=False, fontsize=11)
    if title:
        fig.suptitle(title, fontsize=13)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    for path in paths:
        fig.savefig(path, dpi=120)
    return fig


def member_positions(n: int) -> np.ndarray:
    """Stable dot positions for member slots 0..n-1 (a sunflower spiral).

    A member keeps its place for its whole life and newcomers appear on the rim, so
    a class can follow the same dots from day to day.
    """
    i = np.arange(n)
    radius = np.sqrt(i + 0.5)
    return np.column_stack([radius * np.cos(i * _GOLDEN_ANGLE), radius * np.sin(i * _GOLDEN_ANGLE)])


def member_colours(
    strategy: np.ndarray, satisfaction: np.ndarray, standard: np.ndarray, present: np.ndarray
) -> np.ndarray:
    """RGBA per slot: colour by strategy, fading as satisfaction falls below the standard.

    A member well above its standard is opaque, one well below it nearly transparent;
    a member who left is fully transparent.
    """
    from matplotlib.colors import to_rgba_array

    rgba = to_rgba_array(STRATEGY_COLOURS)[np.asarray(strategy, dtype=int)]
    margin = np.clip((satisfaction - standard + 0.1) / 0.3, 0.0, 1.0)
    rgba[:, 3] = np.where(present, 0.2 + 0.8 * margin, 0.0)
    return rgba


def member_sizes(activity: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Dot area per slot, growing with the member's activity (heavy-tailed, so log)."""
    return scale * (6.0 + 10.0 * np.clip(np.log1p(activity), 0.0, 4.0))


class MembersPicture:
    """Members as dots at stable places, redrawn in place from one day to the next.

    Colour = strategy, size = activity, fading = satisfaction below the member's
    standard; members who left are not drawn. Updating one scatter instead of drawing a
    new figure keeps a live page responsive and a GIF quick to write.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    extent : int, optional
        Slots the view must hold; by default it grows with the group.
    scale : float
        Multiplies the dot sizes.
    """

    def __init__(self, ax: Axes, extent: int | None = None, scale: float = 1.0) -> None:
        self.ax, self.extent, self.scale = ax, extent, scale
        self.dots = ax.scatter([], [], s=[], linewidths=0)
        ax.set_aspect("equal")
        ax.set_axis_off()

    def update(self, state: Any) -> None:
        """Show ``state`` (a ``sim.population.Population`` or any object with its arrays)."""
        present = np.flatnonzero(state.present)
        n = self.extent or len(state.present)
        self.dots.set_offsets(member_positions(len(state.present))[present])
        self.dots.set_sizes(member_sizes(state.activity[present], self.scale))
        self.dots.set_facecolors(
            member_colours(
                state.strategy[present],
                state.satisfaction[present],
                state.standard[present],
                np.ones(len(present), bool),
            )
        )
        limit = max(float(np.sqrt(n + 0.5)), 1.0) * 1.05
        self.ax.set_xlim(-limit, limit)
        self.ax.set_ylim(-limit, limit)


def strategy_legend(where: Axes | Figure, **kw: Any) -> None:
    """A legend that names the dot colours."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], ls="", marker="o", color=c, label=t)
        for c, t in zip(STRATEGY_COLOURS, STRATEGY_LEGEND, strict=True)
    ]
    where.legend(handles=handles, frameon=False, **kw)


# Colours of post kinds in the feed view: honest posts, ethical promotion, spam.
FEED_COLOURS = {
    "share": "#2a9d8f",
    "question": "#457b9d",
    "promotion": "#e9a23b",
    "spam": "#d62828",
}


class FeedTopPicture:
    """The top of the feed as horizontal bars of likes, best-ranked post at the top.

    The part of each bar liked by the author's own company is hatched, so a class sees
    coordinated likes lifting promotion above the members' own posts. Bars are
    updated in place, like ``MembersPicture``.

    ``update`` takes one row per post, best first, with columns ``what`` (a key of
    ``FEED_COLOURS``), ``likes``, ``likes_company`` and ``label``.
    """

    def __init__(self, ax: Axes, k: int = 10) -> None:
        self.ax, self.k = ax, k
        y = np.arange(k)
        zeros = np.zeros(k)
        self.others = ax.barh(y, zeros, height=0.7)
        self.ring = ax.barh(y, zeros, height=0.7, hatch="///", edgecolor="white", lw=0)
        box = {"facecolor": "white", "alpha": 0.75, "linewidth": 0, "pad": 1}
        self.labels = [ax.text(0.0, yi, "", va="center", fontsize=8, bbox=box) for yi in y]
        ax.set_yticks(y, [f"#{i + 1}" for i in y])
        ax.set_ylim(k - 0.5, -0.5)
        ax.set_xlabel("likes (hatched: from the author's own company)")
        ax.grid(axis="x", alpha=0.3)

    def update(self, posts: pd.DataFrame) -> None:
        """Show ``posts`` (at most ``k`` rows are drawn)."""
        posts = posts.head(self.k)
        n = len(posts)
        likes = np.zeros(self.k)
        ring = np.zeros(self.k)
        likes[:n] = posts["likes"].to_numpy()
        ring[:n] = posts["likes_company"].to_numpy()
        colours = [FEED_COLOURS[w] for w in posts["what"]] + ["white"] * (self.k - n)
        texts = [" " + t for t in posts["label"]] + [""] * (self.k - n)
        for i in range(self.k):
            self.others[i].set_width(likes[i] - ring[i])
            self.others[i].set_facecolor(colours[i])
            self.ring[i].set_x(likes[i] - ring[i])
            self.ring[i].set_width(ring[i])
            self.ring[i].set_facecolor(colours[i])
            self.labels[i].set_text(texts[i])
        self.ax.set_xlim(0, max(1.0, float(likes.max())) * 1.25)
