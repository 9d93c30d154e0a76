"""Each rule's decision in isolation, and the model applying it."""

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
    Reads,
    build_rules,
)

RNG = np.random.default_rng(0)


def candidates(**columns):
    """A batch of candidate promotions by two spammers (slots 0 and 1)."""
    batch = {
        "author": np.array([0, 1]),
        "kind": np.full(2, Kind.PROMOTION, dtype=np.int8),
        "repost": np.array([True, False]),
        "disclosed": np.array([False, True]),
        "since_promo": np.array([0, 12]),
        "violation": np.array([False, False]),
    }
    batch.update(columns)
    return batch


def test_one_post_per_link_refuses_a_repost():
    verdict = OnePostPerLink(detection=1.0).at_submission(candidates(), RNG)
    assert verdict.refuse.tolist() == [True, False]


def test_give_before_take_refuses_an_early_promotion_and_marks_it_as_breaking():
    verdict = GiveBeforeTake(ratio=9, detection=1.0).at_submission(candidates(), RNG)
    assert verdict.refuse.tolist() == [True, False]
    assert verdict.breaks.tolist() == [True, False]


def test_disclosure_labels_or_refuses_hidden_promotion():
    labelled = Disclosure(1.0, "label").at_submission(candidates(), RNG)
    assert not labelled.refuse.any() and labelled.label.tolist() == [True, False]
    refused = Disclosure(1.0, "remove").at_submission(candidates(), RNG)
    assert refused.refuse.tolist() == [True, False]


def test_undetected_breaches_pass():
    assert not OnePostPerLink(detection=0.0).at_submission(candidates(), RNG).refuse.any()


def test_a_rule_changes_nothing_it_judges():
    batch = candidates()
    before = {k: v.copy() for k, v in batch.items()}
    for rule in (GiveBeforeTake(9, 1.0), OnePostPerLink(1.0), Disclosure(1.0, "label")):
        rule.at_submission(batch, RNG)
    assert all(np.array_equal(batch[k], before[k]) for k in batch)


def test_the_model_applies_labels_and_breaches_from_the_rules(small_model):
    model = small_model(
        share_spammers=0.3, require_disclosure=True, one_post_per_link=True, rule_detection=1.0
    ).run(20)
    feed = model.feed
    spam = feed.by_spammer
    assert spam.any()
    # with certain detection, no hidden spam is published unlabelled, and reposts are refused
    assert feed.disclosed[spam].all()
    assert not feed.repost[spam].any()
    assert model.timeseries()["labelled"].sum() > 0


def test_flagging_flags_only_noisy_promotion_read_by_honest_members(small_model):
    model = small_model(share_spammers=0.3).run(5)
    feed = model.feed
    post = np.arange(len(feed))
    reads = Reads(
        reader=np.zeros(len(post), int), post=post, honest_reader=np.ones(len(post), bool)
    )
    flagged = Flagging(prob=1.0, threshold=1).flags(feed, reads, RNG)
    noisy = (feed.kind == Kind.PROMOTION) & (feed.offtopic | ~feed.disclosed)
    assert flagged.tolist() == noisy.tolist() and noisy.any()
    dishonest = Reads(reads.reader, reads.post, np.zeros(len(post), bool))
    assert not Flagging(prob=1.0, threshold=1).flags(feed, dishonest, RNG).any()


def test_flagged_post_is_hidden_and_never_read_again(small_model):
    model = small_model(share_spammers=0.3, flagging=True, flag_threshold=2).run(5)
    feed = model.feed
    target = int(np.flatnonzero(feed.kind == Kind.PROMOTION)[0])
    feed.flags[target] = 2
    actions = Flagging(prob=0.0, threshold=2).after_reading(feed, RNG)
    assert target in actions.hide
    feed.hidden[actions.hide] = True
    post_id, reads = feed.id[target], feed.reads[target]
    assert target not in model.ranked_feed()
    model.step()
    row = np.flatnonzero(model.feed.id == post_id)
    assert len(row) == 0 or model.feed.reads[row[0]] == reads


def test_moderators_never_exceed_their_capacity(small_model):
    model = small_model(share_spammers=0.3, moderator_capacity=4).run(30)
    reviewed = model.timeseries()["reviewed"]
    assert reviewed.max() == 4


def test_moderators_remove_rule_breaking_posts_first_by_flags():
    from sim.model.feed import Feed

    feed = Feed()
    feed.add(
        author=np.arange(6),
        violation=np.array([True, False, True, False, True, False]),
        flags=np.array([0, 0, 5, 0, 1, 0]),
    )
    actions = Moderators(capacity=2, accuracy=1.0, false_positive=0.0).after_reading(feed, RNG)
    assert sorted(actions.review.tolist()) == [2, 4]
    assert sorted(actions.remove.tolist()) == [2, 4]


def test_false_positive_removes_an_honest_post_and_costs_its_author(small_model):
    model = small_model(
        share_spammers=0.0,
        removal_penalty=0.5,
        moderator_capacity=1000,
        moderator_accuracy=0.0,
        false_positive=1.0,
    )
    feed = model.feed
    authors = feed.author[~feed.violation & ~feed.removed]
    before = model.state.satisfaction.copy()
    model.step()
    assert model.today["false_removals"] > 0
    hit = np.unique(authors)
    assert (model.state.removals[hit] > 0).any()
    assert (model.state.satisfaction[hit] < before[hit]).any()


def test_bans_decide_after_the_set_number_of_removals():
    rule = Bans(after=2)
    present = np.array([True, True, True])
    removals = np.array([1, 2, 3])
    banned = rule.bans(np.array([0, 1, 1]), removals, present)
    assert banned.tolist() == [1]
    present[1] = False
    assert rule.bans(np.array([1, 2]), removals, present).tolist() == [2]


def test_a_banned_member_leaves_the_group_and_its_agent_is_removed(small_model):
    model = small_model(
        share_spammers=0.3, policy="moderated", ban_after=1, moderator_capacity=1000
    )
    model.run(20)
    banned = np.flatnonzero(model.state.banned)
    assert len(banned) > 0 and model.state.ever_spammer[banned].any()
    assert not model.state.present[banned].any()
    slots = {a.slot for a in model.agents}
    assert not slots & set(banned.tolist())


def test_ranking_defence_ignores_company_likes(small_model):
    model = small_model(share_spammers=0.3).run(3)
    feed = model.feed
    likes = RankingDefence().ranking_likes(feed, feed.rank_likes)
    assert np.all(likes == feed.rank_likes - feed.rank_likes_company)
    assert np.any(feed.rank_likes_company > 0)


def test_presets_switch_on_the_rules_they_name():
    names = {
        p: {r.name for r in build_rules(resolve({"policy": p}))}
        for p in ("none", "etiquette", "moderated", "strict")
    }
    assert names["none"] == set()
    assert names["etiquette"] == {"give_before_take", "one_post_per_link", "disclosure"}
    assert names["moderated"] == names["etiquette"] | {"flagging", "moderators", "bans"}
    assert names["strict"] == names["moderated"] | {"ranking_defence"}
