"""A buffer for the day's member-sized uniform draws, kept from day to day.

A million-member group draws several uniforms per member every day (who visits; who
lurks, returns, leaves or quits). Written into fresh arrays, those tens of megabytes
cost as much again in page faults as the draws themselves; written into one buffer
kept by the model, they cost only the draws. NumPy's generator gives the same numbers
either way.

The draws of several rows (one per change of membership) are also handed out a block
of columns at a time, so that a loop over the members reads them while they are still
in the processor's cache, not back from memory.

With the compiled loops, the buffer is filled by ``sim.model.bitstream.fill``, which
draws the same numbers from the generator in place a quarter faster than NumPy's own
``random`` (its 128-bit product is one instruction).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from sim.model import bitstream

__all__ = ["BLOCKS_FROM", "COLUMNS", "DrawBuffer"]

COLUMNS = 1 << 16  # columns of a block: five rows of them fit a core's cache
# Fewer columns than this come as one block: their draws stay in cache anyway, and
# blocks cost more than they save (measured: 0.2 ms more a day at 100,000 members,
# 0.2 ms less at 300,000, 2.5 ms less at 1,000,000).
BLOCKS_FROM = 4 * COLUMNS


class DrawBuffer:
    """Room for uniform draws, grown as the group grows. ``fill`` is
    ``sim.model.bitstream.fill`` compiled (a PCG64 generator only), or None: NumPy's
    ``random`` fills it."""

    def __init__(self, fill: Callable[[np.ndarray, np.ndarray], None] | None = None) -> None:
        self._data = np.empty(0)
        self._lanes: list[np.random.Generator] = []
        self._lane_states: list[np.ndarray] = []  # their states' views, for ``fill``
        self._fill = fill

    def uniform(self, rng: np.random.Generator, *shape: int) -> np.ndarray:
        """``rng.random(shape)``, written into the buffer: valid until the next call."""
        size = math.prod(shape)
        if len(self._data) < size:
            self._data = np.empty(2 * size)  # room for the group to grow
        if self._fill is None:
            return rng.random(shape, out=self._data[:size].reshape(shape))
        self._fill(bitstream.stream(rng), self._data[:size])
        return self._data[:size].reshape(shape)

    def columns(
        self, rng: np.random.Generator, rows: int, n: int
    ) -> Iterator[tuple[int, np.ndarray]]:
        """``rng.random((rows, n))`` a block of columns at a time: yields the first
        column of each block and the block (valid until the next one), in order.

        Row ``k`` of the draws is the generator's stream from ``k x n`` draws on. A
        PCG64 generator (NumPy's default) jumps there at once (``advance``), so each
        row's block is drawn by a copy of the generator started at its row; when the
        last block is out, the generator is where ``rng.random((rows, n))`` leaves it.
        Other generators, and fewer columns than ``BLOCKS_FROM``, get the whole array
        as one block.
        """
        bits = rng.bit_generator
        if n < BLOCKS_FROM or type(bits) is not np.random.PCG64:
            yield 0, self.uniform(rng, rows, n)
            return
        start = bits.state
        lanes = self._lanes_for(rows)
        for k, lane in enumerate(lanes):
            lane.bit_generator.state = start
            lane.bit_generator.advance(k * n)
        if len(self._data) < rows * COLUMNS:
            self._data = np.empty(rows * COLUMNS)
        for first in range(0, n, COLUMNS):
            width = min(COLUMNS, n - first)
            block = self._data[: rows * width].reshape(rows, width)
            for k, lane in enumerate(lanes):
                if self._fill is None:
                    lane.random(out=block[k])
                else:
                    self._fill(self._lane_states[k], block[k])
            yield first, block
        end = lanes[-1].bit_generator.state  # the last row ends the draws
        # ``advance`` drops a 32-bit half kept for the next 32-bit draw; drawing doubles
        # keeps it
        end["has_uint32"], end["uinteger"] = start["has_uint32"], start["uinteger"]
        bits.state = end

    def _lanes_for(self, rows: int) -> list[np.random.Generator]:
        """Generators to draw the rows with, made once (their state is set each time)."""
        while len(self._lanes) < rows:
            self._lanes.append(np.random.Generator(np.random.PCG64(0)))
            if self._fill is not None:
                self._lane_states.append(bitstream.view(self._lanes[-1]))
        return self._lanes[:rows]
