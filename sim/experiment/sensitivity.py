"""Global sensitivity analysis of a sweep made with one of SALib's designs.

A spec whose ``[sample]`` method is ``sobol-saltelli`` or ``morris`` is a SALib design
drawn in the unit hypercube and mapped to the parameters (``sim.experiment.designs``);
its runs go through the sweep engine like any other (resume, parallelism, Dask). This
module reads each point's outcome (the mean over its replicates, so a share for
``collapsed``) in design order and hands it to SALib with the same unit design:

- ``sobol-saltelli``: Sobol' first-order (``S1``) and total (``ST``) indices, and the
  second-order ones (``S2``) with ``second_order = true``, each with its 95% bootstrap
  confidence interval (half-width ``*_conf``);
- ``morris``: Morris's ``mu_star`` (the mean absolute elementary effect over the
  parameter's whole range) with its 95% interval, ``mu`` and ``sigma``.

Any other design is refused: its points are not the structured sample these estimators
need, and SALib would return numbers without meaning (a space-filling Sobol' sequence fed
to ``SALib.analyze.sobol`` gives first-order indices of -6 for a parameter whose true
index is 1). The bootstrap is seeded from the spec's master seed, so the same results
give the same intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.experiment.designs import DESIGNS, Dimension, refusal, unit_problem

__all__ = [
    "ANALYSIS_KEY",
    "Plan",
    "Sensitivity",
    "analysis_seed",
    "indices",
    "of_results",
    "point_means",
]

ANALYSIS_KEY = (2**32 + 1,)  # spawn_key of the bootstrap's seed (the design's is 2**32)
RANK_BY = {"sobol": "ST", "morris": "mu_star"}  # the index parameters are ordered by
RESAMPLES = 1000
LEVEL = 0.95


@dataclass(frozen=True)
class Plan:
    """What a sensitivity analysis needs of a spec: its SALib design, seed and options."""

    method: str
    vary: tuple[Dimension, ...]
    n: int
    seed: int
    options: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, spec: Any) -> Plan:
        """The plan of a ``Spec``; refused for a design SALib cannot analyse."""
        return cls.checked(spec.method, spec.vary, spec.n, spec.seed, spec.options)

    @classmethod
    def of_resolved(cls, resolved: Mapping[str, Any]) -> Plan:
        """The plan of a manifest's resolved spec (``Spec.resolved``)."""
        sample = dict(resolved["sample"])
        method, n = sample.pop("method"), sample.pop("n")
        vary = tuple(_dimension(d) for d in resolved["vary"])
        return cls.checked(method, vary, n, resolved["seed"], sample)

    @classmethod
    def checked(
        cls, method: str, vary: Sequence[Dimension], n: int | None, seed: int, options: Any
    ) -> Plan:
        why = refusal(method)
        if why is not None:
            raise UserError(why + ".")
        assert n is not None
        return cls(method, tuple(vary), n, seed, dict(options))

    @property
    def kind(self) -> str:
        """SALib's analysis: ``sobol`` or ``morris``."""
        return str(DESIGNS[self.method].analysed)

    @property
    def size(self) -> int:
        return DESIGNS[self.method].size(self.vary, self.n, self.options)

    def unit(self) -> np.ndarray:
        """The design in the unit hypercube, as the sweep's points were made from it."""
        return DESIGNS[self.method].unit(self.vary, self.n, self.seed, self.options)


def _dimension(d: Mapping[str, Any]) -> Dimension:
    if "values" in d:
        return Dimension(d["name"], values=tuple(d["values"]))
    return Dimension(d["name"], low=d["min"], high=d["max"], log=d.get("log", False))


@dataclass
class Sensitivity:
    """The indices of every outcome analysed.

    ``table`` has one row per outcome and parameter: ``S1``, ``S1_conf``, ``ST``,
    ``ST_conf`` (Sobol') or ``mu_star``, ``mu_star_conf``, ``mu``, ``sigma`` (Morris),
    parameters in order of importance (``ST`` or ``mu_star``); ``second`` has the pairs'
    ``S2`` and ``S2_conf`` when asked. ``notes`` says which outcomes were constant.
    """

    kind: str
    table: pd.DataFrame
    second: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rank_by(self) -> str:
        return RANK_BY[self.kind]


def analysis_seed(master: int) -> int:
    """The seed of the bootstrap of the indices, derived from the spec's master seed."""
    return int(np.random.SeedSequence(master, spawn_key=ANALYSIS_KEY).generate_state(1)[0])


def point_means(runs: pd.DataFrame, n_points: int, outcomes: Sequence[str]) -> dict[str, Any]:
    """Each outcome's mean over the successful replicates of every point, in design order.

    Raises ``UserError`` naming how many points have no successful run (the estimators
    need every point of the design).
    """
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    means = ok.groupby("point")[list(outcomes)].mean(numeric_only=False)
    missing = n_points - int(means.index.isin(range(n_points)).sum())
    if missing:
        raise UserError(
            f"{missing} of the design's {n_points} points have no successful run yet; "
            "sensitivity indices need every point (run the sweep to the end)."
        )
    means = means.reindex(range(n_points))
    return {o: means[o].to_numpy(dtype=float) for o in outcomes}


def indices(plan: Plan, outputs: Mapping[str, np.ndarray]) -> Sensitivity:
    """SALib's indices of each outcome, from its value at every point in design order."""
    problem = unit_problem(plan.vary)
    rows, pairs, notes = [], [], []
    x = plan.unit() if plan.kind == "morris" else None
    for outcome, y in outputs.items():
        y = np.asarray(y, dtype=float)
        if len(y) != plan.size:
            raise UserError(f"{outcome}: {len(y)} values for a design of {plan.size} points.")
        if np.ptp(y) == 0:
            notes.append(f"`{outcome}` is the same at every point: no index to compute.")
            continue
        found = _analyse(plan, problem, x, y)
        for j, name in enumerate(problem["names"]):
            rows.append({"outcome": outcome, "parameter": name, **_row(found, j, plan.kind)})
        if plan.kind == "sobol" and plan.options.get("second_order"):
            pairs += _pairs(outcome, problem["names"], found)
    table = pd.DataFrame(rows)
    if len(table):
        order = table.groupby("outcome", sort=False).ngroup()
        by = ["_o", RANK_BY[plan.kind]]
        table = table.assign(_o=order).sort_values(by, ascending=[True, False])
        table = table.drop(columns="_o").reset_index(drop=True)
    second = pd.DataFrame(pairs) if pairs else None
    return Sensitivity(plan.kind, table, second, notes)


def _analyse(plan: Plan, problem: dict[str, Any], x: np.ndarray | None, y: np.ndarray) -> Any:
    seed = analysis_seed(plan.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SALib's on near-constant outputs
        if plan.kind == "morris":
            from SALib.analyze import morris

            levels = plan.options.get("levels", 4)
            return morris.analyze(problem, x, y, RESAMPLES, LEVEL, num_levels=levels, seed=seed)
        from SALib.analyze import sobol

        second = bool(plan.options.get("second_order"))
        return sobol.analyze(
            problem,
            y,
            calc_second_order=second,
            num_resamples=RESAMPLES,
            conf_level=LEVEL,
            seed=seed,
        )


def _row(found: Any, j: int, kind: str) -> dict[str, float]:
    keys = ("S1", "S1_conf", "ST", "ST_conf")
    if kind == "morris":
        keys = ("mu_star", "mu_star_conf", "mu", "sigma")
    return {k: float(found[k][j]) for k in keys}


def _pairs(outcome: str, names: list[str], found: Any) -> list[dict[str, Any]]:
    out = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            pair = {"outcome": outcome, "parameter": names[i], "other": names[j]}
            out.append(pair | {k: float(found[k][i, j]) for k in ("S2", "S2_conf")})
    return out


def of_results(
    resolved: Mapping[str, Any], runs: pd.DataFrame, outcomes: Sequence[str]
) -> tuple[Sensitivity | None, str]:
    """The indices of a results folder made with a SALib design (None for another design),
    and a note when they cannot be computed yet (points without a successful run)."""
    if refusal(resolved["sample"]["method"]):
        return None, ""
    chosen = resolved.get("analysis", {}).get("sensitivity") or list(outcomes)
    try:
        plan = Plan.of_resolved(resolved)
        return indices(plan, point_means(runs, plan.size, chosen)), ""
    except UserError as err:
        return None, str(err)
