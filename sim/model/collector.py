"""The daily data collector: Mesa's ``DataCollector`` of the daily measures."""

from __future__ import annotations

from typing import Any

from mesa.datacollection import DataCollector

from sim.model.metrics import DAILY

__all__ = ["DailyCollector"]


class DailyCollector(DataCollector):
    """Mesa's ``DataCollector`` of the daily measures (``sim.model.metrics.DAILY``).

    It reads like the stock collector (``model_vars``,
    ``get_model_vars_dataframe()``) but records ``model.today`` directly: the stock
    ``collect`` calls a reporter and deep-copies its value for every measure, every
    day, about a tenth of a 1,000-member run, and copying protects nothing here
    because every measure is an immutable number.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters={k: (lambda m, k=k: m.today[k]) for k in DAILY})

    def collect(self, model: Any) -> None:
        """Append today's measures, one value per daily measure."""
        self._collection_steps.append(model.time)
        today = model.today
        for name, values in self.model_vars.items():
            values.append(today[name])
