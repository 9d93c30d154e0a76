"""``sim`` as a function: one group's outcomes, or a table of points through the engine.

Tools that drive a model by calling a Python function (SALib, the EMA Workbench, an
optimiser, a notebook) need no file and no command line::

    import sim

    outcome = sim.run_one(seed=7, steps=365, share_spammers=0.2, policy="etiquette")
    outcome["honest_ratio"], outcome["collapsed"]

    table = sim.run_batch(points, replicates=5, jobs=2)  # a DataFrame or list of dicts

``run_one`` returns what ``sim run`` writes to ``summary.json``: the summary's outcomes
and every parameter in force. ``run_batch`` runs the points as a sweep whose points are
given explicitly (``[points]``), on the process pool or Dask, and returns ``runs.parquet``'s
table; with ``out`` it keeps the folder, so that a batch interrupted or extended is
resumed rather than run again. Parameters are checked as everywhere else, and NumPy
scalars (``np.int64``, ``np.float64``, ``np.bool_``, ``np.str_``) count as Python ones.
"""

from __future__ import annotations

import io
import numbers
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.budget import MAX_SEED, MAX_STEPS
from sim.model.params import ParamError

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiment.executors import Executor

__all__ = ["run_batch", "run_one"]


def run_one(seed: int = 1, steps: int = 365, **params: Any) -> dict[str, Any]:
    """Run one group and return its outcomes, as ``sim run`` writes them to summary.json.

    Callers run many groups (SALib's samples, the EMA Workbench's experiments), so the
    first call loads the compiled loops if Numba is installed (``sim[fast]``; about a
    third of a second, once per process); results are the same without them.

    Parameters
    ----------
    seed : int
        Seed of the model's generator; the same seed and parameters give the same result.
    steps : int
        Days to simulate.
    **params
        Model parameters by name (``sim params``); the rest take their defaults.

    Returns
    -------
    dict
        Every outcome of ``sim.model.metrics.SUMMARY`` (``honest_ratio``, ``collapsed``,
        ...) and ``parameters``, every parameter value in force.

    Raises
    ------
    ParamError
        For an unknown parameter, a value out of bounds or of the wrong type.
    """
    from sim.model import kernels
    from sim.model.model import CommunityModel

    kernels.load()  # callers (SALib, the EMA Workbench) run many: compiled loops pay
    seed = _whole("seed", seed, 0, MAX_SEED)
    steps = _whole("steps", steps, 1, MAX_STEPS)
    model = CommunityModel(rng=seed, **params).run(steps)
    return {**model.summary(), "parameters": model.params}


def _whole(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as a plain int in [low, high] (NumPy integers and integral floats too)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ParamError(f"{name} must be an integer in [{low}, {high}], got {value!r}.")
    if isinstance(value, numbers.Integral) or float(value).is_integer():
        if low <= int(value) <= high:
            return int(value)
    raise ParamError(f"{name} must be an integer in [{low}, {high}], got {value!r}.")


def run_batch(
    points: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    replicates: int = 1,
    seed: int = 0,
    steps: int = 365,
    fixed: Mapping[str, Any] | None = None,
    common_seeds: bool = False,
    out: str | Path | None = None,
    jobs: int | None = None,
    executor: str | Executor = "local",
    scheduler: str | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run every point ``replicates`` times through the sweep engine; return the runs.

    Parameters
    ----------
    points : DataFrame or list of dicts
        One row per point, one column per parameter (a design made by any tool).
    replicates, seed, steps, fixed, common_seeds
        As in a spec: runs per point, master seed (each run's seed derives from it and
        the run's point and replicate, or only its replicate with ``common_seeds``),
        days, and parameters held constant.
    out : path, optional
        Results folder to keep (``runs.parquet``, ``manifest.json``...): run again with
        the same points, it resumes. Without it, a temporary folder is removed at the end.
    jobs, executor, scheduler
        Where the runs go, as for ``sim sweep``: ``"local"`` (a process pool of ``jobs``
        workers), ``"dask"`` (a ``LocalCluster``, or the cluster at ``scheduler``) or any
        ``Executor`` object.
    progress : bool
        Show the sweep's progress line on stderr.

    Returns
    -------
    DataFrame
        One row per run in run order (``run_id = point * replicates + replicate``):
        ``point``, ``replicate``, ``seed``, every parameter, every outcome, ``status``
        (``ok`` or ``failed``, with the traceback in ``error``) and ``wall_time``.

    Raises
    ------
    SpecError
        For a point the model would refuse (naming its row and column).
    KeyboardInterrupt
        When interrupted (what finished is kept in ``out``, if given).
    """
    from sim.experiment.spec import parse_spec
    from sim.experiment.sweep import run_sweep
    from sim.experiment.tables import read_runs

    data = {
        "name": "batch",
        "replicates": replicates,
        "seed": seed,
        "steps": steps,
        "common_seeds": common_seeds,
        "fixed": {k: _plain(v) for k, v in (fixed or {}).items()},
        "points": {"rows": _rows(points)},
        "record": {"every": steps, "metrics": []},  # the outcomes are the point here
    }
    spec = parse_spec(data, where="run_batch")
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="sim-batch-"))
    try:
        stream = sys.stderr if progress else io.StringIO()
        where = {"executor": executor, "scheduler": scheduler, "stream": stream}
        report = run_sweep(spec, folder, jobs, command=["sim.run_batch"], **where)
        if report.status == "interrupted":
            raise KeyboardInterrupt
        return read_runs(folder).sort_values("run_id").reset_index(drop=True)
    finally:
        if out is None:
            shutil.rmtree(folder, ignore_errors=True)


def _rows(points: Any) -> list[dict[str, Any]]:
    records = points.to_dict("records") if hasattr(points, "to_dict") else list(points)
    return [{str(k): _plain(v) for k, v in dict(r).items()} for r in records]


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds (the manifest is JSON)."""
    return value.item() if isinstance(value, np.generic) else value
