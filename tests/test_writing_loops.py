"""The day's writing in compiled loops (``sim.model.writing_loops``) does what its
NumPy form (``sim.model.posting.write_posts``) does, bit for bit: the same posts, the
same companies' links and the same random stream after the same day. The loops draw
from the model's generator in place, NumPy's numbers in the NumPy form's order."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.model import kernels, posting, writing_loops
from sim.model.events import DayEvents
from sim.model.model import CommunityModel

needs_numba = pytest.mark.skipif(
    kernels.compiled() is None, reason="the compiled path needs Numba (sim[fast])"
)


def _write(model: CommunityModel, write) -> tuple[CommunityModel, dict[str, np.ndarray]]:
    """``model``'s next day's posts by ``write``, on a copy of the model."""
    m = copy.deepcopy(model)
    m.day += 1
    m._expire_posts()
    visitors = m._visit(False, DayEvents())
    return m, write(m.rng, m.state, m.params, visitors, m.companies, len(m.feed))


@needs_numba
@pytest.mark.parametrize(
    "params",
    [
        {"share_spammers": 0.4, "ring_size": 3},  # rings: reposts and new links
        {"policy": "etiquette", "share_promoters": 0.3},  # give before take, known or not
        {"policy": "strict", "offtopic_share": 0.3},  # off-topic talk forbidden
        {"n_members": 25, "rate_sharer": 0.0, "rate_carer": 0.0},  # hardly a post
        {"rate_sharer": 15.0, "activity_sigma": 3.0},  # counts above the most a visit
    ],
)
def test_the_compiled_writing_is_the_numpy_writing(params):
    model = CommunityModel(rng=3, **params).run(40)
    plain, want = _write(model, posting.write_posts)
    fast, got = _write(model, writing_loops.write_posts)
    assert list(got) == list(want)
    for name, value in want.items():
        assert got[name].dtype == value.dtype, name
        np.testing.assert_array_equal(got[name], value, err_msg=name)
    np.testing.assert_array_equal(fast.companies.links, plain.companies.links)
    assert fast.rng.bit_generator.state == plain.rng.bit_generator.state
    if params.get("share_spammers"):
        assert want["repost"].any() and (want["link"] >= 0).any()


def _publish(model: CommunityModel) -> tuple[CommunityModel, DayEvents]:
    """``model``'s next day's posts as published by the form of its kernels, on a copy
    of the model: the rules at submission decide first, as in a day."""
    m, batch = _write(model, posting.write_posts)
    events = DayEvents()
    m._submit(batch, events)
    return m, events


@needs_numba
@pytest.mark.parametrize(
    "params",
    [
        {"share_spammers": 0.4, "ring_size": 3},  # ring likes, no rules
        {"policy": "strict", "share_spammers": 0.2},  # refusals and labels
        {"policy": "etiquette", "share_promoters": 0.4},  # give before take
        {"n_members": 25, "rate_sharer": 0.0, "rate_carer": 0.0},  # hardly a post
    ],
)
def test_the_compiled_publishing_is_the_numpy_publishing(params, monkeypatch):
    model = CommunityModel(rng=4, **params).run(2)  # early: members' first posts
    results = {}
    for form in (kernels.NUMPY, kernels.compiled()):
        monkeypatch.setattr(model, "kernels", form)
        results[form.name] = _publish(model)
    (plain, want), (fast, got) = results["numpy"], results["compiled"]
    _same_events(got, want)
    for name in plain.state.fields():
        np.testing.assert_array_equal(getattr(fast.state, name), getattr(plain.state, name))
    for name in plain.feed.fields():
        got_column, want_column = getattr(fast.feed, name), getattr(plain.feed, name)
        assert got_column.dtype == want_column.dtype, name
        np.testing.assert_array_equal(got_column, want_column, err_msg=name)
    assert fast.rng.bit_generator.state == plain.rng.bit_generator.state
    if params.get("share_spammers") and not params.get("policy"):
        assert plain.feed.likes_company.any()  # the rings liked their posts
        assert (plain.state.first_post == plain.day).any()
    if params.get("policy") == "strict":
        assert want.refused > 0


def _same_events(got: DayEvents, want: DayEvents) -> None:
    for name, value in vars(want).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(got, name), value)
        else:
            assert getattr(got, name) == value, name
            assert type(getattr(got, name)) is type(value), name


@needs_numba
def test_a_compiled_set_writes_in_one_call_and_numpy_step_by_step():
    assert kernels.compiled().write_posts is writing_loops.write_posts
    assert kernels.compiled().publish is writing_loops.publish
    assert kernels.NUMPY.write_posts is None and kernels.NUMPY.publish is None
