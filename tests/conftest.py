"""Shared fixtures: small groups that run in a fraction of a second."""

from __future__ import annotations

import pytest

from sim.model.model import CommunityModel

SMALL = {"n_members": 200, "warmup": 10}


@pytest.fixture
def small_model():
    """Factory for a small group: ``small_model(seed, **params)``."""

    def make(seed: int = 1, **params) -> CommunityModel:
        return CommunityModel(rng=seed, **{**SMALL, **params})

    return make
