"""What each criterion measures in one run, as pure functions of the run's traces.

The traces are the model's daily measures (``model.timeseries()``), its member log
(``model.member_log()``), post log (``model.post_log()``) and reply log
(``model.reply_log()``): one row per day, member, post and comment. Every function
here reads them and returns numbers; none runs or changes a model, so each can be
checked on a small log built by hand (``tests/test_validation.py``).

"Honest" means not a spammer (``ever_spammer`` false in the member log,
``by_spammer`` false in the post log); "newcomers" are members who joined after
day 0. A statistic that a run cannot give (no member in a group it needs) is NaN.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "answered_share",
    "burstiness",
    "compliance",
    "content",
    "first_reply",
    "gini",
    "heavy_tail",
    "departures_by_cause",
    "last_mean",
    "newcomer_posts",
    "participation",
    "posting_churn",
    "posts_gini",
    "skill_of_leavers",
    "turnover",
]

NAN = math.nan


def _honest_members(members: pd.DataFrame) -> pd.DataFrame:
    return members[~members["ever_spammer"].to_numpy(dtype=bool)]


def _newcomers(members: pd.DataFrame) -> pd.DataFrame:
    honest = _honest_members(members)
    return honest[honest["joined"].to_numpy() > 0]


def _honest_posts(posts: pd.DataFrame) -> pd.DataFrame:
    return posts[~posts["by_spammer"].to_numpy(dtype=bool)]


def _year(ts: pd.DataFrame) -> pd.DataFrame:
    """The days simulated (day 0, the state after the warm-up, left out)."""
    return ts[ts["day"] > 0]


def _day0(ts: pd.DataFrame, column: str) -> float:
    return float(ts.loc[ts["day"] == 0, column].iloc[0])


# ------------------------------------------------------------- participation
def participation(members: pd.DataFrame) -> tuple[float, float]:
    """Share of honest members (lurkers included) with at least one post, and the share
    of honest posts written by the top 1% of them ranked by posts (at least one member)."""
    posts = np.sort(_honest_members(members)["posts"].to_numpy())[::-1]
    if len(posts) == 0:
        return NAN, NAN
    total = posts.sum()
    top = max(1, int(round(0.01 * len(posts))))
    return float(np.mean(posts > 0)), float(posts[:top].sum() / total) if total else NAN


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: all equal; near 1: one holds all)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return NAN
    rank = np.arange(1, n + 1)
    return float(2.0 * np.sum(rank * x) / (n * total) - (n + 1) / n)


def posts_gini(members: pd.DataFrame) -> float:
    """Gini coefficient of posts per honest member, lurkers (no post) included."""
    return gini(_honest_members(members)["posts"].to_numpy())


# ---------------------------------------------------------------- newcomers
def _first_posts(members: pd.DataFrame, posts: pd.DataFrame) -> pd.DataFrame:
    """Each honest newcomer's first post (the first it published, by order of publication)."""
    mine = posts[posts["author"].isin(_newcomers(members)["member"])]
    return mine.sort_values("post", kind="stable").drop_duplicates("author")


def _answered(posts: pd.DataFrame, replies: pd.DataFrame, window: int) -> np.ndarray:
    """For each post, whether it got at least one comment within ``window`` days."""
    day = posts.set_index("post")["day"]
    r = replies[replies["post"].isin(day.index)]
    delay = r["day"].to_numpy() - day.loc[r["post"]].to_numpy()
    quick = set(r["post"].to_numpy()[delay <= window].tolist())
    return posts["post"].isin(quick).to_numpy()


def first_reply(
    members: pd.DataFrame,
    posts: pd.DataFrame,
    replies: pd.DataFrame,
    days: tuple[int, int] = (1, 270),
    reply_window: int = 7,
    again_window: int = 90,
) -> dict[str, float]:
    """Whether a reply to a newcomer's first post keeps it posting.

    Honest newcomers whose first post is on ``days`` (inclusive) are split by whether
    that post got a comment within ``reply_window`` days; a newcomer "posted again"
    if it published any other post within ``again_window`` days of the first (a second
    post the same day counts). Returns the two groups' shares who posted again, their
    difference (with a reply minus without), and the groups' sizes.
    """
    first = _first_posts(members, posts)
    first = first[first["day"].between(*days)]
    answered = _answered(first, replies, reply_window)
    later = posts[posts["author"].isin(first["author"])]
    start = first.set_index("author")
    again_rows = later[
        (later["post"].to_numpy() != start.loc[later["author"], "post"].to_numpy())
        & (later["day"].to_numpy() <= start.loc[later["author"], "day"].to_numpy() + again_window)
    ]
    again = first["author"].isin(again_rows["author"]).to_numpy()
    with_reply = float(again[answered].mean()) if answered.any() else NAN
    without = float(again[~answered].mean()) if (~answered).any() else NAN
    return {
        "again_with_reply": with_reply,
        "again_without_reply": without,
        "reply_effect": with_reply - without,
        "newcomers_with_reply": float(answered.sum()),
        "newcomers_without_reply": float((~answered).sum()),
    }


def answered_share(
    posts: pd.DataFrame, replies: pd.DataFrame, days: tuple[int, int] = (1, 358), window: int = 7
) -> float:
    """Share of honest posts published on ``days`` (inclusive) that got at least one
    comment within ``window`` days."""
    honest = _honest_posts(posts)
    honest = honest[honest["day"].between(*days)]
    if len(honest) == 0:
        return NAN
    return float(_answered(honest, replies, window).mean())


def heavy_tail(members: pd.DataFrame) -> dict[str, float]:
    """Among honest newcomers who posted at least once: the share with exactly one post,
    the median and mean posts, and the mean over the median."""
    posts = _newcomers(members)["posts"].to_numpy()
    posts = posts[posts > 0]
    if len(posts) == 0:
        return {"one_post_share": NAN, "median_posts": NAN, "mean_over_median": NAN}
    median = float(np.median(posts))
    return {
        "one_post_share": float(np.mean(posts == 1)),
        "median_posts": median,
        "mean_over_median": float(posts.mean() / median),
    }


def compliance(members: pd.DataFrame, posts: pd.DataFrame) -> float:
    """Share of honest newcomers' first published posts that break no rule."""
    first = _first_posts(members, posts)
    if len(first) == 0:
        return NAN
    return float(1.0 - first["violation"].to_numpy(dtype=bool).mean())


def newcomer_posts(
    members: pd.DataFrame, posts: pd.DataFrame, last_day: int, days: int = 30
) -> float:
    """Posts per honest newcomer in its first ``days`` days after joining (the days after
    the day it joined, when it can first post), over the newcomers whose first ``days``
    days all lie in the run."""
    new = _newcomers(members)
    new = new[new["joined"].to_numpy() + days <= last_day]
    if len(new) == 0:
        return NAN
    joined = new.set_index("member")["joined"]
    mine = posts[posts["author"].isin(joined.index)]
    since = mine["day"].to_numpy() - joined.loc[mine["author"]].to_numpy()
    early = int(np.count_nonzero((since > 0) & (since <= days)))
    return early / len(new)


# ----------------------------------------------------------------- over time
def content(ts: pd.DataFrame) -> dict[str, float]:
    """Members on day 0 and the honest posts published in the days simulated."""
    return {
        "members_day0": _day0(ts, "members"),
        "honest_posts": float(_year(ts)["honest_posts"].sum()),
    }


def turnover(ts: pd.DataFrame) -> dict[str, float]:
    """Joins and departures in the days simulated, per member on day 0 (all members), and
    honest departures per honest member on day 0."""
    year = _year(ts)
    members, honest = _day0(ts, "members"), _day0(ts, "honest_members")
    return {
        "joins_per_member": float(year["joins"].sum()) / members if members else NAN,
        "departures_per_member": float(year["departures"].sum()) / members if members else NAN,
        "honest_departures_per_member": (
            float(year["honest_departures"].sum()) / honest if honest else NAN
        ),
    }


def last_mean(ts: pd.DataFrame, column: str, days: int = 30) -> float:
    """Mean of a daily measure over the last ``days`` days."""
    last = int(ts["day"].max())
    return float(ts.loc[ts["day"] > last - days, column].mean())


def departures_by_cause(members: pd.DataFrame, ts: pd.DataFrame) -> dict[str, float]:
    """Honest members who left dissatisfied, and for reasons outside the group (churn),
    per honest member on day 0."""
    honest = _day0(ts, "honest_members")
    cause = _honest_members(members)["cause"]
    if not honest:
        return {"left_dissatisfied": NAN, "left_churn": NAN}
    return {
        "left_dissatisfied": float((cause == "dissatisfied").sum()) / honest,
        "left_churn": float((cause == "churn").sum()) / honest,
    }


def posting_churn(posts: pd.DataFrame, last_day: int, month: int = 30) -> float:
    """Month-to-month churn of posting members: for each pair of consecutive months
    (days 1-30, 31-60, ...; complete months only), the share of the members who posted
    in the first who do not post in the second; the mean over the pairs."""
    months = last_day // month
    month_of = (posts["day"].to_numpy() - 1) // month
    shares = []
    for m in range(months - 1):
        now = set(posts["author"].to_numpy()[month_of == m].tolist())
        if not now:
            continue
        following = set(posts["author"].to_numpy()[month_of == m + 1].tolist())
        shares.append(len(now - following) / len(now))
    return float(np.mean(shares)) if shares else NAN


def burstiness(posts: pd.DataFrame, min_posts: int = 10) -> dict[str, float]:
    """Median burstiness over honest members with at least ``min_posts`` posts.

    A member's burstiness is B = (sd - mean) / (sd + mean) of the days between its
    successive posting days (a day with several posts counts once; sd is the population
    standard deviation): -1 for perfectly regular posting, 0 for a Poisson process,
    towards 1 for bursts. Members with a single posting day have no gap and are left out.
    """
    honest = _honest_posts(posts)
    counts = honest["author"].value_counts()
    active = counts.index[counts.to_numpy() >= min_posts]
    days = honest[honest["author"].isin(active)][["author", "day"]].drop_duplicates()
    values = []
    for _, d in days.groupby("author")["day"]:
        gaps = np.diff(np.sort(d.to_numpy()))
        if len(gaps) == 0:
            continue
        sd, mean = gaps.std(), gaps.mean()
        values.append((sd - mean) / (sd + mean))
    median = float(np.median(values)) if values else NAN
    return {"median_burstiness": median, "bursty_members": float(len(values))}


def skill_of_leavers(members: pd.DataFrame) -> dict[str, float]:
    """Mean contribution skill of honest members who left dissatisfied and of those
    still present at the end (evaporative cooling, a model property)."""
    honest = _honest_members(members)
    left = honest.loc[honest["cause"] == "dissatisfied", "skill"]
    stayed = honest.loc[honest["present"].to_numpy(dtype=bool), "skill"]
    return {
        "skill_left_dissatisfied": float(left.mean()) if len(left) else NAN,
        "skill_stayed": float(stayed.mean()) if len(stayed) else NAN,
        "left_dissatisfied_count": float(len(left)),
    }
