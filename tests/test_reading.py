"""Which posts a visiting member reads: ``sim.model.reading.sample_reads`` on feeds
where the answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.reading import relevance, sample_reads
from sim.model.scrolling import read_gaps

TODAY = 10


def sample(ranked, created, away, budget, skip, seed=0, share=1.0, author=None, slot=None):
    """``sample_reads`` today; by default the posts are by members who are not reading."""
    return sample_reads(
        np.random.default_rng(seed),
        np.asarray(ranked),
        np.asarray(created),
        TODAY,
        np.asarray(away),
        np.asarray(budget),
        skip,
        share,
        author=np.full(len(created), -1) if author is None else np.asarray(author),
        slot=np.arange(len(away)) if slot is None else np.asarray(slot),
    )


def reads(ranked, created, away, budget, skip, seed=0, share=1.0):
    reader, post, _ = sample(ranked, created, away, budget, skip, seed, share)
    return reader, post


def test_without_skipping_a_reader_reads_the_top_of_the_feed_in_rank_order():
    ranked = [4, 2, 0, 1, 3]  # post rows, best first
    created = np.full(5, TODAY)
    reader, post = reads(ranked, created, away=[3], budget=[3], skip=0.0)
    assert reader.tolist() == [0, 0, 0]
    assert post.tolist() == [4, 2, 0]


def test_attention_caps_the_reads_and_a_short_feed_ends_them():
    ranked = list(range(6))
    created = np.full(6, TODAY)
    reader, post = reads(ranked, created, away=[1, 1, 1], budget=[2, 6, 10], skip=0.0)
    counts = np.bincount(reader, minlength=3)
    assert counts.tolist() == [2, 6, 6]


def test_a_reader_sees_only_posts_new_since_its_last_visit():
    ranked = [0, 1, 2, 3]
    created = np.array([TODAY, TODAY - 1, TODAY - 2, TODAY - 5])
    # away 1 day: only today's posts (age 0); away 3 days: ages 0, 1 and 2
    reader, post = reads(ranked, created, away=[1, 3], budget=[10, 10], skip=0.0)
    assert post[reader == 0].tolist() == [0]
    assert post[reader == 1].tolist() == [0, 1, 2]


def test_skipping_spreads_reads_down_the_feed_and_keeps_rank_order():
    n = 200
    ranked = np.arange(n)
    created = np.full(n, TODAY)
    readers = 2000
    reader, post = reads(
        ranked, created, away=np.ones(readers, int), budget=np.full(readers, 5), skip=0.5
    )
    assert np.bincount(reader, minlength=readers).max() <= 5
    for r in range(50):  # each reader's reads go down the ranking, never back up
        mine = post[reader == r]
        assert (np.diff(mine) > 0).all()
    # with skip 0.5, about half the posts passed are read: the 5th read lands near rank 10
    fifth = [post[reader == r][4] for r in range(readers) if (reader == r).sum() == 5]
    assert 8 <= np.mean(fifth) <= 11
    # the top post is read by about half the readers
    assert 0.45 < np.mean(post == 0) * len(post) / readers < 0.55


def test_no_eligible_post_means_no_read():
    reader, post = reads([0, 1], np.array([TODAY - 3, TODAY - 4]), away=[1], budget=[5], skip=0.0)
    assert len(reader) == 0 and len(post) == 0


def test_relevance_is_one_on_the_readers_interest_and_zero_opposite():
    assert relevance(np.array([0.3]), np.array([0.3]))[0] == 1.0
    assert abs(relevance(np.array([0.0]), np.array([np.pi]))[0]) < 1e-12


def test_a_feed_holding_a_share_of_the_posts_spreads_reads_as_a_thinning_of_the_ranking():
    n, readers = 400, 4000
    ranked = np.arange(n)
    created = np.full(n, TODAY)
    away, budget = np.ones(readers, int), np.full(readers, 5)
    reader, post = reads(ranked, created, away, budget, skip=0.0, share=0.1)
    # each post is in a feed with probability 0.1: the top post is read by ~10% of readers
    assert 0.08 < np.mean(post == 0) * len(post) / readers < 0.12
    # and a reader's 5th read lands near position 50 (5 / 0.1)
    fifth = [post[reader == r][4] for r in range(500) if (reader == r).sum() == 5]
    assert 40 <= np.mean(fifth) <= 60


def test_the_posts_a_feed_offers_are_the_new_posts_in_it():
    ranked = np.arange(10)
    created = np.array([TODAY] * 4 + [TODAY - 1] * 6)
    _, _, offered = sample(ranked, created, [1, 2], [3, 3], 0.5, share=0.5)
    assert offered.tolist() == [4 * 0.5, 10 * 0.5]


def test_a_reader_skips_its_own_posts_without_reading_them():
    ranked = np.arange(6)
    created = np.full(6, TODAY)
    author = np.array([7, 3, 7, 5, 3, 7])  # rows 1 and 4 are by member 3
    # reader 0 is member 3, reader 1 member 9
    reader, post, _ = sample(ranked, created, [1, 1], [6, 6], 0.0, author=author, slot=[3, 9])
    assert post[reader == 0].tolist() == [0, 2, 3, 5]
    assert post[reader == 1].tolist() == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("hit", [0.3333333333333333, 0.3, 0.05, 1e-3, 1e-7, 1e-16, 0.5])
def test_read_gaps_are_numpys_geometric_draws(hit):
    """The gaps drawn by inversion over the whole array are ``rng.geometric``'s, and
    leave the generator where it does (chances at and around NumPy's two algorithms'
    border, and tiny ones)."""
    fast, plain = np.random.default_rng(4), np.random.default_rng(4)
    got = read_gaps(fast, hit, 0.0, 50_000)
    want = plain.geometric(hit, size=50_000)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    assert fast.bit_generator.state == plain.bit_generator.state
