"""The validation's figures: the model's statistics with their 95% intervals against
the published figures and the pass bands, one figure per regularity.

One panel per statistic, each with its own scale: the model's mean over seeds (a
dot) and its interval (a bar), the band the criterion sets (shaded, open to one side
for a direction), and the published figure (a diamond) where the source gives one.
Colours are from the Okabe-Ito palette and every mark is also named in the legend,
so nothing depends on telling colours apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt

from sim.palette import GREY, OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Panel", "plot_checks"]

MODEL = OKABE_ITO["blue"]
PUBLISHED = OKABE_ITO["vermillion"]
BAND = OKABE_ITO["bluish green"]
CONTEXT = GREY  # reported, not judged


@dataclass(frozen=True)
class Panel:
    """One statistic to draw: the model's mean and interval, the band it must lie in
    (``passed`` None: shown for context, no band), and the published figure if any."""

    label: str
    mean: float
    lo: float
    hi: float
    band_lo: float = -math.inf
    band_hi: float = math.inf
    passed: bool | None = None
    published: float | None = None
    published_text: str = ""


def _limits(p: Panel) -> tuple[float, float]:
    """An x range that shows the interval, the band's finite ends and the published figure."""
    xs = [v for v in (p.mean, p.lo, p.hi, p.published) if v is not None and math.isfinite(v)]
    if p.passed is not None:
        xs += [v for v in (p.band_lo, p.band_hi) if math.isfinite(v)]
    if not xs:
        return 0.0, 1.0
    lo, hi = min(xs), max(xs)
    pad = 0.15 * (hi - lo) if hi > lo else max(abs(lo) * 0.2, 0.05)
    return lo - pad, hi + pad


def _draw(ax: Axes, p: Panel) -> None:
    left, right = _limits(p)
    if p.passed is not None:
        lo = p.band_lo if math.isfinite(p.band_lo) else left
        hi = p.band_hi if math.isfinite(p.band_hi) else right
        ax.axvspan(lo, hi, color=BAND, alpha=0.18, lw=0)
        for edge in (p.band_lo, p.band_hi):
            if math.isfinite(edge):
                ax.axvline(edge, color=BAND, lw=1.2)
    colour = MODEL if p.passed is not None else CONTEXT
    if math.isfinite(p.mean):
        err = [[p.mean - p.lo], [p.hi - p.mean]] if math.isfinite(p.lo + p.hi) else None
        ax.errorbar(
            [p.mean], [0], xerr=err, fmt="o", ms=7, capsize=5, lw=2, color=colour
        )  # fmt: skip
    else:
        ax.text(0.5, 0.5, "not measurable", transform=ax.transAxes, ha="center", va="center")
    if p.published is not None:
        ax.plot([p.published], [0], "D", ms=8, color=PUBLISHED, mfc="none", mew=2)
        text = f"published: {p.published_text}"
        ax.annotate(text, (p.published, 0), xytext=(0, 9), textcoords="offset points",
                    ha="center", fontsize=7, color=PUBLISHED)  # fmt: skip
    ax.set_xlim(left, right)
    ax.set_ylim(-1, 1.5)
    ax.set_yticks([])
    verdict = {True: "  [pass]", False: "  [FAIL]", None: "  (reported, not judged)"}[p.passed]
    ax.set_title(p.label + verdict, fontsize=9, loc="left")
    ax.grid(axis="x", alpha=0.3)


def _legend(fig: Figure, panels: Sequence[Panel]) -> None:
    """One legend for the figure, naming only the marks it shows."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color=MODEL, marker="o", lw=2, label="model: mean and 95% CI over seeds")
    ]
    if any(p.passed is None for p in panels):
        handles.append(Line2D([], [], color=CONTEXT, marker="o", lw=2, label="model, not judged"))
    if any(p.passed is not None for p in panels):
        handles.append(Patch(color=BAND, alpha=0.3, label="pass band"))
    if any(p.published is not None for p in panels):
        handles.append(
            Line2D([], [], color=PUBLISHED, marker="D", mfc="none", mew=2, ls="", label="published")
        )
    top = 1 - 0.38 / fig.get_figheight()  # just under the title, whatever the height
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, top), ncol=4,
               fontsize=8, frameon=False)  # fmt: skip


def plot_checks(
    title: str, verdict: str, panels: Sequence[Panel], path: str | Path | None = None
) -> Figure:
    """One regularity: a panel per statistic, the verdict in the title."""
    n = max(len(panels), 1)
    height = 0.8 + 1.2 * n
    fig, axes = plt.subplots(n, 1, figsize=(8, height), squeeze=False)
    for ax, panel in zip(axes[:, 0], panels, strict=False):
        _draw(ax, panel)
    fig.suptitle(f"{title}: {verdict}", fontsize=11, fontweight="bold")
    _legend(fig, panels)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / height))
    if path is not None:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig
