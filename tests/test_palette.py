"""Colour-blind students can tell the pictures' categories apart.

The colours drawn in the demo's figure, the animation's members and the app's views
are passed through a simulated deuteranopia and protanopia (colorspacious, Machado et
al. 2009, severity 100) and compared in CAM02-UCS, where a distance of about 15 is
plainly visible; pairs closer than that must differ in shape or line style too.
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from colorspacious import cspace_convert
from matplotlib.colors import to_rgb

from sim.figures.teaching import (
    FEED_COLOURS,
    STRATEGY_COLOURS,
    STRATEGY_MARKERS,
    plot_scenarios,
)

VISIBLE = 15.0  # CAM02-UCS distance
DEFICIENCIES = ("deuteranomaly", "protanomaly")


def _distance(a: str, b: str, cvd: str) -> float:
    rgb = np.array([to_rgb(a), to_rgb(b)])
    seen = cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1")
    jab = cspace_convert(np.clip(seen, 0, 1), "sRGB1", "CAM02-UCS")
    return float(np.linalg.norm(jab[0] - jab[1]))


def _apart(items: list[tuple[str, str]], cvd: str) -> list[str]:
    """Pairs of (colour, shape-or-style) that a person with ``cvd`` could confuse."""
    return [
        f"{a} / {b}"
        for (a, sa), (b, sb) in itertools.combinations(items, 2)
        if sa == sb and _distance(a, b, cvd) < VISIBLE
    ]


@pytest.mark.parametrize("cvd", DEFICIENCIES)
def test_the_members_roles_stay_apart(cvd: str) -> None:
    items = list(zip(STRATEGY_COLOURS, STRATEGY_MARKERS, strict=True))
    assert not _apart(items, cvd)
    assert STRATEGY_MARKERS[3] != STRATEGY_MARKERS[2]  # spammer vs ethical promoter
    old = [("#2a9d8f", "o"), ("#8d99ae", "o")]  # the former sharer and lurker
    assert _apart(old, cvd), "the check cannot see a confusable pair"


@pytest.mark.parametrize("cvd", DEFICIENCIES)
def test_the_post_kinds_stay_apart(cvd: str) -> None:
    assert not _apart([(c, "bar") for c in FEED_COLOURS.values()], cvd)


@pytest.mark.parametrize("cvd", DEFICIENCIES)
def test_the_demo_figure_lines_stay_apart(cvd: str) -> None:
    from sim.classroom.demo import SCENARIOS

    days = np.arange(5)
    runs = pd.concat(
        pd.DataFrame(
            {
                "scenario": sc.label,
                "seed": 1,
                "day": days,
                "honest_members": 100.0,
                "quality": 0.5,
                "promo_share": 0.1,
                "engagement": 0.3,
            }
        )
        for sc in SCENARIOS
    )
    fig = plot_scenarios(
        runs,
        colours={sc.label: sc.colour for sc in SCENARIOS},
        styles={sc.label: sc.style for sc in SCENARIOS},
    )
    drawn = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    lines = [(line.get_color(), line.get_linestyle()) for line in drawn]
    plt.close(fig)
    assert len(lines) == len(SCENARIOS)
    assert not _apart(lines, cvd)
    assert len({style for _, style in lines}) == len(lines)  # styles alone tell them apart


def test_the_app_groups_differ_in_colour_and_dash() -> None:
    from sim.classroom.app import GROUP_STYLES

    (ca, da), (cb, db) = GROUP_STYLES["A"], GROUP_STYLES["B"]
    assert da != db
    assert all(_distance(ca, cb, cvd) >= VISIBLE for cvd in DEFICIENCIES)
