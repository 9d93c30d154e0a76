"""A column store: parallel NumPy arrays, one row per item, that grow geometrically.

Members (``Population``) and posts (``Feed``) are both kept this way, so that the
day's arithmetic runs over whole columns at once. Each column reads as a view of
the rows in use, ``[start, end)`` of a larger buffer; the views are plain
attributes, refreshed whenever the rows change, because the model reads them a few
hundred times a day and an attribute lookup is far cheaper than building a slice
on every access. Assigning to a column (``store.x = values``) writes into its buffer.

Buffers are allocated empty, not filled: a row is written in full when it is appended,
before anything reads it, so the rows not yet in use cost neither a pass over memory
nor, on a system that maps memory on first touch, any memory at all. A day appends a
few rows at a time, and writing the fill of each column not given (most of them) costs
a NumPy call each: small appends therefore fill the next ``PREFILL`` rows of every
column with its fill once, and later appends into those rows write only the columns
given.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

__all__ = ["PREFILL", "Columns"]

PREFILL = 1024  # rows filled with every column's fill ahead of the end, at a time


class Columns:
    """Parallel arrays with the rows ``[start, end)`` in use.

    Subclasses name their columns in ``FIELDS``: ``name -> (dtype, fill)``, the fill
    being the value of a row that is appended without it.
    """

    FIELDS: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, capacity: int = 64) -> None:
        capacity = max(int(capacity), 1)
        self._buffers = {
            name: np.empty(capacity, dtype) for name, (dtype, _) in self.FIELDS.items()
        }
        self._start = self._end = 0
        self._filled = 0  # rows [_end, _filled) hold every column's fill already
        self._refresh_views()

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.FIELDS:
            self.__dict__[name][...] = value
        else:
            super().__setattr__(name, value)

    def __len__(self) -> int:
        return self._end - self._start

    def fields(self) -> tuple[str, ...]:
        """Names of the columns."""
        return tuple(self.FIELDS)

    def _refresh_views(self) -> None:
        """Point every column's attribute at the rows in use."""
        rows, views = slice(self._start, self._end), self.__dict__
        for name, buffer in self._buffers.items():
            views[name] = buffer[rows]

    def _append(self, columns: dict[str, Any]) -> np.ndarray:
        """Append rows; columns not given take their fill. Returns their positions."""
        n = len(next(iter(columns.values())))
        unknown = columns.keys() - self.FIELDS.keys()
        if unknown:
            raise KeyError(f"unknown column {min(unknown)!r}")
        first = len(self)
        self._make_room(n)
        end = self._end + n
        if end > self._filled and n < PREFILL:
            self._prefill(end)
        new = slice(self._end, end)
        if end <= self._filled:  # the other columns hold their fill already
            for name, values in columns.items():
                self._buffers[name][new] = values
        else:
            for name, buffer in self._buffers.items():
                buffer[new] = columns[name] if name in columns else self.FIELDS[name][1]
        self._end = end
        self._filled = max(self._filled, end)
        self._refresh_views()
        return np.arange(first, first + n)

    def _prefill(self, end: int) -> None:
        """Fill every column from the end of the rows in use to at least ``end`` and at
        most ``PREFILL`` rows on (within the buffers)."""
        capacity = len(next(iter(self._buffers.values())))
        rows = slice(self._end, min(capacity, max(end, self._end + PREFILL)))
        for name, (_, fill) in self.FIELDS.items():
            self._buffers[name][rows] = fill
        self._filled = rows.stop

    def _truncate(self, end: int) -> None:
        """Make ``end`` the end of the rows in use; the rows past it are unfilled."""
        self._end = self._filled = end
        self._refresh_views()

    def _make_room(self, n: int) -> None:
        """Room for ``n`` more rows after the end: move the rows in use to the front
        of buffers at least twice as large as they need, so that this stays rare."""
        capacity = len(next(iter(self._buffers.values())))
        if self._end + n <= capacity:
            return
        used = len(self)
        capacity = max(capacity, 2 * (used + n))
        for name, (dtype, _) in self.FIELDS.items():
            grown = np.empty(capacity, dtype)
            grown[:used] = self._buffers[name][self._start : self._end]
            self._buffers[name] = grown
        self._start, self._end, self._filled = 0, used, used
