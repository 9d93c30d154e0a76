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

__all__ = ["compile", "drawable", "fill", "next_double", "next_uint64", "stream", "view"]

# PCG64's 128-bit multiplier, in 64-bit halves (O'Neill 2014; NumPy's default)
_MULT_HI = np.uint64(2549297995355413924)
_MULT_LO = np.uint64(4865540595714422341)
_U11, _U58, _U63, _U64 = (np.uint64(k) for k in (11, 58, 63, 64))
_DOUBLE_UNIT = 1.0 / 9007199254740992.0  # 2**-53: a 53-bit integer to [0, 1)


def next_uint64(st: np.ndarray) -> np.uint64:
    """Advance the PCG64 state ``st`` (state low, high; increment low, high) one step
    and return its 64-bit output (XSL-RR), as NumPy's ``PCG64`` does."""
    lo, hi = st[0], st[1]
    # the 128-bit product state x multiplier: its low word, and its high one
    low = lo * _MULT_LO
    high = _mulhi(lo, _MULT_LO) + hi * _MULT_LO + lo * _MULT_HI
    new_lo = low + st[2]
    new_hi = high + st[3] + np.uint64(new_lo < low)  # the carry, kept unsigned
    st[0], st[1] = new_lo, new_hi
    x = new_hi ^ new_lo
    rot = new_hi >> _U58
    return (x >> rot) | (x << ((_U64 - rot) & _U63))


def _mulhi(a: np.uint64, b: np.uint64) -> np.uint64:
    """The high 64 bits of the 128-bit product ``a * b``; compiled, one multiplication
    of the processor (``_compiled_mulhi``)."""
    return np.uint64((int(a) * int(b)) >> 64)


def next_double(st: np.ndarray) -> float:
    """A uniform draw in [0, 1): ``rng.random()``."""
    return float(next_uint64(st) >> _U11) * _DOUBLE_UNIT


def fill(st: np.ndarray, out: np.ndarray) -> None:
    """Uniform draws into the one-dimensional ``out``: ``rng.random(out=out)``."""
    for i in range(len(out)):
        out[i] = next_double(st)


_DRAWS = ("next_uint64", "next_double", "fill")  # compiled in this order by ``compile``
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
