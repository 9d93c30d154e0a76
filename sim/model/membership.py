"""Who is in the group: founding members, newcomers, lurking, returning, leaving, and
imitation (norm erosion).

Each function decides for all members at once from the state arrays and the
parameters; the model applies what they decide.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from sim.model.constants import (
    ATTENTION_SIGMA,
    SATISFACTION_IMITATION_DIVISOR,
    START_MARGIN,
    TOPIC_SPREAD,
    VISIT_SHAPE,
)
from sim.model.population import Population
from sim.model.strategies import (
    CONTRIBUTES,
    HONEST,
    LURKER,
    N_STRATEGIES,
    SPAMMER,
    TABLE,
    of_kind,
)

__all__ = [
    "CAUSES",
    "CHANGES",
    "DRAWN",
    "draw_honest",
    "founders",
    "imitate",
    "leaves",
    "leaves_loop",
    "member_traits",
    "newcomer_counts",
    "newcomer_traits",
    "shares",
    "skill_weights",
    "trait_draws",
    "who_leaves",
]

# Why members leave (the member log's ``cause``).
CAUSES = ("dissatisfied", "churn", "banned", "spam_quit")
DISSATISFIED, CHURN, BANNED, SPAM_QUIT = range(len(CAUSES))
# What members compare when they imitate: imitation becomes certain at a payoff gap
# of imitation_scale divided by this.
PAYOFF_DIVISORS = {"reach": 1.0, "satisfaction": SATISFACTION_IMITATION_DIVISOR}


def shares(params: dict[str, Any]) -> np.ndarray:
    """Share of each strategy among the starting members; the rest goes to the
    strategy without a share parameter (lurkers)."""
    given = [params[b.share] if b.share else 0.0 for b in TABLE]
    rest = [b.share is None for b in TABLE]
    return np.where(rest, 1.0 - sum(given), given)


_SHARE_NAMES = tuple(b.share for b in TABLE if b.share)  # the parameters ``shares`` reads


def founders(rng: np.random.Generator, params: dict[str, Any]) -> np.ndarray:
    """Strategies of the starting members: exact counts from the shares, in random order."""
    n = params["n_members"]
    counts = [round(params[b.share] * n) if b.share else 0 for b in TABLE]
    rest = max(n - sum(counts), 0)
    counts = [k if b.share else rest for b, k in zip(TABLE, counts, strict=True)]
    strategies = np.repeat(np.arange(N_STRATEGIES, dtype=np.int8), counts)[:n]
    return rng.permutation(strategies)


def draw_honest(rng: np.random.Generator, params: dict[str, Any], k: int) -> np.ndarray:
    """Strategies of ``k`` honest newcomers, in the proportions of the starting mix.

    The same draws as ``rng.choice(N_STRATEGIES, size=k, p=mix)`` (one uniform per
    newcomer, inverted through the cumulative mix), without that call's checks of
    ``p``, which cost more than the draw on most days.
    """
    if k == 0:
        return np.zeros(0, dtype=np.int8)
    cdf = _honest_mix(tuple(params[name] for name in _SHARE_NAMES))
    return np.searchsorted(cdf, rng.random(k), side="right").astype(np.int8)


@functools.lru_cache(maxsize=64)
def _honest_mix(given: tuple[float, ...]) -> np.ndarray:
    """The cumulative mix of the honest strategies among the starting members, from the
    share parameters (``shares``): the same for every day of a run, so kept."""
    mix = np.clip(shares(dict(zip(_SHARE_NAMES, given, strict=True))), 0.0, None) * HONEST
    if mix.sum() <= 0:
        mix = np.eye(N_STRATEGIES)[LURKER]
    cdf = (mix / mix.sum()).cumsum()
    cdf /= cdf[-1]
    cdf.flags.writeable = False  # shared by every call with these shares
    return cdf


def newcomer_traits(
    rng: np.random.Generator, params: dict[str, Any], strategies: np.ndarray, founding: bool
) -> dict[str, np.ndarray]:
    """Traits of new members, drawn in a fixed order. Founders know the group's norms;
    newcomers may not (``awareness``)."""
    p, k = params, len(strategies)
    standard_, topic_, activity_, visit_, attention_ = trait_draws(p)
    standard = rng.normal(*standard_, k)
    topic = rng.normal(*topic_, k)
    activity = rng.lognormal(*activity_, k)
    base_visit = rng.beta(*visit_, k)
    attention = rng.lognormal(*attention_, k)
    skill = _skill(rng, p, standard)
    aware = np.ones(k, bool) if founding else rng.random(k) < awareness(p)
    attention = np.clip(np.rint(attention), 1, p["attention_cap"])
    drawn = (skill, aware, topic, standard, activity, base_visit, attention)
    return member_traits(p, strategies, dict(zip(DRAWN, drawn, strict=True)))


# The traits drawn for each new member, as ``member_traits`` takes them.
DRAWN = ("skill", "aware", "topic", "standard", "activity", "base_visit", "attention")


def trait_draws(params: dict[str, Any]) -> tuple[tuple[float, float], ...]:
    """The parameters of a newcomer's first five draws, in their order: the standard
    and the topic (normal: mean, sd), the activity (log-normal: mean, sigma of its
    log), the base visit chance (Beta: a, b) and the attention (log-normal)."""
    p, mean_visit = params, params["visit_rate"]
    return (
        (float(p["standard_mean"]), float(p["standard_sd"])),
        (0.0, TOPIC_SPREAD),
        (0.0, float(p["activity_sigma"])),
        (VISIT_SHAPE, VISIT_SHAPE * (1 - mean_visit) / mean_visit),
        (float(np.log(p["attention"])), ATTENTION_SIGMA),
    )


def skill_weights(params: dict[str, Any]) -> tuple[float, float]:
    """The weights of a member's standard (its z-score) and of its own normal draw in
    its skill: correlated ``skill_standard_corr`` with the standard, of variance 1."""
    rho = params["skill_standard_corr"]
    return float(rho), float(np.sqrt(1.0 - rho**2))


def member_traits(
    params: dict[str, Any], strategies: np.ndarray, drawn: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The columns of new members: their strategies, their ``drawn`` traits (``DRAWN``)
    and what follows from them."""
    spam = strategies == SPAMMER
    return {
        "strategy": strategies,
        "initial": strategies,
        **drawn,
        "satisfaction": drawn["standard"] + START_MARGIN,
        "reach": np.where(spam, 2.0 * params["spam_quit_reach"], 0.0),
        "ever_spammer": spam,
    }


def _skill(rng: np.random.Generator, params: dict[str, Any], standard: np.ndarray) -> np.ndarray:
    """Contribution skill (standard normal), correlated with the member's standard."""
    sd = params["standard_sd"]
    z = (standard - params["standard_mean"]) / sd if sd > 0 else np.zeros(len(standard))
    rho, weight = skill_weights(params)
    return rho * z + weight * rng.standard_normal(len(standard))


def awareness(params: dict[str, Any]) -> float:
    """Probability that a newcomer knows the group's norms on joining."""
    base = params["newcomer_awareness"]
    if not params["rules_visible"]:
        return base
    return 1.0 - (1.0 - base) * (1.0 - params["announcement_reach"])


def newcomer_counts(
    rng: np.random.Generator, state: Population, params: dict[str, Any], reputation: float
) -> tuple[int, int]:
    """Newcomers today: honest ones follow the group's reputation and size, spammers
    its audience."""
    p, s = params, state
    members = int(np.count_nonzero(s.present))
    audience = int(np.count_nonzero(s.present & (s.strategy != SPAMMER)))
    room = max(0.0, 1.0 - members / (p["market_size"] * p["n_members"]))
    appeal = (reputation / p["reputation_ref"]) ** p["reputation_power"]
    # The group's potential membership bounds it: newcomers beyond it are turned away.
    space = max(int(p["market_size"] * p["n_members"]) - members, 0)
    honest = min(int(rng.poisson(min(p["join_rate"] * audience * room * appeal, space))), space)
    space -= honest
    spam = min(
        int(rng.poisson(min(p["spam_join_rate"] * p["share_spammers"] * audience, space))), space
    )
    return honest, spam


def who_leaves(
    blocks: Iterable[tuple[int, np.ndarray]],
    state: Population,
    params: dict[str, Any],
    decide: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Dissatisfied contributors lurk, satisfied former contributors return (both applied
    here); returns the slots of members who leave today and why (an index into
    ``CAUSES``): dissatisfied lurkers, churn, spammers whose reach stays low.

    Each of the changes in ``CHANGES`` needs its member's uniform draw below the
    change's daily rate. The draws come in ``blocks`` of columns (the first column and
    the block: one row per change, one column per slot, as ``DrawBuffer.columns``
    gives them); each member's changes depend on its own state only, so block by block
    gives the result of all at once. ``decide`` is ``leaves`` or its compiled form (the
    same result).
    """
    p, s = params, state
    rates = np.array([p[name] for name in CHANGES])
    leaving, causes = [], []
    for first, u in blocks:
        part = slice(first, first + u.shape[1])
        slots, why = (decide or leaves)(
            u,
            rates,
            p["spam_quit_reach"],
            s.present[part],
            s.strategy[part],
            s.former[part],
            s.unhappy[part],
            s.reach[part],
            CONTRIBUTES,
        )
        leaving.append(slots + first)
        causes.append(why)
    if len(leaving) == 1:
        return leaving[0], causes[0]
    return np.concatenate(leaving), np.concatenate(causes)


# The daily changes of membership, each drawn at its rate (a parameter), in the order
# of the draws, and the cause of leaving that each of the last three records.
CHANGES = ("lurk_hazard", "return_rate", "leave_hazard", "churn", "spam_quit_rate")
_LURK, _RETURN, _LEAVE, _CHURN, _QUIT = range(len(CHANGES))
_CAUSE = np.array([-1, -1, DISSATISFIED, CHURN, SPAM_QUIT], dtype=np.int8)


def leaves(
    u: np.ndarray,
    rates: np.ndarray,
    quit_reach: float,
    present: np.ndarray,
    strategy: np.ndarray,
    former: np.ndarray,
    unhappy: np.ndarray,
    reach: np.ndarray,
    contributes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``who_leaves`` from its draws ``u`` (one row per change, one column per slot):
    applies lurking and returning to ``strategy`` and ``former``; returns the leavers'
    slots and causes (``unhappy``: whose satisfaction is below their standard)."""
    # Find the few members whose draw is below a rate first, one pass over the draws,
    # then test the rest of each change on them alone.
    change, slot = np.divmod((u < rates[:, None]).ravel().nonzero()[0], len(present))
    here = present[slot]
    change, slot = change[here], slot[here]  # in order of change, then of slot
    was = strategy[slot]
    unhappy = unhappy[slot]
    lurk = slot[(change == _LURK) & contributes[was] & unhappy]
    back = (change == _RETURN) & (was == LURKER) & ~unhappy
    back = slot[back & (former[slot] >= 0)]
    former[lurk] = strategy[lurk]
    strategy[lurk] = LURKER
    strategy[back] = former[back]
    former[back] = -1
    now = strategy[slot]  # after today's lurking and returning
    leave = change == _CHURN
    leave |= (change == _LEAVE) & (now == LURKER) & unhappy
    leave |= (change == _QUIT) & (now == SPAMMER) & (reach[slot] < quit_reach)
    if not leave.any():
        return slot[:0], _CAUSE[:0]
    # each member's first cause in the order of CAUSES: a stable sort by slot of the
    # leavers (in order of cause) keeps it first
    leaving, causes = slot[leave], _CAUSE[change[leave]]
    order = leaving.argsort(kind="stable")
    leaving, causes = leaving[order], causes[order]
    first = np.ones(len(leaving), dtype=bool)
    first[1:] = leaving[1:] != leaving[:-1]
    return leaving[first], causes[first]


def leaves_loop(  # type: ignore[no-untyped-def]
    u, rates, quit_reach, present, strategy, former, unhappy, reach, contributes
):
    """``leaves`` as one pass over the members, for Numba: each member's changes depend
    on its own state only, so slot by slot gives the same result. A member none of
    whose draws is below its rate (most of them) costs its draws and nothing more."""
    n = len(present)
    leaving = np.empty(n, np.int64)
    causes = np.empty(n, np.int8)
    out = 0
    for j in range(n):
        lurk = u[_LURK, j] < rates[_LURK]
        back = u[_RETURN, j] < rates[_RETURN]
        leave = u[_LEAVE, j] < rates[_LEAVE]
        churn = u[_CHURN, j] < rates[_CHURN]
        quit = u[_QUIT, j] < rates[_QUIT]
        if not ((lurk | back | leave | churn | quit) and present[j]):
            continue
        was = strategy[j]
        if lurk and contributes[was] and unhappy[j]:
            former[j] = was
            strategy[j] = LURKER
        elif back and was == LURKER and former[j] >= 0 and not unhappy[j]:
            strategy[j] = former[j]
            former[j] = -1
        now = strategy[j]
        cause = -1
        if leave and now == LURKER and unhappy[j]:
            cause = DISSATISFIED
        elif churn:
            cause = CHURN
        elif quit and now == SPAMMER and reach[j] < quit_reach:
            cause = SPAM_QUIT
        if cause >= 0:
            leaving[out] = j
            causes[out] = cause
            out += 1
    return leaving[:out].copy(), causes[:out].copy()


def imitate(rng: np.random.Generator, state: Population, params: dict[str, Any]) -> int:
    """Norm erosion: members copy a better-paying strategy of their own kind.

    Strategies that promote compare the reach of their promotion; sharers and
    carers compare satisfaction. A revising member meets a random member of its
    kind and switches with a probability proportional to the payoff gap. Returns how
    many switched.
    """
    p, s = params, state
    if p["imitation_rate"] <= 0:
        return 0
    revise = rng.random(s.n) < p["imitation_rate"]  # looked at among members present only
    switched = 0
    for payoff, divisor in PAYOFF_DIVISORS.items():
        kinds = np.array([b.compares == payoff for b in TABLE])
        values = getattr(s, payoff)
        pool = np.flatnonzero(s.present & of_kind(kinds, s.strategy))
        who = pool[revise[pool]]
        if len(who) == 0 or len(pool) < 2:
            continue
        model = pool[rng.integers(len(pool), size=len(who))]
        gain = (values[model] - values[who]) / (p["imitation_scale"] / divisor)
        switch = s.strategy[model] != s.strategy[who]
        switch &= rng.random(len(who)) < np.clip(gain, 0.0, 1.0)
        who, model = who[switch], model[switch]
        s.strategy[who] = s.strategy[model]
        s.ever_spammer[who] |= s.strategy[who] == SPAMMER
        switched += len(who)
    return switched
