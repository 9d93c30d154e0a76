"""Who visits today: a member's chance to visit follows its satisfaction.

An honest member's chance changes only when its satisfaction does (when it reads,
or when a post of its is removed), so it is kept in the member's row
(``visit_chance``) and recomputed for those members alone; a day then draws the
visits without recomputing every member's chance. The formula is applied element by
element, so a chance kept is the chance recomputed, bit for bit. Whether the member
is unhappy (satisfaction below standard: it lurks or leaves sooner) is kept the same
way (``unhappy``), so that a day's lurking and leaving reads a byte per member
instead of two floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model.constants import VISIT_BOOST
from sim.model.population import Population
from sim.model.strategies import SPAMMER

__all__ = ["refresh", "visitors"]


def refresh(params: dict[str, Any], state: Population, slots: np.ndarray) -> None:
    """Recompute the visit chance of the members at ``slots`` from their satisfaction,
    and whether they are unhappy."""
    p, s = params, state
    # base_visit x VISIT_BOOST / (1 + exp(-gap)), in place on two new arrays
    gap = s.satisfaction[slots] - s.standard[slots]
    s.unhappy[slots] = gap < 0.0  # exactly when satisfaction < standard (IEEE subtraction)
    gap /= p["visit_width"]
    # clipped so that exp never overflows (it changes nothing below 700)
    np.minimum(np.maximum(gap, -700.0, out=gap), 700.0, out=gap)  # np.clip's, faster
    np.negative(gap, out=gap)
    np.exp(gap, out=gap)
    gap += 1.0
    chance = s.base_visit[slots] * VISIT_BOOST
    chance /= gap
    s.visit_chance[slots] = np.maximum(p["visit_floor"], chance, out=chance)


def visitors(u: np.ndarray, params: dict[str, Any], state: Population, warm: bool) -> np.ndarray:
    """Slots of today's visitors: spammers visit at their own rate (not at all during
    the warm-up), the others at their kept chance; one uniform draw per member (``u``)."""
    s = state
    spam_chance = 0.0 if warm else params["spam_visit"]
    # in place on boolean arrays: cheaper than choosing each member's chance first
    spammer = s.strategy == SPAMMER
    visit = u < s.visit_chance
    visit &= ~spammer
    visit |= spammer & (u < spam_chance)
    visit &= s.present
    return visit.nonzero()[0]
