"""Group-health measures: what a run reports every day, and its one-row summary.

``DAILY`` and ``SUMMARY`` name and describe every measure once; ``measure_day`` and
``summarize`` compute them, as pure functions of the day's events and the state (they
change nothing). The model, the CLI, sweeps and the docs read them from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from sim.model.constants import LAST_DAYS
from sim.model.events import DayEvents
from sim.model.feed import Feed, Kind
from sim.model.population import Population
from sim.model.strategies import CONTRIBUTES, HONEST, N_STRATEGIES, SPAMMER, TABLE, of_kind

__all__ = [
    "DAILY",
    "NEVER",
    "SUMMARY",
    "measure_day",
    "participation",
    "recent_mean",
    "summarize",
    "tally",
    "tally_loop",
    "voice_concentration",
]

_PER_STRATEGY = {
    "sharers": "Members sharing material.",
    "carers": "Members who mostly react and answer.",
    "promoters": "Ethical promoters.",
    "spammers": "Members using the group as a billboard.",
    "lurkers": "Members who only read.",
}

# the strategies' positions in the tally's counts, as Python integers: the day's sums of
# a few counts cost less in Python than NumPy's gathers and reductions
_PLURALS = tuple(b.plural for b in TABLE)
_HONEST_AT = np.flatnonzero(HONEST).tolist()
_CONTRIBUTES_AT = np.flatnonzero(CONTRIBUTES).tolist()

DAILY: dict[str, str] = {
    "day": "Day of the run (day 0 is the state after the warm-up).",
    "members": "Members in the group, spammers included.",
    "honest_members": "Members who are not spammers (the people who make the group).",
    "contributors": "Sharers, carers and ethical promoters.",
    **{b.plural: _PER_STRATEGY.get(b.plural, f"Members who are {b.plural}.") for b in TABLE},
    "spammer_share": "Spammers as a share of members.",
    "visits": "Members who visited today, spammers included.",
    "posts": "Posts published today, spam included.",
    "promotions": "Promotions published today (ethical and spam).",
    "reads": "Posts read today, all readers together.",
    "quality": "Mean quality of the posts read today (content quality as read).",
    "spam_share": "Share of today's reads that were spammers' promotion (noise).",
    "promo_share": "Share of today's reads that were promotion of any kind.",
    "engagement": "Likes and comments given today per non-spamming member.",
    "visits_per_member": "Visits of non-spamming members today, per non-spamming member.",
    "likes_per_member": "Likes given today per non-spamming member.",
    "comments_per_member": "Comments written today per non-spamming member.",
    "satisfaction": "Mean satisfaction of non-spamming members.",
    "hhi": "Herfindahl index of voices in what was read (companies count as one voice).",
    "top3_share": "Share of today's reads held by the three most-read companies.",
    "promo_reach": "Reads of spammers' promotion today (what spam gets).",
    "joins": "Members who joined today, spammers included.",
    "departures": "Members who left today, spammers and bans included.",
    "bans": "Members banned today.",
    "refused": "Posts refused at submission today.",
    "removed": "Posts removed by moderators today.",
    "false_removals": "Honest posts removed by mistake today.",
    "reputation": "The group's reputation: moving average of quality read.",
    "legit_promotions": "Ethical promoters' promotions published today.",
    "refused_legit": "Ethical promoters' promotions refused by the rules today.",
    "refused_spam": "Spammers' promotions refused by the rules today.",
    "labelled": "Published promotions labelled as such by the disclosure rule today.",
    "likes": "Likes given today by readers (ring likes not included).",
    "comments": "Comments written today.",
    "flags": "Flags members raised today.",
    "hidden": "Posts hidden by members' flags today.",
    "reviewed": "Posts the moderators reviewed today.",
    "removed_violations": "Rule-breaking posts (spam, or promotion too early) removed today.",
    "removed_spam": "Spammers' posts removed by moderators today.",
    "honest_banned": "Non-spamming members banned today.",
    "imitations": "Members who switched strategy by imitation today.",
    "honest_visits": "Non-spamming members who visited today.",
    "honest_posts": "Posts published today by non-spamming members.",
    "spam_joins": "Spammers who joined today.",
    "honest_departures": "Non-spamming members who left today (bans included).",
}

SUMMARY: dict[str, str] = {
    "seed": "Seed of the run (re-run it with `sim run --seed`).",
    "days": "Days simulated.",
    "initial_members": "Members on day 0.",
    "final_members": "Members on the last day.",
    "members_ratio": "Final over initial members, spammers included.",
    "initial_honest": "Non-spamming members on day 0.",
    "final_honest": "Non-spamming members on the last day.",
    "honest_ratio": "Final over initial non-spamming members.",
    "initial_quality": "Quality read in the last week of the warm-up.",
    "final_quality": "Mean quality read over the last 30 days.",
    "quality_ratio": "Final over initial quality.",
    "final_spammer_share": "Spammers as a share of members on the last day.",
    "final_spam_share": "Mean share of spam in what was read over the last 30 days.",
    "engagement_last30": "Mean engagement (likes and comments per member) over the last 30 days.",
    "satisfaction_last30": "Mean satisfaction over the last 30 days.",
    "collapsed": "Whether non-spamming members fell below the collapse threshold.",
    "collapse_day": "First day they did (-1 if never).",
    "promo_reach_total": "Cumulative reads of spammers' promotion.",
    "joins_total": "Members who joined.",
    "departures_total": "Members who left (bans included).",
    "never_posted": "Share of non-spamming members present during the run who never posted.",
    "top1_post_share": "Share of non-spammers' posts written by their most active 1%.",
    "legit_promotions": "Ethical promoters' promotions published.",
    "refused_legit": "Ethical promoters' promotions refused by the rules.",
    "refused_spam": "Spammers' promotions refused by the rules.",
    "removed_violations": "Rule-breaking posts (spam, or early promotion) removed by moderators.",
    "removed_spam": "Spammers' posts removed by moderators.",
    "false_removals_total": "Honest posts removed by moderators by mistake.",
    "bans_total": "Members banned.",
    "honest_banned": "Non-spamming members banned.",
}
# Outcomes whose value says "it never happened" (collapse_day of a group that did not
# collapse): a statistic over runs leaves those runs out rather than averaging the value.
NEVER: dict[str, int] = {"collapse_day": -1}

# Summary totals: the sum of a daily measure over the run's days (day 0 excluded).
_TOTALS = {
    "promo_reach_total": "promo_reach",
    "joins_total": "joins",
    "departures_total": "departures",
    "legit_promotions": "legit_promotions",
    "refused_legit": "refused_legit",
    "refused_spam": "refused_spam",
    "removed_violations": "removed_violations",
    "removed_spam": "removed_spam",
    "false_removals_total": "false_removals",
    "bans_total": "bans",
    "honest_banned": "honest_banned",
}


def voice_concentration(voice: np.ndarray) -> tuple[float, float]:
    """Herfindahl index and top-3 share of reads by voice.

    ``voice`` has one entry per read: the author's company, or a negative id unique
    to an unaffiliated author. The top-3 share counts companies only.
    """
    if len(voice) == 0:
        return 0.0, 0.0
    ids, counts = np.unique(voice, return_counts=True)
    return _concentration(ids, counts, len(voice))


def _concentration(ids: np.ndarray, counts: np.ndarray, reads: int) -> tuple[float, float]:
    """Herfindahl index and top-3 share from the reads of each voice (``ids`` sorted)."""
    shares = counts / reads
    hhi = float((shares * shares).sum())
    # counts summed before dividing: a sum of shares can pass 1 by rounding
    companies = np.sort(counts[ids.searchsorted(0) :])  # ids are sorted: companies last
    return hhi, float(companies[-3:].sum() / reads)


def tally(
    present: np.ndarray,
    strategy: np.ndarray,
    satisfaction: np.ndarray,
    honest: np.ndarray,
    post_reads: np.ndarray,
    kind: np.ndarray,
    by_spammer: np.ndarray,
    company: np.ndarray,
    author: np.ndarray,
    kept: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, int, int, np.ndarray, np.ndarray, np.ndarray]:
    """The day's counts: members present by strategy, and the satisfaction of those
    present of the ``honest`` strategies (in order of slot, for its mean); reads of
    promotions and of spam; and the voices read (sorted ids, as
    ``voice_concentration`` has them) with their reads, counted post by post from each
    post's reads today (``post_reads``). ``kept`` is the loop form's room (see
    ``tally_loop``), not needed here."""
    # one comparison per strategy (a gather and a bincount of a million strategies
    # cost several times more)
    counts = np.array([np.count_nonzero(present & (strategy == k)) for k in range(len(TABLE))])
    chosen = satisfaction[present & of_kind(honest, strategy)]
    promo = int(post_reads[kind == Kind.PROMOTION].sum())
    spam = int(post_reads[by_spammer].sum())
    rows = post_reads.nonzero()[0]
    if len(rows) == 0:
        return counts, promo, spam, rows, rows, chosen
    company, author = company[rows], author[rows]
    # voice ids as bins in the order of the ids (authors' negative ids first, the
    # highest slot first), so that a bincount lists them as np.unique would, sorted
    top = int(author.max()) + 1
    key = np.where(company >= 0, company + top, top - 1 - author)
    totals = np.bincount(key, weights=post_reads[rows])
    bins = totals.nonzero()[0]
    return counts, promo, spam, bins - top, totals[bins].astype(np.int64), chosen  # exact sums


_PROMOTION = int(Kind.PROMOTION)


def tally_loop(  # type: ignore[no-untyped-def]
    present, strategy, satisfaction, honest, post_reads, kind, by_spammer, company, author, kept
):
    """``tally`` in one pass over the members, then two over the posts, for Numba.

    ``kept`` is room kept by the caller: a member-sized array for the satisfaction
    chosen, and counters (all zero, a row for each slot and each company) for the reads
    of each voice. The loop sets back to zero what it counted: a day allocates no
    member-sized array and writes none full of zeros.
    """
    chosen, totals = kept
    counts = np.zeros(N_STRATEGIES, np.int64)
    k = 0
    for j in range(len(present)):  # without a branch: present or not, counted as 0 or 1
        here = np.int64(present[j])
        counts[strategy[j]] += here
        chosen[k] = satisfaction[j]
        k += here & np.int64(honest[strategy[j]])
    # Voices as bins in the order of their ids, as ``tally`` has them, but with the
    # slots' bins below ``top`` whatever slots wrote today's posts read.
    top = len(present)
    promo = 0
    spam = 0
    end = 0  # past the highest bin counted
    for p in range(len(post_reads)):
        reads = post_reads[p]
        if reads != 0:
            promo += reads if kind[p] == _PROMOTION else 0
            spam += reads if by_spammer[p] else 0
            end = max(end, company[p] + top + 1 if company[p] >= 0 else top - author[p])
    if end > len(totals):  # more voices than room: counted apart
        totals = np.zeros((end, 1), np.int64)
    for p in range(len(post_reads)):
        if post_reads[p] != 0:
            key = company[p] + top if company[p] >= 0 else top - 1 - author[p]
            totals[key, 0] += post_reads[p]
    ids = np.empty(len(post_reads), np.int64)
    voice_reads = np.empty(len(post_reads), np.int64)
    read = 0
    for key in range(end):
        if totals[key, 0] != 0:
            ids[read] = key - top
            voice_reads[read] = totals[key, 0]
            totals[key, 0] = 0
            read += 1
    return counts, promo, spam, ids[:read], voice_reads[:read], chosen[:k]


def measure_day(
    day: int,
    events: DayEvents,
    state: Population,
    feed: Feed,
    reputation: float,
    count: Callable[..., tuple[Any, ...]] | None = None,
) -> dict[str, float]:
    """The daily measures (``DAILY``) of a day, from its events and the state at its end
    (``count``: ``tally`` or its compiled form, the same counts)."""
    s = state
    post = events.post
    reads = len(post)
    post_reads = events.post_reads
    if post_reads is None:
        post_reads = np.bincount(post, minlength=len(feed))  # reads of each post today
    voices = s.counters("voices", 2 * s.n, 1)  # a row for each slot and each company
    kept = s.room("satisfaction"), voices  # the loop form's room
    members = s.present, s.strategy, s.satisfaction, HONEST
    posts = post_reads, feed.kind, feed.by_spammer, feed.company, feed.author
    counts, promo, spam, ids, voice_reads, chosen = (count or tally)(*members, *posts, kept)
    promo, spam = int(promo), int(spam)
    by_strategy = counts.tolist()
    members = sum(by_strategy)
    honest = sum([by_strategy[k] for k in _HONEST_AT])
    quality = events.quality_read
    if quality is None:
        quality = float(feed.quality[post].sum() / reads) if reads else float("nan")
    # the voices' reads add up to the day's reads: each read is of one post in the feed
    hhi, top3 = _concentration(ids, voice_reads, reads) if len(ids) else (0.0, 0.0)
    per = 1.0 / max(honest, 1)
    e = events
    return {
        "day": day,
        "members": members,
        "honest_members": honest,
        "contributors": sum([by_strategy[k] for k in _CONTRIBUTES_AT]),
        **dict(zip(_PLURALS, by_strategy, strict=True)),
        "spammer_share": counts[SPAMMER] / members if members else 0.0,
        "visits": e.visits,
        "posts": e.posts,
        "promotions": e.promotions,
        "reads": reads,
        "quality": quality,
        "spam_share": spam / reads if reads else 0.0,
        "promo_share": promo / reads if reads else 0.0,
        "engagement": (e.likes + e.comments) * per,
        "visits_per_member": e.honest_visits * per,
        "likes_per_member": e.likes * per,
        "comments_per_member": e.comments * per,
        "satisfaction": _mean(chosen),
        "hhi": hhi,
        "top3_share": top3,
        "promo_reach": spam,
        "joins": e.joins,
        "departures": e.departures,
        "bans": e.bans,
        "refused": e.refused,
        "removed": e.removed,
        "false_removals": e.false_removals,
        "reputation": reputation,
        "legit_promotions": e.legit_promotions,
        "refused_legit": e.refused_legit,
        "refused_spam": e.refused_spam,
        "labelled": e.labelled,
        "likes": e.likes,
        "comments": e.comments,
        "flags": e.flags,
        "hidden": e.hidden,
        "reviewed": e.reviewed,
        "removed_violations": e.removed_violations,
        "removed_spam": e.removed_spam,
        "honest_banned": e.honest_banned,
        "imitations": e.imitations,
        "honest_visits": e.honest_visits,
        "honest_posts": e.honest_posts,
        "spam_joins": e.spam_joins,
        "honest_departures": e.honest_departures,
    }


def participation(state: Population) -> tuple[float, float]:
    """Share of non-spammers who never posted, and the top 1%'s share of posts.

    Counts every member present at some time since day 0 who never spammed (no
    slot is reused and nobody joins or leaves during the warm-up).
    """
    s = state
    posts = np.sort(s.posts[~s.ever_spammer])[::-1]
    if len(posts) == 0:
        return 0.0, 0.0
    never = float(np.mean(posts == 0))
    top = max(1, int(round(0.01 * len(posts))))
    total = posts.sum()
    return never, float(posts[:top].sum() / total) if total else 0.0


def summarize(
    ts: Mapping[str, Sequence[Any]],
    state: Population,
    params: dict[str, Any],
    seed: int | None,
    initial_quality: float,
) -> dict[str, Any]:
    """The per-run summary (``SUMMARY``) from the daily measures and the final state.

    ``ts`` holds one sequence per daily measure, day 0 first: a collector's
    ``model_vars`` (no DataFrame built per run) or a time series frame.
    """

    def column(name: str) -> np.ndarray:
        return np.asarray(ts[name])

    day, members, honest = column("day"), column("members"), column("honest_members")
    honest0 = max(int(honest[0]), 1)
    below = np.flatnonzero(honest < params["collapse_threshold"] * honest0)
    never, top1 = participation(state)
    q0 = initial_quality
    qf = recent_mean(column("quality"), LAST_DAYS)
    out = {
        "seed": seed,
        "days": int(day[-1]),
        "initial_members": int(members[0]),
        "final_members": int(members[-1]),
        "members_ratio": float(members[-1] / max(members[0], 1)),
        "initial_honest": int(honest[0]),
        "final_honest": int(honest[-1]),
        "honest_ratio": float(honest[-1] / honest0),
        "initial_quality": q0,
        "final_quality": qf,
        "quality_ratio": qf / q0 if q0 > 0 else 0.0,
        "final_spammer_share": float(column("spammer_share")[-1]),
        "final_spam_share": recent_mean(column("spam_share"), LAST_DAYS),
        "engagement_last30": recent_mean(column("engagement"), LAST_DAYS),
        "satisfaction_last30": recent_mean(column("satisfaction"), LAST_DAYS),
        "collapsed": bool(len(below) > 0),
        "collapse_day": int(day[below[0]]) if len(below) else NEVER["collapse_day"],
        "never_posted": never,
        "top1_post_share": top1,
        # day 0's flows are the warm-up's: the days simulated only
        **{total: int(column(daily)[1:].sum()) for total, daily in _TOTALS.items()},
    }
    return {k: out[k] for k in SUMMARY}


def _mean(values: np.ndarray) -> float:
    """Mean of ``values`` as a float, 0 for none (cheaper than ``ndarray.mean``)."""
    return float(values.sum() / len(values)) if len(values) else 0.0


def recent_mean(values: Sequence[float] | np.ndarray, days: int) -> float:
    """Mean of the finite values among the last ``days`` of ``values`` (a day's
    measure over the run), 0 for none: the summary's "last 30 days" outcomes."""
    tail = np.asarray(values[-days:], dtype=float)
    return _mean(tail[np.isfinite(tail)])
