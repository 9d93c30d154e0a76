"""The faster paths give the results of the plain ones, bit for bit: the compiled
per-read loops (``sim.model.kernels``, with Numba) against their NumPy forms, the
stable order from an unstable sort, and whole runs on either path."""

from __future__ import annotations

import copy
import itertools
import sys

import numpy as np
import pandas as pd
import pytest

from sim.model import kernels, sorting
from sim.model.companies import Companies
from sim.model.draws import BLOCKS_FROM, COLUMNS, DrawBuffer
from sim.model.feed import Feed, stable_argsort
from sim.model.membership import CHANGES, who_leaves
from sim.model.model import CommunityModel
from sim.model.population import Population
from sim.model.sorting import RADIX_FROM
from sim.model.strategies import CONTRIBUTES, PROMOTER, PROMOTES, SHARER, SPAMMER

RNG = np.random.default_rng(0)  # NumPy's default generator, which the loops draw from

needs_numba = pytest.mark.skipif(
    kernels.compiled() is None, reason="the compiled path needs Numba (sim[fast])"
)


def _same(got: tuple, want: tuple) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


def _reads(rng: np.random.Generator, readers: int, posts: int, reads: int):
    """A day's reads: reader positions, post rows, and per-read floats."""
    i = np.sort(rng.integers(0, readers, reads))
    post = rng.integers(0, posts, reads)
    return i, post


@needs_numba
@pytest.mark.parametrize("seed", range(5))
def test_compiled_day_loops_give_the_numpy_results(seed):
    """Reading plans, leaving, the moving averages and the day's counts: outputs and
    arrays changed in place are the same on both paths, on random states (empty cases
    included)."""
    rng = np.random.default_rng(seed)
    compiled = kernels.compiled()
    for n, m in ((0, 0), (1, 0), (40, 1), (300, 500)):
        # plan_reads: readers away 1 to 9 days (some for long), budgets from 0
        ranked = rng.permutation(m)
        age = rng.integers(0, 8, m)
        away = np.where(rng.random(n) < 0.1, 10**6, rng.integers(1, 10, n))
        budget = rng.integers(0, 12, n)
        args = (ranked, age, away, budget, float(rng.random()))
        _same(compiled.plan_reads(*args), kernels.plan_reads(*args))
        # leaves and move_averages change the members' arrays: compare those too
        members = {
            "present": rng.random(n) < 0.8,
            "strategy": rng.integers(0, 5, n).astype(np.int8),
            "former": np.where(rng.random(n) < 0.5, rng.integers(0, 3, n), -1).astype(np.int8),
            "satisfaction": rng.random(n),
            "unhappy": rng.random(n) < 0.5,
            "reach": rng.random(n),
            "feedback": rng.random(n),
            "care": rng.random(n),
        }
        rates = rng.random(5) * rng.choice([0.05, 1.0])
        u = rng.random((5, n))
        posts = (rng.integers(0, max(n, 1), m), rng.integers(0, 4, m), rng.integers(0, 9, m))
        state = {}
        for path in (kernels.NUMPY, compiled):
            s = {k: v.copy() for k, v in members.items()}
            left = path.leaves(
                u, rates, 0.5, s["present"], s["strategy"], s["former"],
                s["unhappy"], s["reach"], CONTRIBUTES,
            )  # fmt: skip
            if n:
                counts = np.zeros((n + 5, 2), np.int64)  # kept all zero from day to day
                averages = s["feedback"], s["care"], s["reach"], s["strategy"]
                path.move_averages(*averages, *posts, 0.2, PROMOTES, counts)
                assert not counts.any()
            state[path.name] = (left, s)
        _same(state["compiled"][0], state["numpy"][0])
        # tally: posts of companies and of unaffiliated authors, some unread
        reads = np.where(rng.random(m) < 0.3, 0, rng.integers(0, 50, m))
        company = np.where(rng.random(m) < 0.5, -1, rng.integers(0, 20 + 200 * (seed % 2), m))
        kind = rng.integers(0, 3, m).astype(np.int8)
        chosen = np.sort(rng.choice(5, 2, replace=False))  # the strategies averaged
        args = (members["present"], members["strategy"], members["satisfaction"])
        args = (*args, np.isin(np.arange(5), chosen), reads, kind, company < 3, company)
        args = (*args, rng.integers(0, max(n, 1), m))
        # room for the counters kept from day to day, or too little (counted apart)
        counters = np.zeros((2 * n + 16 if seed < 3 else 1, 1), np.int64)
        got = compiled.tally(*args, (np.empty(n), counters))
        want = kernels.tally(*args)
        assert [int(x) for x in got[1:3]] == list(want[1:3])
        _same((got[0], *got[3:]), (want[0], *want[3:]))
        assert got[-1].sum() == want[-1].sum()  # NumPy sums the satisfaction chosen alike
        assert not counters.any()
        for name, want in state["numpy"][1].items():
            got = state["compiled"][1][name]
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want, err_msg=name)


@pytest.mark.parametrize("fill", ["numpy", "compiled"])
@pytest.mark.parametrize("n", [5, BLOCKS_FROM - 1, BLOCKS_FROM, BLOCKS_FROM + 7])
def test_draws_by_blocks_of_columns_are_the_draws_of_all_at_once(n, fill):
    """The blocks are ``rng.random((rows, n))`` cut by columns, and the generator goes
    on as after that call, a 32-bit half kept for the next 32-bit draw included; filled
    by NumPy or by the compiled draws (``bitstream.fill``)."""
    if fill == "compiled" and kernels.compiled() is None:
        pytest.skip("the compiled draws need Numba (sim[fast])")
    buffer = DrawBuffer(kernels.compiled().fill if fill == "compiled" else None)
    want, got = np.random.default_rng(4), np.random.default_rng(4)
    for rng in (want, got):
        rng.integers(0, 1000, size=3, dtype=np.int32)  # leaves a 32-bit half kept
    whole = want.random((5, n))
    blocks = [(first, block.copy()) for first, block in buffer.columns(got, 5, n)]
    starts = list(range(0, n, COLUMNS)) if n >= BLOCKS_FROM else [0]
    assert [first for first, _ in blocks] == starts
    np.testing.assert_array_equal(np.hstack([block for _, block in blocks]), whole)
    assert got.bit_generator.state == want.bit_generator.state
    after = [(rng.integers(0, 1000, size=3, dtype=np.int32), rng.random(3)) for rng in (got, want)]
    _same(*after)  # the same draws go on
    # who leaves: block by block as all at once
    rng = np.random.default_rng(n)
    state = Population()
    state.add(
        present=rng.random(n) < 0.9,
        strategy=rng.integers(0, 5, n).astype(np.int8),
        former=np.where(rng.random(n) < 0.5, rng.integers(0, 3, n), -1).astype(np.int8),
        unhappy=rng.random(n) < 0.5,
        reach=rng.random(n),
    )
    params = {name: 0.3 for name in CHANGES} | {"spam_quit_reach": 0.5}
    left = {}
    for name, pieces in (("all", [(0, whole)]), ("blocks", blocks)):
        s = copy.deepcopy(state)
        left[name] = (*who_leaves(pieces, s, params), s.strategy, s.former)
    _same(left["blocks"], left["all"])


@needs_numba
def test_the_kernels_follow_the_group_size_and_the_environment(monkeypatch):
    monkeypatch.delenv("SIM_KERNELS", raising=False)
    monkeypatch.setattr(kernels, "_COMPILED", None)  # as in a new process
    assert kernels.select(1_000, RNG) is kernels.NUMPY
    assert kernels.select(kernels.COMPILED_FROM, RNG).name == "compiled"
    monkeypatch.setattr(kernels, "_COMPILED", None)
    assert kernels.load()  # a sweep's worker: every group compiled from now on
    assert kernels.select(1_000, RNG).name == "compiled"
    monkeypatch.setenv("SIM_KERNELS", "numpy")
    assert kernels.select(10**6, RNG) is kernels.NUMPY
    assert not kernels.load()
    monkeypatch.setenv("SIM_KERNELS", "compiled")
    assert kernels.select(100, RNG).name == "compiled"
    # the loops draw from NumPy's default PCG64 only: another generator runs on NumPy
    other = np.random.Generator(np.random.Philox(1))
    assert kernels.select(100, other) is kernels.NUMPY
    model = CommunityModel(rng=other, n_members=60).run(3)
    assert model.kernels is kernels.NUMPY and model.today["members"] > 0


def _run(monkeypatch, path: str, **params) -> CommunityModel:
    monkeypatch.setenv("SIM_KERNELS", path)
    model = CommunityModel(rng=7, **params).run(60)
    assert model.kernels.name == path
    return model


@needs_numba
@pytest.mark.parametrize(
    "params",
    [
        {"n_members": 2000, "policy": "moderated"},
        {"n_members": 2000, "feed_reach": 80.0, "feed_ranking": "chronological"},
    ],
)
def test_a_run_is_the_same_on_either_path(monkeypatch, params):
    plain = _run(monkeypatch, "numpy", **params)
    fast = _run(monkeypatch, "compiled", **params)
    pd.testing.assert_frame_equal(fast.timeseries(), plain.timeseries(), check_exact=True)
    for name in plain.state.fields():
        np.testing.assert_array_equal(getattr(fast.state, name), getattr(plain.state, name))


@needs_numba
@pytest.mark.slow
def test_random_parameter_sets_run_the_same_on_either_path(monkeypatch):
    """Parameter sets drawn over every parameter's whole range (``fuzz_params``):
    each runs the same on both paths (daily measures, every member's state, the reply
    log, the generator's state) or is refused with the same error. The first 80 sets
    of seed 101 include one whose posting rates take Numba's own Poisson sampler where
    it is not NumPy's (the compiled writing once diverged there)."""
    from fuzz_params import DAYS, draw

    from sim.errors import UserError

    rng = np.random.default_rng(101)
    ran = 0
    for k in range(80):
        params = draw(rng)
        out = {}
        for path in ("numpy", "compiled"):
            monkeypatch.setenv("SIM_KERNELS", path)
            try:
                m = CommunityModel(rng=k, logs=True, **params).run(DAYS)
            except UserError as error:
                out[path] = str(error)
                continue
            members = {n: getattr(m.state, n).copy() for n in m.state.fields()}
            out[path] = (m.timeseries(), members, m.reply_log(), m.rng.bit_generator.state)
        plain, fast = out["numpy"], out["compiled"]
        if isinstance(plain, str) or isinstance(fast, str):
            assert fast == plain, k
            continue
        ran += 1
        pd.testing.assert_frame_equal(fast[0], plain[0])
        for name, values in plain[1].items():
            np.testing.assert_array_equal(fast[1][name], values, err_msg=f"{k}: {name}")
        pd.testing.assert_frame_equal(fast[2], plain[2])
        assert fast[3] == plain[3], k
    assert ran >= 60  # most sets are groups that run, not refusals


def test_without_numba_every_group_runs_on_numpy(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba now fails
    monkeypatch.setattr(kernels, "_COMPILED", None)
    monkeypatch.setenv("SIM_KERNELS", "compiled")
    assert kernels.select(10**6, RNG) is kernels.NUMPY
    assert not kernels.load()
    assert CommunityModel(rng=1, n_members=100).kernels is kernels.NUMPY


@needs_numba
def test_the_radix_sort_is_numpys_stable_order():
    """Ties, both zeros, infinities, NaNs of both signs, tiny and huge numbers, keys
    that agree on whole digits, and a digit that all keys share (a pass skipped); few
    keys and more, whose places go into the keys' bits after the first pass, after the
    second, or after the third when all keys share the second's digit."""
    kernels.compiled()
    rng = np.random.default_rng(5)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 5e-324, -5e-324, 1e308, -1e308]
    keys = [
        rng.choice(special + [1.0, -1.0], 3000),
        rng.integers(0, 40, 5000) / 7.0 - 2.0,  # many ties, both signs
        -(rng.integers(1, 5, 5000) / 3.0 + 1e-6 * rng.random(5000)),  # scores, negated
        1.0 + rng.integers(0, 2**11, 5000) * 2.0**-52,  # only the lowest digit differs
        rng.normal(size=5000) * 10.0 ** rng.integers(-300, 300, 5000),
        rng.normal(size=1500),
        1.0 + (rng.integers(0, 2**20, 5000) * 2**22 + rng.integers(0, 2**11, 5000)) * 2.0**-52,
        np.zeros(0),
    ]
    for key in keys:
        np.testing.assert_array_equal(sorting.radix_argsort(key), np.argsort(key, kind="stable"))


def test_stable_argsort_is_numpys_stable_order():
    rng = np.random.default_rng(3)
    for size, distinct in [(0, 1), (1, 1), (50, 3), (5000, 40), (5000, 10**9)]:
        key = rng.integers(0, distinct, size).astype(float) / 7.0
        np.testing.assert_array_equal(stable_argsort(key), np.argsort(key, kind="stable"))


@needs_numba
@pytest.mark.parametrize("ranking", ["engagement", "chronological"])
def test_the_compiled_ranking_orders_the_feed_as_numpy_does(ranking):
    """Ties (the same day, likes and tie-break), hidden and removed posts or none, and
    an empty feed, short feeds (a merge sort) and long ones (a radix sort): the compiled
    order is the NumPy form's, post for post."""
    rng = np.random.default_rng(11)
    loop = kernels.compiled().ranked
    sizes = (0, 1, 7, 400, RADIX_FROM - 1, RADIX_FROM + 300, 40_000)
    for size, hiding in itertools.product(sizes, (0.1, 0.0)):
        feed = Feed()
        created = np.sort(rng.integers(0, 30, size))
        tiebreak = np.where(rng.random(size) < 0.3, 0.5, rng.random(size))  # many ties
        feed.add(created=created, tiebreak=tiebreak)
        feed.rank_likes = rng.integers(0, 4, size).astype(float)
        feed.rank_comments = rng.integers(0, 3, size).astype(float)
        feed.hidden = rng.random(size) < hiding
        feed.removed = rng.random(size) < hiding
        likes = feed.rank_likes - rng.integers(0, 2, size)  # as a rule may count them
        for counted in (None, likes):
            want = feed.ranked(30, ranking, 2.0, counted)
            got = feed.ranked(30, ranking, 2.0, counted, loop)
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
            assert not set(got) & set(np.flatnonzero(feed.hidden | feed.removed))


def test_spammers_fill_open_rings_in_order_then_new_ones():
    state = Population()
    companies = Companies()
    # rings 0 (3 of 5 places taken) and 1 (full), promoter company 2, ring 3 (1 of 5)
    companies.new(4)
    taken = np.array([0, 0, 0, 1, 1, 1, 1, 1, 2, 3])
    strategy = np.where(taken == 2, PROMOTER, SPAMMER).astype(np.int8)
    state.add(present=np.ones(10, bool), strategy=strategy, company=taken)
    newcomers = np.array([SPAMMER] * 9 + [SHARER, PROMOTER], dtype=np.int8)
    got = companies.assign(newcomers, state, ring_size=5)
    # the promoter gets company 4 first; spammers: 2 places in ring 0, 4 in ring 3, then
    # a new ring 5
    assert got.tolist() == [0, 0, 3, 3, 3, 3, 5, 5, 5, -1, 4]
    assert len(companies) == 6


def test_another_numpy_series_runs_on_numpy(monkeypatch):
    """The compiled draws follow one NumPy series: with another, NumPy draws."""
    monkeypatch.delenv("SIM_KERNELS", raising=False)
    monkeypatch.setattr(np, "__version__", "9.0.0")
    assert kernels.select(10**6, RNG) is kernels.NUMPY
