"""The mechanisms of the literature on online communities, each on its own: overload,
being answered, off-topic talk and a rule against it, skill, newcomers' knowledge of
the norms, why members leave, and the logs a researcher analyses."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.membership import awareness
from sim.model.params import resolve
from sim.model.reading import overload, relational


def test_overload_costs_nothing_below_the_threshold_and_grows_with_the_log_of_volume():
    p = resolve({"overload_threshold": 100.0, "overload_cost": 0.1})
    cost = overload(p, np.array([50.0, 100.0, 100.0 * np.e, 100.0 * np.e**2]))
    assert cost == pytest.approx([0.0, 0.0, 0.1, 0.2])


def test_more_messages_lower_satisfaction_and_visits_when_overload_is_on(small_model):
    heavy = {"rate_sharer": 10.0, "rate_carer": 1.2, "rate_promoter": 4.8, "share_spammers": 0.0}

    def last(model, col):
        return model.timeseries()[col].iloc[-20:].mean()

    on = small_model(overload_threshold=30.0, overload_cost=0.3, **heavy).run(60)
    off = small_model(overload_threshold=30.0, overload_cost=0.0, **heavy).run(60)
    assert last(on, "satisfaction") < last(off, "satisfaction") - 0.05
    assert last(on, "visits_per_member") < last(off, "visits_per_member")


def test_being_answered_is_a_saturating_benefit():
    p = resolve({"care_value": 0.2, "care_scale": 2.0})
    benefit = relational(p, np.array([0.0, 2.0, 1e6]))
    assert benefit[0] == 0.0
    assert benefit[1] == pytest.approx(0.2 * (1 - np.exp(-1)))
    assert benefit[2] == pytest.approx(0.2)


def test_answered_members_are_more_satisfied_with_the_relational_benefit(small_model):
    with_care = small_model(share_spammers=0.0, care_value=0.5).run(40)
    without = small_model(share_spammers=0.0, care_value=0.0).run(40)
    assert with_care.today["satisfaction"] > without.today["satisfaction"] + 0.02


def test_honest_off_topic_talk_draws_comments_and_a_rule_removes_it(small_model):
    talk = small_model(share_spammers=0.0, offtopic_share=0.5, logs=True).run(30)
    posts = talk.post_log()
    social = posts[posts["offtopic"] & ~posts["by_spammer"]]
    assert 0.35 < len(social) / len(posts) < 0.65
    assert social["comments"].sum() > 0
    ruled = small_model(
        share_spammers=0.0,
        offtopic_share=0.5,
        remove_offtopic=True,
        rule_detection=1.0,
        logs=True,
    ).run(30)
    kept = ruled.post_log()
    assert not (kept["offtopic"] & ~kept["by_spammer"]).any()  # every one refused
    assert ruled.timeseries()["refused"].sum() > 0


def test_skill_raises_the_quality_of_a_members_posts_and_follows_its_standard(small_model):
    model = small_model(share_spammers=0.0, skill_weight=2.0, skill_standard_corr=0.8, logs=True)
    model.run(40)
    posts = model.post_log()
    members = model.member_log().set_index("member")
    skill = members.loc[posts["author"], "skill"].to_numpy()
    assert np.corrcoef(skill, posts["quality"])[0, 1] > 0.3
    assert np.corrcoef(members["skill"], members["standard"])[0, 1] > 0.6
    flat = small_model(share_spammers=0.0, skill_weight=0.0, logs=True).run(40)
    flat_posts = flat.post_log()
    flat_skill = flat.member_log().set_index("member").loc[flat_posts["author"], "skill"]
    assert abs(np.corrcoef(flat_skill, flat_posts["quality"])[0, 1]) < 0.1


def test_announced_rules_make_more_newcomers_aware():
    hidden = resolve({"newcomer_awareness": 0.2, "announcement_reach": 0.5})
    shown = resolve({"newcomer_awareness": 0.2, "announcement_reach": 0.5, "rules_visible": True})
    assert awareness(hidden) == pytest.approx(0.2)
    assert awareness(shown) == pytest.approx(1 - 0.8 * 0.5)


def test_founders_know_the_norms_and_a_removal_teaches_a_newcomer(small_model):
    model = small_model(share_spammers=0.2, policy="moderated", newcomer_awareness=0.0)
    founders = model.member_log()
    assert founders["aware"].all()
    model.run(120)
    log = model.member_log()
    newcomers = log[log["joined"] > 0]
    assert len(newcomers) > 0
    taught = newcomers[newcomers["removals"] > 0]
    assert taught["aware"].all()
    untaught = newcomers[(newcomers["removals"] == 0) & ~newcomers["ever_spammer"]]
    assert not untaught["aware"].all()  # nobody else told them


def test_every_departure_has_a_cause(small_model):
    model = small_model(share_spammers=0.3, policy="moderated", ban_after=1).run(120)
    log = model.member_log()
    gone = log[~log["present"]]
    assert len(gone) > 0
    assert set(gone["cause"]) <= {"dissatisfied", "churn", "banned", "spam_quit"}
    assert (gone["cause"] == "banned").sum() == log["banned"].sum()
    assert (log.loc[log["present"], "cause"] == "").all()
    assert len(gone) == model.timeseries()["departures"].iloc[1:].sum()


def test_logs_agree_with_the_daily_measures(small_model):
    model = small_model(share_spammers=0.2, logs=True).run(30)
    ts = model.timeseries().set_index("day").iloc[1:]
    posts, replies = model.post_log(), model.reply_log()
    assert (
        posts.groupby("day").size().reindex(ts.index, fill_value=0).tolist() == ts["posts"].tolist()
    )
    assert len(replies) == ts["comments"].sum()
    first = model.member_log().query("first_reply > 0")
    assert len(first) > 0
    # a member's first answer is the first day one of its posts got a comment
    by_author = replies.groupby("author")["day"].min()
    assert (
        first.set_index("member")["first_reply"] == by_author.loc[first["member"]].to_numpy()
    ).all()


def test_a_run_without_logs_says_how_to_keep_them(small_model):
    with pytest.raises(ValueError, match="logs=True"):
        small_model().run(2).post_log()
