"""Sweep specs: a TOML file that says which groups to simulate, how often and what to keep.

A spec is read, checked against the parameter schema (``sim.model.params``) and turned into
a design (the list of points) before anything runs, so a typo costs a second, not an
afternoon. The grammar is documented in ``experiments/README.md``; in short::

    name = "spam-vs-rules"      # results go to results/<name>/
    replicates = 20             # runs per point
    seed = 2026                 # master seed: every run's seed derives from it
    steps = 365                 # days per run
    [fixed]                     # parameters held constant
    n_members = 1000
    [vary]                      # a list, {start, stop, num[, log]} or {min, max[, log]}
    share_spammers = { start = 0.0, stop = 0.5, num = 11 }
    policy = ["none", "etiquette", "moderated"]
    [sample]                    # optional: method = "grid" | "random" | "lhs" | "sobol", n
    [record]                    # optional: every = days between records, metrics = [...]
    [analysis]                  # optional: outcomes, tipping, threshold, along

Seeds are derived with NumPy's ``SeedSequence`` from the master seed and the run's
(point, replicate) only, so they do not depend on how runs are scheduled.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import UserError, did_you_mean
from sim.model.metrics import DAILY, SUMMARY
from sim.model.params import PARAMS, ParamError, check_value, resolve

__all__ = [
    "DEFAULT_OUTCOMES",
    "METHODS",
    "Dimension",
    "Spec",
    "SpecError",
    "load_spec",
    "parse_spec",
    "run_seed",
]

METHODS = ("grid", "random", "lhs", "sobol")
TOP_KEYS = ("name", "replicates", "seed", "steps", "fixed", "vary", "sample", "record", "analysis")
SECTION_KEYS = {
    "sample": ("method", "n"),
    "record": ("every", "metrics"),
    "analysis": ("outcomes", "tipping", "threshold", "along"),
}
# Outcomes drawn by `sim plot` when the spec does not say: the group's health in one row.
DEFAULT_OUTCOMES = (
    "honest_ratio",
    "members_ratio",
    "final_quality",
    "final_spam_share",
    "engagement_last30",
    "promo_reach_total",
    "collapsed",
)
# Summary keys that describe the run rather than its outcome.
NOT_OUTCOMES = ("seed", "days")
MAX_RUNS = 10_000_000
MAX_SEED = 2**63 - 1
# spawn_key of the design sampler; run seeds use (point, replicate), so the streams differ.
DESIGN_KEY = (2**32,)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class SpecError(UserError, ValueError):
    """A sweep spec that cannot be run; the message names the key and what is allowed."""


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


@dataclass(frozen=True)
class Spec:
    """A checked sweep spec and its design.

    Attributes
    ----------
    points : tuple of dict
        The varied parameters' values at each point, in design order. A point's
        index is its identity: seeds and run ids derive from it.
    """

    name: str
    replicates: int
    seed: int
    steps: int
    fixed: dict[str, Any]
    vary: tuple[Dimension, ...]
    method: str
    n: int | None
    record_every: int
    record_metrics: tuple[str, ...]
    outcomes: tuple[str, ...]
    tipping: str
    threshold: float
    along: str | None
    points: tuple[dict[str, Any], ...]
    source: dict[str, Any] = field(default_factory=dict, compare=False)
    text: str = field(default="", compare=False)
    path: str = field(default="", compare=False)

    @property
    def n_runs(self) -> int:
        """Runs in the design: points times replicates."""
        return len(self.points) * self.replicates

    def overrides(self, point: int) -> dict[str, Any]:
        """Parameters a point sets explicitly: the fixed ones and its varied values."""
        return {**self.fixed, **self.points[point]}

    def params(self, point: int) -> dict[str, Any]:
        """Every parameter value at a point (defaults and preset applied)."""
        return resolve(self.overrides(point))

    def run_id(self, point: int, replicate: int) -> int:
        """Stable id of a run, from its point and replicate."""
        return point * self.replicates + replicate

    def seed_for(self, point: int, replicate: int) -> int:
        """Seed of a run; see ``run_seed``."""
        return run_seed(self.seed, point, replicate)

    def resolved(self) -> dict[str, Any]:
        """The spec as resolved: every setting with its default filled in (for the manifest)."""
        return {
            "name": self.name,
            "replicates": self.replicates,
            "seed": self.seed,
            "steps": self.steps,
            "fixed": self.fixed,
            "vary": [d.as_dict() for d in self.vary],
            "sample": {"method": self.method, "n": self.n},
            "record": {"every": self.record_every, "metrics": list(self.record_metrics)},
            "analysis": {
                "outcomes": list(self.outcomes),
                "tipping": self.tipping,
                "threshold": self.threshold,
                "along": self.along,
            },
            "n_points": len(self.points),
            "n_runs": self.n_runs,
        }

    def fingerprint(self) -> str:
        """Hash of what decides the results: the resolved spec and every point.

        Two specs with the same fingerprint produce the same runs, so a results folder
        can be resumed by either; comments, formatting and ``[analysis]`` do not count.
        """
        body = self.resolved()
        body.pop("analysis")
        body["points"] = list(self.points)
        blob = json.dumps(body, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def run_seed(master: int, point: int, replicate: int) -> int:
    """The seed of run (point, replicate): a plain non-negative int below 2**63.

    It is drawn from ``SeedSequence(master, spawn_key=(point, replicate))``, so it does
    not depend on the order or the process a run is scheduled in, and any run can be
    repeated alone with ``sim run --seed SEED``.
    """
    ss = np.random.SeedSequence(master, spawn_key=(point, replicate))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


# ------------------------------------------------------------------------------ loading
def load_spec(path: str | Path) -> Spec:
    """Read and check a spec file; raise ``SpecError`` naming what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec file {str(path)!r} not found.") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(f"cannot read spec file {str(path)!r}: {err}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{path} is not valid TOML: {err}.") from None
    spec = parse_spec(data, default_name=path.stem, where=str(path))
    return _with_source(spec, data, text, str(path))


def _with_source(spec: Spec, data: dict[str, Any], text: str, path: str) -> Spec:
    from dataclasses import replace

    return replace(spec, source=data, text=text, path=path)


def parse_spec(data: dict[str, Any], default_name: str = "sweep", where: str = "spec") -> Spec:
    """Check a parsed spec (a dict, as TOML gives it) and build its design.

    Raises
    ------
    SpecError
        For an unknown key or parameter, a value of the wrong type or out of bounds,
        a malformed range, an empty design or a point the model would refuse.
    """
    err = _Where(where)
    _known_keys(data, TOP_KEYS, "top level", err)
    name = data.get("name", default_name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise err(
            f"`name` must be a folder name of letters, digits, '-', '_' or '.', got {name!r}."
        )
    replicates = _int(data, "replicates", 1, 1, MAX_RUNS, err)
    seed = _int(data, "seed", 0, 0, MAX_SEED, err)
    steps = _int(data, "steps", 365, 1, 100_000, err)
    fixed = _fixed(_table(data, "fixed", err), err)
    vary = _vary(_table(data, "vary", err), fixed, err)
    method, n = _sample(_table(data, "sample", err), vary, err)
    every, metrics = _record(_table(data, "record", err), err)
    outcomes, tipping, threshold, along = _analysis(_table(data, "analysis", err), vary, err)
    points = _design(vary, method, n, seed)
    if len(points) * replicates > MAX_RUNS:
        raise err(f"the design has {len(points) * replicates:,} runs; at most {MAX_RUNS:,}.")
    _check_points(points, fixed, err)
    return Spec(
        name=name,
        replicates=replicates,
        seed=seed,
        steps=steps,
        fixed=fixed,
        vary=vary,
        method=method,
        n=n,
        record_every=every,
        record_metrics=metrics,
        outcomes=outcomes,
        tipping=tipping,
        threshold=threshold,
        along=along,
        points=tuple(points),
        source=data,
    )


class _Where:
    """Builds ``SpecError``s prefixed with the file they are about."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __call__(self, message: str) -> SpecError:
        return SpecError(f"{self.where}: {message}")


def _known_keys(table: dict[str, Any], allowed: tuple[str, ...], what: str, err: _Where) -> None:
    for key in table:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            listed = ", ".join(allowed)
            raise err(f"unknown key {key!r} at {what}.{hint} Allowed: {listed}.")


def _table(data: dict[str, Any], key: str, err: _Where) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise err(f"`{key}` must be a table ([{key}] followed by name = value lines).")
    return value


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int, err: _Where) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise err(f"`{key}` must be an integer in [{low}, {high}], got {value!r}.")
    return value


def _param(name: str, value: Any, where: str, err: _Where) -> Any:
    try:
        return check_value(name, value)
    except ParamError as e:
        raise err(f"{where}: {e}") from None


def _fixed(table: dict[str, Any], err: _Where) -> dict[str, Any]:
    out = {}
    for name, value in table.items():
        if isinstance(value, (list, dict)):
            raise err(
                f"[fixed] {name}: a fixed parameter takes one value; "
                "put a list or a range in [vary]."
            )
        out[name] = _param(name, value, "[fixed]", err)
    return out


# ------------------------------------------------------------------------------- [vary]
_FORMS = "a list of values, {start, stop, num} (with optional log = true) or {min, max}"


def _vary(table: dict[str, Any], fixed: dict[str, Any], err: _Where) -> tuple[Dimension, ...]:
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


def _param_known(name: str, where: str, err: _Where) -> None:
    if name not in PARAMS:
        try:
            check_value(name, None)
        except ParamError as e:
            raise err(f"{where}: {e}") from None


def _levels(name: str, values: list[Any], where: str, err: _Where) -> Dimension:
    if not values:
        raise err(f"{where}: the list is empty; give at least one value (the design is empty).")
    checked = [_param(name, v, where, err) for v in values]
    if len(set(map(repr, checked))) != len(checked):
        raise err(f"{where}: the list repeats a value; each value must appear once.")
    return Dimension(name, values=tuple(checked))


def _range(name: str, body: dict[str, Any], where: str, err: _Where) -> Dimension:
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
        low, high = (_param(name, v, where, err) for v in (low, high))
        return Dimension(name, low=float(low), high=float(high), log=log)
    raise err(f"{where}: give {_FORMS}; got the keys {sorted(keys)}.")


def _grid_range(name: str, body: dict[str, Any], where: str, err: _Where) -> Dimension:
    start, stop = _num(body, "start", where, err), _num(body, "stop", where, err)
    num = body["num"]
    if isinstance(num, bool) or not isinstance(num, int) or num < 1 or num > 100_000:
        raise err(f"{where}: `num` must be an integer in [1, 100000], got {num!r}.")
    log = _log(body, where, err, start, stop)
    for v in (start, stop):
        _param(name, v, where, err)
    raw = np.geomspace(start, stop, num) if log else np.linspace(start, stop, num)
    values: list[Any] = []
    for v in raw:
        if PARAMS[name].type is int:
            v = int(round(float(v)))
        else:
            v = float(f"{float(v):.12g}")  # 0.15 rather than 0.15000000000000002
        if v not in values:
            values.append(_param(name, v, where, err))
    return Dimension(name, values=tuple(values))


def _num(body: dict[str, Any], key: str, where: str, err: _Where) -> float:
    v = body[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise err(f"{where}: `{key}` must be a number, got {v!r}.")
    return v


def _log(body: dict[str, Any], where: str, err: _Where, a: float, b: float) -> bool:
    log = body.get("log", False)
    if not isinstance(log, bool):
        raise err(f"{where}: `log` must be true or false, got {log!r}.")
    if log and (a <= 0 or b <= 0):
        raise err(f"{where}: a log range needs bounds above 0, got {a!r} and {b!r}.")
    return log


# --------------------------------------------------------------------- other sections
def _sample(
    table: dict[str, Any], vary: tuple[Dimension, ...], err: _Where
) -> tuple[str, int | None]:
    _known_keys(table, SECTION_KEYS["sample"], "[sample]", err)
    method = table.get("method", "grid")
    if method not in METHODS:
        raise err(
            f"[sample] method must be one of {', '.join(map(repr, METHODS))}, got {method!r}."
        )
    if method == "grid":
        if "n" in table:
            raise err("[sample] n is for sampled designs; a grid runs every combination.")
        ranges = [d.name for d in vary if d.continuous]
        if ranges:
            raise err(
                f"[vary] {ranges[0]}: a {{min, max}} range is sampled; add [sample] with "
                "method = 'random', 'lhs' or 'sobol' and n, or give {start, stop, num} for a grid."
            )
        return method, None
    if not vary:
        raise err(f"[sample] method {method!r} needs parameters to sample in [vary].")
    if "n" not in table:
        raise err(f"[sample] n (the number of points to sample) is required for {method!r}.")
    n = _int(table, "n", 0, 1, MAX_RUNS, _Where(err.where + ": [sample]"))
    if method == "sobol" and n & (n - 1):
        up = 1 << n.bit_length()
        raise err(f"[sample] n must be a power of 2 for 'sobol' (balance), got {n}; try {up}.")
    return method, n


def _record(table: dict[str, Any], err: _Where) -> tuple[int, tuple[str, ...]]:
    _known_keys(table, SECTION_KEYS["record"], "[record]", err)
    every = _int(table, "every", 1, 1, 100_000, _Where(err.where + ": [record]"))
    allowed = [k for k in DAILY if k != "day"]
    metrics = table.get("metrics", allowed)
    if not isinstance(metrics, list):
        raise err(f"[record] metrics must be a list of daily measures, got {metrics!r}.")
    for m in metrics:
        if m not in allowed:
            hint = did_you_mean(str(m), allowed)
            raise err(
                f"[record] metrics: unknown measure {m!r}.{hint} Allowed: {', '.join(allowed)}."
            )
    if len(set(metrics)) != len(metrics):
        raise err("[record] metrics: the list repeats a measure.")
    return every, tuple(metrics)


def _outcome_names() -> list[str]:
    return [k for k in SUMMARY if k not in NOT_OUTCOMES]


def _analysis(
    table: dict[str, Any], vary: tuple[Dimension, ...], err: _Where
) -> tuple[tuple[str, ...], str, float, str | None]:
    _known_keys(table, SECTION_KEYS["analysis"], "[analysis]", err)
    allowed = _outcome_names()
    outcomes = table.get("outcomes", list(DEFAULT_OUTCOMES))
    if not isinstance(outcomes, list) or not outcomes:
        raise err("[analysis] outcomes must be a non-empty list of per-run outcomes.")
    tipping = table.get("tipping", "honest_ratio")
    for o in [*outcomes, tipping]:
        if o not in allowed:
            hint = did_you_mean(str(o), allowed)
            raise err(f"[analysis]: unknown outcome {o!r}.{hint} Allowed: {', '.join(allowed)}.")
    threshold = table.get("threshold", PARAMS["collapse_threshold"].default)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise err(f"[analysis] threshold must be a number, got {threshold!r}.")
    if not math.isfinite(threshold):
        raise err(f"[analysis] threshold must be finite, got {threshold!r}.")
    along = table.get("along")
    numeric = [d.name for d in vary if d.numeric]
    if along is not None and along not in numeric:
        listed = ", ".join(numeric) or "none in this spec"
        raise err(
            f"[analysis] along must be a numeric parameter in [vary] ({listed}), got {along!r}."
        )
    return tuple(outcomes), tipping, float(threshold), along


# ------------------------------------------------------------------------------ design
def _design(vary: tuple[Dimension, ...], method: str, n: int | None, seed: int) -> list[dict]:
    """The points: every combination (grid) or ``n`` points sampled from the ranges."""
    if not vary:
        return [{}]
    if method == "grid":
        combos = itertools.product(*(d.values for d in vary))
        return [dict(zip((d.name for d in vary), c, strict=True)) for c in combos]
    assert n is not None
    u = _unit_sample(method, n, len(vary), seed)
    columns = [d.from_unit(u[:, j]) for j, d in enumerate(vary)]
    return [{d.name: col[i] for d, col in zip(vary, columns, strict=True)} for i in range(n)]


def _unit_sample(method: str, n: int, d: int, seed: int) -> np.ndarray:
    """``n`` points in [0, 1)^d, seeded from the master seed (a stream of its own)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=DESIGN_KEY))
    if method == "random":
        return rng.random((n, d))
    from scipy.stats import qmc

    engine = qmc.LatinHypercube if method == "lhs" else qmc.Sobol
    try:
        sampler = engine(d, rng=rng)
    except TypeError:  # SciPy before 1.15 calls it `seed`
        sampler = engine(d, seed=rng)
    return sampler.random(n)


def _check_points(points: list[dict], fixed: dict[str, Any], err: _Where) -> None:
    """Refuse the design if the model would refuse any point (e.g. shares summing past 1)."""
    for i, point in enumerate(points):
        try:
            resolve({**fixed, **point})
        except ParamError as e:
            at = ", ".join(f"{k}={v!r}" for k, v in point.items()) or "the only point"
            raise err(f"point {i} ({at}): {e}") from None
