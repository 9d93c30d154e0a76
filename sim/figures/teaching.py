"""Teaching pictures: scenarios side by side and the members as dots.

``MembersPicture`` updates its artists in place from one day to the next, so an
animation is quick to write. Colours come from the Okabe-Ito palette, which stays
distinct for the common colour-vision deficiencies; spammers are also drawn as squares,
and scenario lines differ by line style, so no distinction rests on colour alone.

Words a class reads are marked with ``N_`` for the class's message catalogue
(``sim.classroom.locale``); callers pass translated words in, and the English words
here are the defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from sim.messages import N_
from sim.model.strategies import (
    CARER,
    COLOURS,
    LEGEND,
    MARKERS,
    PROMOTER,
    SHARER,
    SPAMMER,
    TABLE,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "FEED_COLOURS",
    "SCENARIO_PANELS",
    "STRATEGY_COLOURS",
    "STRATEGY_LEGEND",
    "STRATEGY_MARKERS",
    "MembersPicture",
    "member_alpha",
    "member_positions",
    "member_sizes",
    "plot_scenarios",
    "strategy_legend",
]


# (column, title, y label) of the panels that compare scenarios, in words a class reads.
SCENARIO_PANELS: tuple[tuple[str, str, str], ...] = (
    (
        "honest_members",
        N_("Members who stay (spammers not counted)"),
        N_("% of the members at the start"),
    ),
    ("quality", N_("How good the posts people read are"), N_("quality (0 = poor, 1 = excellent)")),
    ("promo_share", N_("How much of what people read is promotion"), N_("share of posts read")),
    ("engagement", N_("How much members take part"), N_("likes and comments per member per day")),
)

# Colour, marker and legend text of each strategy, indexed by its code: from the table
# of strategies (Okabe-Ito colours, safe under colour blindness).
STRATEGY_COLOURS: tuple[str, ...] = COLOURS
STRATEGY_MARKERS: tuple[str, ...] = MARKERS
STRATEGY_LEGEND: tuple[str, ...] = LEGEND
# Colours of post kinds in the feed: members' shares and questions, ethical promotion, spam.
FEED_COLOURS = {
    "share": TABLE[SHARER].colour,
    "question": TABLE[CARER].colour,
    "promotion": TABLE[PROMOTER].colour,
    "spam": TABLE[SPAMMER].colour,
}
_GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))


def plot_scenarios(
    runs: pd.DataFrame,
    paths: Sequence[str | Path] = (),
    colours: dict[str, str] | None = None,
    title: str = "",
    *,
    styles: dict[str, str] | None = None,
    panels: Sequence[tuple[str, str, str]] = SCENARIO_PANELS,
    xlabel: str = "day",
    band: str = "",
    note: str = "",
) -> Figure:
    """Scenarios side by side: members, quality, promotion read and engagement over time.

    One line per scenario (the mean over its runs, noisy measures as a 7-day moving
    average) with a light band from the lowest to the highest run, so a class sees
    both the typical course and how much chance matters.

    Parameters
    ----------
    runs : DataFrame
        Tidy daily measures with columns ``scenario`` (its label, in legend order),
        ``seed``, ``day`` and the columns of ``panels``.
    paths : sequence of path
        Files to save the figure to (the suffix picks the format, e.g. PNG and SVG).
    colours, styles : dict, optional
        Colour and line style of each scenario label.
    title : str
        Title above the panels.
    panels : sequence of (column, title, y label)
        The panels, in the reader's language.
    xlabel : str
        Label of the time axis.
    band : str
        Legend text that says what the shaded bands are (no entry if empty).
    note : str
        Notes printed under the legend (what a reader could misread).
    """
    from matplotlib.patches import Patch

    labels = list(dict.fromkeys(runs["scenario"]))
    colours, styles = colours or {}, styles or {}
    fig, axes = plt.subplots(1, len(panels), figsize=(17, 5.4), sharex=True)
    for ax, (col, panel, ylabel) in zip(np.atleast_1d(axes), panels, strict=True):
        for i, label in enumerate(labels):
            wide = runs[runs["scenario"] == label].pivot(index="day", columns="seed", values=col)
            if col == "honest_members":
                wide = 100.0 * wide / wide.iloc[0]
            else:
                wide = wide.rolling(7, min_periods=1).mean()
            colour = colours.get(label, f"C{i}")
            low, high = wide.min(axis=1), wide.max(axis=1)
            ax.fill_between(wide.index, low, high, color=colour, alpha=0.15, lw=0)
            ax.plot(
                wide.index,
                wide.mean(axis=1),
                color=colour,
                lw=2.2,
                ls=styles.get(label, "-"),
                label=label,
            )
        if col == "honest_members":  # the start: above the line, the group grew
            ax.axhline(100.0, color="0.35", lw=0.8, zorder=0)
        ax.set_title(panel, fontsize=11)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    if len(panels) > 2 and panels[2][0] == "promo_share":
        np.atleast_1d(axes)[2].set_ylim(top=1.0)
    handles, names = np.atleast_1d(axes)[0].get_legend_handles_labels()
    if band:
        handles.append(Patch(facecolor="0.5", alpha=0.25, lw=0))
        names.append(band)
    fig.legend(
        handles,
        names,
        loc="lower center",
        ncol=len(names),
        frameon=False,
        fontsize=11,
        bbox_to_anchor=(0.5, 0.07 if note else 0.0),
        handlelength=3,
    )
    if note:
        fig.text(0.5, 0.01, note, ha="center", va="bottom", fontsize=10, wrap=True)
    if title:
        fig.suptitle(title, fontsize=13)
    fig.tight_layout(rect=(0, 0.17 if note else 0.08, 1, 1))
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


def member_alpha(satisfaction: np.ndarray, standard: np.ndarray) -> np.ndarray:
    """Opacity per member: opaque well above its standard, nearly transparent well below.

    A faded dot is a member about to stop posting or to leave.
    """
    margin = np.clip((satisfaction - standard + 0.1) / 0.3, 0.0, 1.0)
    return 0.2 + 0.8 * margin


def member_sizes(activity: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Dot area per slot, growing with the member's activity (heavy-tailed, so log)."""
    return scale * (6.0 + 10.0 * np.clip(np.log1p(activity), 0.0, 4.0))


class MembersPicture:
    """Members as dots at stable places, redrawn in place from one day to the next.

    Colour = strategy (spammers are squares), size = activity, fading = satisfaction
    below the member's standard; members who left are not drawn. Updating two scatters
    instead of drawing a new figure keeps an animation quick to write.

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
        self.dots = {m: ax.scatter([], [], s=[], marker=m, linewidths=0) for m in ("o", "s")}
        ax.set_aspect("equal")
        ax.set_axis_off()

    def update(self, state: Any) -> None:
        """Show ``state`` (a ``sim.population.Population`` or any object with its arrays)."""
        from matplotlib.colors import to_rgba_array

        present = np.flatnonzero(state.present)
        places = member_positions(len(state.present))[present]
        strategy = np.asarray(state.strategy[present], dtype=int)
        rgba = to_rgba_array(STRATEGY_COLOURS)[strategy]
        rgba[:, 3] = member_alpha(state.satisfaction[present], state.standard[present])
        sizes = member_sizes(state.activity[present], self.scale)
        square = np.asarray(STRATEGY_MARKERS)[strategy] == "s"
        for marker, chosen in (("o", ~square), ("s", square)):
            self.dots[marker].set_offsets(places[chosen].reshape(-1, 2))
            self.dots[marker].set_sizes(sizes[chosen])
            self.dots[marker].set_facecolors(rgba[chosen])
        n = self.extent or len(state.present)
        limit = max(float(np.sqrt(n + 0.5)), 1.0) * 1.05
        self.ax.set_xlim(-limit, limit)
        self.ax.set_ylim(-limit, limit)


def strategy_legend(
    where: Axes | Figure, labels: Sequence[str] = STRATEGY_LEGEND, **kw: Any
) -> None:
    """A legend that names the dot colours and shapes (``labels`` in the reader's language)."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], ls="", marker=m, color=c, label=t)
        for c, m, t in zip(STRATEGY_COLOURS, STRATEGY_MARKERS, labels, strict=True)
    ]
    where.legend(handles=handles, frameon=False, **kw)
