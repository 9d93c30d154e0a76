"""What members do: the table of strategies and the behaviour that reads it.

Each strategy is one record of ``TABLE``: its share and posting-rate parameters,
how it reacts to what it reads, the quality of what it posts, its colour and
labels, and flags that say what part it plays (does it make the group? does it
contribute?). Every per-strategy array, colour, legend and measure key in ``sim``
derives from this table, so adding a strategy means adding a record here plus the
behaviour that is genuinely new.

The founding text's order of value: members who **share** relevant material,
who **care** for the others, who **promote** their own content having given first;
**spammers** use the group as a billboard; **lurkers** read only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import Any

import numpy as np

from sim.messages import N_
from sim.model.feed import Kind
from sim.palette import GREY, OKABE_ITO

__all__ = [
    "TABLE",
    "Behaviour",
    "Strategy",
    "SHARER",
    "CARER",
    "PROMOTER",
    "SPAMMER",
    "LURKER",
    "N_STRATEGIES",
    "HONEST",
    "CONTRIBUTES",
    "PROMOTES",
    "LIKE",
    "COMMENT",
    "COLOURS",
    "MARKERS",
    "LEGEND",
    "SHARE_PARAMS",
    "KIND",
    "BETA",
    "QUALITY_CLIP",
    "posting_rates",
    "post_quality",
    "post_kinds",
    "skilled_quality",
    "of_kind",
]


@dataclass(frozen=True)
class Behaviour:
    """One strategy.

    Parameters
    ----------
    key : str
        Its name in tables (``sharer``).
    plural : str
        The daily measure that counts its members (``sharers``).
    label : str
        Legend text, in words a class reads (marked for translation).
    colour : str
        Its colour in every figure (the Okabe-Ito palette, safe for colour blindness).
    marker : str
        Its marker in figures ("o" a dot, "s" a square: spammers stand out by shape too).
    share : str or None
        Parameter giving its share of the starting members; None for the strategy
        that takes the rest (lurkers).
    rate : str or None
        Parameter giving its posts per visit; None if it does not post.
    like, comment : float
        Probability of a like, or a comment, per unit of value a post gave it.
    kind : Kind or None
        What its ordinary posts are.
    quality : (a, b) or None
        Beta distribution of the quality of its ordinary posts.
    promotion_quality : (a, b) or None
        Beta distribution of the quality of its promotions; None if it never promotes.
    honest : bool
        A member who makes the group: reads the feed, and is counted in the measures
        "without spammers".
    contributes : bool
        Posts or reacts for the group, and may drop to lurking when dissatisfied.
    compares : str or None
        What it compares when it imitates another member: ``"reach"`` of its
        promotion or its ``"satisfaction"``; None if it never imitates.
    """

    key: str
    plural: str
    label: str
    colour: str
    marker: str
    share: str | None
    rate: str | None
    like: float
    comment: float
    kind: Kind | None
    quality: tuple[float, float] | None
    promotion_quality: tuple[float, float] | None
    honest: bool
    contributes: bool
    compares: str | None


# fmt: off
TABLE: tuple[Behaviour, ...] = (
    Behaviour("sharer", "sharers", N_("sharer (shares material)"), OKABE_ITO["blue"], "o",
              share="share_sharers", rate="rate_sharer", like=0.30, comment=0.05,
              kind=Kind.SHARE, quality=(7.0, 3.0), promotion_quality=None,
              honest=True, contributes=True, compares="satisfaction"),
    Behaviour("carer", "carers", N_("carer (likes, comments, answers)"), OKABE_ITO["sky blue"], "o",
              share="share_carers", rate="rate_carer", like=0.60, comment=0.25,
              kind=Kind.QUESTION, quality=(6.0, 4.0), promotion_quality=None,
              honest=True, contributes=True, compares="satisfaction"),
    Behaviour("promoter", "promoters", N_("ethical promoter"), OKABE_ITO["orange"], "o",
              share="share_promoters", rate="rate_promoter", like=0.30, comment=0.10,
              kind=Kind.SHARE, quality=(7.0, 3.0), promotion_quality=(5.0, 5.0),
              honest=True, contributes=True, compares="reach"),
    Behaviour("spammer", "spammers", N_("spammer"), OKABE_ITO["vermillion"], "s",
              share="share_spammers", rate="spam_rate", like=0.0, comment=0.0,
              kind=None, quality=None, promotion_quality=(2.0, 8.0),
              honest=False, contributes=False, compares="reach"),
    Behaviour("lurker", "lurkers", N_("lurker (reads only)"), GREY, "o",
              share=None, rate=None, like=0.05, comment=0.0,
              kind=None, quality=None, promotion_quality=None,
              honest=True, contributes=False, compares=None),
)
# fmt: on


class _Code(IntEnum):
    """A strategy's integer code: its row in ``TABLE`` (the population's ``strategy``)."""

    @property
    def label(self) -> str:
        """Lower-case name used in tables and legends."""
        return TABLE[self].key

    @property
    def behaviour(self) -> Behaviour:
        """The strategy's record in ``TABLE``."""
        return TABLE[self]


# The strategies as integer codes, one per record of the table, in its order.
Strategy = _Code("Strategy", [(b.key.upper(), i) for i, b in enumerate(TABLE)])

# Behaviour that is genuinely one strategy's own refers to it by name.
SHARER, CARER, PROMOTER, SPAMMER, LURKER = (
    int(Strategy[k]) for k in ("SHARER", "CARER", "PROMOTER", "SPAMMER", "LURKER")
)
N_STRATEGIES = len(TABLE)

HONEST = np.array([b.honest for b in TABLE])
CONTRIBUTES = np.array([b.contributes for b in TABLE])
PROMOTES = np.array([b.promotion_quality is not None for b in TABLE])
LIKE = np.array([b.like for b in TABLE])
COMMENT = np.array([b.comment for b in TABLE])
COLOURS = tuple(b.colour for b in TABLE)
MARKERS = tuple(b.marker for b in TABLE)
LEGEND = tuple(b.label for b in TABLE)
SHARE_PARAMS = tuple(b.share for b in TABLE if b.share is not None)
_NO_BETA = (1.0, 1.0)  # placeholder for posts a strategy never writes
QUALITY_CLIP = 1e-12  # a Beta draw is kept this far from 0 and 1, for its log-odds
# Indexed [promotion, strategy]: a post's kind, and the Beta of its quality.
KIND = np.array(
    [[-1 if b.kind is None else int(b.kind) for b in TABLE], [int(Kind.PROMOTION)] * len(TABLE)],
    dtype=np.int8,
)
BETA = np.array(
    [[b.quality or _NO_BETA for b in TABLE], [b.promotion_quality or _NO_BETA for b in TABLE]]
)


def of_kind(table: np.ndarray, strategy: np.ndarray) -> np.ndarray:
    """``table[strategy]`` for a boolean table over the strategies (``HONEST``...), by
    comparing with the strategies on the shorter side of the table: one fast pass per
    strategy instead of a gather, which counts over a million members."""
    yes, no = _sides(table.tobytes())
    if len(yes) <= len(no):
        if not yes:
            return np.zeros(strategy.shape, dtype=bool)
        mask = strategy == yes[0]
        for k in yes[1:]:
            mask |= strategy == k
    else:
        if not no:
            return np.ones(strategy.shape, dtype=bool)
        mask = strategy != no[0]
        for k in no[1:]:
            mask &= strategy != k
    return mask


@cache
def _sides(table: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The strategies in and out of a boolean table (given as its bytes)."""
    flags = np.frombuffer(table, dtype=bool)
    return tuple(np.flatnonzero(flags).tolist()), tuple(np.flatnonzero(~flags).tolist())


def posting_rates(params: dict[str, Any]) -> np.ndarray:
    """Posts per visit of each strategy (an average member of it)."""
    return np.array([params[b.rate] if b.rate else 0.0 for b in TABLE])


def post_kinds(strategy: np.ndarray, promotion: np.ndarray) -> np.ndarray:
    """The kind of each post: a promotion, or its author's ordinary kind."""
    return KIND[promotion.view(np.int8), strategy]


def post_quality(
    rng: np.random.Generator, strategy: np.ndarray, promotion: np.ndarray, shift: np.ndarray
) -> np.ndarray:
    """Quality of each post: drawn from its author's Beta for that kind of post, then
    moved by ``shift`` on the log-odds scale (the author's skill)."""
    a, b = BETA[promotion.view(np.int8), strategy].T
    base = np.minimum(np.maximum(rng.beta(a, b), QUALITY_CLIP), 1.0 - QUALITY_CLIP)
    return skilled_quality(base / (1.0 - base), shift)


def skilled_quality(odds: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The logistic of log ``odds`` plus ``shift``: a Beta draw's quality once the
    author's skill moves it (computed in place on ``odds``, which it returns)."""
    x = np.log(odds, out=odds)
    x += shift
    np.negative(x, out=x)
    np.exp(x, out=x)
    x += 1.0
    return np.divide(1.0, x, out=x)
