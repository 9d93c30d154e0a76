"""Who visits today: a member's chance to visit follows its satisfaction.

An honest member's chance changes only when its satisfaction does (when it reads,
or when a post of its is removed), so it is kept in the member's row
(``visit_chance``) and recomputed for those members alone; a day then draws the
visits without recomputing every member's chance. The formula is applied element by
element, so a chance kept is the chance recomputed, bit for bit. Whether the member
is unhappy (satisfaction below standard: it lurks or leaves sooner) is kept the same
way (``unhappy``), so that a day's lurking and leaving reads a byte per member
instead of two floats.

Who visits is drawn in one of two forms with the same results: ``visit`` (NumPy, the
reference), and its loop ``visit_loop``, compiled by ``compile`` into the compiled set
of kernels (``sim.model.kernels``), which draws each member's uniform from the model's
generator in place (``sim.model.bitstream``) in the same pass that decides the visit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model import bitstream
from sim.model.constants import VISIT_BOOST
from sim.model.draws import DrawBuffer
from sim.model.population import Population
from sim.model.strategies import HONEST, SPAMMER, of_kind

__all__ = ["chance", "compile", "exponent", "refresh", "visit", "visit_loop", "visitors"]

_LOOPS: dict[str, Callable[..., Any]] = {}  # the compiled loops
_BLOCK = 4096  # the members' uniforms drawn at a time: 32 KiB, kept in cache


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


def exponent(gap: float, width: float) -> float:
    """``refresh`` up to its ``exp``, for one member whose satisfaction is ``gap`` above
    its standard: -gap / width, clipped to [-700, 700]; the compiled loops' form."""
    g = gap / width
    if g < -700.0:
        g = -700.0
    elif g > 700.0:
        g = 700.0
    return -g


def chance(base_visit: float, boost: float, floor: float, grown: float) -> float:
    """``refresh`` after its ``exp`` (``grown``), for one member: its visit chance; the
    compiled loops' form."""
    c = base_visit * boost
    c = c / (grown + 1.0)
    return floor if floor > c else c


def _exponents_loop(satisfaction, standard, unhappy, slots, width):  # type: ignore[no-untyped-def]
    # refresh up to its exp, for Numba
    grown = np.empty(len(slots))
    for j in range(len(slots)):
        m = slots[j]
        gap = satisfaction[m] - standard[m]
        unhappy[m] = gap < 0.0
        grown[j] = exponent(gap, width)
    return grown


def _chances_loop(base_visit, boost, floor, visit_chance, slots, grown):  # type: ignore[no-untyped-def]
    # refresh after its exp, for Numba
    for j in range(len(slots)):
        m = slots[j]
        visit_chance[m] = chance(base_visit[m], boost, floor, grown[j])


def _compiled_refresh(params: dict[str, Any], state: Population, slots: np.ndarray) -> None:
    """``refresh`` in two compiled loops around NumPy's ``exp`` (the same results): a
    dozen NumPy calls on a few members each become three calls."""
    s, width, floor = state, params["visit_width"], params["visit_floor"]
    grown = _LOOPS["exponents"](s.satisfaction, s.standard, s.unhappy, slots, width)
    np.exp(grown, out=grown)
    _LOOPS["chances"](s.base_visit, VISIT_BOOST, floor, s.visit_chance, slots, grown)


def visitors(u: np.ndarray, params: dict[str, Any], state: Population, warm: bool) -> np.ndarray:
    """Slots of today's visitors: spammers visit at their own rate (not at all during
    the warm-up), the others at their kept chance; one uniform draw per member (``u``)."""
    s = state
    spam_chance = _spam_chance(params, warm)
    # in place on boolean arrays: cheaper than choosing each member's chance first
    spammer = s.strategy == SPAMMER
    visit = u < s.visit_chance
    visit &= ~spammer
    visit |= spammer & (u < spam_chance)
    visit &= s.present
    return visit.nonzero()[0]


def _spam_chance(params: dict[str, Any], warm: bool) -> float:
    """A spammer's chance to visit today: none in the warm-up."""
    return 0.0 if warm else float(params["spam_visit"])


def visit(
    rng: np.random.Generator,
    buffer: DrawBuffer,
    params: dict[str, Any],
    state: Population,
    warm: bool,
) -> tuple[np.ndarray, int]:
    """Slots of today's visitors (``visitors``, its uniforms drawn into ``buffer``) and
    how many of them are honest."""
    slots = visitors(buffer.uniform(rng, state.n), params, state, warm)
    return slots, int(np.count_nonzero(of_kind(HONEST, state.strategy[slots])))


def compile(
    jit: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> tuple[Callable[..., Any], Callable[..., None]]:
    """Compile the loops with ``jit`` (Numba's ``njit``); returns the compiled forms of
    ``visit`` and ``refresh`` (the same arguments and results). ``exponent`` and
    ``chance`` are compiled in place, for the loops that call them (the reading's too)."""
    if not _LOOPS:
        module = globals()
        module["exponent"], module["chance"] = jit(exponent), jit(chance)
        _LOOPS.update(
            visit=jit(visit_loop), exponents=jit(_exponents_loop), chances=jit(_chances_loop)
        )
    return _compiled_visit, _compiled_refresh


def _compiled_visit(
    rng: np.random.Generator,
    buffer: DrawBuffer,
    params: dict[str, Any],
    state: Population,
    warm: bool,
) -> tuple[np.ndarray, int]:
    """``visit`` by ``visit_loop``, drawing from ``rng`` (a PCG64) in place."""
    s = state
    slots, honest = _LOOPS["visit"](
        bitstream.stream(rng), s.visit_chance, s.strategy, s.present, SPAMMER,
        _spam_chance(params, warm), HONEST,
    )  # fmt: skip
    return slots, int(honest)


def visit_loop(st, visit_chance, strategy, present, spammer, spam_chance, honest):  # type: ignore[no-untyped-def]  # noqa: E501
    """``visit`` as one pass over the members, for Numba: each member's uniform, drawn
    from ``st`` in order of slot (a block at a time, ``bitstream.fill``), decides its
    visit."""
    n = len(present)
    slots = np.empty(n, np.int64)
    u = np.empty(min(n, _BLOCK))
    k = 0
    visiting = 0
    for first in range(0, n, _BLOCK):
        block = u[: min(_BLOCK, n - first)]
        bitstream.fill(st, block)
        for j in range(len(block)):
            m = first + j
            if present[m]:
                if strategy[m] == spammer:
                    here = block[j] < spam_chance
                else:
                    here = block[j] < visit_chance[m]
                if here:
                    slots[k] = m
                    k += 1
                    visiting += honest[strategy[m]]
    return slots[:k], visiting
