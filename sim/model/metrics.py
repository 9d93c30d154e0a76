"""Group-health measures: what a run reports every day, and its one-row summary.

``DAILY`` and ``SUMMARY`` name and describe every measure once; the model, the
CLI, sweeps and the docs read them from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from sim.model.model import CommunityModel

__all__ = ["DAILY", "SUMMARY", "voice_concentration", "summarize", "participation"]

DAILY: dict[str, str] = {
    "day": "Day of the run (day 0 is the state after the warm-up).",
    "members": "Members in the group, spammers included.",
    "honest_members": "Members who are not spammers (the people who make the group).",
    "contributors": "Sharers, carers and ethical promoters.",
    "lurkers": "Members who only read.",
    "sharers": "Members sharing material.",
    "carers": "Members who mostly react and answer.",
    "promoters": "Ethical promoters.",
    "spammers": "Members using the group as a billboard.",
    "spammer_share": "Spammers as a share of members.",
    "visits": "Members who visited today.",
    "posts": "Posts published today.",
    "promotions": "Promotions published today (ethical and spam).",
    "reads": "Posts read today, all readers together.",
    "quality": "Mean quality of the posts read today (content quality as read).",
    "spam_share": "Share of today's reads that were spammers' promotion (noise).",
    "promo_share": "Share of today's reads that were promotion of any kind.",
    "engagement": "Likes and comments given today per non-spamming member.",
    "visits_per_member": "Visits today per non-spamming member.",
    "likes_per_member": "Likes given today per non-spamming member.",
    "comments_per_member": "Comments written today per non-spamming member.",
    "satisfaction": "Mean satisfaction of non-spamming members.",
    "hhi": "Herfindahl index of voices in what was read (companies count as one voice).",
    "top3_share": "Share of today's reads held by the three most-read companies.",
    "promo_reach": "Reads of spammers' promotion today (what spam gets).",
    "joins": "Members who joined today.",
    "departures": "Members who left today (bans included).",
    "bans": "Members banned today.",
    "refused": "Posts refused at submission today.",
    "removed": "Posts removed by moderators today.",
    "false_removals": "Honest posts removed by mistake today.",
    "reputation": "The group's reputation: moving average of quality read.",
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
    "removed_spam": "Rule-breaking posts removed by moderators.",
    "false_removals_total": "Honest posts removed by moderators by mistake.",
    "bans_total": "Members banned.",
    "honest_banned": "Non-spamming members banned.",
}


def voice_concentration(voice: np.ndarray) -> tuple[float, float]:
    """Herfindahl index and top-3 share of reads by voice.

    ``voice`` has one entry per read: the author's company, or a negative id unique
    to an unaffiliated author. The top-3 share counts companies only.
    """
    if len(voice) == 0:
        return 0.0, 0.0
    ids, counts = np.unique(voice, return_counts=True)
    shares = counts / len(voice)
    hhi = float(np.sum(shares**2))
    # counts summed before dividing: a sum of shares can pass 1 by rounding
    top3 = np.sort(counts[ids >= 0])[::-1][:3].sum()
    return hhi, float(top3 / len(voice))


def participation(model: CommunityModel) -> tuple[float, float]:
    """Share of non-spammers who never posted, and the top 1%'s share of posts.

    Counts every member present at some time since day 0 who never spammed (no
    slot is reused and nobody joins or leaves during the warm-up).
    """
    s = model.state
    posts = np.sort(s.posts[~s.ever_spammer])[::-1]
    if len(posts) == 0:
        return 0.0, 0.0
    never = float(np.mean(posts == 0))
    top = max(1, int(round(0.01 * len(posts))))
    total = posts.sum()
    return never, float(posts[:top].sum() / total) if total else 0.0


def _mean_last(series: pd.Series, days: int) -> float:
    tail = series.iloc[-days:].to_numpy(dtype=float)
    tail = tail[np.isfinite(tail)]
    return float(tail.mean()) if len(tail) else 0.0


def summarize(model: CommunityModel) -> dict[str, Any]:
    """The per-run summary (``SUMMARY``) of a model that has run."""
    ts = model.timeseries()
    first, last = ts.iloc[0], ts.iloc[-1]
    c = model.counters
    honest0 = max(int(first["honest_members"]), 1)
    threshold = model.params["collapse_threshold"] * honest0
    below = np.flatnonzero(ts["honest_members"].to_numpy() < threshold)
    never, top1 = participation(model)
    q0 = model.initial_quality
    qf = _mean_last(ts["quality"], 30)
    return {
        "seed": model.seed,
        "days": int(last["day"]),
        "initial_members": int(first["members"]),
        "final_members": int(last["members"]),
        "members_ratio": float(last["members"] / max(first["members"], 1)),
        "initial_honest": int(first["honest_members"]),
        "final_honest": int(last["honest_members"]),
        "honest_ratio": float(last["honest_members"] / honest0),
        "initial_quality": q0,
        "final_quality": qf,
        "quality_ratio": qf / q0 if q0 > 0 else 0.0,
        "final_spammer_share": float(last["spammer_share"]),
        "final_spam_share": _mean_last(ts["spam_share"], 30),
        "engagement_last30": _mean_last(ts["engagement"], 30),
        "satisfaction_last30": _mean_last(ts["satisfaction"], 30),
        "collapsed": bool(len(below) > 0),
        "collapse_day": int(ts["day"].iloc[below[0]]) if len(below) else -1,
        "promo_reach_total": int(ts["promo_reach"].sum()),
        "joins_total": int(ts["joins"].sum()),
        "departures_total": int(ts["departures"].sum()),
        "never_posted": never,
        "top1_post_share": top1,
        "legit_promotions": int(c["legit_promotions"]),
        "refused_legit": int(c["refused_legit"]),
        "refused_spam": int(c["refused_spam"]),
        "removed_spam": int(c["removed_violation"]),
        "false_removals_total": int(c["false_removals"]),
        "bans_total": int(c["bans"]),
        "honest_banned": int(c["honest_banned"]),
    }
