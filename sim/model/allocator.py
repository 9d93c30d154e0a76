"""Keeping a large group's freed memory for its next day (on Linux with glibc).

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
"""

from __future__ import annotations

import ctypes
import os
from functools import cache

__all__ = ["FROM_MEMBERS", "MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]

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
