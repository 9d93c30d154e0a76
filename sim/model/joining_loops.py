"""Who joins today and what newcomers bring, compiled: ``sim.model.membership``'s
``newcomer_counts`` and ``newcomer_traits``, and the newcomers' companies
(``sim.model.companies.Companies.assign``), each one loop.

Every day counts the members present and the audience and draws two Poisson
numbers of newcomers; a day with newcomers draws seven traits for each. In NumPy
that is a dozen calls, whose fixed costs (several microseconds for each of the
generator's) are most of the time of a small group's joining. Here each is one loop
that draws from the model's generator in place (``sim.model.bitstream``), NumPy's
numbers in the NumPy form's order (``sim.model.distributions``), with the same
floating-point operations in the same order: the results are the same bit for bit.
The scalars the NumPy form computes with Python's or NumPy's ``pow``, ``log`` and
``sqrt`` are computed here the same way, before the loops.

``compile(jit)`` compiles the loops and returns ``newcomer_counts``,
``newcomer_traits`` and ``assign``; ``sim.model.kernels`` puts them in the compiled
set of kernels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model import bitstream, distributions
from sim.model.companies import Companies
from sim.model.membership import (
    DRAWN,
    awareness,
    member_traits,
    skill_weights,
    trait_draws,
)
from sim.model.population import Population
from sim.model.strategies import PROMOTER, SPAMMER

__all__ = ["assign", "compile", "newcomer_counts", "newcomer_traits"]

_LOOPS: dict[str, Callable[..., Any]] = {}  # the compiled loops, by name


def compile(
    jit: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> tuple[Callable[..., Any], ...]:
    """Compile the loops with ``jit`` (Numba's ``njit``); returns ``newcomer_counts``,
    ``newcomer_traits`` and ``assign``."""
    _LOOPS.update(counts=jit(_counts_loop), traits=jit(_traits_loop), assign=jit(_assign_loop))
    return newcomer_counts, newcomer_traits, assign


def newcomer_counts(
    rng: np.random.Generator, state: Population, params: dict[str, Any], reputation: float
) -> tuple[int, int]:
    """``sim.model.membership.newcomer_counts`` (same arguments, same results) in one
    loop, drawing from ``rng`` (a PCG64) in place."""
    p = params
    appeal = (reputation / p["reputation_ref"]) ** p["reputation_power"]
    honest, spam = _LOOPS["counts"](
        bitstream.stream(rng), state.present, state.strategy, SPAMMER,
        float(p["market_size"] * p["n_members"]), float(p["join_rate"]), float(appeal),
        float(p["spam_join_rate"]), float(p["share_spammers"]),
    )  # fmt: skip
    return int(honest), int(spam)


def _counts_loop(  # type: ignore[no-untyped-def]
    st, present, strategy, spammer, potential, join_rate, appeal, spam_rate, spam_share
):
    """``newcomer_counts``: the members present and the audience (those who are not
    spammers), then the honest and the spam newcomers, in its arithmetic."""
    members = 0
    audience = 0
    for m in range(len(present)):
        if present[m]:
            members += 1
            audience += strategy[m] != spammer
    room = max(0.0, 1.0 - members / potential)
    space = max(int(potential) - members, 0)
    honest = min(distributions.poisson(st, min(join_rate * audience * room * appeal, space)), space)
    space -= honest
    spam = min(distributions.poisson(st, min(spam_rate * spam_share * audience, space)), space)
    return honest, spam


def newcomer_traits(
    rng: np.random.Generator, params: dict[str, Any], strategies: np.ndarray, founding: bool
) -> dict[str, np.ndarray]:
    """``sim.model.membership.newcomer_traits`` (same arguments, same results) in one
    loop, drawing from ``rng`` (a PCG64) in place."""
    p = params
    aware = -1.0 if founding else float(awareness(p))  # founders know, without a draw
    traits = _LOOPS["traits"](
        bitstream.stream(rng), strategies, np.array(trait_draws(p)), skill_weights(p), aware,
        float(p["attention_cap"]),
    )  # fmt: skip
    return member_traits(p, strategies, dict(zip(DRAWN, traits, strict=True)))


def _traits_loop(st, strategies, draws, skill, aware, cap):  # type: ignore[no-untyped-def]
    """``newcomer_traits``'s draws, trait by trait as NumPy draws them (``draws``: the
    parameters of the first five, ``trait_draws``): the standard, the topic, the
    activity, the base visit chance, the attention (rounded and clipped to [1,
    ``cap``]), the skill (``skill_weights`` weigh the standard's z-score and a normal
    draw) and awareness (a uniform below ``aware``; none for founders, ``aware`` < 0).
    Returns them in the order of ``DRAWN``."""
    k = len(strategies)
    standard, topic, activity = np.empty(k), np.empty(k), np.empty(k)
    base_visit, attention, talent = np.empty(k), np.empty(k), np.empty(k)
    for i in range(k):
        standard[i] = distributions.normal(st, draws[0, 0], draws[0, 1])
    for i in range(k):
        topic[i] = distributions.normal(st, draws[1, 0], draws[1, 1])
    for i in range(k):
        activity[i] = distributions.lognormal(st, draws[2, 0], draws[2, 1])
    for i in range(k):
        base_visit[i] = distributions.beta(st, draws[3, 0], draws[3, 1])
    for i in range(k):
        drawn = distributions.lognormal(st, draws[4, 0], draws[4, 1])
        attention[i] = min(max(np.rint(drawn), 1.0), cap)
    mean, sd = draws[0, 0], draws[0, 1]
    for i in range(k):
        z = (standard[i] - mean) / sd if sd > 0 else 0.0
        talent[i] = skill[0] * z + skill[1] * distributions.standard_normal(st)
    knows = np.ones(k, np.bool_)
    if aware >= 0.0:
        for i in range(k):
            knows[i] = bitstream.next_double(st) < aware
    return talent, knows, topic, standard, activity, base_visit, attention


def assign(
    companies: Companies, strategies: np.ndarray, state: Population, ring_size: int
) -> np.ndarray:
    """``sim.model.companies.Companies.assign`` (same arguments, same results) in one
    loop: the present spammers of each ring counted in the same pass."""
    company, new = _LOOPS["assign"](
        strategies, state.strategy, state.present, state.company, len(companies), ring_size,
        PROMOTER, SPAMMER,
    )  # fmt: skip
    if new:
        companies.new(new)
    return company


def _assign_loop(  # type: ignore[no-untyped-def]
    strategies, strategy, present, member_company, first, ring_size, promoter, spammer
):
    """``Companies.assign``: each promoter a new company of its own, in order; spammers
    fill the open rings (some but not all places taken) in order of company, then new
    rings of ``ring_size``. The companies' ids start at ``first``; returns the
    affiliations and how many companies are new."""
    k = len(strategies)
    company = np.full(k, -1, np.int64)
    new = 0
    spammers = 0
    for i in range(k):
        if strategies[i] == promoter:
            company[i] = first + new
            new += 1
        spammers += strategies[i] == spammer
    if spammers == 0:
        return company, new
    counts = np.zeros(first + new, np.int64)  # present spammers by company
    for m in range(len(strategy)):
        if strategy[m] == spammer and present[m]:
            counts[member_company[m]] += 1
    ring = 0  # the open ring being filled: the first with a place left
    beyond = 0  # spammers placed in new rings
    for i in range(k):
        if strategies[i] != spammer:
            continue
        while ring < len(counts) and not 0 < counts[ring] < ring_size:
            ring += 1
        if ring < len(counts):
            company[i] = ring
            counts[ring] += 1
        else:
            company[i] = first + new + beyond // ring_size
            beyond += 1
    return company, new + (beyond + ring_size - 1) // ring_size
