"""Sweep specs: a TOML file that says which groups to simulate, how often and what to keep.

A spec is read, checked against the parameter schema (``sim.model.params``) and given a
design (its points, made by ``sim.experiment.designs``) before anything runs, so a typo
costs a second, not an afternoon. The grammar is documented in ``experiments/README.md``;
in short::

    name = "spam-vs-rules"      # results go to results/<name>/
    replicates = 20             # runs per point
    seed = 2026                 # master seed: every run's seed derives from it
    steps = 365                 # days per run
    [fixed]                     # parameters held constant
    n_members = 1000
    [vary]                      # a list, {start, stop, num[, log]} or {min, max[, log]}
    share_spammers = { start = 0.0, stop = 0.5, num = 11 }
    policy = ["none", "etiquette", "moderated"]
    [sample]                    # optional: method = "grid" | "random" | "lhs" |
                                # "sobol-sequence" | "sobol-saltelli" | "morris", n
    [points]                    # instead of [vary]: file = "design.csv" (or .parquet)
    [record]                    # optional: every, metrics = [...], logs = ["posts", ...]
    [analysis]                  # optional: outcomes, tipping, threshold, along, sensitivity

Seeds are derived with NumPy's ``SeedSequence`` from the master seed and the run's
(point, replicate) only, so they do not depend on how runs are scheduled.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiment.designs import (
    DESIGNS,
    METHODS,
    RENAMED,
    Dimension,
    Points,
    param_value,
    parse_vary,
    refusal,
    spread,
)
from sim.experiment.points import parse_points
from sim.experiment.sections import (
    DEFAULT_OUTCOMES,
    DEFAULT_THRESHOLD,
    DEFAULT_TIPPING,
    SECTION_KEYS,
    SpecError,
    Where,
    analysis_section,
    integer,
    known_keys,
    logs_section,
    outcome_names,
    record_section,
    sensitivity_section,
    table_of,
)
from sim.model.budget import MAX_SEED, MAX_STEPS
from sim.model.params import ParamError, resolve

__all__ = [
    "DEFAULT_OUTCOMES",
    "DEFAULT_THRESHOLD",
    "DEFAULT_TIPPING",
    "CHECKED_POINTS",
    "LARGE_RUNS",
    "MAX_RUNS",
    "METHODS",
    "Dimension",
    "Spec",
    "SpecError",
    "load_spec",
    "outcome_names",
    "parse_spec",
    "run_seed",
]

TOP_KEYS = (
    "name",
    "replicates",
    "seed",
    "steps",
    "common_seeds",
    "fixed",
    "vary",
    "points",
    "sample",
    "record",
    "analysis",
)
# No design may have more runs than MAX_RUNS; one with more than LARGE_RUNS (about a day
# of a two-core machine for groups of 1,000 for a year) runs only when asked explicitly
# (`sim sweep --allow-large`). The points of a design of up to CHECKED_POINTS points are
# checked against the model when it is read (a fraction of a second); a larger design's
# when it is about to run (Spec.check_points), so that reading any spec stays quick.
MAX_RUNS = 10_000_000
LARGE_RUNS = 100_000
CHECKED_POINTS = 10_000
# A folder name: letters (of any script), digits, '-', '_' and '.', starting with a letter
# or a digit (so never '.', '..' or a hidden folder), no '/' and no control character.
_NAME = re.compile(r"[^\W_][\w.-]{0,99}")


@dataclass(frozen=True)
class Spec:
    """A checked sweep spec and its design.

    Attributes
    ----------
    points : Points
        The varied parameters' values at each point, in design order, made on demand (a
        read-only sequence of dicts). A point's index is its identity: seeds and run ids
        derive from it.
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
    points: Points
    options: dict[str, Any] = field(default_factory=dict)  # the method's own [sample] keys
    common_seeds: bool = False  # replicate r has the same seed at every point
    points_file: str | None = None  # [points] file, as given
    sensitivity: tuple[str, ...] | None = None  # [analysis] outcomes to analyse with SALib
    record_logs: tuple[str, ...] = ()  # [record] logs: the run's traces to keep
    source: dict[str, Any] = field(default_factory=dict, compare=False)
    text: str = field(default="", compare=False)
    path: str = field(default="", compare=False)

    @property
    def n_runs(self) -> int:
        """Runs in the design: points times replicates (known without making any point)."""
        return len(self.points) * self.replicates

    @property
    def checked(self) -> bool:
        """Whether reading the spec checked every point against the model."""
        return len(self.points) <= CHECKED_POINTS

    @property
    def large(self) -> bool:
        """Whether the design has more than ``LARGE_RUNS`` runs (run only when asked)."""
        return self.n_runs > LARGE_RUNS

    def check_points(self, where: str = "") -> None:
        """Refuse the design if the model would refuse any point (e.g. shares summing past 1).

        ``parse_spec`` does this for designs of up to ``CHECKED_POINTS`` points (see
        ``checked``); a larger one is checked when it is about to run, since the check of
        a million points alone takes about half a minute.
        """
        for i, point in enumerate(self.points):
            try:
                resolve({**self.fixed, **point})
            except ParamError as e:
                at = ", ".join(f"{k}={v!r}" for k, v in point.items()) or "the only point"
                raise SpecError(f"{where or self.path or 'spec'}: point {i} ({at}): {e}") from None

    def pilot(self, k: int = 3) -> Spec:
        """The same spec with a design of at most ``k`` points, to time a few runs.

        A grid keeps ``k`` of its points, spread from the first to the last; a sampled
        design draws ``k`` points of its own method from the same ranges. No other point
        is made, so a pilot of a huge design costs what a pilot of a small one does.
        """
        design = DESIGNS.get(self.method)  # none for [points]
        if design is not None and design.sampled:
            m = 1 << (k - 1).bit_length() if design.power_of_two else k
            points = list(design.points(self.vary, m, self.seed, self.options))[:k]
        else:
            points = [self.points[i] for i in spread(len(self.points), k)]
        n = len(points) if self.n is not None else None
        return replace(self, points=Points.listed(points), n=n)

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
        """Seed of a run; see ``run_seed``. With ``common_seeds`` every point has point
        0's seeds (common random numbers: points differ by their parameters alone)."""
        return run_seed(self.seed, 0 if self.common_seeds else point, replicate)

    def resolved(self) -> dict[str, Any]:
        """The spec as resolved: every setting with its default filled in (for the manifest)."""
        return {
            "name": self.name,
            "replicates": self.replicates,
            "seed": self.seed,
            "steps": self.steps,
            "fixed": self.fixed,
            "vary": [d.as_dict() for d in self.vary],
            "sample": {"method": self.method, "n": self.n, **self.options},
            "record": {"every": self.record_every, "metrics": list(self.record_metrics)}
            | ({"logs": list(self.record_logs)} if self.record_logs else {}),
            "analysis": {
                "outcomes": list(self.outcomes),
                "tipping": self.tipping,
                "threshold": self.threshold,
                "along": self.along,
                **({"sensitivity": list(self.sensitivity)} if self.sensitivity else {}),
            },
            "n_points": len(self.points),
            "n_runs": self.n_runs,
            # only when set, so that older specs keep their fingerprints
            **({"common_seeds": True} if self.common_seeds else {}),
            **({"points_file": self.points_file} if self.points_file else {}),
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
    """Read and check a spec file; raise ``SpecError`` naming what is wrong.

    The file is UTF-8, with or without the byte-order mark some editors write.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpecError(f"spec file {str(path)!r} not found.") from None
    except IsADirectoryError:
        raise SpecError(f"{str(path)!r} is a folder; give a spec file (TOML).") from None
    except OSError as err:
        raise SpecError(f"cannot read spec file {str(path)!r}: {err.strerror}.") from None
    except UnicodeDecodeError as err:
        raise SpecError(f"cannot read spec file {str(path)!r}: {err}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SpecError(f"{path} is not valid TOML: {err}.") from None
    spec = parse_spec(data, default_name=path.stem, where=str(path), base=path.parent)
    return replace(spec, source=data, text=text, path=str(path))


def parse_spec(
    data: dict[str, Any], default_name: str = "sweep", where: str = "spec", base: Path | None = None
) -> Spec:
    """Check a parsed spec (a dict, as TOML gives it) and set up its design.

    ``base`` is the folder a ``[points]`` file is relative to (the spec's).

    The design's size is known before any point is made; one of more than ``MAX_RUNS``
    runs is refused at once. The points of a design of up to ``CHECKED_POINTS`` points are
    checked here; see ``Spec.check_points`` for larger ones.

    Raises
    ------
    SpecError
        For an unknown key or parameter, a value of the wrong type or out of bounds,
        a malformed range, an empty or too large design or a point the model would refuse.
    """
    err = Where(where)
    known_keys(data, TOP_KEYS, "top level", err)
    name = _name(data.get("name", default_name), err)
    replicates = integer(data, "replicates", 1, 1, MAX_RUNS, err)
    seed = integer(data, "seed", 0, 0, MAX_SEED, err)
    steps = integer(data, "steps", 365, 1, MAX_STEPS, err)
    common = data.get("common_seeds", False)
    if not isinstance(common, bool):
        raise err(f"`common_seeds` must be true or false, got {common!r}.")
    fixed = _fixed(table_of(data, "fixed", err), err)
    given = {"name": name, "replicates": replicates, "seed": seed, "steps": steps}
    given |= {"fixed": fixed, "common_seeds": common}
    if "points" in data:
        return _listed(data, given, base, err)
    vary = parse_vary(table_of(data, "vary", err), fixed, err)
    method, n, options = _sample(table_of(data, "sample", err), vary, err)
    design = DESIGNS[method]
    runs = design.size(vary, n, options) * replicates
    if runs > MAX_RUNS:
        raise err(f"the design has {runs:,} runs; at most {MAX_RUNS:,}.")
    points = design.points(vary, n, seed, options)
    return _made(data, err, **given, vary=vary, method=method, n=n, options=options, points=points)


def _listed(data: dict[str, Any], given: dict[str, Any], base: Path | None, err: Where) -> Spec:
    """A spec whose points are given explicitly (``[points]``), not made by a design."""
    for key in ("vary", "sample"):
        if key in data:
            raise err(f"[{key}] and [points] exclude each other; give the points one way.")
    vary, points, file = parse_points(table_of(data, "points", err), given["fixed"], base, err)
    runs = len(points) * given["replicates"]
    if runs > MAX_RUNS:
        raise err(f"the design has {runs:,} runs; at most {MAX_RUNS:,}.")
    listed = Points.listed(points)
    return _made(
        data, err, **given, vary=vary, method="points", n=None, points=listed, points_file=file
    )


def _made(data: dict[str, Any], err: Where, **given: Any) -> Spec:
    """The spec with its [record] and [analysis], its points checked if few enough."""
    every, metrics = record_section(table_of(data, "record", err), err)
    logs = logs_section(table_of(data, "record", err), err)
    analysis = table_of(data, "analysis", err)
    outcomes, tipping, threshold, along = analysis_section(analysis, given["vary"], err)
    sensitivity = sensitivity_section(analysis, err)
    why = refusal(given["method"]) if sensitivity is not None else None
    if why:
        raise err(f"[analysis] sensitivity: {why}.")
    spec = Spec(
        **given,
        record_every=every,
        record_metrics=metrics,
        record_logs=logs,
        outcomes=outcomes,
        tipping=tipping,
        threshold=threshold,
        along=along,
        sensitivity=sensitivity,
        source=data,
    )
    if spec.checked:
        spec.check_points(err.where)
    return spec


def _name(name: Any, err: Where) -> str:
    """The results folder's name, refused unless it is one safe folder name."""
    if isinstance(name, str):
        name = unicodedata.normalize("NFC", name)  # one spelling of 'é' on every system
        if _NAME.fullmatch(name):
            return name
    raise err(
        "`name` must be a folder name of letters, digits, '-', '_' or '.', starting with "
        f"a letter or a digit (at most 100 characters), got {name!r}."
    )


def _fixed(table: dict[str, Any], err: Where) -> dict[str, Any]:
    out = {}
    for name, value in table.items():
        if isinstance(value, (list, dict)):
            raise err(
                f"[fixed] {name}: a fixed parameter takes one value; "
                "put a list or a range in [vary]."
            )
        out[name] = param_value(name, value, "[fixed]", err)
    return out


# --------------------------------------------------------------------- other sections
def _sample(
    table: dict[str, Any], vary: tuple[Dimension, ...], err: Where
) -> tuple[str, int | None, dict[str, Any]]:
    known_keys(table, SECTION_KEYS["sample"], "[sample]", err)
    method = table.get("method", "grid")
    if method in RENAMED:
        raise err(f"[sample] method: {RENAMED[method]}.")
    if not isinstance(method, str) or method not in METHODS:
        raise err(
            f"[sample] method must be one of {', '.join(map(repr, METHODS))}, got {method!r}."
        )
    if not DESIGNS[method].sampled:
        if "n" in table:
            raise err("[sample] n is for sampled designs; a grid runs every combination.")
        ranges = [d.name for d in vary if d.continuous]
        if ranges:
            raise err(
                f"[vary] {ranges[0]}: a {{min, max}} range is sampled; add [sample] with "
                "method = 'random', 'lhs' or 'sobol-sequence' and n, or give {start, stop, num} "
                "for a grid."
            )
        return method, None, {}
    if not vary:
        raise err(f"[sample] method {method!r} needs parameters to sample in [vary].")
    if "n" not in table:
        raise err(f"[sample] n (the number of points to sample) is required for {method!r}.")
    n = integer(table, "n", 0, 1, MAX_RUNS, Where(err.where + ": [sample]"))
    if DESIGNS[method].power_of_two and n & (n - 1):
        up = 1 << n.bit_length()
        raise err(f"[sample] n must be a power of 2 for {method!r} (balance), got {n}; try {up}.")
    design = DESIGNS[method]
    for key in SECTION_KEYS["sample"][2:]:
        if key in table and key not in design.options:
            raise err(f"[sample] {key} is not an option of {method!r}.")
    return method, n, design.parse_options(table, method, err)
