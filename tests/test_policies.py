"""Each rule's mechanism in isolation."""

from __future__ import annotations

import numpy as np

from sim.model.feed import Kind
from sim.model.params import resolve
from sim.model.rules import (
    Bans,
    Disclosure,
    Flagging,
    GiveBeforeTake,
    Moderators,
    OnePostPerLink,
    RankingDefence,
    build_policies,
)


def candidates(**columns):
    """A batch of candidate promotions by two spammers (slots 0 and 1)."""
    batch = {
        "author": np.array([0, 1]),
        "kind": np.full(2, Kind.PROMOTION, dtype=np.int8),
        "repost": np.array([True, False]),
        "disclosed": np.array([False, True]),
        "since_promo": np.array([0, 12]),
        "violation": np.array([True, False]),
    }
    batch.update(columns)
    return batch


def test_one_post_per_link_refuses_a_repost(small_model):
    model = small_model()
    accepted = OnePostPerLink(detection=1.0).on_submit(model, candidates())
    assert accepted.tolist() == [False, True]


def test_give_before_take_refuses_an_early_promotion(small_model):
    model = small_model()
    batch = candidates()
    accepted = GiveBeforeTake(ratio=9, detection=1.0).on_submit(model, batch)
    assert accepted.tolist() == [False, True]
    assert batch["violation"].tolist() == [True, False]


def test_disclosure_labels_or_removes_hidden_promotion(small_model):
    model = small_model()
    batch = candidates()
    assert Disclosure(1.0, "label").on_submit(model, batch).all()
    assert batch["disclosed"].all()
    refused = Disclosure(1.0, "remove").on_submit(model, candidates())
    assert refused.tolist() == [False, True]


def test_undetected_breaches_pass(small_model):
    model = small_model()
    assert OnePostPerLink(detection=0.0).on_submit(model, candidates()).all()


def test_flagged_post_is_hidden_and_never_read_again(small_model):
    model = small_model(share_spammers=0.3, flagging=True, flag_threshold=2).run(5)
    feed = model.feed
    target = int(np.flatnonzero(feed.kind == Kind.PROMOTION)[0])
    feed.flags[target] = 2
    Flagging(prob=0.0, threshold=2).after_reading(model)
    assert feed.hidden[target]
    post_id, reads = feed.id[target], feed.reads[target]
    assert target not in model.ranked_feed()
    model.step()
    row = np.flatnonzero(model.feed.id == post_id)
    assert len(row) == 0 or model.feed.reads[row[0]] == reads


def test_moderators_never_exceed_their_capacity(small_model):
    model = small_model(share_spammers=0.3, moderator_capacity=4)
    reviewed = []
    for _ in range(30):
        before = model.counters["reviewed"]
        model.step()
        reviewed.append(model.counters["reviewed"] - before)
    assert max(reviewed) == 4
    assert all(r <= 4 for r in reviewed)


def test_false_positive_removes_an_honest_post_and_costs_its_author(small_model):
    model = small_model(share_spammers=0.0, removal_penalty=0.5)
    feed = model.feed
    honest = np.flatnonzero(~feed.violation)[:3]
    authors = feed.author[honest]
    before = model.state.satisfaction[authors].copy()
    rule = Moderators(capacity=len(feed), accuracy=0.0, false_positive=1.0)
    feed.reviewed[:] = True
    feed.reviewed[honest] = False
    rule.after_reading(model)
    assert feed.removed[honest].all()
    assert model.counters["false_removals"] == 3
    assert (model.state.satisfaction[authors] < before).all()


def test_ban_after_the_set_number_of_removals(small_model):
    model = small_model(share_spammers=0.3, ban_after=2)
    spammer = int(np.flatnonzero(model.state.strategy == model.SPAMMER)[0])
    model.policies = [Bans(after=2)]
    model.state.removals[spammer] = 1
    model.policies[0].on_removal(model, np.array([spammer]))
    assert model.state.present[spammer]
    model.state.removals[spammer] = 2
    model.policies[0].on_removal(model, np.array([spammer]))
    assert not model.state.present[spammer]
    assert model.state.banned[spammer]
    assert all(a.slot != spammer for a in model.agents)


def test_ranking_defence_ignores_company_likes(small_model):
    model = small_model(share_spammers=0.3).run(3)
    feed = model.feed
    likes = RankingDefence().ranking_likes(feed, feed.rank_likes)
    assert np.all(likes == feed.rank_likes - feed.rank_likes_company)
    assert np.any(feed.rank_likes_company > 0)


def test_presets_switch_on_the_rules_they_name():
    names = {
        p: {r.name for r in build_policies(resolve({"policy": p}))}
        for p in ("none", "etiquette", "moderated", "strict")
    }
    assert names["none"] == set()
    assert names["etiquette"] == {"give_before_take", "one_post_per_link", "disclosure"}
    assert names["moderated"] == names["etiquette"] | {"flagging", "moderators", "bans"}
    assert names["strict"] == names["moderated"] | {"ranking_defence"}
