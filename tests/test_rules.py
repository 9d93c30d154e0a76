"""What the rules change, and what they cost, over several seeds."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.feed import Kind
from sim.model.model import CommunityModel

pytestmark = pytest.mark.slow
SEEDS = range(1, 6)
SPAMMED = {"share_spammers": 0.2}


def mean_outcome(key, **params):
    return float(np.mean([CommunityModel(rng=s, **params).run(365).summary()[key] for s in SEEDS]))


def test_etiquette_saves_members_and_quality_and_moderation_saves_more():
    members = {
        p: mean_outcome("honest_ratio", policy=p, **SPAMMED)
        for p in ("none", "etiquette", "moderated")
    }
    quality = {
        p: mean_outcome("quality_ratio", policy=p, **SPAMMED)
        for p in ("none", "etiquette", "moderated")
    }
    assert members["etiquette"] > members["none"] + 0.25
    assert quality["etiquette"] > quality["none"] + 0.2
    assert members["moderated"] > members["etiquette"] + 0.05
    assert quality["moderated"] > quality["etiquette"] + 0.05
    assert members["moderated"] > 0.9


def promotion_at_top(days=60, top=10, **params):
    model = CommunityModel(rng=3, **SPAMMED, **params)
    shares = []
    for _ in range(days):
        model.step()
        head = model.ranked_feed()[:top]
        shares.append(np.mean(model.feed.kind[head] == Kind.PROMOTION))
    return float(np.mean(shares))


def test_ranking_defence_lowers_promotion_at_the_top_of_an_engagement_feed():
    plain = promotion_at_top(feed_ranking="engagement")
    defended = promotion_at_top(feed_ranking="engagement", discount_company_likes=True)
    assert plain > 0
    assert defended < 0.5 * plain


def test_imitation_spreads_spam_when_unchecked_but_not_under_moderation():
    start = {"share_spammers": 0.05}
    fixed = mean_outcome("final_spammer_share", policy="none", **start)
    eroding = mean_outcome("final_spammer_share", policy="none", imitation_rate=0.02, **start)
    moderated = mean_outcome(
        "final_spammer_share", policy="moderated", imitation_rate=0.02, **start
    )
    assert eroding > 0.05 and eroding > fixed
    assert moderated < 0.05


def test_strict_rules_have_a_cost_for_honest_members():
    none = [CommunityModel(rng=s, share_spammers=0.0).run(365).summary() for s in SEEDS]
    strict = [
        CommunityModel(rng=s, share_spammers=0.0, policy="strict").run(365).summary() for s in SEEDS
    ]
    assert np.mean([r["legit_promotions"] for r in strict]) < 0.5 * np.mean(
        [r["legit_promotions"] for r in none]
    )
    assert all(r["false_removals_total"] > 0 for r in strict)
    assert all(r["false_removals_total"] == 0 for r in none)
