"""Designs: the points of a sweep, made from its ``[vary]`` dimensions by a named method.

``parse_vary`` reads the ``[vary]`` table into dimensions (a list of levels, an evenly
spaced ``{start, stop, num}`` range or a ``{min, max}`` range to sample), each checked
against the parameter schema; a range is checked by its bounds, so its cost does not
grow with ``num`` beyond making the values.

A design method is an entry of ``DESIGNS``: the full grid of the dimensions' levels, or
``n`` points drawn in the unit hypercube by one of the samplers (uniform random numbers,
SciPy's Latin hypercube or a scrambled Sobol' sequence, all three space-filling) and
mapped to each dimension, or one of SALib's designs for sensitivity analysis (Saltelli's
for Sobol' indices, Morris's trajectories), mapped the same way and analysed by
``sim.experiment.sensitivity``. Adding a method means adding one entry.

The space-filling Sobol' sequence is called ``sobol-sequence``: it is not a design that
Sobol' indices can be computed from (that is ``sobol-saltelli``), and the name ``sobol``
alone is refused with that explanation (``RENAMED``).

A design knows its size before it makes any point, so a spec that asks for too many runs
is refused in a moment rather than after minutes of building (``Design.size``). Its
points are a read-only sequence made on demand (``Points``): a grid point is decoded from
its index, a sampled design draws its unit sample in one NumPy call the first time a point
is asked for. Point ``i`` is the same dict, value for value, as the ``i``-th of the
``itertools.product`` of the levels (first dimension slowest) or the ``i``-th row of the
sample, so seeds, run ids and fingerprints do not depend on how the points are made.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, overload

import numpy as np

from sim.model.params import PARAMS, ParamError, check_value

__all__ = [
    "DESIGNS",
    "METHODS",
    "RENAMED",
    "refusal",
    "Design",
    "Dimension",
    "Points",
    "param_value",
    "parse_vary",
    "spread",
]

# spawn_key of the design sampler; run seeds use (point, replicate), so the streams differ.
DESIGN_KEY = (2**32,)

Point = dict[str, Any]
UnitDraw = Callable[[np.random.Generator, int, int], np.ndarray]
Err = Callable[[str], Exception]


@dataclass(frozen=True)
class Dimension:
    """One varied parameter.

    ``values`` holds the levels of a list or ``{start, stop, num}``; a ``{min, max}``
    range (sampled designs only) has ``low``/``high`` and no values.
    """

    name: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    log: bool = False

    @property
    def continuous(self) -> bool:
        """Whether the dimension is a range to sample from rather than a set of levels."""
        return not self.values

    @property
    def numeric(self) -> bool:
        """Whether the parameter is a number (int or float), as opposed to a choice or a flag."""
        return PARAMS[self.name].type in (int, float)

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map uniform numbers in [0, 1) to values of this dimension (a sampled design)."""
        if self.values:
            k = len(self.values)
            idx = np.minimum((u * k).astype(int), k - 1)
            return [self.values[i] for i in idx]
        assert self.low is not None and self.high is not None
        if self.log:
            x = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        if PARAMS[self.name].type is int:
            return [int(round(v)) for v in x]
        return [float(v) for v in x]

    def as_dict(self) -> dict[str, Any]:
        """The dimension as plain data (for the manifest)."""
        if self.values:
            return {"name": self.name, "values": list(self.values)}
        return {"name": self.name, "min": self.low, "max": self.high, "log": self.log}


# --------------------------------------------------------------------------- [vary]
def param_value(name: str, value: Any, where: str, err: Err) -> Any:
    """``value`` checked against the schema, or ``err`` raised naming ``where`` it was."""
    try:
        return check_value(name, value)
    except ParamError as e:
        raise err(f"{where}: {e}") from None


_FORMS = "a list of values, {start, stop, num} (with optional log = true) or {min, max}"


def parse_vary(table: dict[str, Any], fixed: dict[str, Any], err: Err) -> tuple[Dimension, ...]:
    """The dimensions of a spec's ``[vary]`` table, each checked against the schema.

    ``err`` turns a message into the exception to raise (it names the spec file).
    """
    dims = []
    for name, value in table.items():
        where = f"[vary] {name}"
        _param_known(name, where, err)
        if name in fixed:
            raise err(f"{where}: {name!r} is also in [fixed]; a parameter is fixed or varied.")
        if isinstance(value, list):
            dims.append(_levels(name, value, where, err))
        elif isinstance(value, dict):
            dims.append(_range(name, value, where, err))
        else:
            raise err(
                f"{where}: give {_FORMS}, got {value!r}. To hold it constant, put it in [fixed]."
            )
    return tuple(dims)


def _param_known(name: str, where: str, err: Err) -> None:
    if name not in PARAMS:
        try:
            check_value(name, None)
        except ParamError as e:
            raise err(f"{where}: {e}") from None


def _levels(name: str, values: list[Any], where: str, err: Err) -> Dimension:
    if not values:
        raise err(f"{where}: the list is empty; give at least one value (the design is empty).")
    checked = [param_value(name, v, where, err) for v in values]
    if len(set(map(repr, checked))) != len(checked):
        raise err(f"{where}: the list repeats a value; each value must appear once.")
    return Dimension(name, values=tuple(checked))


def _range(name: str, body: dict[str, Any], where: str, err: Err) -> Dimension:
    p = PARAMS[name]
    if p.type not in (int, float):
        raise err(f"{where}: {name!r} must be {p.allowed()}; give its values as a list.")
    keys = set(body)
    if keys - {"log"} == {"start", "stop", "num"}:
        return _grid_range(name, body, where, err)
    if keys - {"log"} == {"min", "max"}:
        low, high = (_num(body, k, where, err) for k in ("min", "max"))
        log = _log(body, where, err, low, high)
        if not low < high:
            raise err(f"{where}: `min` must be less than `max`, got {low!r} and {high!r}.")
        low, high = (param_value(name, v, where, err) for v in (low, high))
        return Dimension(name, low=float(low), high=float(high), log=log)
    raise err(f"{where}: give {_FORMS}; got the keys {sorted(keys)}.")


def _grid_range(name: str, body: dict[str, Any], where: str, err: Err) -> Dimension:
    start, stop = _num(body, "start", where, err), _num(body, "stop", where, err)
    num = body["num"]
    if isinstance(num, bool) or not isinstance(num, int) or num < 1 or num > 100_000:
        raise err(f"{where}: `num` must be an integer in [1, 100000], got {num!r}.")
    log = _log(body, where, err, start, stop)
    for v in (start, stop):
        param_value(name, v, where, err)
    raw = (np.geomspace if log else np.linspace)(start, stop, num).tolist()
    if PARAMS[name].type is int:
        rounded = [int(round(v)) for v in raw]
    else:
        rounded = [float(f"{v:.12g}") for v in raw]  # 0.15 rather than 0.15000000000000002
    values = list(dict.fromkeys(rounded))  # repeats dropped, order kept, in linear time
    for v in (min(values), max(values)):  # the bounds are all a number can break
        param_value(name, v, where, err)
    return Dimension(name, values=tuple(values))


def _num(body: dict[str, Any], key: str, where: str, err: Err) -> float:
    v = body[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise err(f"{where}: `{key}` must be a number, got {v!r}.")
    return v


def _log(body: dict[str, Any], where: str, err: Err, a: float, b: float) -> bool:
    log = body.get("log", False)
    if not isinstance(log, bool):
        raise err(f"{where}: `log` must be true or false, got {log!r}.")
    if log and (a <= 0 or b <= 0):
        raise err(f"{where}: a log range needs bounds above 0, got {a!r} and {b!r}.")
    return log


# --------------------------------------------------------------------------------- points
class Points(Sequence[Point]):
    """The points of a design, in design order, made on demand.

    Equal to any sequence of the same dicts (a tuple or list of points compares equal),
    so code that held the points as a tuple keeps working.
    """

    def __init__(self, n: int, get: Callable[[int], Point], every: Callable[[], Iterator[Point]]):
        self._n, self._get, self._every = n, get, every

    @classmethod
    def listed(cls, points: Sequence[Point]) -> Points:
        """Points given explicitly (a pilot, a subset)."""
        held = tuple(points)
        return cls(len(held), lambda i: dict(held[i]), lambda: (dict(p) for p in held))

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> Point: ...
    @overload
    def __getitem__(self, i: slice) -> list[Point]: ...
    def __getitem__(self, i: int | slice) -> Point | list[Point]:
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(f"point {i} out of range (the design has {self._n})")
        return self._get(i)

    def __iter__(self) -> Iterator[Point]:
        return self._every()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Points({self._n} points)"


def spread(n: int, k: int) -> list[int]:
    """Up to ``k`` indices spread evenly over ``range(n)``, first and last included."""
    return sorted({round(i * (n - 1) / max(k - 1, 1)) for i in range(k)})


# -------------------------------------------------------------------------------- methods
Options = Mapping[str, Any]
NO_OPTIONS: Options = MappingProxyType({})


class Design:
    """A design method: how many points a ``[vary]`` section gives, and the points.

    ``options`` are the method's own keys of ``[sample]`` with their defaults (for
    instance SALib's ``second_order``); ``analysed`` names the sensitivity analysis that
    reads the design (``sim.experiment.sensitivity``), if any.
    """

    sampled: bool = False
    power_of_two: bool = False  # n must be a power of 2 (Sobol' balance)
    options: Options = NO_OPTIONS
    analysed: str | None = None

    def parse_options(self, table: Mapping[str, Any], method: str, err: Err) -> dict[str, Any]:
        """The method's own keys of ``[sample]``, checked (an absent key is its default)."""
        out = {}
        for key, default in self.options.items():
            value = table.get(key, default)
            if type(value) is not type(default) or (type(value) is int and value < 2):
                kind = "true or false" if isinstance(default, bool) else "an integer >= 2"
                raise err(f"[sample] {key} must be {kind} for {method!r}, got {value!r}.")
            out[key] = value
        return out

    def size(self, vary: Sequence[Dimension], n: int | None, options: Options = NO_OPTIONS) -> int:
        raise NotImplementedError

    def points(
        self, vary: Sequence[Dimension], n: int | None, seed: int, options: Options = NO_OPTIONS
    ) -> Points:
        raise NotImplementedError


class Grid(Design):
    """Every combination of the levels, the first dimension varying slowest."""

    def size(self, vary: Sequence[Dimension], n: int | None, options: Options = NO_OPTIONS) -> int:
        return math.prod(len(d.values) for d in vary)

    def points(
        self, vary: Sequence[Dimension], n: int | None, seed: int, options: Options = NO_OPTIONS
    ) -> Points:
        names = [d.name for d in vary]
        levels = [d.values for d in vary]

        def get(i: int) -> Point:
            digits = []  # i in mixed radix, the last dimension varying fastest
            for values in reversed(levels):
                i, j = divmod(i, len(values))
                digits.append(j)
            return {
                name: values[j]
                for name, values, j in zip(names, levels, reversed(digits), strict=True)
            }

        def every() -> Iterator[Point]:
            return (dict(zip(names, c, strict=True)) for c in itertools.product(*levels))

        return Points(self.size(vary, n), get, every)


class Sampled(Design):
    """``n`` points drawn in [0, 1)^d by ``draw`` (seeded from the master seed, a stream of
    its own) and mapped to each dimension with ``Dimension.from_unit``."""

    sampled = True

    def __init__(self, draw: UnitDraw, power_of_two: bool = False) -> None:
        self.draw = draw
        self.power_of_two = power_of_two

    def size(self, vary: Sequence[Dimension], n: int | None, options: Options = NO_OPTIONS) -> int:
        assert n is not None
        return n

    def unit(self, vary: Sequence[Dimension], n: int, seed: int, options: Options = NO_OPTIONS):
        """The design in the unit hypercube, one row per point (drawn anew each call)."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=DESIGN_KEY))
        return self.draw(rng, n, len(vary))

    def points(
        self, vary: Sequence[Dimension], n: int | None, seed: int, options: Options = NO_OPTIONS
    ) -> Points:
        assert n is not None
        size = self.size(vary, n, options)
        columns: list[list[Any]] = []

        def made() -> list[list[Any]]:
            if not columns:  # drawn once, in bulk, the first time a point is asked for
                u = self.unit(vary, n, seed, options)
                columns.extend(d.from_unit(u[:, j]) for j, d in enumerate(vary))
            return columns

        def get(i: int) -> Point:
            return {d.name: col[i] for d, col in zip(vary, made(), strict=True)}

        def every() -> Iterator[Point]:
            return (get(i) for i in range(size))

        return Points(size, get, every)


class SALibDesign(Sampled):
    """A SALib design in the unit hypercube (``problem`` has bounds [0, 1] for every
    dimension), mapped to each dimension like the other sampled designs: a list of
    levels by equal slices of [0, 1], a range continuously. ``n`` is SALib's ``N``."""

    def __init__(self, kind: str) -> None:
        super().__init__(_uniform, power_of_two=kind == "sobol")
        self.kind = kind
        self.analysed = kind
        self.options = {"second_order": False} if kind == "sobol" else {"levels": 4}

    def size(self, vary: Sequence[Dimension], n: int | None, options: Options = NO_OPTIONS) -> int:
        assert n is not None
        d = len(vary)
        if self.kind == "morris":
            return n * (d + 1)
        return n * (2 * d + 2 if self._option(options, "second_order") else d + 2)

    def _option(self, options: Options, key: str) -> Any:
        return options.get(key, self.options[key])

    def unit(self, vary: Sequence[Dimension], n: int, seed: int, options: Options = NO_OPTIONS):
        problem = unit_problem(vary)
        state = np.random.SeedSequence(seed, spawn_key=DESIGN_KEY).generate_state(1)[0]
        if self.kind == "morris":
            from SALib.sample import morris

            levels = self._option(options, "levels")
            return morris.sample(problem, n, num_levels=levels, seed=int(state))
        from SALib.sample import sobol

        second = self._option(options, "second_order")
        return sobol.sample(problem, n, calc_second_order=second, scramble=True, seed=int(state))


def unit_problem(vary: Sequence[Dimension]) -> dict[str, Any]:
    """SALib's problem for a design drawn in the unit hypercube."""
    return {"num_vars": len(vary), "names": [d.name for d in vary], "bounds": [[0, 1]] * len(vary)}


def _uniform(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    return rng.random((n, d))


def _qmc(engine_name: str) -> UnitDraw:
    def draw(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
        from scipy.stats import qmc

        engine = getattr(qmc, engine_name)
        try:
            sampler = engine(d, rng=rng)
        except TypeError:  # SciPy before 1.15 calls it `seed`
            sampler = engine(d, seed=rng)
        return sampler.random(n)

    return draw


DESIGNS: dict[str, Design] = {
    "grid": Grid(),
    "random": Sampled(_uniform),
    "lhs": Sampled(_qmc("LatinHypercube")),
    "sobol-sequence": Sampled(_qmc("Sobol"), power_of_two=True),
    "sobol-saltelli": SALibDesign("sobol"),
    "morris": SALibDesign("morris"),
}
METHODS = tuple(DESIGNS)
# Names refused with an explanation, so that nobody takes one design for another.
RENAMED = {
    "sobol": (
        "'sobol' is ambiguous: use 'sobol-sequence' for a space-filling scrambled Sobol' "
        "sequence, or 'sobol-saltelli' for the design Sobol' sensitivity indices need"
    ),
}


def refusal(method: str) -> str | None:
    """Why a design cannot be analysed for sensitivity (``sim.experiment.sensitivity``),
    or None if it can."""
    design = DESIGNS.get(method)
    if design is not None and design.analysed:
        return None
    return (
        f"the {method!r} design cannot give sensitivity indices: its points are not the "
        "sample SALib's estimators need. Use [sample] method = 'sobol-saltelli' (Sobol' "
        "indices) or 'morris' (Morris screening)"
    )
