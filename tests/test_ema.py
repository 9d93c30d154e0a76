"""The EMA Workbench drives sim through the adapter (sim.experiment.ema)."""

from __future__ import annotations

import pytest

pytest.importorskip("ema_workbench")  # the `ema` extra; the test extra installs it

from ema_workbench import (  # noqa: E402
    CategoricalParameter,
    IntegerParameter,
    MultiprocessingEvaluator,
    RealParameter,
    perform_experiments,
)

import sim  # noqa: E402
from sim.errors import UserError  # noqa: E402
from sim.model.params import PARAMS, ParamError  # noqa: E402

SMALL = {"n_members": 80, "warmup": 5}


def test_perform_experiments_with_the_multiprocessing_evaluator():
    model = sim.ema_model(
        uncertainties={"share_spammers": (0.0, 0.5), "ring_size": (1, 20)},
        levers={"policy": ["none", "moderated"]},
        outcomes=["honest_ratio", "collapsed", "final_quality"],
        constants=SMALL,
        seed=3,
        steps=30,
    )
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=4, policies=2, evaluator=evaluator
        )
    assert len(experiments) == 8 and set(outcomes) == {"honest_ratio", "collapsed", "final_quality"}
    # sim's policy is the lever `rules`; the Workbench's own `policy` column is kept
    assert set(experiments["rules"]) == {"none", "moderated"} and "policy" in experiments
    for i in (0, 5):
        row = experiments.iloc[i]
        alone = sim.run_one(
            seed=3,
            steps=30,
            **SMALL,
            share_spammers=row["share_spammers"],
            ring_size=int(row["ring_size"]),
            policy=row["rules"],
        )
        assert outcomes["honest_ratio"][i] == alone["honest_ratio"]
        assert outcomes["final_quality"][i] == alone["final_quality"]
        assert bool(outcomes["collapsed"][i]) == alone["collapsed"]


def test_parameters_come_from_the_schema():
    model = sim.ema_model(uncertainties=["ring_size", "attention", "flagging", "policy"])
    by_name = {p.name: p for p in model.uncertainties}
    ring = by_name["ring_size"]
    assert isinstance(ring, IntegerParameter)
    assert (ring.lower_bound, ring.upper_bound) == (
        PARAMS["ring_size"].low,
        PARAMS["ring_size"].high,
    )
    assert isinstance(by_name["attention"], RealParameter)
    rules = by_name["rules"]
    assert isinstance(rules, CategoricalParameter) and rules.variable_name == ["policy"]
    assert [c.value for c in rules.categories] == list(PARAMS["policy"].choices)
    assert "rules" not in {c.name for c in model.constants}


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"uncertainties": {"share_spamers": (0, 1)}}, ParamError, ["share_spammers"]),
        ({"uncertainties": {"share_spammers": (0, 3)}}, ParamError, ["share_spammers", "3"]),
        ({"uncertainties": {"ring_size": (5, 5)}}, UserError, ["low < high"]),
        ({"levers": {"policy": ["none", "lenient"]}}, ParamError, ["policy", "lenient"]),
        ({"outcomes": ["honest_ration"]}, UserError, ["honest_ratio"]),
    ],
)
def test_mistakes_are_named(kwargs, error, words):
    with pytest.raises(error) as err:
        sim.ema_model(**kwargs)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_outcomes_may_be_given_as_a_generator():
    wanted = ["honest_ratio", "collapsed"]
    model = sim.ema_model(uncertainties=["share_spammers"], outcomes=(o for o in wanted))
    assert [o.name for o in model.outcomes] == wanted
