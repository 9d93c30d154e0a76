"""Where a day's reads fall, compiled: the reading plan's lists walked by their gaps,
and each read's post looked up in the table of what a read needs of it.

A read's post is looked up at random in a table of the feed's posts (its quality,
topic, author and the day's reads, 32 bytes a post: ``reading_loops._bits_loop``). At
100,000 members the table (33,000 posts) stays in a core's cache; at 1,000,000 (330,000
posts, 10 MB) it does not, and neither do the plan's lists, so each lookup waits for
memory. Feeds of ``PREFETCH_FROM`` posts or more are therefore placed in two passes: the
first finds where each read falls in the lists, the second looks the posts up and asks
for the memory of the reads a little ahead (``sim.model.prefetch``). Both give the same
reads, in the same order, as ``sim.model.kernels.place_reads`` and
``sim.model.reading.read_posts``.

``compile(jit)`` compiles the loops (``sim.model.reading_loops`` calls it) and returns
``place``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.model import prefetch

__all__ = ["PREFETCH_FROM", "compile", "place"]

# Posts from which the table outgrows a core's cache (measured: a million members'
# reading, 330,000 posts, gains from two passes; 100,000 members', 33,000 posts, loses).
# How many reads ahead the second pass asks for a read's list entry, then for its post's
# row (which needs the entry): far enough for memory to arrive in time.
PREFETCH_FROM = 65_536
_LIST_AHEAD, _ROW_AHEAD = 32, 12
_COMPILED: list[Callable[..., Any]] = []


def compile(jit: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Callable[..., Any]:
    """Compile the loops with ``jit`` (once) and return ``place``'s compiled form."""
    if not _COMPILED:
        module = globals()
        for name in ("_place_ahead", "place"):
            module[name] = jit(module[name])
        _COMPILED.append(module["place"])
    return _COMPILED[0]


def place(gaps, k, who, first, n, eligible, readers, interest, looked_up, i, post, quality, angle):  # type: ignore[no-untyped-def]  # noqa: E501
    # kernels.place_reads and read_posts, and each post's reads counted beside it: a
    # post's quality, topic and author are one row of ``looked_up``, looked up at random.
    # A table too large for the cache is looked up in a second pass (``_place_ahead``)
    if len(looked_up) >= PREFETCH_FROM:
        return _place_ahead(
            gaps, k, who, first, n, eligible, readers, interest, looked_up, i, post, quality,
            angle,
        )  # fmt: skip
    out = 0
    g = 0
    for j in range(len(k)):
        w = who[j]
        me, topic = readers[w], interest[w]
        position = -1
        for _ in range(k[j]):
            position += gaps[g]
            g += 1
            if position < n[j]:
                p = eligible[first[j] + position]
                if looked_up[p, 2] != me:
                    looked_up[p, 3] += 1.0
                    i[out] = w
                    post[out] = p
                    quality[out] = looked_up[p, 0]
                    angle[out] = topic - looked_up[p, 1]
                    out += 1
    return out


def _place_ahead(
    gaps, k, who, first, n, eligible, readers, interest, looked_up, i, post, quality, angle
):  # type: ignore[no-untyped-def]  # noqa: E501
    # ``place`` in two passes. The first finds each read's place in the lists
    # (``post`` holds it and ``i`` its reader, until the second pass writes over them);
    # the second looks its post up, and asks for the list entries and rows of reads a
    # little ahead (``prefetch.ahead``), so that memory is fetched while the reads
    # before are placed
    total = 0
    g = 0
    for j in range(len(k)):
        w = who[j]
        position = -1
        for _ in range(k[j]):
            position += gaps[g]
            g += 1
            if position < n[j]:
                i[total] = w
                post[total] = first[j] + position
                total += 1
    out = 0
    for r in range(total):
        if r + _LIST_AHEAD < total:
            prefetch.ahead(eligible, post[r + _LIST_AHEAD])
        if r + _ROW_AHEAD < total:
            prefetch.ahead(looked_up, eligible[post[r + _ROW_AHEAD]])
        w = i[r]
        p = eligible[post[r]]
        if looked_up[p, 2] != readers[w]:
            looked_up[p, 3] += 1.0
            i[out] = w
            post[out] = p
            quality[out] = looked_up[p, 0]
            angle[out] = interest[w] - looked_up[p, 1]
            out += 1
    return out
