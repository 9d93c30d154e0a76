"""Mesa's own tools on the model: batch_run, reporters added the Mesa way, Scenario."""

from __future__ import annotations

import mesa
import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario

from sim.model.collector import RUN_OUTCOMES, DailyCollector
from sim.model.metrics import DAILY
from sim.model.model import CommunityModel
from sim.model.params import PARAMS, ParamError

SMALL = {"n_members": 80, "warmup": 10}


def test_batch_run_returns_the_runs_outcomes() -> None:
    rows = mesa.batch_run(
        CommunityModel,
        parameters={**SMALL, "share_spammers": [0.0, 0.45]},
        rng=[3],
        max_steps=60,
        display_progress=False,
    )
    assert len(rows) == 2
    for row in rows:
        assert row["Step"] == 60 and isinstance(row["Step"], int)
        alone = CommunityModel(rng=3, **SMALL, share_spammers=row["share_spammers"]).run(60)
        summary = alone.summary()
        for name in RUN_OUTCOMES:
            assert row[name] == summary[name], name
    # the two groups differ, so the comparison above is not of constants
    assert rows[0]["honest_ratio"] != rows[1]["honest_ratio"]


def test_outcomes_so_far_match_the_summary_of_a_collapsing_run() -> None:
    model = CommunityModel(rng=1, **SMALL, share_spammers=0.5).run(200)
    summary = model.summary()
    assert summary["collapsed"], "the case must collapse to test collapse_day"
    frame = model.datacollector.get_model_vars_dataframe()
    for name in RUN_OUTCOMES:
        assert frame[name].iloc[-1] == summary[name], name
    # before the collapse day the run had not collapsed yet
    day = summary["collapse_day"]
    assert not frame["collapsed"].iloc[day - 1] and frame["collapsed"].iloc[day]


def test_steps_are_integers() -> None:
    model = CommunityModel(rng=1, **SMALL).run(3)
    steps = model.datacollector._collection_steps
    assert steps == [0, 1, 2, 3] and all(type(s) is int for s in steps)


def test_run_moves_mesas_clock_as_stepping_day_by_day() -> None:
    ran = CommunityModel(rng=4, **SMALL).run(12)
    stepped = CommunityModel(rng=4, **SMALL)
    for _ in range(12):  # through Mesa's clock, as Mesa's tools step a model
        stepped.step()
    pd.testing.assert_frame_equal(ran.timeseries(), stepped.timeseries())
    for model in (ran, stepped):
        assert (model.steps, model.time) == (12, 12.0)
        assert model.datacollector._collection_steps == list(range(13))
        model.step()  # Mesa's next step comes one unit on, once
        assert (model.steps, model.time, model.day) == (13, 13.0, 13)
        assert len(model._event_list) == 1  # the next step only
    ran.run(2)
    assert (ran.steps, ran.time, ran.today["day"]) == (15, 15.0, 15)


def test_an_event_scheduled_within_a_run_happens_at_its_time() -> None:
    seen: dict[str, list[tuple[int, float, int]]] = {}
    for way in ("run", "step"):
        model = CommunityModel(rng=4, **SMALL)
        calls = seen[way] = []

        def note(model=model, calls=calls) -> None:
            calls.append((model.steps, model.time, model.day))

        model.schedule_event(note, at=4.5)
        if way == "run":
            model.run(8)
        else:
            for _ in range(8):
                model.step()
        assert (model.steps, model.time) == (8, 8.0)
    assert seen["run"] == seen["step"] == [(4, 4.5, 4)]


def test_a_reporter_reading_mesas_clock_sees_each_day() -> None:
    model = CommunityModel(rng=1, **SMALL)
    model.datacollector._new_model_reporter("clock", lambda m: (m.steps, m.time))
    model.run(3)
    clocks = model.datacollector.get_model_vars_dataframe()["clock"].tolist()
    assert clocks[1:] == [(1, 1.0), (2, 2.0), (3, 3.0)]


def test_a_reporter_added_the_mesa_way_is_collected() -> None:
    model = CommunityModel(rng=1, **SMALL)
    model.datacollector._new_model_reporter("feed_size", lambda m: len(m.feed))
    model.datacollector._new_model_reporter("today_day", "day")
    model.run(4)
    frame = model.datacollector.get_model_vars_dataframe()
    assert pd.isna(frame["feed_size"].iloc[0])  # day 0 was recorded before it was added
    assert frame["feed_size"].iloc[-1] == len(model.feed) > 0
    assert frame["today_day"].tolist()[1:] == [1, 2, 3, 4]
    assert list(model.timeseries().columns) == list(DAILY)  # the daily measures only


class CountingModel(CommunityModel):
    """A model with its own reporters, as Mesa's examples add them."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.datacollector = DailyCollector(
            model_reporters={"feed_size": lambda m: len(m.feed)},
            agent_reporters={"satisfaction": lambda a: a.satisfaction},
        )
        self.datacollector.collect(self)


def test_a_subclass_with_its_own_collector_runs_and_batch_runs() -> None:
    model = CountingModel(rng=2, **SMALL).run(3)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4 and frame["feed_size"].notna().all()
    agents = model.datacollector.get_agent_vars_dataframe()
    assert len(agents) > 0 and agents["satisfaction"].notna().all()
    rows = mesa.batch_run(CountingModel, SMALL, rng=[2], max_steps=3, display_progress=False)
    assert rows[0]["feed_size"] == frame["feed_size"].iloc[-1]
    assert rows[0]["honest_ratio"] == model.summary()["honest_ratio"]


def test_a_scenario_sets_the_parameters_and_the_seed() -> None:
    scenario = Scenario(rng=4, share_spammers=0.3, **SMALL)
    model = CommunityModel(scenario=scenario).run(30)
    direct = CommunityModel(rng=4, share_spammers=0.3, **SMALL).run(30)
    assert model.params == direct.params and model.params["share_spammers"] == 0.3
    assert model.summary() == direct.summary()
    assert model.scenario is scenario and scenario.model is model


class GroupScenario(Scenario):
    share_spammers: float = 0.25
    policy: str = "etiquette"


def test_a_typed_scenario_gives_its_defaults() -> None:
    model = CommunityModel(rng=1, scenario=GroupScenario(n_members=60, warmup=5))
    assert model.params["share_spammers"] == 0.25
    assert model.params["policy"] == "etiquette" and model.params["n_members"] == 60


@pytest.mark.parametrize(
    ("scenario", "kwargs", "words"),
    [
        (Scenario(n_membres=50), {}, ["n_membres", "n_members"]),
        (Scenario(share_spammers=2.0), {}, ["share_spammers", "[0, 1]"]),
        (Scenario(share_spammers=0.1), {"share_spammers": 0.2}, ["share_spammers", "scenario"]),
        (Scenario(rng=1), {"rng": 2}, ["rng"]),
    ],
)
def test_a_scenario_is_checked_like_parameters(scenario, kwargs, words) -> None:
    with pytest.raises(ParamError) as err:
        CommunityModel(scenario=scenario, **kwargs)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_solaraviz_reset_with_its_default_scenario_works() -> None:
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    model = CommunityModel(rng=1, **SMALL)
    for params in ({"rng": 5, **SMALL, "share_spammers": 0.1}, {**SMALL}):
        kwargs = _build_model_init_kwargs(
            model, params, add_scenario_when_empty=True, require_model_accepts_scenario=True
        )
        assert isinstance(kwargs["scenario"], Scenario)
        again = type(model)(**kwargs)
        want = params.get("share_spammers", PARAMS["share_spammers"].default)
        assert again.params["share_spammers"] == want
