"""The members' state as NumPy arrays, one row (slot) per member who ever joined.

Slots are never reused, so per-member histories (posts written, removals...) stay
readable after a member leaves; ``present`` tells who is still in the group. The
arrays grow geometrically, so joining costs amortised O(1) per member.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Population", "NEVER"]

NEVER = -(10**9)  # last_visit of a member who has not visited yet

_FIELDS: dict[str, tuple[type, float]] = {
    "present": (np.bool_, False),
    "strategy": (np.int8, 0),
    "former": (np.int8, -1),  # contributing strategy before dropping to lurking
    "company": (np.int64, -1),
    "topic": (np.float64, 0.0),  # interest on the circle of topics
    "standard": (np.float64, 0.0),
    "activity": (np.float64, 1.0),
    "base_visit": (np.float64, 0.0),
    "attention": (np.int64, 1),
    "satisfaction": (np.float64, 0.0),
    "feedback": (np.float64, 0.0),  # moving average of likes + comments received
    "reach": (np.float64, 0.0),  # moving average of reads of own promotion per day
    "last_visit": (np.int64, NEVER),
    "joined": (np.int64, 0),
    "left": (np.int64, -1),
    "posts": (np.int64, 0),
    "contributions": (np.int64, 0),
    "promotions": (np.int64, 0),
    "since_promo": (np.int64, 0),  # contributions since the last promotion
    "removals": (np.int64, 0),
    "banned": (np.bool_, False),
    "ever_spammer": (np.bool_, False),
}


class Population:
    """Parallel arrays of member state; ``n`` slots are in use.

    Each field (``present``, ``strategy``, ...) reads as a view of its first ``n``
    slots. The views are plain attributes, refreshed whenever ``n`` changes, because
    the model reads them a few hundred times a day and an attribute lookup is far
    cheaper than building a slice on every access. Assigning to a field writes into
    its storage (``state.feedback = x`` copies ``x`` into the view).
    """

    def __init__(self, capacity: int = 64) -> None:
        self.n = 0
        self._capacity = max(capacity, 1)
        self._store = {
            name: np.full(self._capacity, fill, dtype=dtype)
            for name, (dtype, fill) in _FIELDS.items()
        }
        self._refresh_views()

    def __setattr__(self, name: str, value: object) -> None:
        if name in _FIELDS:
            self.__dict__[name][...] = value
        else:
            super().__setattr__(name, value)

    def _refresh_views(self) -> None:
        """Point every field's attribute at the first ``n`` slots of its storage."""
        for name, array in self._store.items():
            self.__dict__[name] = array[: self.n]

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Append members; unspecified fields take their defaults. Returns slots."""
        k = len(next(iter(columns.values())))
        self._reserve(self.n + k)
        slots = np.arange(self.n, self.n + k)
        for name, values in columns.items():
            if name not in _FIELDS:
                raise KeyError(f"unknown member field {name!r}")
            self._store[name][slots] = values
        self.n += k
        self._refresh_views()
        return slots

    def _reserve(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        new = max(needed, 2 * self._capacity)
        for name, (dtype, fill) in _FIELDS.items():
            old = self._store[name]
            grown = np.full(new, fill, dtype=dtype)
            grown[: len(old)] = old
            self._store[name] = grown
        self._capacity = new

    def fields(self) -> tuple[str, ...]:
        """Names of the state arrays."""
        return tuple(_FIELDS)
