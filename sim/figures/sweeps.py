"""Sweep figures: outcomes against parameters, tipping points, phase diagrams, envelopes.

They take the tidy tables of ``sim.experiment.analysis`` and draw them; nothing is
computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from sim.palette import OKABE_ITO

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "plot_tipping_against",
    "plot_envelopes",
    "plot_heatmap",
    "plot_outcomes",
    "plot_tipping",
]


# Series are told apart by colour (Okabe-Ito, safe under colour blindness), line style
# and marker together, so that a figure reads in grey print too.
_SERIES_COLOURS = tuple(
    OKABE_ITO[c]
    for c in ("blue", "vermillion", "bluish green", "orange", "sky blue", "reddish purple", "black")
)
_SERIES_STYLES = ("-", "--", "-.", ":")
_SERIES_MARKERS = ("o", "s", "^", "D", "v")


def series_style(i: int) -> tuple[str, str, str]:
    """Colour, line style and marker of the ``i``-th series of a figure."""
    return (
        _SERIES_COLOURS[i % len(_SERIES_COLOURS)],
        _SERIES_STYLES[i % len(_SERIES_STYLES)],
        _SERIES_MARKERS[i % len(_SERIES_MARKERS)],
    )


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
        colour, style, marker = series_style(i)
        ax.fill_between(g[x], g[f"{col}_lo"], g[f"{col}_hi"], color=colour, alpha=0.2, lw=0)
        ax.plot(
            g[x], g[col], color=colour, ls=style, marker=marker, ms=4, lw=1.5, label=label or col
        )


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
            fmt=series_style(i)[2],
            ms=4,
            capsize=3,
            color=series_style(i)[0],
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

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    _series_lines(ax, agg, x, outcome)
    ax.axhline(threshold, color="black", ls="--", lw=1, label=f"threshold {threshold:g}")
    order = list(dict.fromkeys(agg["series"]))
    for _, t in tips.iterrows():
        if not np.isfinite(t["estimate"]):
            continue
        colour = series_style(order.index(t["series"]))[0] if t["series"] in order else "black"
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


def plot_tipping_against(
    tips: pd.DataFrame,
    x: str,
    along: str,
    top: float,
    path: str | Path | None = None,
    title: str = "",
) -> Figure:
    """Tipping points against a second parameter (e.g. the group's size), one line per
    series, each point with its bootstrap 95% interval.

    ``tips`` has one row per tipping point: ``x`` (the column named by ``x``),
    ``series``, ``estimate``, ``lo``, ``hi``. A series that does not tip within the
    range (``estimate`` NaN) is drawn as an open marker at ``top``, the end of the range.
    """
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    values = tips[x].astype(float)
    log = values.min() > 0 and values.max() / values.min() >= 10
    for i, (label, g) in enumerate(tips.groupby("series", sort=False)):
        colour, style, marker = series_style(i)
        g = g.sort_values(x)
        tipped = np.isfinite(g["estimate"].to_numpy(dtype=float))
        shown = np.where(tipped, g["estimate"], top)
        ax.plot(g[x], shown, color=colour, ls=style, lw=1.5, label=label or None)
        sub = g[tipped]
        err = [sub["estimate"] - sub["lo"], sub["hi"] - sub["estimate"]]
        ax.errorbar(sub[x], sub["estimate"], yerr=err, fmt=marker, color=colour, capsize=3, ms=6)
        ax.plot(
            g[x][~tipped], shown[~tipped], marker=marker, ls="", ms=8, mfc="white", color=colour
        )
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(_axis_label(x))
    ax.set_ylabel(f"tipping point: {_axis_label(along)}")
    ax.set_ylim(0, top * 1.05)
    ax.grid(alpha=0.3)
    if tips["series"].astype(bool).any():  # one unnamed series needs no key
        ax.legend(frameon=False, fontsize=9)
    ax.set_title(
        title or "Tipping point with bootstrap 95% CI (open marker: no tipping within the range)",
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
