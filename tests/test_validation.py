"""The validation suite's measures, statistics and verdicts on small cases whose answer
is known by hand. No test here asserts that the model passes a criterion."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.validation import measures as m
from sim.validation.checks import Outcome, above, at_least, below, inside, mean_above, reported
from sim.validation.criteria import CRITERIA
from sim.validation.stats import Estimate, estimate, paired, ratio, welch

# ------------------------------------------------------------------ logs by hand


def members(rows: list[dict]) -> pd.DataFrame:
    """A member log: each row needs member, joined, posts; the rest takes a default."""
    base = {
        "left": -1,
        "cause": "",
        "present": True,
        "ever_spammer": False,
        "skill": 0.0,
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def posts(rows: list[tuple]) -> pd.DataFrame:
    """A post log from (post, author, day[, violation, by_spammer]) tuples."""
    full = [(*r, *(False, False)[len(r) - 3 :]) for r in rows]
    return pd.DataFrame(full, columns=["post", "author", "day", "violation", "by_spammer"])


def replies(rows: list[tuple]) -> pd.DataFrame:
    """A reply log from (day, post) pairs (commenter and author do not matter here)."""
    return pd.DataFrame(
        [(d, 99, 0, p) for d, p in rows], columns=["day", "commenter", "author", "post"]
    )


# ------------------------------------------------------------------ measures


def test_participation_counts_lurkers_and_leaves_spammers_out():
    # 200 honest members: 150 never post, 48 post once, the top two post 26 and 24
    rows = [{"member": i, "joined": -30, "posts": 0} for i in range(150)]
    rows += [{"member": 150 + i, "joined": -30, "posts": 1} for i in range(48)]
    rows += [{"member": 198, "joined": -30, "posts": 26}, {"member": 199, "joined": 4, "posts": 24}]
    rows += [{"member": 200, "joined": 3, "posts": 500, "ever_spammer": True}]
    posted, top1 = m.participation(members(rows))
    assert posted == pytest.approx(50 / 200)
    assert top1 == pytest.approx(50 / 98)  # the top 1% of 200 is two members


def test_gini_by_hand():
    assert m.gini(np.array([5, 5, 5, 5])) == pytest.approx(0.0)
    assert m.gini(np.array([1, 2, 3, 4])) == pytest.approx(0.25)
    assert m.gini(np.array([0, 0, 0, 10])) == pytest.approx(0.75)  # (n - 1) / n
    assert math.isnan(m.gini(np.array([0, 0])))


def test_posts_gini_includes_lurkers_and_excludes_spammers():
    rows = [{"member": i, "joined": -30, "posts": p} for i, p in enumerate([0, 0, 0, 10])]
    rows.append({"member": 4, "joined": 2, "posts": 1000, "ever_spammer": True})
    assert m.posts_gini(members(rows)) == pytest.approx(0.75)


def first_reply_case():
    mem = members(
        [
            {"member": 1, "joined": 5, "posts": 2},  # answered in 2 days, posts again on day 50
            {"member": 2, "joined": 5, "posts": 2},  # answered too late, posts again too late
            {"member": 3, "joined": 5, "posts": 2},  # not answered, a second post the same day
            {"member": 4, "joined": 5, "posts": 1},  # first post after day 270: left out
            {"member": 5, "joined": -30, "posts": 1},  # a founder, not a newcomer
            {"member": 6, "joined": 5, "posts": 1, "ever_spammer": True},
        ]
    )
    log = posts(
        [
            (1, 1, 10),
            (2, 2, 10),
            (3, 3, 11),
            (4, 3, 11),
            (5, 5, 10),
            (6, 6, 10, False, True),
            (7, 1, 50),
            (8, 2, 101),
            (9, 4, 280),
        ]
    )
    rep = replies([(12, 1), (18, 2), (11, 5), (10, 6), (19, 1)])
    return mem, log, rep


def test_first_reply_splits_newcomers_by_a_reply_within_7_days():
    r = m.first_reply(*first_reply_case())
    assert r["newcomers_with_reply"] == 1 and r["newcomers_without_reply"] == 2
    assert r["again_with_reply"] == pytest.approx(1.0)
    assert r["again_without_reply"] == pytest.approx(0.5)
    assert r["reply_effect"] == pytest.approx(0.5)


def test_first_reply_is_nan_when_a_group_is_empty():
    mem, log, _ = first_reply_case()
    r = m.first_reply(mem, log, replies([]))
    assert math.isnan(r["again_with_reply"]) and math.isnan(r["reply_effect"])
    assert r["again_without_reply"] == pytest.approx(2 / 3)


def test_answered_share_counts_honest_posts_in_the_window():
    log = posts(
        [
            (1, 1, 1),  # answered on day 8: 7 days, counts
            (2, 1, 5),  # answered on day 13: 8 days, too late
            (3, 2, 358),  # not answered
            (4, 2, 359),  # after the window
            (5, 3, 6, False, True),  # spam
        ]
    )
    rep = replies([(8, 1), (13, 2), (360, 4), (7, 5)])
    assert m.answered_share(log, rep) == pytest.approx(1 / 3)


def test_heavy_tail_among_posting_newcomers():
    rows = [{"member": i, "joined": 3, "posts": p} for i, p in enumerate([1, 1, 1, 2, 5, 0])]
    rows.append({"member": 9, "joined": -30, "posts": 100})
    h = m.heavy_tail(members(rows))
    assert h["one_post_share"] == pytest.approx(0.6)
    assert h["median_posts"] == 1
    assert h["mean_over_median"] == pytest.approx(2.0)


def test_compliance_reads_each_newcomers_first_published_post():
    mem = members([{"member": i, "joined": 2, "posts": 1} for i in (1, 2, 3)])
    log = posts([(10, 1, 5, True), (11, 1, 5), (12, 2, 6), (13, 3, 7, True), (9, 4, 1, True)])
    assert m.compliance(mem, log) == pytest.approx(1 / 3)


def test_newcomer_posts_counts_the_30_days_after_joining():
    mem = members(
        [
            {"member": 1, "joined": 10, "posts": 4},
            {"member": 2, "joined": 20, "posts": 0},
            {"member": 3, "joined": 350, "posts": 1},  # its 30 days end after day 365
        ]
    )
    log = posts([(1, 1, 10), (2, 1, 11), (3, 1, 40), (4, 1, 41), (5, 3, 351)])
    assert m.newcomer_posts(mem, log, last_day=365) == pytest.approx(2 / 2)


def daily(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"day": np.arange(n), **columns})


def test_content_turnover_and_visits_from_the_daily_measures():
    ts = daily(
        members=[100, 101, 102, 100],
        honest_members=[90, 91, 92, 90],
        honest_posts=[50, 3, 4, 5],
        joins=[9, 1, 2, 0],
        departures=[9, 0, 1, 2],
        honest_departures=[9, 0, 1, 2],
        visits_per_member=[0.5, 0.1, 0.2, 0.3],
    )
    assert m.content(ts) == {"members_day0": 100.0, "honest_posts": 12.0}
    t = m.turnover(ts)
    assert t["joins_per_member"] == pytest.approx(0.03)
    assert t["departures_per_member"] == pytest.approx(0.03)
    assert t["honest_departures_per_member"] == pytest.approx(3 / 90)
    assert m.last_mean(ts, "visits_per_member", days=2) == pytest.approx(0.25)


def test_posting_churn_over_complete_30_day_months():
    rows = [(i, a, d) for i, (a, d) in enumerate([(1, 1), (2, 5), (3, 9), (4, 30)])]
    rows += [(10 + i, a, d) for i, (a, d) in enumerate([(1, 31), (2, 60), (2, 45)])]
    rows += [(20 + i, a, d) for i, (a, d) in enumerate([(1, 61), (5, 90)])]
    rows += [(30, 3, 91)]  # day 91 starts a fourth month, incomplete at day 100
    # months: {1,2,3,4} -> {1,2}: half leave; {1,2} -> {1,5}: half leave
    assert m.posting_churn(posts(rows), last_day=100) == pytest.approx(0.5)


def test_burstiness_of_regular_and_bursty_posters():
    regular = [(i, 1, 1 + 10 * i) for i in range(10)]  # gaps all 10: B = -1
    burst_days = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    bursty = [(100 + i, 2, d) for i, d in enumerate(burst_days)]
    bursty.append((200, 2, 9))  # a second post on day 9 counts once
    few = [(300 + i, 3, 5 * i + 1) for i in range(9)]  # 9 posts: left out
    spam = [(400 + i, 4, 1 + i, False, True) for i in range(20)]
    b = m.burstiness(posts(regular + bursty + few + spam))
    gaps = np.diff(burst_days)
    b_bursty = (gaps.std() - gaps.mean()) / (gaps.std() + gaps.mean())
    assert b["bursty_members"] == 2
    assert b["median_burstiness"] == pytest.approx((-1 + b_bursty) / 2)
    assert b_bursty > 0


def test_skill_of_dissatisfied_leavers_and_stayers():
    mem = members(
        [
            {"member": 1, "joined": -30, "posts": 0, "cause": "dissatisfied", "present": False,
             "skill": 1.0},
            {"member": 2, "joined": -30, "posts": 0, "cause": "churn", "present": False,
             "skill": 5.0},
            {"member": 3, "joined": -30, "posts": 0, "skill": -1.0},
            {"member": 4, "joined": -30, "posts": 0, "skill": 0.0},
        ]
    )  # fmt: skip
    s = m.skill_of_leavers(mem)
    assert s == {"skill_left_dissatisfied": 1.0, "skill_stayed": -0.5, "left_dissatisfied_count": 1}


def test_departures_by_cause_per_honest_starting_member():
    mem = members(
        [
            {"member": 1, "joined": -30, "posts": 0, "cause": "dissatisfied"},
            {"member": 2, "joined": -30, "posts": 0, "cause": "churn"},
            {"member": 3, "joined": 9, "posts": 0, "cause": "churn"},
            {"member": 4, "joined": 9, "posts": 0, "cause": "spam_quit", "ever_spammer": True},
            {"member": 5, "joined": -30, "posts": 0},
        ]
    )
    ts = daily(honest_members=[4, 4])
    assert m.departures_by_cause(mem, ts) == {"left_dissatisfied": 0.25, "left_churn": 0.5}


# ------------------------------------------------------------------ statistics


def test_estimate_is_the_student_t_interval():
    e = estimate(np.array([1.0, 2.0, 3.0, np.nan]))
    half = sps.t.ppf(0.975, 2) / math.sqrt(3)
    assert (e.mean, e.n) == (2.0, 3)
    assert (e.lo, e.hi) == pytest.approx((2 - half, 2 + half))
    assert not estimate(np.array([1.0])).defined


def test_welch_matches_scipy():
    a, b = np.array([1, 2, 3, 4.5]), np.array([2, 2.5, 7])
    ci = sps.ttest_ind(a, b, equal_var=False).confidence_interval()
    w = welch(a, b)
    assert w.mean == pytest.approx(a.mean() - b.mean())
    assert (w.lo, w.hi) == pytest.approx((ci.low, ci.high))


def test_paired_matches_scipy_and_uses_seeds_where_both_are_defined():
    a, b = np.array([1.0, 2.5, 2.0, 4.0, 9.0]), np.array([0.5, 2.0, 2.5, 3.0, np.nan])
    ci = sps.ttest_rel(a[:4], b[:4]).confidence_interval()
    p = paired(a, b)
    assert p.n == 4
    assert (p.lo, p.hi) == pytest.approx((ci.low, ci.high))


def test_ratio_with_a_constant_denominator_is_the_numerators_interval_scaled():
    a, b = np.array([2.0, 3.0, 4.0, 5.0]), np.full(4, 2.0)
    e, r = estimate(a), ratio(a, b)
    assert r.mean == pytest.approx(3.5 / 2 - 1)
    assert (r.lo, r.hi) == pytest.approx((e.lo / 2 - 1, e.hi / 2 - 1))


def test_ratio_interval_holds_the_point_and_is_undefined_near_a_zero_denominator():
    rng = np.random.default_rng(1)
    a, b = rng.normal(3, 0.3, 20), rng.normal(2, 0.3, 20)
    r = ratio(a, b)
    assert r.lo < r.mean < r.hi
    assert not ratio(a, rng.normal(0, 1, 20)).defined


# ------------------------------------------------------------------ checks


def est(mean: float, lo: float, hi: float) -> Estimate:
    return Estimate(mean, lo, hi, 10)


def test_bands_and_directions_are_read_from_the_whole_interval():
    assert inside("x", est(0.3, 0.2, 0.4), 0.1, 0.4, "q").passed
    assert not inside("x", est(0.3, 0.2, 0.41), 0.1, 0.4, "q").passed
    assert above("x", est(0.1, 0.01, 0.2), 0.0, "q").passed
    assert not above("x", est(0.1, 0.0, 0.2), 0.0, "q").passed
    assert below("x", est(-0.1, -0.2, 0.019), 0.02, "q").passed
    assert not below("x", est(-0.1, -0.2, 0.02), 0.02, "q").passed
    assert at_least("x", est(3, 2.0, 4), 2.0, "q").passed
    assert mean_above("x", est(0.01, -0.1, 0.2), 0.0, "q").passed
    assert not inside("x", Estimate(0.3, math.nan, math.nan, 1), 0.0, 1.0, "q").passed


def test_an_outcome_passes_only_if_every_judged_check_passes():
    criterion = CRITERIA[0]
    good = inside("a", est(0.3, 0.2, 0.4), 0.1, 0.4, "q")
    bad = above("b", est(0.1, -0.1, 0.3), 0.0, "q")
    context = reported("c", est(5, 4, 6))
    assert Outcome(criterion, (good, context)).verdict == "PASS"
    failing = Outcome(criterion, (good, bad, context))
    assert failing.verdict == "FAIL"
    assert len(failing.reasons()) == 1 and "crosses the lower edge" in failing.reasons()[0]
    assert Outcome(criterion, (context,)).verdict == "FAIL"  # nothing judged: no pass
