"""A stable order of floating-point keys in linear time, for the compiled ranking.

The feed is ranked every day, and a comparison sort of its posts costs ``n log n``:
at a million members (some 330,000 posts) NumPy's sort took three times as long a
post as at 100,000, and the ranking was the part of a day that grew most with the
group after the reading. ``radix_argsort`` sorts by the keys' bits instead, a fixed
number of passes whatever their number (a least-significant-digit radix sort, Knuth
1998, *The Art of Computer Programming* 3, 5.2.5): each key's 64 bits, made to order
as the numbers do, in six digits of 11 bits, each pass a stable counting sort. The
result is ``np.argsort(key, kind="stable")``, index for index: equal keys keep their
positions' order, ``-0.0`` ties with ``0.0``, and NaNs come last, as NumPy puts them.

``radix_argsort`` is plain Python until ``compile(jit)`` replaces it with its compiled
form (``sim.model.feed.ranked_loop`` calls it); it is far too slow uncompiled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["RADIX_FROM", "compile", "radix_argsort"]

# Fewer keys than this are sorted by a comparison sort: a radix sort's fixed cost (its
# 12,288 digit counters) is then more than the sort (measured: 22 against 17 us at
# 1,024 keys, 0.49 against 1.5 ms at 32,000 and 7.6 against 21.8 ms at 332,000)
RADIX_FROM = 1024
_DIGITS, _WIDTH = 6, 11  # 66 bits: the whole key
_TOP = 1 << 63
_NAN = 0x7FF8000000000000  # NumPy's NaN: every NaN as this one, which orders last
_COMPILED: list[bool] = []


def compile(jit: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace ``radix_argsort`` with its compiled form (once)."""
    if not _COMPILED:
        globals()["radix_argsort"] = jit(radix_argsort)
        _COMPILED.append(True)


def radix_argsort(key):  # type: ignore[no-untyped-def]
    """``np.argsort(key, kind="stable")`` for a one-dimensional float64 ``key``.

    A float's bits order as the float does once negative numbers have all their bits
    flipped and the others their sign bit set; -0.0 is taken as 0.0 first. A digit on
    which all keys agree (most of the exponent's, in a day's scores) costs no pass.
    Once the passes done have ordered the keys by as many of their lowest bits as a
    key's place needs, no later pass reads those bits: the place is kept in them, and
    each later pass moves one array instead of two (at 400,000 keys, which outgrow the
    cache, half the memory traffic).
    """
    n = len(key)
    top, digit = np.uint64(_TOP), np.uint64((1 << _WIDTH) - 1)
    raw = key.view(np.uint64)  # the keys' own bits (``key`` is contiguous)
    bits = np.empty(n, np.uint64)
    counts = np.zeros((_DIGITS, 1 << _WIDTH), np.int64)
    for i in range(n):
        x = np.uint64(_NAN) if key[i] != key[i] else raw[i]
        if x == top:
            x = np.uint64(0)
        x = ~x if x & top else x | top
        bits[i] = x
        for d in range(_DIGITS):
            counts[d, (x >> np.uint64(_WIDTH * d)) & digit] += 1
    places = 0  # bits a place needs
    while (1 << places) < n:
        places += 1
    order, spare_bits, spare_order = np.arange(n), np.empty(n, np.uint64), np.empty(n, np.int64)
    low = np.uint64(0)  # the bits that hold the places, once they do
    for d in range(_DIGITS):
        starts = counts[d]
        if starts.max() == n:  # one value of this digit: the order stays
            continue
        total = 0
        for v in range(len(starts)):
            total, starts[v] = total + starts[v], total
        shift = np.uint64(_WIDTH * d)
        if low:  # the places are in the keys
            for i in range(n):
                v = (bits[i] >> shift) & digit
                spare_bits[starts[v]] = bits[i]
                starts[v] += 1
        elif places <= _WIDTH * (d + 1) < 64:  # put them there
            low = np.uint64((1 << (_WIDTH * (d + 1))) - 1)
            for i in range(n):
                v = (bits[i] >> shift) & digit
                spare_bits[starts[v]] = (bits[i] & ~low) | np.uint64(order[i])
                starts[v] += 1
        else:
            for i in range(n):
                v = (bits[i] >> shift) & digit
                spare_bits[starts[v]] = bits[i]
                spare_order[starts[v]] = order[i]
                starts[v] += 1
            order, spare_order = spare_order, order
        bits, spare_bits = spare_bits, bits
    if low:
        for i in range(n):
            order[i] = np.int64(bits[i] & low)
    return order
