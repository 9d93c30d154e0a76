"""A large group keeps freed memory in the heap (``sim.model.allocator``); a small
group leaves the process's ``malloc`` as it found it. Each case runs in a fresh
process, since the setting is process-wide and made once."""

from __future__ import annotations

import ctypes
import platform
import subprocess
import sys

import pytest

from sim.model.allocator import FROM_MEMBERS

glibc = platform.libc_ver()[0] == "glibc"
pytestmark = pytest.mark.skipif(
    not glibc or not hasattr(ctypes.CDLL(None), "mallinfo2"),
    reason="glibc's malloc (with mallinfo2) only",
)

# Bytes that glibc has mapped for single large blocks, before and after a 16 MB array.
_PROBE = """
import ctypes, sys
import numpy as np
from sim.model.model import CommunityModel

FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"

class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS.split()]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
CommunityModel(rng=1, n_members=int(sys.argv[1]), warmup=1)
before = libc.mallinfo2().hblkhd
block = np.ones(2_000_000)
print(libc.mallinfo2().hblkhd - before)
"""


def _mapped_for_a_large_array(members: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(members)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1])


def test_a_large_group_takes_its_large_arrays_from_the_heap():
    assert _mapped_for_a_large_array(FROM_MEMBERS) == 0


def test_a_small_group_leaves_malloc_as_it_was():
    assert _mapped_for_a_large_array(1_000) >= 16_000_000
