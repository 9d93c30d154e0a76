"""The column store (``sim.model.columns``): a row appended without a column holds
that column's fill, whatever happened to the rows before it (appends big and small,
growth, posts dropped from the middle of the feed or from its front)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.columns import PREFILL
from sim.model.feed import Feed, Kind
from sim.model.population import Population


def _add(feed: Feed, n: int, day: int, likes: int = 0) -> np.ndarray:
    """``n`` posts of ``day``; their likes given only if ``likes``."""
    given = {"author": np.arange(n), "created": np.full(n, day), "kind": np.full(n, Kind.SHARE)}
    if likes:
        given["likes"] = np.full(n, likes)
    return feed.add(**given)


def _assert_fills(feed: Feed, rows: np.ndarray) -> None:
    for name, (_, fill) in Feed.FIELDS.items():
        if name not in ("id", "author", "created", "kind"):
            assert (getattr(feed, name)[rows] == fill).all(), name


@pytest.mark.parametrize("sizes", [[3] * 700, [1, PREFILL + 5, 2, 2], [PREFILL - 1, 4, 4]])
def test_rows_appended_without_a_column_hold_its_fill(sizes):
    feed = Feed(capacity=8)  # it grows several times
    for day, n in enumerate(sizes):
        rows = _add(feed, n, day)
        _assert_fills(feed, rows)
        feed.likes[rows] = 7  # what a day does to them
        feed.hidden[rows] = True
    assert len(feed) == sum(sizes)
    assert (feed.likes == 7).all()


def test_rows_after_posts_dropped_from_the_middle_hold_the_fill():
    feed = Feed(capacity=64)
    _add(feed, 40, day=5, likes=9)
    feed.created[::2] = 0  # old posts between young ones: expiry keeps the rest in place
    feed.expire(day=10, lifetime=7)
    assert len(feed) == 20 and (feed.likes == 9).all()
    rows = _add(feed, 10, day=10)  # into rows that held the posts dropped
    _assert_fills(feed, rows)
    assert (feed.likes[:20] == 9).all()


def test_given_columns_keep_their_values_and_ids_follow_publication():
    feed = Feed(capacity=4)
    first = _add(feed, 3, day=1, likes=2)
    feed.expire(day=9, lifetime=7)  # drops them from the front
    second = _add(feed, 5, day=9, likes=4)
    assert len(first) == 3 and len(feed) == 5
    assert feed.likes.tolist() == [4] * 5
    assert feed.id.tolist() == [3, 4, 5, 6, 7]
    np.testing.assert_array_equal(second, np.arange(5))


def test_members_appended_after_the_store_grows_hold_the_fills():
    """Members' fills are not zero (-1 for the day they left, 1 for activity...): a row
    left as the system gave it would show."""
    state = Population(capacity=2)
    for k in [1, 2, 3] * 300:
        slots = state.add(strategy=np.zeros(k, np.int8), present=np.ones(k, bool))
        for name, (_, fill) in Population.FIELDS.items():
            if name not in ("strategy", "present"):
                assert (getattr(state, name)[slots] == fill).all(), name
        state.left[slots] = 5  # what a day does to them
        state.activity[slots] = 2.0
    assert state.n == 1800


class _Marked(Feed):
    """A feed whose flags column fills with -7, so that a row left unfilled shows."""

    FIELDS = {**Feed.FIELDS, "flags": (np.int64, -7)}


def test_rows_appended_after_the_feed_expires_and_grows_hold_the_fill():
    feed = _Marked(capacity=16)
    for day in range(40):
        feed.expire(day, lifetime=3)  # the rows in use move on in their buffers
        rows = _add(feed, day % 5 + 1, day)
        assert (feed.flags[rows] == -7).all(), day
        feed.flags[rows] = day
    assert len(feed) == sum(d % 5 + 1 for d in range(37, 40))
