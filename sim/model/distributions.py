"""NumPy's distributions inside compiled loops: the same numbers, bit for bit.

Each call to one of NumPy's ``Generator`` methods costs several microseconds of checks
and set-up before its first draw, more than its draws when it is asked for a few dozen
numbers, as a small group's day asks. Compiled loops draw those numbers here instead,
from the model's own PCG64 stream (``sim.model.bitstream``). Each function follows
NumPy's C code (NumPy 2.5's ``random/src/distributions/distributions.c``) step by step:
the same branches, the same floating-point operations in the same order, the same
rejection loops, so it returns the number NumPy's method returns, consumes the same raw
draws and leaves the generator where NumPy would. The scalar ``math`` functions that
Numba compiles call the C library, as NumPy's code does, so their results agree too.
NumPy keeps the binomial's set-up values between calls; here they are computed again on
each call, which gives the same numbers.

The ziggurats of the normal and exponential draws use NumPy's tables, taken from
Numba's copy of them (``numba.np.random._constants``) when ``compile`` runs: the module
imports without Numba, and without Numba the model draws from NumPy itself.

The functions below are plain Python until ``compile(jit)`` replaces them with their
compiled forms; they call one another and ``bitstream``'s draws by module name, which
Numba resolves when it compiles them. Where C's ``log(0.0)`` is minus infinity (after a
uniform draw of exactly 0, one in 2**53), compiled code agrees and plain Python raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.model import bitstream

__all__ = [
    "beta",
    "binomial",
    "compile",
    "follows_numpy",
    "geometric",
    "lognormal",
    "normal",
    "poisson",
    "standard_exponential",
    "standard_gamma",
    "standard_normal",
]

# The NumPy whose generator these follow: NumPy changes its distributions between
# series (2.5 changed the binomial's), so with another the model draws from NumPy.
NUMPY_SERIES = (2, 5)

_U1, _U3, _U8 = np.uint64(1), np.uint64(3), np.uint64(8)
_BYTE = np.uint64(0xFF)
_MANTISSA = np.uint64(0x000F_FFFF_FFFF_FFFF)  # the 52 bits of a normal draw's magnitude
_INT64_MAX = 9_223_372_036_854_775_807
_ABOVE_INT64 = 9.223372036854776e18  # the smallest double above INT64_MAX
_BETA_TINY = 3e-103  # both Beta parameters below this: a single uniform decides 0 or 1
_THIRD = 0.333333333333333333333333  # geometric: search from here, else inversion
_LOG_2PI = 1.8378770664093453
# Stirling's series for log-gamma (Zhang & Jin 1996), as NumPy's ``random_loggam``
_STIRLING = (
    8.333333333333333e-02,
    -2.777777777777778e-03,
    7.936507936507937e-04,
    -5.952380952380952e-04,
    8.417508417508418e-04,
    -1.917526917526918e-03,
    6.410256410256410e-03,
    -2.955065359477124e-02,
    1.796443723688307e-01,
    -1.39243221690590e00,
)

# the ziggurats' tables (NumPy's), set by ``compile`` from Numba's copy
_KI: Any = None  # normal: the magnitudes below which a layer's draw is accepted
_WI: Any = None  # normal: a layer's width per unit of magnitude
_FI: Any = None  # normal: the density at a layer's edge
_KE: Any = None  # exponential: as the normal's
_WE: Any = None
_FE: Any = None
_NOR_R = _NOR_INV_R = _EXP_R = 0.0  # where the tails start (normal's, its inverse, exp's)


# ------------------------------------------------------------------ continuous draws
def standard_exponential(st: np.ndarray) -> float:
    """``rng.standard_exponential()``: NumPy's ziggurat (``method="zig"``)."""
    while True:
        ri = bitstream.next_uint64(st) >> _U3
        idx = np.int64(ri & _BYTE)
        ri = ri >> _U8
        x = float(ri) * _WE[idx]
        if ri < _KE[idx]:
            return x  # nearly 99% of draws
        if idx == 0:  # the tail, drawn by inversion
            return _EXP_R - math.log1p(-bitstream.next_double(st))
        edge = (_FE[idx - 1] - _FE[idx]) * bitstream.next_double(st) + _FE[idx]
        if edge < math.exp(-x):  # a wedge: under the density?
            return x
        # rejected: NumPy draws again from the start (it recurses)


def standard_normal(st: np.ndarray) -> float:
    """``rng.standard_normal()``: NumPy's ziggurat."""
    while True:
        r = bitstream.next_uint64(st)
        idx = np.int64(r & _BYTE)
        r = r >> _U8
        rabs = (r >> _U1) & _MANTISSA
        x = float(rabs) * _WI[idx]
        if (r & _U1) == _U1:
            x = -x
        if rabs < _KI[idx]:
            return x  # over 99% of draws
        if idx == 0:  # the tail (Marsaglia 1964), its sign from bit 8 of the magnitude
            while True:
                xx = -_NOR_INV_R * math.log1p(-bitstream.next_double(st))
                yy = -math.log1p(-bitstream.next_double(st))
                if yy + yy > xx * xx:
                    if ((rabs >> _U8) & _U1) == _U1:
                        return -(_NOR_R + xx)
                    return _NOR_R + xx
        else:  # a wedge: under the density?
            edge = (_FI[idx - 1] - _FI[idx]) * bitstream.next_double(st) + _FI[idx]
            if edge < math.exp(-0.5 * x * x):
                return x


def normal(st: np.ndarray, loc: float, scale: float) -> float:
    """``rng.normal(loc, scale)``."""
    return loc + scale * standard_normal(st)


def lognormal(st: np.ndarray, mean: float, sigma: float) -> float:
    """``rng.lognormal(mean, sigma)``."""
    return math.exp(normal(st, mean, sigma))


def standard_gamma(st: np.ndarray, shape: float) -> float:
    """``rng.standard_gamma(shape)``: an exponential draw for ``shape`` 1, 0 for 0, a
    rejection against an exponential draw below 1 and Marsaglia & Tsang's (2000)
    above."""
    if shape == 1.0:
        return standard_exponential(st)
    if shape == 0.0:
        return 0.0
    if shape < 1.0:
        while True:
            u = bitstream.next_double(st)
            v = standard_exponential(st)
            if u <= 1.0 - shape:
                x = math.pow(u, 1.0 / shape)
                if x <= v:
                    return x
            else:
                y = -math.log((1.0 - u) / shape)
                x = math.pow(1.0 - shape + shape * y, 1.0 / shape)
                if x <= v + y:
                    return x
    b = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * b)
    while True:
        x = standard_normal(st)
        v = 1.0 + c * x
        while v <= 0.0:
            x = standard_normal(st)
            v = 1.0 + c * x
        v = v * v * v
        u = bitstream.next_double(st)
        if u < 1.0 - 0.0331 * (x * x) * (x * x):
            return b * v
        if math.log(u) < 0.5 * x * x + b * (1.0 - v + math.log(v)):
            return b * v


def beta(st: np.ndarray, a: float, b: float) -> float:
    """``rng.beta(a, b)``: Johnk's algorithm when neither parameter exceeds 1 (with
    NumPy's guards against underflow), else the ratio of two gamma draws."""
    if a <= 1.0 and b <= 1.0:
        if a < _BETA_TINY and b < _BETA_TINY:  # the draw is 0 or 1 but for ~1e-100
            return 1.0 if (a + b) * bitstream.next_double(st) < a else 0.0
        while True:
            u = bitstream.next_double(st)
            v = bitstream.next_double(st)
            x = math.pow(u, 1.0 / a)
            y = math.pow(v, 1.0 / b)
            xpy = x + y
            if xpy <= 1.0 and u + v > 0.0:
                if x > 0.0 and y > 0.0:
                    return x / xpy
                # x or y underflowed: the same ratio from the logarithms
                delta = math.log(u) / a - math.log(v) / b
                if delta > 0.0:
                    return math.exp(-math.log1p(math.exp(-delta)))
                return math.exp(delta - math.log1p(math.exp(delta)))
    ga = standard_gamma(st, a)
    gb = standard_gamma(st, b)
    return ga / (ga + gb)


# -------------------------------------------------------------------- discrete draws
def _loggam(x: float) -> float:
    """log Gamma(x) for x >= 1, as NumPy's ``random_loggam`` (SPECFUN's series)."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = int(7.0 - x) if x < 7.0 else 0  # shifted up to at least 7, then back down
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = _STIRLING[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += _STIRLING[k]
    gl = gl0 / x0 + 0.5 * _LOG_2PI + (x0 - 0.5) * math.log(x0) - x0
    for _ in range(n):
        gl -= math.log(x0 - 1.0)
        x0 -= 1.0
    return gl


def _poisson_mult(st: np.ndarray, lam: float) -> int:
    """A Poisson draw for ``lam`` below 10: uniforms multiplied until at most exp(-lam)."""
    enlam = math.exp(-lam)
    k = 0
    prod = 1.0
    while True:
        prod *= bitstream.next_double(st)
        if prod <= enlam:
            return k
        k += 1


def _poisson_ptrs(st: np.ndarray, lam: float) -> int:
    """A Poisson draw for ``lam`` of 10 and above: Hoermann's transformed rejection
    with squeeze (PTRS, 1993)."""
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = bitstream.next_double(st) - 0.5
        v = bitstream.next_double(st)
        us = 0.5 - abs(u)
        if us == 0.0:  # NumPy's candidate is then floor(-inf) cast, negative: rejected
            continue
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= (
            -lam + k * loglam - _loggam(k + 1.0)
        ):
            return k


def poisson(st: np.ndarray, lam: float) -> int:
    """``rng.poisson(lam)``: 0 for ``lam`` 0, without a draw."""
    if lam >= 10.0:
        return _poisson_ptrs(st, lam)
    if lam == 0.0:
        return 0
    return _poisson_mult(st, lam)


def _binomial_inversion(st: np.ndarray, n: int, p: float) -> int:
    """A binomial draw for n p <= 30 (``p`` at most 0.5), by inversion, starting again
    past a bound far in the tail."""
    q = 1.0 - p
    qn = math.exp(n * math.log1p(-p))
    np_ = n * p
    bound = int(min(float(n), np_ + 10.0 * math.sqrt(np_ * q + 1.0)))
    x = 0
    px = qn
    u = bitstream.next_double(st)
    while u > px:
        x += 1
        if x > bound:
            x = 0
            px = qn
            u = bitstream.next_double(st)
        else:
            u -= px
            px = ((n - x + 1) * p * px) / (x * q)
    return x


def _stirling_tail(x: float, x2: float) -> float:
    """The error term of Stirling's formula at ``x`` (``x2`` its square), over 166320,
    as BTPE's last test writes it."""
    return (13860.0 - (462.0 - (132.0 - (99.0 - 140.0 / x2) / x2) / x2) / x2) / x / 166320.0


def _btpe_accepts(n: int, r: float, q: float, m: int, xm: float, y: int, v: float) -> bool:
    """BTPE's last steps (NumPy's Step50 and Step52): whether the candidate ``y`` is
    accepted at ``v``, by the recursive ratio near the mode, else the squeeze and
    Stirling's bound."""
    nrq = n * r * q
    k = abs(y - m)
    if not (k > 20 and k < nrq / 2.0 - 1):
        s = r / q
        a = s * (n + 1)
        f = 1.0
        if m < y:
            for i in range(m + 1, y + 1):
                f *= a / i - s
        elif m > y:
            for i in range(y + 1, m + 1):
                f /= a / i - s
        return not v > f
    rho = (k / nrq) * ((k * (k / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5)
    t = -k * k / (2.0 * nrq)
    big_a = math.log(v)
    if big_a < t - rho:
        return True
    if big_a > t + rho:
        return False
    x1 = float(y) + 1.0
    f1 = float(m) + 1.0
    z = float(n) + 1.0 - float(m)
    w = float(n) - float(y) + 1.0
    # NumPy subtracts the last two error terms (a correction of the 1988 paper)
    bound = (
        xm * math.log(f1 / x1)
        + (n - m + 0.5) * math.log(z / w)
        + (y - m) * math.log(w * r / (x1 * q))
        + _stirling_tail(f1, f1 * f1)
        + _stirling_tail(z, z * z)
        - _stirling_tail(x1, x1 * x1)
        - _stirling_tail(w, w * w)
    )
    return not big_a > bound


def _binomial_btpe(st: np.ndarray, n: int, p: float) -> int:
    """A binomial draw for n p > 30 (``p`` at most 0.5): Kachitvichyanukul &
    Schmeiser's BTPE (1988), a triangle, two parallelograms and exponential tails.
    NumPy's min(p, 1 - p) is ``p`` here, and its final flip for ``p`` above 0.5 never
    applies: ``binomial`` flips."""
    r = p
    q = 1.0 - r
    fm = n * r + r
    m = math.floor(fm)
    p1 = math.floor(2.195 * math.sqrt(n * r * q) - 4.6 * q) + 0.5
    xm = m + 0.5
    xl = xm - p1
    xr = xm + p1
    c = 0.134 + 20.5 / (15.3 + m)
    a = (fm - xl) / (fm - xl * r)
    laml = a * (1.0 + a / 2.0)
    a = (xr - fm) / (xr * q)
    lamr = a * (1.0 + a / 2.0)
    p2 = p1 * (1.0 + 2.0 * c)
    p3 = p2 + c / laml
    p4 = p3 + c / lamr
    while True:
        u = bitstream.next_double(st) * p4
        v = bitstream.next_double(st)
        if u <= p1:  # the triangle: accepted at once
            return math.floor(xm - p1 * v + u)
        if u <= p2:  # the parallelograms
            x = xl + (u - p1) / c
            v = v * c + 1.0 - abs(m - x + 0.5) / p1
            if v > 1.0:
                continue
            y = math.floor(x)
        elif u <= p3:  # the left tail (NumPy rejects v == 0 after its undefined cast)
            if v == 0.0:
                continue
            y = math.floor(xl + math.log(v) / laml)
            if y < 0:
                continue
            v = v * (u - p2) * laml
        else:  # the right tail
            if v == 0.0:
                continue
            y = math.floor(xr - math.log(v) / lamr)
            if y > n:
                continue
            v = v * (u - p3) * lamr
        if _btpe_accepts(n, r, q, m, xm, y, v):
            return y


def binomial(st: np.ndarray, n: int, p: float) -> int:
    """``rng.binomial(n, p)``: 0 for ``n`` 0 or ``p`` 0, without a draw; above 0.5,
    ``n`` less a draw at 1 - ``p``."""
    if n == 0 or p == 0.0:
        return 0
    if p <= 0.5:
        if p * n <= 30.0:
            return _binomial_inversion(st, n, p)
        return _binomial_btpe(st, n, p)
    q = 1.0 - p
    if q * n <= 30.0:
        return n - _binomial_inversion(st, n, q)
    return n - _binomial_btpe(st, n, q)


def geometric(st: np.ndarray, p: float) -> int:
    """``rng.geometric(p)``: a search of the cumulative sums from ``p`` = 1/3, else
    inversion of an exponential draw, clipped at INT64_MAX."""
    if p >= _THIRD:
        x = 1
        total = prod = p
        q = 1.0 - p
        u = bitstream.next_double(st)
        while u > total:
            prod *= q
            total += prod
            x += 1
        return x
    z = np.ceil(-standard_exponential(st) / math.log1p(-p))
    if z >= _ABOVE_INT64:
        return _INT64_MAX
    return int(z)


# ---------------------------------------------------------------------- compiling
# compiled in this order by ``compile``: each after those it calls
_DRAWS = (
    "standard_exponential",
    "standard_normal",
    "normal",
    "lognormal",
    "standard_gamma",
    "beta",
    "_loggam",
    "_poisson_mult",
    "_poisson_ptrs",
    "poisson",
    "_binomial_inversion",
    "_stirling_tail",
    "_btpe_accepts",
    "_binomial_btpe",
    "binomial",
    "geometric",
)
_COMPILED: list[bool] = []  # whether ``compile`` has run: once is enough


def compile(jit: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace the draws with their compiled forms (``jit``: Numba's ``njit``), after
    ``bitstream``'s, for the loops to call (once: ``compile`` again changes nothing)."""
    if _COMPILED:
        return
    bitstream.compile(jit)
    _load_tables()
    module = globals()
    for name in _DRAWS:
        module[name] = jit(module[name])
    _COMPILED.append(True)


def follows_numpy() -> bool:
    """Whether the installed NumPy is the series these functions follow
    (``NUMPY_SERIES``)."""
    return tuple(int(part) for part in np.__version__.split(".")[:2]) == NUMPY_SERIES


def _load_tables() -> None:
    """The ziggurats' tables, from Numba's copy of NumPy's."""
    global _KI, _WI, _FI, _KE, _WE, _FE, _NOR_R, _NOR_INV_R, _EXP_R
    from numba.np.random import _constants as tables

    _KI, _WI, _FI = tables.ki_double, tables.wi_double, tables.fi_double
    _KE, _WE, _FE = tables.ke_double, tables.we_double, tables.fe_double
    _NOR_R, _NOR_INV_R = tables.ziggurat_nor_r, tables.ziggurat_nor_inv_r
    _EXP_R = tables.ziggurat_exp_r
