"""The EMA Workbench's view of ``sim``: an ``ema_workbench.Model`` built from the schema.

Exploratory modelling runs a model over uncertainties (what nobody controls) and levers
(what the group's owners choose) and looks for the conditions of an outcome, for
example with PRIM on ``collapsed``. ``ema_model`` makes the Workbench's model of
``sim.run_one`` from parameter names, so that the parameters keep their types, bounds and
choices from one place (``sim.model.params``)::

    from ema_workbench import MultiprocessingEvaluator, perform_experiments
    from sim.experiment.ema import ema_model

    model = ema_model(
        uncertainties={"share_spammers": (0.0, 0.4), "ring_size": (1, 20)},
        levers={"policy": ["none", "etiquette", "moderated"]},
    )
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=50, policies=3)

A parameter is given by name with its range (a pair for a number), its choices (a list)
or nothing (the whole range the schema allows, for a flag true and false). The
Workbench's experiments table has columns ``scenario``, ``policy`` and ``model`` of its
own, so ``sim``'s ``policy`` (the preset of rules) is called ``rules`` there
(``RENAMED``) and passed to the model as ``policy``. Needs the ``ema`` extra
(``pip install sim[ema]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sim.errors import UserError, did_you_mean
from sim.experiment.api import run_one
from sim.experiment.sections import DEFAULT_OUTCOMES, outcome_names
from sim.model.params import PARAMS, ParamError

__all__ = ["RENAMED", "ema_model", "parameter"]

# sim's names that the Workbench reserves (columns of its experiments table)
RENAMED = {"policy": "rules"}
Given = Mapping[str, Any] | Iterable[str]


def ema_model(
    uncertainties: Given = (),
    levers: Given = (),
    outcomes: Iterable[str] = DEFAULT_OUTCOMES,
    constants: Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    steps: int = 365,
    name: str = "sim",
) -> Any:
    """An ``ema_workbench.Model`` of ``sim.run_one``.

    Parameters
    ----------
    uncertainties, levers : dict or list of names
        Parameters by name, each with a ``(low, high)`` range, a list of choices or
        ``None`` (the schema's range); a list of names takes the schema's ranges.
    outcomes : list of str
        Per-run outcomes to return (``sim.model.metrics.SUMMARY``), as ``ScalarOutcome``.
    constants : dict, optional
        Parameters held at a value other than their default.
    seed, steps : int
        The runs' seed and days. Give ``seed`` as an uncertainty instead (for example
        ``{"seed": (0, 10**6)}``) to draw a seed per experiment.
    """
    ema = _workbench()
    model = ema.Model(name, function=run_one)
    model.uncertainties = [parameter(n, r) for n, r in _pairs(uncertainties)]
    model.levers = [parameter(n, r) for n, r in _pairs(levers)]
    model.outcomes = [ema.ScalarOutcome(o) for o in _outcomes(outcomes)]
    given = {"seed": seed, "steps": steps, **(constants or {})}
    taken = {p.name for p in [*model.uncertainties, *model.levers]}
    model.constants = [
        ema.Constant(RENAMED.get(k, k), _checked(k, v), variable_name=k)
        for k, v in given.items()
        if RENAMED.get(k, k) not in taken
    ]
    return model


def parameter(name: str, given: Any = None) -> Any:
    """The Workbench's parameter for one of ``sim``'s, with its range or choices."""
    ema = _workbench()
    shown = RENAMED.get(name, name)
    if name == "seed":
        low, high = given if given is not None else (0, 2**31 - 1)
        return ema.IntegerParameter("seed", int(low), int(high))
    p = _param(name)
    if p.type is bool:
        return ema.BooleanParameter(shown, variable_name=name)
    if p.type is str or isinstance(given, list):
        choices = list(given) if given is not None else list(p.choices)
        choices = [p.check(c) for c in choices]
        return ema.CategoricalParameter(shown, choices, variable_name=name)
    low, high = given if given is not None else (p.low, p.high)
    low, high = p.check(low), p.check(high)
    if not low < high:
        raise UserError(f"{name}: the range needs low < high, got {low!r} and {high!r}.")
    make = ema.IntegerParameter if p.type is int else ema.RealParameter
    return make(shown, low, high, variable_name=name)


def _pairs(given: Given) -> list[tuple[str, Any]]:
    if isinstance(given, Mapping):
        return [(_unrenamed(k), v) for k, v in given.items()]
    return [(_unrenamed(k), None) for k in given]


def _unrenamed(name: str) -> str:
    """sim's name of a parameter given by its Workbench name (``rules`` is ``policy``)."""
    back = {v: k for k, v in RENAMED.items()}
    return back.get(name, name)


def _param(name: str) -> Any:
    if name not in PARAMS:
        hint = did_you_mean(name, list(PARAMS))
        raise ParamError(f"unknown parameter {name!r}.{hint} `sim params` lists them.")
    return PARAMS[name]


def _checked(name: str, value: Any) -> Any:
    return value if name in ("seed", "steps") else _param(name).check(value)


def _outcomes(names: Iterable[str]) -> list[str]:
    names, allowed = list(names), outcome_names()  # a generator is read once
    for o in names:
        if o not in allowed:
            raise UserError(f"unknown outcome {o!r}.{did_you_mean(o, allowed)}")
    return names


def _workbench() -> Any:
    try:
        import ema_workbench
    except ImportError:
        raise UserError(
            "the EMA Workbench is not installed; install it with pip install 'sim[ema]'."
        ) from None
    return ema_workbench
