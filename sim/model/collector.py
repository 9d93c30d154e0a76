"""The daily data collector: Mesa's ``DataCollector`` of the daily measures.

It reads like the stock collector (``model_vars``, ``get_model_vars_dataframe()``,
``_collection_steps``) so that Mesa's tools (``mesa.batch_run``, SolaraViz) work on
the model unchanged, and it holds three kinds of model reporters:

- the daily measures (``sim.model.metrics.DAILY``), appended from ``model.today``
  directly: the stock ``collect`` calls a reporter and deep-copies its value for every
  measure, every day, about a tenth of a 1,000-member run, and copying protects
  nothing here because every measure is an immutable number;
- the run's outcomes so far (``RUN_OUTCOMES``: the summary's value if the run ended on
  that day), so that ``mesa.batch_run`` returns ``honest_ratio`` and ``collapsed``;
- reporters a user adds the Mesa way (``DailyCollector(model_reporters=...)`` or
  ``datacollector._new_model_reporter``), collected as the stock collector does.

Steps are recorded as integers (``model.steps``, the day), not Mesa's float time.
"""

from __future__ import annotations

import types
from copy import deepcopy
from functools import partial
from typing import Any

from mesa.datacollection import DataCollector

from sim.model.constants import LAST_DAYS
from sim.model.metrics import DAILY, NEVER, recent_mean

__all__ = ["RUN_OUTCOMES", "DailyCollector"]

# Summary outcomes (``sim.model.metrics.SUMMARY``) kept as model reporters, each the
# run's outcome if it ended on the day recorded: on the last day, the summary's value.
RUN_OUTCOMES = ("honest_ratio", "members_ratio", "collapsed", "collapse_day", "final_quality")


class DailyCollector(DataCollector):
    """Mesa's ``DataCollector`` of the daily measures and the run's outcomes so far.

    Parameters
    ----------
    model_reporters, agent_reporters, agenttype_reporters, tables : dict, optional
        More reporters and tables, as for Mesa's ``DataCollector``; they are collected
        every day after the model's own.
    """

    def __init__(
        self,
        model_reporters: dict[str, Any] | None = None,
        agent_reporters: dict[str, Any] | None = None,
        agenttype_reporters: dict[Any, dict[str, Any]] | None = None,
        tables: dict[str, list[str]] | None = None,
    ) -> None:
        own: dict[str, Any] = {k: (lambda m, k=k: m.today[k]) for k in DAILY}
        own |= {k: (lambda m, k=k: m.datacollector.so_far[k]) for k in RUN_OUTCOMES}
        super().__init__(
            model_reporters={**own, **(model_reporters or {})},
            agent_reporters=agent_reporters,
            agenttype_reporters=agenttype_reporters,
            tables=tables,
        )
        self._own = frozenset(own)
        self._daily = [(k, self.model_vars[k]) for k in DAILY]
        self._outcomes = [(k, self.model_vars[k]) for k in RUN_OUTCOMES]
        self.so_far: dict[str, Any] = {}
        self._start: tuple[int, float] | None = None  # honest members, members on day 0

    def collect(self, model: Any) -> None:
        """Append today's measures, the outcomes so far and any added reporter."""
        self._collection_steps.append(model.steps)
        today = model.today
        for name, values in self._daily:
            values.append(today[name])
        self._update_outcomes(today, model.params["collapse_threshold"])
        for name, values in self._outcomes:
            values.append(self.so_far[name])
        if len(self.model_reporters) > len(self._own):
            self._collect_added(model)
        if self.agent_reporters:
            self._agent_records[model.steps] = list(self._record_agents(model))
        for agent_type in self.agenttype_reporters:
            records = list(self._record_agenttype(model, agent_type))
            self._agenttype_records.setdefault(model.steps, {})[agent_type] = records

    def _update_outcomes(self, today: dict[str, Any], collapse_threshold: float) -> None:
        """The summary's outcomes as of today (``sim.model.metrics.summarize``)."""
        honest, members = today["honest_members"], today["members"]
        if self._start is None:
            self._start = (max(int(honest), 1), members)
            self.so_far = {"collapsed": False, "collapse_day": NEVER["collapse_day"]}
        honest0, members0 = self._start
        if not self.so_far["collapsed"] and honest < collapse_threshold * honest0:
            self.so_far["collapsed"], self.so_far["collapse_day"] = True, int(today["day"])
        self.so_far["honest_ratio"] = float(honest / honest0)
        self.so_far["members_ratio"] = float(members / max(members0, 1))
        self.so_far["final_quality"] = recent_mean(self.model_vars["quality"], LAST_DAYS)

    def _collect_added(self, model: Any) -> None:
        """Collect the reporters a user added, as Mesa's own ``collect`` does; one added
        after some days were recorded has None on those days, so that the columns of
        ``get_model_vars_dataframe()`` stay aligned."""
        days = len(self._collection_steps)
        for name, reporter in self.model_reporters.items():
            if name in self._own:
                continue
            values = self.model_vars[name]
            values.extend([None] * (days - 1 - len(values)))
            if isinstance(reporter, types.LambdaType | partial):
                value = reporter(model)
            elif isinstance(reporter, str):
                value = getattr(model, reporter, None)
            elif isinstance(reporter, list):
                value = reporter[0](*reporter[1])
            else:
                value = reporter()
            values.append(deepcopy(value))
