"""Joining and visiting in compiled loops (``sim.model.joining_loops``,
``sim.model.visits.visit_loop`` and the visit chances' loops) do what their NumPy forms
(``sim.model.membership.newcomer_counts`` and ``newcomer_traits``,
``sim.model.visits.visit`` and ``refresh``) do, bit for bit: the same newcomers, traits,
visitors and chances, and the same random stream after them."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.model import joining_loops, kernels, membership, visits
from sim.model.draws import DrawBuffer
from sim.model.model import CommunityModel
from sim.model.strategies import LURKER, PROMOTER, SPAMMER

needs_numba = pytest.mark.skipif(
    kernels.compiled() is None, reason="the compiled path needs Numba (sim[fast])"
)


def _twins(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    return np.random.default_rng(seed), np.random.default_rng(seed)


@needs_numba
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"share_spammers": 0.3, "spam_join_rate": 0.05},  # spammers join too
        {"join_rate": 0.5, "market_size": 1.05},  # more would join than there is room for
        {"join_rate": 0.0, "spam_join_rate": 0.0},  # nobody joins: no draw at all
    ],
)
@pytest.mark.parametrize("reputation", [0.2, 0.9])
def test_the_compiled_counts_are_the_numpy_counts(params, reputation):
    model = CommunityModel(rng=5, **params).run(20)
    plain_rng, fast_rng = _twins(11)
    for _ in range(30):  # the members change between days: some leave
        want = membership.newcomer_counts(plain_rng, model.state, model.params, reputation)
        got = joining_loops.newcomer_counts(fast_rng, model.state, model.params, reputation)
        assert got == want and type(got[0]) is int
        assert fast_rng.bit_generator.state == plain_rng.bit_generator.state
        model.state.present[np.flatnonzero(model.state.present)[:5]] = False
    if params.get("join_rate") == 0.0:
        assert want == (0, 0)


@needs_numba
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"standard_sd": 0.0},  # no spread of standards: the skill's z-score is 0
        {"skill_standard_corr": -0.7, "activity_sigma": 2.0, "attention_cap": 3},
        {"rules_visible": True, "announcement_reach": 0.5, "newcomer_awareness": 0.2},
    ],
)
@pytest.mark.parametrize("founding", [False, True])
def test_the_compiled_traits_are_the_numpy_traits(params, founding):
    model = CommunityModel(rng=6, **params)
    strategies = np.array([LURKER, SPAMMER, 0, 1, 2, LURKER, SPAMMER] * 20, dtype=np.int8)
    plain_rng, fast_rng = _twins(12)
    want = membership.newcomer_traits(plain_rng, model.params, strategies, founding)
    got = joining_loops.newcomer_traits(fast_rng, model.params, strategies, founding)
    assert list(got) == list(want)
    for name, value in want.items():
        assert got[name].dtype == value.dtype, name
        np.testing.assert_array_equal(got[name], value, err_msg=name)
    assert fast_rng.bit_generator.state == plain_rng.bit_generator.state
    # founders know the norms; of 140 newcomers, some do not
    assert want["aware"].all() if founding else not want["aware"].all()
    if params.get("attention_cap"):
        assert want["attention"].max() == params["attention_cap"]


@needs_numba
def test_a_compiled_set_joins_in_loops_and_numpy_step_by_step():
    assert kernels.compiled().newcomer_counts is joining_loops.newcomer_counts
    assert kernels.compiled().newcomer_traits is joining_loops.newcomer_traits
    assert kernels.NUMPY.newcomer_counts is None and kernels.NUMPY.newcomer_traits is None


@needs_numba
@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize("params", [{}, {"share_spammers": 0.3, "spam_visit": 0.6}])
def test_the_compiled_visits_are_the_numpy_visits(params, warm):
    """Who visits (``sim.model.visits.visit``): the same visitors, honest count and
    random stream, with members gone and spammers among those present."""
    model = CommunityModel(rng=8, **params).run(30)
    model.state.present[::7] = False
    plain_rng, fast_rng = _twins(13)
    want = visits.visit(plain_rng, DrawBuffer(), model.params, model.state, warm)
    got = kernels.compiled().visit(fast_rng, DrawBuffer(), model.params, model.state, warm)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[0].dtype == want[0].dtype and got[1] == want[1] and type(got[1]) is int
    assert fast_rng.bit_generator.state == plain_rng.bit_generator.state
    if params:  # spammers visit, but not in the warm-up
        assert (model.state.strategy[want[0]] == SPAMMER).any() != warm


@needs_numba
def test_visits_drawn_a_block_at_a_time_are_the_numpy_visits():
    """More members than a block of uniforms (``visits._BLOCK``), and a last block cut
    short: the same visitors and random stream."""
    model = CommunityModel(rng=5, n_members=2 * visits._BLOCK + 37, warmup=0)
    plain_rng, fast_rng = _twins(21)
    want = visits.visit(plain_rng, DrawBuffer(), model.params, model.state, False)
    got = kernels.compiled().visit(fast_rng, DrawBuffer(), model.params, model.state, False)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1] == want[1] and len(want[0]) > 0
    assert fast_rng.bit_generator.state == plain_rng.bit_generator.state


@needs_numba
@pytest.mark.parametrize("floor", [0.0, 0.05])
@pytest.mark.parametrize("size", [0, 1, 40])
def test_the_compiled_visit_chances_are_the_numpy_ones(size, floor):
    """Visit chances after satisfaction changed (``sim.model.visits.refresh``): the same
    chances and unhappiness bit for bit, gaps past the exponent's clip included."""
    model = CommunityModel(rng=3, warmup=0, visit_floor=floor)
    rng = np.random.default_rng(size)
    slots = np.sort(rng.choice(model.state.n, size, replace=False))
    model.state.satisfaction[slots] = rng.normal(0.0, 1.0, size) * rng.choice([1e-3, 1, 1e4], size)
    plain, fast = copy.deepcopy(model.state), copy.deepcopy(model.state)
    visits.refresh(model.params, plain, slots)
    kernels.compiled().refresh(model.params, fast, slots)
    for name in ("visit_chance", "unhappy"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(plain, name), err_msg=name)
    if size:
        assert not np.array_equal(plain.visit_chance, model.state.visit_chance)


@needs_numba
@pytest.mark.parametrize("ring_size", [1, 3, 7])
def test_the_compiled_companies_are_the_numpy_companies(ring_size):
    """Newcomers' companies (``Companies.assign``): promoters each a new one, spammers
    the open rings in order, then new rings; the same ids and the same new companies."""
    model = CommunityModel(rng=9, share_spammers=0.3, share_promoters=0.1, ring_size=ring_size)
    model.run(20)
    model.state.present[::5] = False  # rings with places left
    rng = np.random.default_rng(ring_size)
    for k in (0, 1, 6, 40):
        strategies = rng.choice(np.array([SPAMMER, PROMOTER, LURKER], np.int8), k)
        plain, fast = copy.deepcopy(model.companies), copy.deepcopy(model.companies)
        want = plain.assign(strategies, model.state, ring_size)
        got = joining_loops.assign(fast, strategies, model.state, ring_size)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(fast.links, plain.links)
    if ring_size > 1:  # rings of one are never open: each spammer gets a new one
        assert (want[strategies == SPAMMER] < len(model.companies)).any()  # rings filled
    assert len(plain) > len(model.companies)  # and new ones made
