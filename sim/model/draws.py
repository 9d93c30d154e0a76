"""A buffer for the day's member-sized uniform draws, kept from day to day.

A million-member group draws several uniforms per member every day (who visits; who
lurks, returns, leaves or quits). Written into fresh arrays, those tens of megabytes
cost as much again in page faults as the draws themselves; written into one buffer
kept by the model, they cost only the draws. NumPy's generator gives the same numbers
either way.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["DrawBuffer"]


class DrawBuffer:
    """Room for uniform draws, grown as the group grows."""

    def __init__(self) -> None:
        self._data = np.empty(0)

    def uniform(self, rng: np.random.Generator, *shape: int) -> np.ndarray:
        """``rng.random(shape)``, written into the buffer: valid until the next call."""
        size = math.prod(shape)
        if len(self._data) < size:
            self._data = np.empty(2 * size)  # room for the group to grow
        return rng.random(shape, out=self._data[:size].reshape(shape))
