"""One run's health over time: members, quality, spam and engagement."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt

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
