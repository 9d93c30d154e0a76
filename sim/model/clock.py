"""Many days in a row on Mesa's clock, without an event per day.

Mesa 3.5 runs each ``model.step()`` as an event of the model's event list: a new
event holding a weak reference to the step, pushed onto a heap, popped and run, and
the next one scheduled. That costs about 4 us a step on its own, but 20 to 30 us
within a 1,000-member group's day, whose work has pushed Mesa's objects out of the
processor's caches: 8 to 9% of the day (``benchmarks/README.md``, tenth round).

``run_days`` runs the days back to back when nothing but the model's own steps is
due on the clock in that time. It moves Mesa's clock as Mesa's step does, day by day
(``time``, then ``steps``, then the step), with the default schedule of steps paused
meanwhile and resumed after, through the schedule's own ``pause`` and ``resume``
(Mesa's simulators reach the same schedule). Anything else scheduled
(``model.schedule_event``...), or a schedule already stopped or paused, and the days
go through Mesa's event list one step at a time, as before. Mesa's log line "Step N
at time T" (at level INFO) is not written for the days run back to back.

Mesa is pinned to 3.5 (``pyproject.toml``): the clock's attributes read here are
Mesa's, and ``tests/test_mesa_tools.py`` checks that both ways give the same clock,
the same results and the same scheduled events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["run_days"]


def run_days(model: Any, days: int, step: Callable[[Any], None]) -> None:
    """Advance ``model`` (a ``mesa.Model``) by ``days`` steps of ``step`` (its own step
    method, unwrapped), as ``days`` calls of ``model.step()`` would."""
    if days <= 0:
        return
    if not _only_steps_due(model, days):
        for _ in range(days):
            model.step()
        return
    schedule = model._default_schedule
    schedule.pause()
    try:
        for _ in range(days):
            model.time += 1.0  # as Mesa's clock: the time of the step, then its count
            model.steps += 1
            step(model)
    finally:
        model._event_list.compact()  # drop the paused step's cancelled event
        schedule.resume()  # the next step one unit on, from the time reached


def _only_steps_due(model: Any, days: int) -> bool:
    """Whether the only event due on ``model``'s clock within ``days`` is its next
    step, scheduled by its running default schedule one unit from now."""
    schedule = getattr(model, "_default_schedule", None)
    if schedule is None or not schedule._active or schedule._paused:
        return False
    try:
        due = model._event_list.peek_ahead(2)
    except IndexError:  # nothing scheduled at all
        return False
    if not due or due[0] is not schedule._current_event or due[0].time != model.time + 1.0:
        return False
    return len(due) == 1 or due[1].time > model.time + days
