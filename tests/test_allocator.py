"""A large group keeps freed memory in the heap (``sim.model.allocator``); a small
group leaves the process's ``malloc`` as it found it. Each such case runs in a fresh
process, since the setting is process-wide and made once. A large group is set up
without NumPy's request for huge pages, which it makes again after."""

from __future__ import annotations

import ctypes
import platform
import subprocess
import sys

import pytest

from sim.model import allocator
from sim.model.allocator import FROM_MEMBERS
from sim.model.model import CommunityModel

glibc = platform.libc_ver()[0] == "glibc"
malloc_only = pytest.mark.skipif(
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


@malloc_only
def test_a_large_group_takes_its_large_arrays_from_the_heap():
    assert _mapped_for_a_large_array(FROM_MEMBERS) == 0


@malloc_only
def test_a_small_group_leaves_malloc_as_it_was():
    assert _mapped_for_a_large_array(1_000) >= 16_000_000


@pytest.fixture
def switch():
    """NumPy's switch of its huge-page request, set back as it was after the test."""
    flip = allocator._huge_page_switch()
    if flip is None:
        pytest.skip("this NumPy has no huge-page switch")
    before = flip(True)
    flip(before)
    yield flip
    flip(before)


def _asks_for_huge_pages(flip) -> bool:
    state = flip(True)
    flip(state)
    return state


@pytest.mark.parametrize("asked", [True, False])
def test_a_large_group_is_set_up_on_small_pages_and_numpy_asks_again_after(switch, asked):
    switch(asked)
    with allocator.small_pages(FROM_MEMBERS):
        inside = _asks_for_huge_pages(switch)
    assert not inside
    assert _asks_for_huge_pages(switch) is asked
    with pytest.raises(RuntimeError), allocator.small_pages(FROM_MEMBERS):
        raise RuntimeError  # an error in the set-up leaves NumPy as it was, too
    assert _asks_for_huge_pages(switch) is asked


def test_a_small_group_leaves_numpys_huge_pages_alone(switch):
    switch(True)
    with allocator.small_pages(FROM_MEMBERS - 1):
        assert _asks_for_huge_pages(switch)


def test_building_a_large_model_leaves_numpys_setting_as_it_was(switch, monkeypatch):
    seen = []
    warm_up = CommunityModel._warm_up

    def watched(model):
        seen.append(_asks_for_huge_pages(switch))
        warm_up(model)

    monkeypatch.setattr(CommunityModel, "_warm_up", watched)
    switch(True)
    CommunityModel(rng=1, n_members=FROM_MEMBERS, warmup=1)
    assert seen == [False]
    assert _asks_for_huge_pages(switch)
