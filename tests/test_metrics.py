"""Each measure on a small constructed case where its value is known by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.model.events import DayEvents
from sim.model.feed import Feed, Kind
from sim.model.metrics import DAILY, SUMMARY, measure_day, summarize
from sim.model.params import resolve
from sim.model.population import Population
from sim.model.strategies import CARER, LURKER, PROMOTER, SHARER, SPAMMER, TABLE


def day_case() -> dict[str, float]:
    """Five members present (one of each strategy) and one who left; four posts; five reads.

    Reads (reader -> post): sharer 0 -> ethical promotion 1, carer 1 -> spam 2,
    lurker 4 -> spam 2, lurker 4 -> question 3, carer 1 -> share 0.
    """
    s = Population()
    s.add(
        present=np.array([True, True, True, True, True, False]),
        strategy=np.array([SHARER, CARER, PROMOTER, SPAMMER, LURKER, SHARER], dtype=np.int8),
        satisfaction=np.array([0.5, 0.3, 0.1, 9.0, 0.2, 7.0]),
    )
    feed = Feed()
    feed.add(
        author=np.array([0, 2, 3, 1]),
        company=np.array([-1, 0, 1, -1]),
        kind=np.array([Kind.SHARE, Kind.PROMOTION, Kind.PROMOTION, Kind.QUESTION], dtype=np.int8),
        quality=np.array([0.8, 0.5, 0.2, 0.6]),
        by_spammer=np.array([False, False, True, False]),
    )
    counts = {  # every count of the day (the reads and their summaries are not counts)
        name: i + 1
        for i, name in enumerate(f for f, v in vars(DayEvents()).items() if isinstance(v, int))
    }
    events = DayEvents(**counts, reader=np.array([0, 1, 4, 4, 1]), post=np.array([1, 2, 2, 3, 0]))
    events.visits, events.honest_visits, events.likes, events.comments = 5, 4, 2, 1
    return measure_day(7, events, s, feed, reputation=0.66), counts


MEASURED, COUNTS = day_case()
KNOWN = {
    "day": 7,
    "members": 5,
    "honest_members": 4,
    "contributors": 3,  # sharer, carer, promoter
    # one present member of each strategy made here (the sharer who left is not
    # counted); none of any other strategy
    **{b.plural: int(b.key in ("sharer", "carer", "promoter", "spammer", "lurker")) for b in TABLE},
    "spammer_share": 0.2,
    "visits": 5,
    "honest_visits": 4,
    "reads": 5,
    "quality": (0.5 + 0.2 + 0.2 + 0.6 + 0.8) / 5,
    "spam_share": 2 / 5,
    "promo_share": 3 / 5,
    "engagement": (2 + 1) / 4,
    "visits_per_member": 4 / 4,  # honest visits per honest member
    "likes_per_member": 2 / 4,
    "comments_per_member": 1 / 4,
    "satisfaction": (0.5 + 0.3 + 0.1 + 0.2) / 4,  # the spammer and the absent member excluded
    # voices read: company 1 twice, company 0 once, two unaffiliated authors once each
    "hhi": 0.4**2 + 0.2**2 + 0.2**2 + 0.2**2,
    "top3_share": (2 + 1) / 5,  # companies only
    "promo_reach": 2,
    "reputation": 0.66,
    "likes": 2,
    "comments": 1,
}
# every other daily measure reports the day's count of the event of the same name
COUNTED = {k: COUNTS[k] for k in DAILY if k not in KNOWN and k in COUNTS}
COUNTED["removed_violations"] = COUNTS["removed_violations"]


def test_every_daily_measure_has_a_known_value_here():
    assert set(KNOWN) | set(COUNTED) == set(DAILY)


@pytest.mark.parametrize("name", list(DAILY))
def test_daily_measure(name):
    want = KNOWN.get(name, COUNTED.get(name))
    assert MEASURED[name] == pytest.approx(want), name


def test_quality_of_a_day_without_reads_is_undefined_and_shares_are_zero():
    s = Population()
    s.add(present=np.array([True]), strategy=np.array([SHARER], dtype=np.int8))
    today = measure_day(1, DayEvents(), s, Feed(), reputation=0.5)
    assert math.isnan(today["quality"])
    assert today["spam_share"] == today["promo_share"] == today["hhi"] == 0.0


def summary_case():
    """Four recorded days (day 0 and three simulated days)."""
    days = 4
    ts = pd.DataFrame({k: np.zeros(days) for k in DAILY})
    ts["day"] = np.arange(days)
    ts["members"] = [120, 110, 60, 70]
    ts["honest_members"] = [100, 90, 40, 45]  # below 50% of 100 on day 2
    ts["quality"] = [0.7, 0.6, float("nan"), 0.4]
    ts["spam_share"] = [0.0, 0.2, 0.4, 0.6]
    ts["engagement"] = [1.0, 0.5, 0.3, 0.1]
    ts["satisfaction"] = [0.4, 0.3, 0.2, 0.1]
    ts["spammer_share"] = [0.1, 0.1, 0.2, 0.3]
    for daily in (
        "promo_reach",
        "joins",
        "departures",
        "legit_promotions",
        "refused_legit",
        "refused_spam",
        "removed_violations",
        "removed_spam",
        "false_removals",
        "bans",
        "honest_banned",
    ):
        ts[daily] = [99, 1, 2, 3]  # day 0's flows are the warm-up's: not counted
    s = Population()
    # 200 non-spammers ever present: 150 never posted, one wrote 60 posts, 49 wrote 1 each
    posts = np.array([60] + [1] * 49 + [0] * 150)
    s.add(posts=posts, ever_spammer=np.zeros(200, bool))
    s.add(posts=np.array([500]), ever_spammer=np.array([True]))  # a spammer: not counted
    params = resolve({"collapse_threshold": 0.5})
    return summarize(ts, s, params, seed=11, initial_quality=0.8)


def test_summary_outcomes():
    got = summary_case()
    known = {
        "seed": 11,
        "days": 3,
        "initial_members": 120,
        "final_members": 70,
        "members_ratio": 70 / 120,
        "initial_honest": 100,
        "final_honest": 45,
        "honest_ratio": 0.45,
        "initial_quality": 0.8,
        "final_quality": (0.7 + 0.6 + 0.4) / 3,  # the day without reads is skipped
        "quality_ratio": ((0.7 + 0.6 + 0.4) / 3) / 0.8,
        "final_spammer_share": 0.3,
        "final_spam_share": (0.0 + 0.2 + 0.4 + 0.6) / 4,
        "engagement_last30": (1.0 + 0.5 + 0.3 + 0.1) / 4,
        "satisfaction_last30": (0.4 + 0.3 + 0.2 + 0.1) / 4,
        "collapsed": True,
        "collapse_day": 2,
        "never_posted": 150 / 200,
        "top1_post_share": (60 + 1) / (60 + 49),  # the top 1% of 200 members: two
    }
    totals = [k for k in SUMMARY if k not in known]
    assert set(totals) == {
        "promo_reach_total",
        "joins_total",
        "departures_total",
        "legit_promotions",
        "refused_legit",
        "refused_spam",
        "removed_violations",
        "removed_spam",
        "false_removals_total",
        "bans_total",
        "honest_banned",
    }
    for key, want in known.items():
        assert got[key] == pytest.approx(want), key
    for key in totals:  # sums over the simulated days only
        assert got[key] == 1 + 2 + 3, key
    assert list(got) == list(SUMMARY)
