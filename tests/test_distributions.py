"""NumPy's distributions drawn in compiled loops (``sim.model.distributions``) are
NumPy's own: the same numbers bit for bit as ``np.random.Generator``'s methods on the
same seed, and the generator left where NumPy leaves it, over parameters that reach
every branch of NumPy's algorithms."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

numba = pytest.importorskip("numba")

from numba.np.random import _constants as tables  # noqa: E402

from sim.model import bitstream, distributions  # noqa: E402

SEEDS = (0, 7, 20_240_917)
SIZE = 3_000
ZIGGURAT_SIZE = 200_000  # enough draws for the ziggurats' tails (a few in 10,000)
# enough for PTRS to reach a negative candidate above -1 and then a small v, where a
# candidate truncated to 0 (as Numba's own port does) instead of floored is accepted
POISSON_SIZE = 100_000

# parameters that reach every branch of NumPy's algorithms
NORMALS = [(0.0, 1.0), (3.0, 2.5), (-1e3, 1e-3), (0.1, 1e6), (5.0, 0.0)]
LOGNORMALS = [(0.0, 1.0), (1.5, 0.25), (-2.0, 3.0), (0.7, 0.0)]
# 1.2: the normal draw is often rejected (1 + c x <= 0) before the gamma's own test
SHAPES = [0.0, 0.3, 0.95, 1.0, 1.2, 2.5, 50.0]
BETAS = [
    (1.0, 1.0),
    (0.5, 0.5),
    (0.3, 0.9),
    (0.01, 0.02),  # U**(1/a) underflows: the ratio from the logarithms...
    (0.02, 0.01),  # ... and V**(1/b)
    (1e-200, 3e-200),  # both below 3e-103: one uniform, 0 or 1
    (7.0, 3.0),
    (6.0, 4.0),
    (5.0, 5.0),
    (2.0, 8.0),
    (0.4, 3.0),
    (3.0, 0.4),
]
LAMS = [0.0, 1e-3, 0.5, 3.0, 9.99, 10.0, 10.5, 37.0, 1e4]
BINOMIAL_NS = [0, 1, 7, 30, 100, 120, 1000, 10**6]
# 120 x 0.25 and 120 x (1 - 0.75): n p exactly 30, inversion's last case before BTPE
BINOMIAL_PS = [0.0, 0.01, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.99, 1.0]
# 1e-300 and 1e-19: clipped at INT64_MAX, always and often
GEOMETRIC_PS = [1e-300, 1e-19, 1e-9, 0.01, 0.2, 0.333, 1 / 3, 0.5, 0.9, 1.0]


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    distributions.compile(numba.njit)


# ------------------------------------------------------------ the compiled loops
@numba.njit
def _fill(draw, st, params, out):  # type: ignore[no-untyped-def]
    for i in range(len(out)):
        out[i] = draw(st, *params)
    return out


def _loop(name: str, dtype: type = np.float64) -> Callable[..., np.ndarray]:
    """A compiled loop of ``distributions.<name>``: ``loop(st, *params, size)`` draws
    ``size`` numbers, as NumPy's method of that name does (the compiled form is looked
    up when called: ``compile`` runs in a fixture)."""

    def loop(st: np.ndarray, *params_and_size: Any) -> np.ndarray:
        *params, size = params_and_size
        return _fill(getattr(distributions, name), st, tuple(params), np.empty(size, dtype))

    return loop


_standard_normals = _loop("standard_normal")
_normals = _loop("normal")
_lognormals = _loop("lognormal")
_exponentials = _loop("standard_exponential")
_gammas = _loop("standard_gamma")
_betas = _loop("beta")
_poissons = _loop("poisson", np.int64)
_binomials = _loop("binomial", np.int64)
_geometrics = _loop("geometric", np.int64)


def _check(
    seed: int,
    draw: Callable[[np.ndarray], np.ndarray],
    numpy_draw: Callable[[np.random.Generator], np.ndarray],
) -> np.ndarray:
    """``draw`` from ``seed``'s stream against ``numpy_draw`` on a generator of the same
    seed: the same numbers, of the same type, and the same state after; returns them."""
    rng, reference = np.random.default_rng(seed), np.random.default_rng(seed)
    got, expected = draw(bitstream.stream(rng)), numpy_draw(reference)
    assert got.dtype == expected.dtype
    differ = np.flatnonzero(got != expected)
    assert np.array_equal(got, expected), f"{differ.size} differ, first at {differ[:5]}"
    assert rng.bit_generator.state == reference.bit_generator.state
    assert rng.random() == reference.random()  # and NumPy carries on from the same place
    return got


# ------------------------------------------------------------ continuous distributions
@pytest.mark.parametrize("seed", SEEDS)
def test_standard_normal(seed: int) -> None:
    got = _check(
        seed,
        lambda st: _standard_normals(st, ZIGGURAT_SIZE),
        lambda rng: rng.standard_normal(ZIGGURAT_SIZE),
    )
    assert (np.abs(got) > tables.ziggurat_nor_r).any()  # the tail was drawn


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("loc", "scale"), NORMALS)
def test_normal(seed: int, loc: float, scale: float) -> None:
    _check(
        seed,
        lambda st: _normals(st, loc, scale, SIZE),
        lambda rng: rng.normal(loc, scale, SIZE),
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("mean", "sigma"), LOGNORMALS)
def test_lognormal(seed: int, mean: float, sigma: float) -> None:
    _check(
        seed,
        lambda st: _lognormals(st, mean, sigma, SIZE),
        lambda rng: rng.lognormal(mean, sigma, SIZE),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_standard_exponential(seed: int) -> None:
    got = _check(
        seed,
        lambda st: _exponentials(st, ZIGGURAT_SIZE),
        lambda rng: rng.standard_exponential(ZIGGURAT_SIZE),
    )
    assert (got > tables.ziggurat_exp_r).any()  # the tail was drawn


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_standard_gamma(seed: int, shape: float) -> None:
    got = _check(
        seed,
        lambda st: _gammas(st, shape, SIZE),
        lambda rng: rng.standard_gamma(shape, SIZE),
    )
    assert (got == 0.0).all() == (shape == 0.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("a", "b"), BETAS)
def test_beta(seed: int, a: float, b: float) -> None:
    got = _check(seed, lambda st: _betas(st, a, b, SIZE), lambda rng: rng.beta(a, b, SIZE))
    if a < 1e-103:
        assert set(np.unique(got)) == {0.0, 1.0}


# ------------------------------------------------------------ discrete distributions
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lam", LAMS)
def test_poisson(seed: int, lam: float) -> None:
    got = _check(
        seed,
        lambda st: _poissons(st, lam, POISSON_SIZE),
        lambda rng: rng.poisson(lam, POISSON_SIZE),
    )
    assert (got == 0).all() == (lam == 0.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", BINOMIAL_NS)
@pytest.mark.parametrize("p", BINOMIAL_PS)
def test_binomial(seed: int, n: int, p: float) -> None:
    got = _check(seed, lambda st: _binomials(st, n, p, SIZE), lambda rng: rng.binomial(n, p, SIZE))
    assert ((got >= 0) & (got <= n)).all()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", GEOMETRIC_PS)
def test_geometric(seed: int, p: float) -> None:
    got = _check(seed, lambda st: _geometrics(st, p, SIZE), lambda rng: rng.geometric(p, SIZE))
    assert (got == np.iinfo(np.int64).max).any() == (p < 1e-18)


# ------------------------------------------------------------ one after another
@numba.njit
def _interleaved(st, rounds):  # type: ignore[no-untyped-def]
    real = np.empty((rounds, 9))
    whole = np.empty((rounds, 8), np.int64)
    for i in range(rounds):
        real[i, 0] = distributions.standard_normal(st)
        whole[i, 0] = distributions.poisson(st, 3.0)
        real[i, 1] = distributions.normal(st, 2.0, 0.5)
        whole[i, 1] = distributions.binomial(st, 20, 0.3)
        real[i, 2] = distributions.standard_exponential(st)
        whole[i, 2] = distributions.poisson(st, 40.0)
        real[i, 3] = distributions.standard_gamma(st, 0.3)
        whole[i, 3] = distributions.binomial(st, 1000, 0.7)
        real[i, 4] = distributions.standard_gamma(st, 4.0)
        whole[i, 4] = distributions.geometric(st, 0.1)
        real[i, 5] = distributions.beta(st, 0.5, 0.7)
        whole[i, 5] = distributions.geometric(st, 0.6)
        real[i, 6] = distributions.beta(st, 2.0, 5.0)
        whole[i, 6] = distributions.poisson(st, 0.0)
        real[i, 7] = distributions.lognormal(st, 0.0, 1.0)
        whole[i, 7] = distributions.binomial(st, 0, 0.5)
        real[i, 8] = bitstream.next_double(st)
    return real, whole


def _interleaved_numpy(rng: np.random.Generator, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """``_interleaved``'s draws by NumPy's scalar calls, in the same order."""
    real = np.empty((rounds, 9))
    whole = np.empty((rounds, 8), np.int64)
    for i in range(rounds):
        real[i, 0] = rng.standard_normal()
        whole[i, 0] = rng.poisson(3.0)
        real[i, 1] = rng.normal(2.0, 0.5)
        whole[i, 1] = rng.binomial(20, 0.3)
        real[i, 2] = rng.standard_exponential()
        whole[i, 2] = rng.poisson(40.0)
        real[i, 3] = rng.standard_gamma(0.3)
        whole[i, 3] = rng.binomial(1000, 0.7)
        real[i, 4] = rng.standard_gamma(4.0)
        whole[i, 4] = rng.geometric(0.1)
        real[i, 5] = rng.beta(0.5, 0.7)
        whole[i, 5] = rng.geometric(0.6)
        real[i, 6] = rng.beta(2.0, 5.0)
        whole[i, 6] = rng.poisson(0.0)
        real[i, 7] = rng.lognormal(0.0, 1.0)
        whole[i, 7] = rng.binomial(0, 0.5)
        real[i, 8] = rng.random()
    return real, whole


@pytest.mark.parametrize("seed", SEEDS)
def test_interleaved(seed: int) -> None:
    """Each distribution consumes exactly NumPy's draws: any one more or less shifts
    every later number. NumPy's binomial keeps its set-up between calls, which the
    alternating parameters make it compute again each time."""
    rounds = 300
    rng, reference = np.random.default_rng(seed), np.random.default_rng(seed)
    real, whole = _interleaved(bitstream.stream(rng), rounds)
    expected_real, expected_whole = _interleaved_numpy(reference, rounds)
    assert np.array_equal(real, expected_real)
    assert np.array_equal(whole, expected_whole)
    assert rng.bit_generator.state == reference.bit_generator.state


# ------------------------------------------------------------ extreme raw draws
_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341  # PCG64's
_WORD = (1 << 64) - 1
# raw outputs at the edges: uniform draws of exactly 0 (an exponential draw of 0 too)
# and of the largest below 1, the normal's base layer with the largest magnitude...
EXTREMES = (0, 8, 2**11 - 1, 2**64 - 2**11, 2**64 - 256, 2**64 - 1)


def _crafted(raw: int, step: int, seed: int) -> np.random.Generator:
    """A PCG64 generator whose ``step``-th raw output is ``raw`` (the others as a
    state from ``seed`` makes them): PCG64's output (XSL-RR) inverted, for a high word
    of the state chosen, and its steps taken back."""
    rng = np.random.default_rng(seed)
    state = rng.bit_generator.state
    inc, high = state["state"]["inc"], state["state"]["state"] >> 64
    rot = high >> 58
    low = (((raw << rot) | (raw >> (64 - rot))) & _WORD) ^ high
    words = high << 64 | low
    for _ in range(step):
        words = (words - inc) * pow(_MULTIPLIER, -1, 1 << 128) % (1 << 128)
    state["state"]["state"] = words
    rng.bit_generator.state = state
    return rng


def _twin(raw: int, step: int, seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    rng, reference = _crafted(raw, step, seed), _crafted(raw, step, seed)
    assert int(_crafted(raw, step, seed).bit_generator.random_raw(step)[-1]) == raw
    return rng, reference


def _cases() -> list[tuple[Callable[..., np.ndarray], str, tuple[Any, ...]]]:
    """Every distribution over its grid: its compiled loop, NumPy's method and the
    parameters."""
    families: list[tuple[Callable[..., np.ndarray], str, list[tuple[Any, ...]]]] = [
        (_standard_normals, "standard_normal", [()]),
        (_exponentials, "standard_exponential", [()]),
        (_normals, "normal", NORMALS),
        (_lognormals, "lognormal", LOGNORMALS),
        (_gammas, "standard_gamma", [(x,) for x in SHAPES]),
        (_betas, "beta", BETAS),
        (_poissons, "poisson", [(x,) for x in LAMS]),
        (_binomials, "binomial", list(itertools.product(BINOMIAL_NS, BINOMIAL_PS))),
        (_geometrics, "geometric", [(x,) for x in GEOMETRIC_PS]),
    ]
    return [(loop, method, args) for loop, method, grid in families for args in grid]


@pytest.mark.parametrize("step", [1, 2, 3])
@pytest.mark.parametrize("raw", EXTREMES)
def test_extreme_raw_draws(raw: int, step: int) -> None:
    """Where a raw draw at an edge sends NumPy's C code to its guards (a logarithm of 0,
    a candidate cast from infinity and rejected, a restart past the inversion's bound),
    every distribution still draws NumPy's numbers, four of them, and stops where NumPy
    stops."""
    for loop, method, args in _cases():
        rng, reference = _twin(raw, step, seed=1)
        got = loop(bitstream.stream(rng), *args, 4)
        assert np.array_equal(got, getattr(reference, method)(*args, size=4)), (method, args)
        assert rng.bit_generator.state == reference.bit_generator.state, (method, args)


@pytest.mark.parametrize("raw", [0, 2**11, 2**20])  # the second uniform: 0, 2**-53, 2**-44
@pytest.mark.parametrize(("n", "p"), [(100, 0.4), (1000, 0.1)])
def test_binomial_tails(raw: int, n: int, p: float) -> None:
    """BTPE's candidates in its tails beyond 0 and ``n``, or at a second uniform of 0,
    are rejected as NumPy rejects them (the first uniform falls anywhere: 40 of them
    reach each of these rejections a few times)."""
    for seed in range(40):
        rng, reference = _twin(raw, 2, seed)
        got = _binomials(bitstream.stream(rng), n, p, 2)
        assert np.array_equal(got, reference.binomial(n, p, 2))
        assert rng.bit_generator.state == reference.bit_generator.state


@pytest.mark.parametrize(("n", "p", "seed"), [(2000, 0.025, 121), (1000, 0.05, 149)])
def test_binomial_stirling_bound(n: int, p: float, seed: int) -> None:
    """Seeds found by search at which one of the first 100,000 draws falls within about
    1e-5 of BTPE's last bound (Stirling's), where NumPy 2.5's corrected bound (13860,
    its last two terms subtracted) and the 1988 paper's (13680, all added; NumPy's
    before 2.5, and Numba's port for them) disagree."""
    _check(seed, lambda st: _binomials(st, n, p, 100_000), lambda rng: rng.binomial(n, p, 100_000))


@pytest.mark.parametrize("n", [*range(19), 1_023, 4_096, 10_007])
def test_a_fill_by_four_lanes_is_numpys_random(n: int) -> None:
    """``bitstream.fill`` (one by one under 8 draws, then four lanes that each jump four
    draws at a time, then the rest one by one) gives ``rng.random``'s numbers and leaves
    the generator where NumPy does, away from the stream's start."""
    rng, reference = np.random.default_rng(n), np.random.default_rng(n)
    rng.random(3)
    reference.random(3)
    out = np.empty(n)
    bitstream.fill(bitstream.stream(rng), out)
    np.testing.assert_array_equal(out, reference.random(n))
    assert rng.bit_generator.state == reference.bit_generator.state


@pytest.mark.parametrize("n", [5, 8, 13])
def test_the_plain_fill_is_numpys_random(n: int) -> None:
    """The plain Python form of the fill (NumPy's scalars, the products wrapping) draws
    the same numbers."""
    plain = _plain(bitstream)
    rng, reference = np.random.default_rng(4), np.random.default_rng(4)
    out = np.empty(n)
    with np.errstate(over="ignore"):  # PCG64's multiplication wraps around on purpose
        plain.fill(plain.stream(rng), out)
    np.testing.assert_array_equal(out, reference.random(n))
    assert rng.bit_generator.state == reference.bit_generator.state


@pytest.mark.parametrize("delta", [0, 1, 2, 7, 1_000, 2**40 + 5])
def test_advance_leaves_the_stream_where_as_many_draws_do(delta: int) -> None:
    """``bitstream.advance``, compiled and plain, moves the generator as NumPy's own
    ``advance`` does, and (where drawing them is quick) as ``delta`` draws do."""
    for module in (bitstream, _plain(bitstream)):
        rng, reference = np.random.default_rng(delta), np.random.default_rng(delta)
        rng.random(3)
        reference.random(3)
        with np.errstate(over="ignore"):  # the plain form's products wrap on purpose
            module.advance(module.stream(rng), delta)
        reference.bit_generator.advance(delta)
        assert rng.bit_generator.state == reference.bit_generator.state
        if delta <= 1_000:
            drawn = np.random.default_rng(delta)
            drawn.random(3 + delta)
            assert rng.bit_generator.state == drawn.bit_generator.state
        assert rng.random() == reference.random()


def test_geometric_of_zero() -> None:
    """NumPy's geometric draw is 0, outside its support, when its exponential draw is 0
    (a raw draw below 2**11, one in 2**53): so is this one."""
    rng, reference = _twin(0, 1, seed=1)
    assert _geometrics(bitstream.stream(rng), 0.2, 1)[0] == reference.geometric(0.2) == 0


# ------------------------------------------------------------ the set-up
@pytest.mark.parametrize(
    "bits", [np.random.Philox(1), np.random.MT19937(1), np.random.SFC64(1)], ids=type
)
def test_stream_is_pcg64_only(bits: np.random.BitGenerator) -> None:
    """Another bit generator is not drawn from: its model runs on the NumPy forms."""
    rng = np.random.Generator(bits)
    assert not bitstream.drawable(rng)
    with pytest.raises(ValueError, match="PCG64 only"):
        bitstream.stream(rng)
    assert bitstream.drawable(np.random.Generator(np.random.PCG64(1)))


def test_compile_once() -> None:
    """Compiling again keeps the compiled forms: no dispatcher wraps another."""
    before = (bitstream.next_double, distributions.poisson, distributions.standard_normal)
    distributions.compile(numba.njit)
    bitstream.compile(numba.njit)
    after = (bitstream.next_double, distributions.poisson, distributions.standard_normal)
    assert after == before
    for compiled in after:
        assert isinstance(compiled, numba.core.registry.CPUDispatcher)
        assert not isinstance(compiled.py_func, numba.core.registry.CPUDispatcher)


def _plain(module: ModuleType) -> ModuleType:
    """A fresh copy of ``module``, its functions plain Python."""
    spec = importlib.util.spec_from_file_location(f"plain_{module.__name__}", module.__file__)
    assert spec is not None and spec.loader is not None
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return copy


def test_plain_python_forms() -> None:
    """The functions as Numba reads them, run by Python with NumPy's scalars (and a
    plain ``bitstream``), draw NumPy's numbers too."""
    plain = _plain(distributions)
    plain.bitstream = _plain(bitstream)
    plain._load_tables()
    calls = [
        ("standard_normal", ()),
        ("standard_exponential", ()),
        ("normal", (1.0, 2.0)),
        ("lognormal", (0.5, 0.5)),
        ("standard_gamma", (0.3,)),
        ("standard_gamma", (2.5,)),
        ("beta", (0.5, 0.5)),
        ("beta", (2.0, 5.0)),
        ("poisson", (3.0,)),
        ("poisson", (37.0,)),
        ("binomial", (20, 0.3)),
        ("binomial", (10**6, 0.6)),
        ("geometric", (0.01,)),
        ("geometric", (0.5,)),
    ]
    rng, reference = np.random.default_rng(3), np.random.default_rng(3)
    st = plain.bitstream.stream(rng)
    with np.errstate(over="ignore"):  # PCG64's multiplication wraps around on purpose
        for name, args in calls:
            got = [getattr(plain, name)(st, *args) for _ in range(200)]
            assert got == getattr(reference, name)(*args, size=200).tolist(), name
    assert rng.bit_generator.state == reference.bit_generator.state
