"""Matplotlib figures: one run's health over time.

Figures are drawn with the non-interactive Agg backend (unless a notebook set its
own) and saved to files; callers get the ``Figure`` back so tests can check the
plotted data.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

if not os.environ.get("MPLBACKEND"):  # a notebook sets its own (inline) backend
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["HEALTH_PANELS", "plot_run"]

# (column, title, y label) of the four panels that tell a group's health.
HEALTH_PANELS: tuple[tuple[str, str, str], ...] = (
    ("honest_members", "Members who are not spammers", "members"),
    ("quality", "Quality of what members read", "mean quality (0-1)"),
    ("spam_share", "Share of spam in what members read", "share of reads"),
    ("engagement", "Engagement", "likes + comments per member per day"),
)


def _smooth(series: pd.Series, days: int = 7) -> pd.Series:
    return series.rolling(days, min_periods=1).mean()


def plot_run(ts: pd.DataFrame, path: str | Path | None = None, title: str = "") -> Figure:
    """Four panels of one run over time: members, quality, spam share, engagement.

    Daily measures that fluctuate (quality, spam share, engagement) are shown as a
    7-day moving average.
    """
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), sharex=True)
    for ax, (col, panel, ylabel) in zip(axes.flat, HEALTH_PANELS, strict=True):
        y = ts[col] if col == "honest_members" else _smooth(ts[col])
        ax.plot(
            ts["day"], y, color="tab:blue", label="not spammers" if col == "honest_members" else col
        )
        if col == "honest_members":
            ax.plot(
                ts["day"],
                ts["members"],
                color="tab:gray",
                ls="--",
                lw=1,
                label="all members (spammers included)",
            )
            ax.legend(frameon=False, fontsize=8)
        ax.set_title(panel)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("day")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


# --------------------------------------------------------------------------------------
# Teaching figures: scenarios side by side, members as dots, the top of the feed.
# --------------------------------------------------------------------------------------
from collections.abc import Sequence  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

__all__ += [
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


# --------------------------------------------------------------------------------------
# Sweep figures: outcomes against parameters, tipping points, phase diagrams, envelopes.
# They take the tidy tables of ``sim.experiment.analysis`` and draw them; nothing is computed here.
# --------------------------------------------------------------------------------------
__all__ += ["plot_envelopes", "plot_heatmap", "plot_outcomes", "plot_tipping"]


def _axis_label(name: str) -> str:
    from sim.model.params import PARAMS

    p = PARAMS.get(name)
    if p is None:
        return name
    unit = f" ({p.unit})" if p.unit else ""
    return f"{p.label or name}{unit}" if p.label else f"{name}{unit}"


def _series_lines(ax: Axes, agg: pd.DataFrame, x: str, col: str) -> None:
    """One line per series (mean) with its 95% CI as a band; the x axis as given."""
    for i, (label, g) in enumerate(agg.groupby("series", sort=False)):
        g = g.sort_values(x)
        colour = f"C{i}"
        ax.fill_between(g[x], g[f"{col}_lo"], g[f"{col}_hi"], color=colour, alpha=0.2, lw=0)
        ax.plot(g[x], g[col], color=colour, marker="o", ms=3, lw=1.5, label=label or col)


def _series_points(ax: Axes, agg: pd.DataFrame, x: str, col: str) -> None:
    """Categories on x: one marker per series and category with its 95% CI as a whisker."""
    groups = list(agg.groupby("series", sort=False))
    width = 0.5 / max(len(groups), 1)
    for i, (label, g) in enumerate(groups):
        offset = (i - (len(groups) - 1) / 2) * width
        yerr = [g[col] - g[f"{col}_lo"], g[f"{col}_hi"] - g[col]]
        ax.errorbar(
            g[x] + offset,
            g[col],
            yerr=yerr,
            fmt="o",
            ms=4,
            capsize=3,
            color=f"C{i}",
            label=label or col,
        )


def plot_outcomes(
    agg: pd.DataFrame,
    x: str,
    outcomes: Sequence[str],
    path: str | Path | None = None,
    title: str = "",
) -> Figure:
    """Each outcome against one varied parameter: mean and 95% CI, one line per series.

    Parameters
    ----------
    agg : DataFrame
        From ``sim.analysis.outcome_table``: columns ``series`` (the line's label, e.g.
        ``policy=none``), ``x``, and ``<outcome>``, ``<outcome>_lo``, ``<outcome>_hi``.
    """
    import pandas as pd

    n = len(outcomes)
    cols = min(n, 4)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    names: list[Any] = []
    if not pd.api.types.is_numeric_dtype(agg[x]) or pd.api.types.is_bool_dtype(agg[x]):
        names = list(dict.fromkeys(agg[x]))
        agg = agg.assign(**{x: agg[x].map({v: i for i, v in enumerate(names)})})
    for ax, col in zip(axes.flat, outcomes, strict=False):
        if names:
            _series_points(ax, agg, x, col)
        else:
            _series_lines(ax, agg, x, col)
        ax.set_title(col, fontsize=10)
        ax.set_xlabel(_axis_label(x))
        ax.grid(alpha=0.3)
        if names:
            ax.set_xticks(range(len(names)), [str(v) for v in names])
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if len(labels) > 1 or (labels and labels[0] not in outcomes):
        fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.06 if len(labels) > 1 else 0, 1, 1))
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def plot_tipping(
    agg: pd.DataFrame,
    x: str,
    outcome: str,
    threshold: float,
    tips: pd.DataFrame,
    path: str | Path | None = None,
    title: str = "",
) -> Figure:
    """The headline figure: an outcome against a parameter per series, the collapse
    threshold, and each series' tipping point with its bootstrap 95% interval.

    ``tips`` has one row per series: ``series``, ``estimate``, ``lo``, ``hi``.
    """
    import numpy as np

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    _series_lines(ax, agg, x, outcome)
    ax.axhline(threshold, color="black", ls="--", lw=1, label=f"threshold {threshold:g}")
    order = list(dict.fromkeys(agg["series"]))
    for _, t in tips.iterrows():
        if not np.isfinite(t["estimate"]):
            continue
        colour = f"C{order.index(t['series'])}" if t["series"] in order else "black"
        ax.plot([t["estimate"]], [threshold], marker="v", ms=9, color=colour, ls="")
        if np.isfinite(t["lo"]):
            ax.hlines(threshold, t["lo"], t["hi"], color=colour, lw=4, alpha=0.6)
    ax.set_xlabel(_axis_label(x))
    ax.set_ylabel(outcome)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    ax.set_title(
        title or f"{outcome}: mean and 95% CI; tipping points (triangles) with bootstrap 95% CI",
        fontsize=10,
    )
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def plot_heatmap(
    cells: pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    path: str | Path | None = None,
    threshold: float | None = None,
) -> Figure:
    """A phase diagram: the mean outcome over two numeric parameters, one panel per
    value of the other varied parameters, with the threshold as a contour.

    ``cells`` has columns ``panel``, ``x``, ``y`` and ``outcome`` (the mean).
    """
    import numpy as np

    panels = list(dict.fromkeys(cells["panel"]))
    fig, axes = plt.subplots(
        1, len(panels), figsize=(4.8 * len(panels) + 1, 4.2), squeeze=False, sharey=True
    )
    vmin, vmax = float(np.nanmin(cells[outcome])), float(np.nanmax(cells[outcome]))
    image = None
    for ax, panel in zip(axes[0], panels, strict=True):
        grid = cells[cells["panel"] == panel].pivot(index=y, columns=x, values=outcome)
        image = ax.imshow(
            grid.to_numpy(), origin="lower", aspect="auto", vmin=vmin, vmax=vmax, cmap="viridis"
        )
        if threshold is not None and np.nanmin(grid) < threshold < np.nanmax(grid):
            ax.contour(grid.to_numpy(), levels=[threshold], colors="white", linewidths=1.5)
        ax.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns], rotation=45)
        ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index])
        ax.set_xlabel(_axis_label(x))
        ax.set_title(panel or outcome, fontsize=10)
    axes[0][0].set_ylabel(_axis_label(y))
    if image is not None:
        fig.colorbar(image, ax=list(axes[0]), label=f"mean {outcome}")
    if path is not None:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    return fig


def plot_envelopes(
    env: pd.DataFrame, metric: str, path: str | Path | None = None, title: str = ""
) -> Figure:
    """A daily measure over time per point: the median across replicates and the
    interquartile band, one panel per value of the categorical parameters.

    ``env`` has columns ``panel``, ``line`` (the point's label), ``point``, ``day``,
    ``q25``, ``q50`` and ``q75``.
    """
    panels = list(dict.fromkeys(env["panel"]))
    fig, axes = plt.subplots(
        1, len(panels), figsize=(4.6 * len(panels), 3.8), squeeze=False, sharey=True
    )
    cmap = plt.get_cmap("viridis")
    for ax, panel in zip(axes[0], panels, strict=True):
        sub = env[env["panel"] == panel]
        points = list(dict.fromkeys(sub["point"]))
        for i, p in enumerate(points):
            g = sub[sub["point"] == p].sort_values("day")
            colour = cmap(i / max(len(points) - 1, 1))
            ax.fill_between(g["day"], g["q25"], g["q75"], color=colour, alpha=0.2, lw=0)
            ax.plot(g["day"], g["q50"], color=colour, lw=1.5, label=g["line"].iloc[0] or metric)
        ax.set_title(panel or metric, fontsize=10)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0][-1].legend(frameon=False, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    axes[0][0].set_ylabel(f"{metric} (median, IQR band)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
