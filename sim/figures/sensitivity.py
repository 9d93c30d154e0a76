"""Sensitivity figures: the indices of each parameter as bars with their 95% intervals.

They draw the tidy table of ``sim.experiment.sensitivity`` (one row per outcome and
parameter); nothing is computed here. The two bars of a parameter differ by colour
(Okabe-Ito) and hatching, so that the figure reads in grey print too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from sim.palette import OKABE_ITO

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["plot_indices"]

# (column, its interval's column, legend) of the two bars, for each analysis
BARS = {
    "sobol": (
        ("S1", "S1_conf", "first-order S1 (the parameter alone)"),
        ("ST", "ST_conf", "total ST (with its interactions)"),
    ),
    "morris": (
        ("mu_star", "mu_star_conf", "mu* (mean absolute effect)"),
        ("sigma", None, "sigma (interactions, non-linearity)"),
    ),
}
_STYLE = ((OKABE_ITO["sky blue"], ""), (OKABE_ITO["blue"], "//"))


def plot_indices(
    table: pd.DataFrame, kind: str, outcomes: Sequence[str], path: Path | None = None
) -> Figure:
    """One panel per outcome: each parameter's two indices with their 95% intervals,
    the most important parameter on top.

    Parameters
    ----------
    table : DataFrame
        ``outcome``, ``parameter`` and the columns of ``BARS[kind]``.
    kind : {"sobol", "morris"}
    """
    bars = BARS[kind]
    fig, axes = plt.subplots(
        1,
        len(outcomes),
        figsize=(4.2 * len(outcomes) + 1.5, 0.35 * _height(table) + 2.2),
        squeeze=False,
        sharey=False,
    )
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        rows = table[table["outcome"] == outcome].iloc[::-1]  # most important on top
        y = np.arange(len(rows))
        for k, ((col, conf, label), (colour, hatch)) in enumerate(zip(bars, _STYLE, strict=True)):
            err = rows[conf].to_numpy() if conf else None
            ax.barh(
                y + (k - 0.5) * 0.4,
                rows[col],
                height=0.4,
                xerr=err,
                color=colour,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.5,
                capsize=2,
                label=label,
            )
        ax.set_yticks(y, rows["parameter"])
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(outcome)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize="small", frameon=False)
    what = "Sobol' indices" if kind == "sobol" else "Morris screening"
    fig.suptitle(f"{what}, with 95% bootstrap intervals")
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def _height(table: pd.DataFrame) -> int:
    return int(table.groupby("outcome").size().max()) if len(table) else 1
