"""The model's generator inside compiled loops: NumPy's PCG64 stream, drawn in place.

A small group's day makes about a dozen calls to NumPy's generator for a few dozen
numbers each (the posts' counts, their quality, the ring's likes...), and each call
costs several microseconds of checks and set-up, more than its draws. Compiled loops
draw those numbers themselves here, from the model's own generator: its PCG64 state
(``stream``) is read and advanced in place, through a view of the memory NumPy keeps
it in, so that NumPy's next draw carries on from where the loop stopped. The
distributions built on these uniform draws are in ``sim.model.distributions``.

Only NumPy's default bit generator, PCG64, is drawn from this way (``drawable``): a
model with any other runs on the NumPy forms (``sim.model.kernels.select``). Handing the
generator itself to Numba costs about 7 us a call (20 us within a day's work:
``benchmarks/README.md``, tenth round); the view costs nothing to pass.

The functions below are plain Python until ``compile(jit)`` replaces them with their
compiled forms, which ``sim.model.distributions`` and the loops call.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "advance",
    "compile",
    "drawable",
    "fill",
    "next_double",
    "next_uint64",
    "stream",
    "view",
]

# PCG64's 128-bit multiplier, in 64-bit halves (O'Neill 2014; NumPy's default)
_MULT = 47026247687942121848144207491837523525
_MULT_HI, _MULT_LO = np.uint64(_MULT >> 64), np.uint64(_MULT & (2**64 - 1))
# ``fill``'s lanes step four draws at once: state x a^4 + increment x (1 + a + a^2 + a^3)
# modulo 2^128 is the state four steps on (Brown 1994, "Random number generation with
# arbitrary strides"), here in 64-bit halves
_LANES = 4
_JUMP = pow(_MULT, _LANES, 2**128)
_SPAN = sum(pow(_MULT, k, 2**128) for k in range(_LANES)) % 2**128
_JUMP_HI, _JUMP_LO = np.uint64(_JUMP >> 64), np.uint64(_JUMP & (2**64 - 1))
_SPAN_HI, _SPAN_LO = np.uint64(_SPAN >> 64), np.uint64(_SPAN & (2**64 - 1))
_U11, _U58, _U63, _U64 = (np.uint64(k) for k in (11, 58, 63, 64))
_DOUBLE_UNIT = 1.0 / 9007199254740992.0  # 2**-53: a 53-bit integer to [0, 1)


def _times(a_lo: np.uint64, a_hi: np.uint64, b_lo: np.uint64, b_hi: np.uint64) -> Any:
    """The 128-bit product ``a x b`` modulo 2^128, as (low word, high word)."""
    return a_lo * b_lo, _mulhi(a_lo, b_lo) + a_hi * b_lo + a_lo * b_hi


def _step(lo: np.uint64, hi: np.uint64, m_lo: np.uint64, m_hi: np.uint64, add_lo: np.uint64,
          add_hi: np.uint64) -> Any:  # fmt: skip
    """The 128-bit ``state x m + add`` modulo 2^128, as (low word, high word)."""
    low, high = _times(lo, hi, m_lo, m_hi)
    new_lo = low + add_lo
    return new_lo, high + add_hi + np.uint64(new_lo < low)  # the carry, kept unsigned


def _output(lo: np.uint64, hi: np.uint64) -> np.uint64:
    """PCG64's 64-bit output of a state (XSL-RR)."""
    x = hi ^ lo
    rot = hi >> _U58
    return (x >> rot) | (x << ((_U64 - rot) & _U63))


def next_uint64(st: np.ndarray) -> np.uint64:
    """Advance the PCG64 state ``st`` (state low, high; increment low, high) one step
    and return its 64-bit output (XSL-RR), as NumPy's ``PCG64`` does."""
    st[0], st[1] = _step(st[0], st[1], _MULT_LO, _MULT_HI, st[2], st[3])
    return _output(st[0], st[1])


def _mulhi(a: np.uint64, b: np.uint64) -> np.uint64:
    """The high 64 bits of the 128-bit product ``a x b``; compiled, one multiplication
    of the processor (``_compiled_mulhi``)."""
    return np.uint64((int(a) * int(b)) >> 64)


def next_double(st: np.ndarray) -> float:
    """A uniform draw in [0, 1): ``rng.random()``."""
    return float(next_uint64(st) >> _U11) * _DOUBLE_UNIT


def fill(st: np.ndarray, out: np.ndarray) -> None:
    """Uniform draws into the one-dimensional ``out``: ``rng.random(out=out)``.

    One draw's state follows from the last's, so drawing them one by one waits on each
    128-bit product. Here four lanes hold the states of four draws in a row and each
    jumps four draws on (``_JUMP``, ``_SPAN``): their products do not wait on each
    other, and a draw costs about two thirds of one drawn alone (1.2 ns against 1.8).
    The numbers and the state left are the same."""
    n = len(out)
    if n < 2 * _LANES:
        for i in range(n):
            out[i] = next_double(st)
        return
    inc_lo, inc_hi = st[2], st[3]
    a_lo, a_hi = _step(st[0], st[1], _MULT_LO, _MULT_HI, inc_lo, inc_hi)  # draw 0's state
    b_lo, b_hi = _step(a_lo, a_hi, _MULT_LO, _MULT_HI, inc_lo, inc_hi)
    c_lo, c_hi = _step(b_lo, b_hi, _MULT_LO, _MULT_HI, inc_lo, inc_hi)
    d_lo, d_hi = _step(c_lo, c_hi, _MULT_LO, _MULT_HI, inc_lo, inc_hi)
    add_lo, add_hi = _times(inc_lo, inc_hi, _SPAN_LO, _SPAN_HI)
    i = 0
    while True:
        out[i] = float(_output(a_lo, a_hi) >> _U11) * _DOUBLE_UNIT
        out[i + 1] = float(_output(b_lo, b_hi) >> _U11) * _DOUBLE_UNIT
        out[i + 2] = float(_output(c_lo, c_hi) >> _U11) * _DOUBLE_UNIT
        out[i + 3] = float(_output(d_lo, d_hi) >> _U11) * _DOUBLE_UNIT
        i += _LANES
        if i + _LANES > n:
            break
        a_lo, a_hi = _step(a_lo, a_hi, _JUMP_LO, _JUMP_HI, add_lo, add_hi)
        b_lo, b_hi = _step(b_lo, b_hi, _JUMP_LO, _JUMP_HI, add_lo, add_hi)
        c_lo, c_hi = _step(c_lo, c_hi, _JUMP_LO, _JUMP_HI, add_lo, add_hi)
        d_lo, d_hi = _step(d_lo, d_hi, _JUMP_LO, _JUMP_HI, add_lo, add_hi)
    st[0], st[1] = d_lo, d_hi  # the state of the last draw made by the lanes
    for j in range(i, n):
        out[j] = next_double(st)


def advance(st: np.ndarray, delta: int) -> None:
    """Move the state ``st`` ``delta`` draws on, as ``delta`` calls of ``next_uint64``
    would, in about ``log2(delta)`` steps: ``delta`` steps of ``state x a + increment``
    are one of ``state x a^delta + increment x (1 + a + ... + a^(delta - 1))`` (Brown
    1994, as PCG's ``pcg_advance_lcg_128``). A loop that needs two runs of draws at
    once (NumPy's ``rng.random(n)`` twice) draws the second from a state moved on."""
    one, zero = np.uint64(1), np.uint64(0)
    m_lo, m_hi = _MULT_LO, _MULT_HI  # a^(2^k)
    c_lo, c_hi = st[2], st[3]  # increment x (1 + a + ... + a^(2^k - 1))
    t_lo, t_hi = one, zero  # the multiplier so far
    p_lo, p_hi = zero, zero  # the addend so far
    while delta > 0:
        if delta & 1:
            t_lo, t_hi = _times(t_lo, t_hi, m_lo, m_hi)
            p_lo, p_hi = _step(p_lo, p_hi, m_lo, m_hi, c_lo, c_hi)
        up_lo, up_hi = _step(m_lo, m_hi, one, zero, one, zero)  # a^(2^k) + 1
        c_lo, c_hi = _times(c_lo, c_hi, up_lo, up_hi)
        m_lo, m_hi = _times(m_lo, m_hi, m_lo, m_hi)
        delta >>= 1
    st[0], st[1] = _step(st[0], st[1], t_lo, t_hi, p_lo, p_hi)


# compiled in this order by ``compile``
_DRAWS = ("_times", "_step", "_output", "next_uint64", "next_double", "fill", "advance")
_COMPILED: list[bool] = []  # whether ``compile`` has run: once is enough


def compile(jit: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace the draws with their compiled forms (``jit``: Numba's ``njit``), for the
    loops to call (once: ``compile`` again changes nothing)."""
    if _COMPILED:
        return
    module = globals()
    module["_mulhi"] = _compiled_mulhi()
    for name in _DRAWS:
        module[name] = jit(module[name])
    _COMPILED.append(True)


def _compiled_mulhi() -> Callable[..., Any]:
    """``_mulhi`` for Numba: the product of the two words widened to 128 bits, which
    the processor computes in one instruction (Numba has no 128-bit integers; four
    32-bit products cost a third more per draw than NumPy's own)."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic

    @intrinsic
    def mulhi(typingctx: Any, a: Any, b: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            wide = ir.IntType(128)
            product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
            return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

        return types.uint64(types.uint64, types.uint64), codegen

    return mulhi


# ---------------------------------------------------------------- the state's view
_LAST: list[Any] = [None, None]  # the last generator asked for, and its view


def drawable(rng: np.random.Generator) -> bool:
    """Whether compiled loops can draw from ``rng`` (``stream``): NumPy's PCG64, laid
    out as this module reads it."""
    return type(rng.bit_generator) is np.random.PCG64 and _layout_known()


def stream(rng: np.random.Generator) -> np.ndarray:
    """The PCG64 state of ``rng`` as four 64-bit words that the draws advance in place
    (``drawable(rng)`` must hold).

    The view is of the generator's own memory: it is valid while ``rng`` lives, which
    the cache of the last generator asked for ensures for that one."""
    if rng is _LAST[0]:
        return _LAST[1]
    state = view(rng)
    _LAST[:] = rng, state
    return state


def view(rng: np.random.Generator) -> np.ndarray:
    """``stream(rng)`` without the cache: for a caller that keeps ``rng`` alive and
    the view with it."""
    if not drawable(rng):
        raise ValueError(f"compiled loops draw from PCG64 only, not {rng.bit_generator!r}")
    return _view(rng.bit_generator)


def _view(bits: np.random.PCG64) -> np.ndarray:
    """The four words of a PCG64's state: NumPy keeps a pointer to them first in the
    bit generator's state."""
    state = ctypes.cast(bits.ctypes.state_address, ctypes.POINTER(ctypes.c_void_p))[0]
    words = ctypes.cast(state, ctypes.POINTER(ctypes.c_uint64))
    return np.ctypeslib.as_array(words, shape=(4,))


_KNOWN: list[bool] = []


def _layout_known() -> bool:
    """Whether the view reads PCG64's state as ``next_uint64`` expects: checked once,
    on a generator of its own, ``next_uint64`` on a copy of its view against NumPy's
    next output."""
    if not _KNOWN:
        bits = np.random.PCG64(20_240_917)
        with np.errstate(over="ignore"):  # the plain form's 64-bit products wrap
            expected = int(next_uint64(_view(bits).copy()))
        _KNOWN.append(int(bits.random_raw()) == expected)
    return _KNOWN[0]
