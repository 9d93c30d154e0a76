"""The patterns the default parameters must reproduce (docs/ODD.md, "Purpose and
patterns"), each checked over several seeds of a 1,000-member group for a year."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.model import CommunityModel

pytestmark = pytest.mark.slow
SEEDS = range(1, 6)


def summaries(**params):
    return [CommunityModel(rng=seed, **params).run(365).summary() for seed in SEEDS]


def mean(rows, key):
    return float(np.mean([r[key] for r in rows]))


def test_a_healthy_group_stays_alive_for_a_year():
    for row in summaries(share_spammers=0.0):
        assert 0.7 <= row["honest_ratio"] <= 1.3
        assert 0.8 <= row["quality_ratio"] <= 1.2
        assert not row["collapsed"]


def test_participation_is_unequal_like_real_groups():
    for row in summaries(share_spammers=0.0):
        assert 0.70 <= row["never_posted"] <= 0.95
        assert row["top1_post_share"] >= 0.25


def test_unchecked_self_promotion_degrades_the_group():
    # A fifth of spammers is just past the tipping point: most runs collapse, a few
    # hold on, so the pattern is about the mean over seeds.
    rows = [
        CommunityModel(rng=seed, share_spammers=0.2).run(365).summary() for seed in range(1, 11)
    ]
    assert mean(rows, "honest_ratio") <= 0.6
    assert mean(rows, "quality_ratio") <= 0.6
    assert sum(r["collapsed"] for r in rows) >= 5


def test_decline_is_a_tipping_point_not_a_straight_line():
    shares = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    kept = np.array([mean(summaries(share_spammers=s), "honest_ratio") for s in shares])
    drops = kept[:-1] - kept[1:]
    total = kept[0] - kept[-1]
    assert total > 0.5
    assert drops.max() > 2.0 * total / len(drops)
    assert drops[0] < 0.15  # the first spammers change little


def test_spam_destroys_its_own_audience():
    shares = [0.05, 0.1, 0.15, 0.2, 0.3, 0.5]
    reach = [mean(summaries(share_spammers=s), "promo_reach_total") for s in shares]
    peak = int(np.argmax(reach))
    assert 0 < peak < len(shares) - 1
    assert reach[-1] < 0.8 * reach[peak]
