"""The memory a large group asks of the system (on Linux).

A large group allocates and frees the same read-sized arrays dozens of times a day:
at 1,000,000 members a day reads about a million posts, so each such array is about
8 MB. glibc's ``malloc`` gives an array above its mmap threshold (128 KiB at first,
raised as it goes, up to 32 MiB) a fresh mapping and unmaps it when it is freed, and
hands the top of its heap back to the system once 128 KiB of it are free. Each day
then maps the same memory again, and the system zeroes it page by page: at 1,000,000
members the warm-up and 40 days took 311,000 page faults and 1.8 s of system time.

``keep_freed_memory`` raises both thresholds, once per process, so that freed arrays
stay in the heap and are used again. This changes no result, only where the memory
comes from; the process keeps up to ``TRIM_THRESHOLD`` of freed memory instead of
returning it. It does so for groups of ``FROM_MEMBERS`` members or more, whose
read-sized arrays pass the first threshold. Elsewhere (another C library, or where
``mallopt`` refuses) it does nothing.

``small_pages`` sets a large group up on the system's ordinary pages. NumPy asks
Linux for transparent huge pages (2 MB) for every array of 4 MB or more, and the
system then zeroes and maps 2 MB at a first touch. In a set-up, where nearly every
touch is a first one, that cost more here: a 1,000,000-member set-up took 4.2 to 4.7 s
with the request and 3.8 to 4.0 s without it (3.8 us a member, as at 300,000), while
the days after it took as long as before, within the noise of runs in turn. (Not
compaction: the system counted no compaction stalls. Part of it may be the columns'
room beyond their rows, which a huge page zeroes with them.) The days keep NumPy's
request. The switch is NumPy's own (``_set_madvise_hugepage``, named in NumPy 1.20's
release notes; the environment variable ``NUMPY_MADVISE_HUGEPAGE`` sets it at
start-up); where NumPy has no such switch, nothing changes. The setting is the
process's: large groups set up at once in threads of one process may leave it off,
which changes the speed of the days, never a result.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

__all__ = [
    "FROM_MEMBERS",
    "MMAP_THRESHOLD",
    "TRIM_THRESHOLD",
    "keep_freed_memory",
    "small_pages",
]

FROM_MEMBERS = 20_000  # from here a day's read-sized arrays exceed 128 KiB
MMAP_THRESHOLD = 64 * 2**20  # arrays up to this size come from the heap
TRIM_THRESHOLD = 128 * 2**20  # free memory the heap keeps at its top

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def keep_freed_memory(members: int) -> bool:
    """For a group of ``members``: raise glibc's mmap and trim thresholds if it has
    ``FROM_MEMBERS`` or more (once per process). Returns whether they are raised; a
    smaller group, or another C library, leaves ``malloc`` as it is."""
    return members >= FROM_MEMBERS and _set_thresholds()


@cache
def _set_thresholds() -> bool:
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):  # glibc answers "glibc 2.x"
            return False
        mallopt = ctypes.CDLL(None).mallopt  # the process's own symbols: glibc's
    except (ValueError, OSError, AttributeError):  # no such name, library or function
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # the trim threshold first: setting either one stops glibc adjusting both
    trimmed = mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    return trimmed and mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1


@contextmanager
def small_pages(members: int) -> Iterator[None]:
    """Within the block, NumPy does not ask for huge pages if the group has
    ``FROM_MEMBERS`` members or more; it asks again after, as it did before."""
    switch = _huge_page_switch() if members >= FROM_MEMBERS else None
    if switch is None:
        yield
        return
    before = switch(False)
    try:
        yield
    finally:
        switch(before)


def _huge_page_switch() -> Callable[[bool], bool] | None:
    """NumPy's switch of its huge-page request (returns the setting it replaces)."""
    try:
        from numpy._core import multiarray  # NumPy 2
    except ImportError:  # NumPy 1.26
        from numpy.core import multiarray
    return getattr(multiarray, "_set_madvise_hugepage", None)
