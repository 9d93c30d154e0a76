"""One judge per criterion: the statistics it reads, the checks ``criteria.py`` sets on
them, and the statistics shown beside them for context.

Each judge reads the runs' statistics (``runner.Runs``) of the groups of the plan
(``groups.Plan``) and returns the criterion's checks. The bands and directions are
those of ``criteria.py``; each check quotes the words it implements, and the tests
check that the quote is the criterion's and that the band's numbers are the quote's.
Published figures are drawn beside the model's where the source gives a number.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.validation.checks import (
    Check,
    above,
    at_least,
    below,
    inside,
    mean_above,
    reported,
)
from sim.validation.groups import VOLUME, Group, Plan
from sim.validation.runner import Runs
from sim.validation.stats import estimate, paired, ratio, welch

__all__ = ["JUDGES", "USES"]

Judge = Callable[[Runs, Plan], list[Check]]


def _at(g: Group) -> str:
    return f"{g.members:,} members"


def participation(runs: Runs, p: Plan) -> list[Check]:
    large, small = p.large, p.small
    return [
        inside(
            f"share of honest members who posted, {_at(large)}",
            estimate(runs.values(large, "posted_share")),
            0.10,
            0.40,
            "share who posted inside [0.10, 0.40]",
            published=0.25,
            published_text="fewer than 25% posted",
        ),
        inside(
            f"share of honest posts by the top 1%, {_at(large)}",
            estimate(runs.values(large, "top1_share")),
            0.45,
            0.85,
            "top-1% share inside [0.45, 0.85]",
            published=0.747,
            published_text="74.7%",
        ),
        reported(
            f"share who posted, {_at(small)}",
            estimate(runs.values(small, "posted_share")),
        ),
        reported(
            f"top-1% share, {_at(small)} (the top 1% is {round(small.members / 100)} people)",
            estimate(runs.values(small, "top1_share")),
        ),
    ]


def _by_size(
    runs: Runs, p: Plan, stat: str, what: str, judge: Callable[..., Check], bound: float, quote: str
) -> list[Check]:
    """A statistic at the large size minus the small (Welch), judged, and both levels."""
    large, small = runs.values(p.large, stat), runs.values(p.small, stat)
    diff = welch(large, small)
    return [
        judge(f"{what}: {p.large.members:,} minus {p.small.members:,}", diff, bound, quote),
        reported(f"{what}, {_at(p.small)}", estimate(small)),
        reported(f"{what}, {_at(p.large)}", estimate(large)),
    ]


def inequality_size(runs: Runs, p: Plan) -> list[Check]:
    quote = "Gini(10,000) - Gini(1,000) > 0"
    return _by_size(runs, p, "gini", "Gini of posts per honest member", above, 0.0, quote)


def first_reply(runs: Runs, p: Plan) -> list[Check]:
    g = p.small
    got = runs.values(g, "newcomers_with_reply")
    total = got + runs.values(g, "newcomers_without_reply")
    answered = np.divide(got, total, out=np.full(len(got), np.nan), where=total > 0)
    return [
        inside(
            "share who posted again: with a reply minus without",
            estimate(runs.values(g, "reply_effect")),
            0.05,
            0.25,
            "difference inside [+0.05, +0.25]",
            published=0.12,
            published_text="+12 points",
        ),
        inside(
            "share who posted again, without a reply",
            estimate(runs.values(g, "again_without_reply")),
            0.20,
            0.60,
            "share without a reply inside [0.20, 0.60]",
            published=0.44,
            published_text="44%",
        ),
        reported(
            "share who posted again, with a reply",
            estimate(runs.values(g, "again_with_reply")),
            published=0.56,
            published_text="56%",
        ),
        reported(
            "share of newcomers' first posts answered",
            estimate(answered),
            published=0.61,
            published_text="61%",
        ),
    ]


def answered(runs: Runs, p: Plan) -> list[Check]:
    return [
        inside(
            f"share of honest posts answered within 7 days, {_at(p.small)}",
            estimate(runs.values(p.small, "answered")),
            0.50,
            0.90,
            "inside [0.50, 0.90]",
            published=0.60,
            published_text="60%",
        )
    ]


def answered_size(runs: Runs, p: Plan) -> list[Check]:
    quote = "share(10,000) - share(1,000) < +0.02"
    return _by_size(runs, p, "answered", "share of honest posts answered", below, 0.02, quote)


def announced_rules(runs: Runs, p: Plan) -> list[Check]:
    shown, hidden = p.rules_shown, p.rules_hidden
    c_shown, c_hidden = runs.values(shown, "compliance"), runs.values(hidden, "compliance")
    effect = paired(c_shown, c_hidden)
    posts_shown = runs.values(shown, "newcomer_posts")
    posts_hidden = runs.values(hidden, "newcomer_posts")
    return [
        inside(
            "compliance effect (announced minus not)",
            effect,
            0.0,
            0.15,
            "compliance effect inside [0, +0.15]",
            published=0.08,
            published_text="+8 points",
        ),
        mean_above(
            "compliance effect, mean",
            effect,
            0.0,
            "with its mean above 0",
            published=0.08,
            published_text="+8 points",
        ),
        above(
            "participation effect (ratio of means minus 1)",
            ratio(posts_shown, posts_hidden),
            0.0,
            "participation effect (ratio of means minus 1) above 0",
            published=0.70,
            published_text="+70%",
        ),
        reported(
            "compliance, rules not announced",
            estimate(c_hidden),
            published=0.52,
            published_text="52%",
        ),
        reported(
            "compliance, rules announced", estimate(c_shown), published=0.60, published_text="60%"
        ),
        reported("posts per newcomer in 30 days, not announced", estimate(posts_hidden)),
        reported("posts per newcomer in 30 days, announced", estimate(posts_shown)),
    ]


def content_scaling(runs: Runs, p: Plan) -> list[Check]:
    sizes = (p.small, p.middle, p.large)
    seeds = min(g.seeds for g in sizes)
    x = np.log([runs.values(g, "members_day0")[:seeds] for g in sizes])
    y = np.log([runs.values(g, "honest_posts")[:seeds] for g in sizes])
    slopes = np.array([_slope(x[:, i], y[:, i]) for i in range(seeds)])
    per_member = [
        reported(
            f"honest posts per member in the year, {_at(g)}",
            estimate(runs.values(g, "honest_posts") / runs.values(g, "members_day0")),
        )
        for g in sizes
    ]
    check = inside(
        "slope of log(honest posts) on log(members)",
        estimate(slopes),
        1.00,
        1.35,
        "inside [1.00, 1.35]",
        published=1.12,
        published_text="N^1.12",
    )
    return [check, *per_member]


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(x) & np.isfinite(y)
    if len(np.unique(x[ok])) < 2:
        return float("nan")
    return float(np.polyfit(x[ok], y[ok], 1)[0])


def turnover(runs: Runs, p: Plan) -> list[Check]:
    joins_quote = "not below those at 1,000 by more than 0.02"
    return [
        *_by_size(runs, p, "joins_per_member", "joins per starting member", at_least, -0.02,
                  joins_quote),
        *_by_size(runs, p, "departures_per_member", "departures per starting member", at_least,
                  -0.02, joins_quote),
        *_by_size(runs, p, "churn", "month-to-month churn of posting members", below, 0.02,
                  "churn(10,000) - churn(1,000) < +0.02"),
        *_context(runs, p.small, p.large, _at(p.small), _at(p.large), satisfaction=False),
    ]  # fmt: skip


def heavy_tail(runs: Runs, p: Plan) -> list[Check]:
    g = p.small
    return [
        inside(
            "share of posting newcomers with one post",
            estimate(runs.values(g, "one_post_share")),
            0.35,
            0.70,
            "one-post share inside [0.35, 0.70]",
            published=0.551,
            published_text="55.1%",
        ),
        at_least(
            "mean over median of posts",
            estimate(runs.values(g, "mean_over_median")),
            2.0,
            "mean/median at least 2",
            published=3.7,
            published_text="3.7 (mean 3.7, median 1)",
        ),
        reported(
            "median posts of posting newcomers",
            estimate(runs.values(g, "median_posts")),
            published=1.0,
            published_text="1",
        ),
    ]


def overload(runs: Runs, p: Plan) -> list[Check]:
    more, base, x = p.volume, p.small, f"x{VOLUME} volume"
    v_more, v_base = runs.values(more, "visits_last30"), runs.values(base, "visits_last30")
    d_more = runs.values(more, "honest_departures_per_member")
    d_base = runs.values(base, "honest_departures_per_member")
    return [
        below(
            f"visits per member per day, last 30 days: {x} minus default",
            paired(v_more, v_base),
            0.0,
            "visits lower",
        ),
        above(
            f"honest departures per starting member: {x} minus default",
            paired(d_more, d_base),
            0.0,
            "departures higher",
        ),
        reported("visits per member per day, default", estimate(v_base)),
        reported(f"visits per member per day, {x}", estimate(v_more)),
        reported("honest departures per starting member, default", estimate(d_base)),
        reported(f"honest departures per starting member, {x}", estimate(d_more)),
        *_context(runs, base, more, "default", x),
    ]


def _context(
    runs: Runs, a: Group, b: Group, name_a: str, name_b: str, satisfaction: bool = True
) -> list[Check]:
    """What lies behind departures: satisfaction, and who left dissatisfied or by churn."""
    rows = (
        ("satisfaction_last30", "mean satisfaction, last 30 days"),
        ("left_dissatisfied", "honest members who left dissatisfied, per starting member"),
        ("left_churn", "honest members who left by churn, per starting member"),
    )[0 if satisfaction else 1 :]
    return [
        reported(f"{what}, {name}", estimate(runs.values(g, stat)))
        for stat, what in rows
        for g, name in ((a, name_a), (b, name_b))
    ]


def burstiness(runs: Runs, p: Plan) -> list[Check]:
    g = p.small
    return [
        above(
            "median burstiness B of members with 10+ posts",
            estimate(runs.values(g, "median_burstiness")),
            0.0,
            "median B above 0",
        ),
        reported(
            "members with 10+ posts measured, per run", estimate(runs.values(g, "bursty_members"))
        ),
    ]


JUDGES: dict[str, Judge] = {
    "participation": participation,
    "inequality_size": inequality_size,
    "first_reply": first_reply,
    "answered": answered,
    "answered_size": answered_size,
    "announced_rules": announced_rules,
    "content_scaling": content_scaling,
    "turnover": turnover,
    "heavy_tail": heavy_tail,
    "overload": overload,
    "burstiness": burstiness,
}

# The roles of the plan (``Plan`` attributes) whose runs each criterion reads.
USES: dict[str, tuple[str, ...]] = {
    "participation": ("large", "small"),
    "inequality_size": ("small", "large"),
    "first_reply": ("small",),
    "answered": ("small",),
    "answered_size": ("small", "large"),
    "announced_rules": ("rules_hidden", "rules_shown"),
    "content_scaling": ("small", "middle", "large"),
    "turnover": ("small", "large"),
    "heavy_tail": ("small",),
    "overload": ("small", "volume"),
    "burstiness": ("small",),
}
