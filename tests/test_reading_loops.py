"""The day's reading in compiled loops (``sim.model.reading_loops``) does what its
NumPy form (``sim.model.reading.read_day``) does, bit for bit: the same members'
state, posts, events, replies and random stream after the same day."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.model import budget, kernels, placing_loops, reading, reading_loops
from sim.model.events import DayEvents
from sim.model.model import CommunityModel

needs_numba = pytest.mark.skipif(
    kernels.compiled() is None, reason="the compiled path needs Numba (sim[fast])"
)


def _read(model: CommunityModel, read, loops) -> tuple[CommunityModel, DayEvents]:
    """``model``'s next day's reading by ``read``, on a copy of the model."""
    m = copy.deepcopy(model)
    m.day += 1
    m._expire_posts()
    visitors = m._visit(False, DayEvents())
    m._submit(m._write(visitors), DayEvents())
    events = DayEvents()
    members = m.today.get("members", m.state.n)
    args = (m.rng, m.params, m.state, m.feed, loops, m.day, visitors, m.ranked_feed())
    read(*args, members, events, m.logs)
    return m, events


@needs_numba
@pytest.mark.parametrize(
    "params",
    [
        {"share_spammers": 0.3, "policy": "moderated"},
        {"scan_depth": 0.0, "feed_reach": 1e6},  # every post in every feed is read
        {"n_members": 25, "attention": 1.0},  # few readers, few reads
        {"feed_ranking": "chronological", "imitation_rate": 0.05},
    ],
)
def test_the_compiled_reading_is_the_numpy_reading(params):
    model = CommunityModel(rng=11, logs=True, **params).run(40)
    plain, want = _read(model, reading.read_day, kernels.NUMPY)
    fast, got = _read(model, reading_loops.read_day, kernels.compiled())
    assert len(want.post) > 0 or params.get("n_members") == 25
    for name in plain.state.fields():
        np.testing.assert_array_equal(getattr(fast.state, name), getattr(plain.state, name))
    for name in plain.feed.fields():
        np.testing.assert_array_equal(getattr(fast.feed, name), getattr(plain.feed, name))
    for name, value in vars(want).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(got, name), value)
            assert getattr(got, name).dtype == value.dtype
        elif isinstance(value, float) and np.isnan(value):
            assert np.isnan(getattr(got, name))
        else:
            assert getattr(got, name) == value, name
    assert fast.rng.bit_generator.state == plain.rng.bit_generator.state
    assert fast.reply_log().equals(plain.reply_log())
    assert fast.reply_log().dtypes.equals(plain.reply_log().dtypes)


@needs_numba
def test_both_readings_refuse_a_day_whose_reads_would_pass_the_memory_limit():
    """The compiled reading checks the reads' memory before its one call makes them."""
    messages = []
    for read, loops in [
        (reading.read_day, kernels.NUMPY),
        (reading_loops.read_day, kernels.compiled()),
    ]:
        m = CommunityModel(rng=5, attention=50).run(5)
        m.day += 1
        m._expire_posts()
        visitors = m._visit(False, DayEvents())
        m._submit(m._write(visitors), DayEvents())
        rows = m.state.n * budget.BYTES_PER_MEMBER + len(m.feed) * budget.BYTES_PER_POST
        m.params["memory_limit"] = (rows + 1) / 1e6  # room for the rows, not the reads
        args = (m.rng, m.params, m.state, m.feed, loops, m.day, visitors, m.ranked_feed())
        with pytest.raises(budget.BudgetError, match="memory_limit") as refused:
            read(*args, m.state.n, DayEvents(), None)
        messages.append(str(refused.value))
    assert " 0 reads a day" not in messages[0]  # the reading's check, not the writing's
    assert messages[0] == messages[1]


@needs_numba
def test_a_compiled_set_reads_in_one_call_and_numpy_step_by_step():
    assert kernels.compiled().read_day is reading_loops.read_day
    assert kernels.NUMPY.read_day is None


@needs_numba
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("m", [500, placing_loops.PREFETCH_FROM])
def test_the_compiled_placing_of_reads_is_numpys(seed, m):
    """Lists of various lengths, reads past their end, reads of one's own posts, fewer
    reads than the placing looks ahead (seed 2), and authors' slots past 32 bits (held
    beside each post's quality and topic as floats, which hold them exactly); each
    post's reads are counted in its row. Tables of ``m`` posts: placed in one pass, and
    in two."""
    rng = np.random.default_rng(seed)
    kernels.compiled()
    n = (300, 300, 3)[seed]
    k = rng.integers(1, 12, n)
    first, length = rng.integers(0, 1000, n), rng.integers(0, 40, n)
    eligible, gaps = rng.integers(0, m, 1100), rng.geometric(0.3, int(k.sum()))
    who, topic = rng.permutation(n), rng.normal(size=n)
    for offset in (0, 2**40 + 1):
        author, slot = rng.integers(0, 50, m) + offset, rng.integers(0, 50, n) + offset
        args = (gaps, k, who, first, length, eligible, author, slot)
        reader, post = kernels.place_reads(*args)
        assert not (author[post] == slot[reader]).any()
        if n > 3:
            assert (author[eligible] == slot[who[0]]).any()  # some reads of one's own posts
        looked_up = np.column_stack([rng.random(m), rng.random(m), author, np.zeros(m)])
        out = [np.empty(len(gaps), np.int32), np.empty(len(gaps), np.int64)]
        out += [np.empty(len(gaps)), np.empty(len(gaps))]
        reads = reading_loops._LOOPS["place"](*args[:6], slot, topic, looked_up, *out)
        np.testing.assert_array_equal(out[0][:reads], reader)
        np.testing.assert_array_equal(out[1][:reads], post)
        np.testing.assert_array_equal(out[2][:reads], looked_up[post, 0])
        np.testing.assert_array_equal(out[3][:reads], topic[reader] - looked_up[post, 1])
        np.testing.assert_array_equal(looked_up[:, 3], np.bincount(post, minlength=m))
