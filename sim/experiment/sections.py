"""The parts of a sweep spec that do not make its design: checks and the smaller sections.

``sim.experiment.spec`` reads a spec; this module holds what it checks with: the error
(``SpecError``, prefixed with the file by ``Where``), the typed reads of keys, and the
``[record]`` and ``[analysis]`` sections with their defaults.
"""

from __future__ import annotations

import math
from typing import Any

from sim.errors import UserError, did_you_mean
from sim.experiment.designs import Dimension
from sim.model.budget import MAX_STEPS
from sim.model.metrics import DAILY, SUMMARY
from sim.model.params import PARAMS

__all__ = [
    "DEFAULT_OUTCOMES",
    "DEFAULT_THRESHOLD",
    "DEFAULT_TIPPING",
    "SECTION_KEYS",
    "SpecError",
    "Where",
    "analysis_section",
    "integer",
    "known_keys",
    "outcome_names",
    "LOGS",
    "logs_section",
    "record_section",
    "sensitivity_section",
    "table_of",
]

SECTION_KEYS = {
    "sample": ("method", "n", "second_order", "levels"),
    "record": ("every", "metrics", "logs"),
    "analysis": ("outcomes", "tipping", "threshold", "along", "sensitivity"),
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
# The outcome whose crossing is the tipping point, and the threshold it crosses: the
# model's own collapse threshold (the schema's `collapse_threshold`).
DEFAULT_TIPPING = "honest_ratio"
DEFAULT_THRESHOLD: float = PARAMS["collapse_threshold"].default
# Summary keys that describe the run rather than its outcome.
NOT_OUTCOMES = ("seed", "days")


class SpecError(UserError, ValueError):
    """A sweep spec that cannot be run; the message names the key and what is allowed."""


class Where:
    """Builds ``SpecError``s prefixed with the file they are about."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __call__(self, message: str) -> SpecError:
        return SpecError(f"{self.where}: {message}")


def known_keys(table: dict[str, Any], allowed: tuple[str, ...], what: str, err: Where) -> None:
    for key in table:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            listed = ", ".join(allowed)
            raise err(f"unknown key {key!r} at {what}.{hint} Allowed: {listed}.")


def table_of(data: dict[str, Any], key: str, err: Where) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise err(f"`{key}` must be a table ([{key}] followed by name = value lines).")
    return value


def integer(data: dict[str, Any], key: str, default: int, low: int, high: int, err: Where) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise err(f"`{key}` must be an integer in [{low}, {high}], got {value!r}.")
    return value


def record_section(table: dict[str, Any], err: Where) -> tuple[int, tuple[str, ...]]:
    known_keys(table, SECTION_KEYS["record"], "[record]", err)
    every = integer(table, "every", 1, 1, MAX_STEPS, Where(err.where + ": [record]"))
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


def outcome_names() -> list[str]:
    """The per-run outcomes a spec (or `sim plot --outcome`) may name."""
    return [k for k in SUMMARY if k not in NOT_OUTCOMES]


def analysis_section(
    table: dict[str, Any], vary: tuple[Dimension, ...], err: Where
) -> tuple[tuple[str, ...], str, float, str | None]:
    known_keys(table, SECTION_KEYS["analysis"], "[analysis]", err)
    allowed = outcome_names()
    outcomes = table.get("outcomes", list(DEFAULT_OUTCOMES))
    if not isinstance(outcomes, list) or not outcomes:
        raise err("[analysis] outcomes must be a non-empty list of per-run outcomes.")
    tipping = table.get("tipping", DEFAULT_TIPPING)
    for o in [*outcomes, tipping]:
        if o not in allowed:
            hint = did_you_mean(str(o), allowed)
            raise err(f"[analysis]: unknown outcome {o!r}.{hint} Allowed: {', '.join(allowed)}.")
    threshold = table.get("threshold", DEFAULT_THRESHOLD)
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


def sensitivity_section(table: dict[str, Any], err: Where) -> tuple[str, ...] | None:
    """``[analysis] sensitivity``: the outcomes whose sensitivity indices to compute."""
    if "sensitivity" not in table:
        return None
    chosen, allowed = table["sensitivity"], outcome_names()
    if not isinstance(chosen, list) or not chosen:
        raise err("[analysis] sensitivity must be a non-empty list of per-run outcomes.")
    for o in chosen:
        if o not in allowed:
            hint = did_you_mean(str(o), allowed)
            raise err(f"[analysis] sensitivity: unknown outcome {o!r}.{hint}")
    return tuple(chosen)


# The run's traces a sweep can keep ([record] logs), each written to <name>.parquet with a
# run_id column: the post log, the member log and the reply log of ``sim.model.logs``.
LOGS = ("posts", "members", "replies")


def logs_section(table: dict[str, Any], err: Where) -> tuple[str, ...]:
    """``[record] logs``: which of the run's logs to keep (none by default: they cost)."""
    logs = table.get("logs", [])
    if not isinstance(logs, list) or not all(isinstance(k, str) for k in logs):
        raise err(f"[record] logs must be a list of {', '.join(map(repr, LOGS))}, got {logs!r}.")
    for k in logs:
        if k not in LOGS:
            raise err(
                f"[record] logs: unknown log {k!r}.{did_you_mean(k, LOGS)} Allowed: "
                f"{', '.join(LOGS)}."
            )
    if len(set(logs)) != len(logs):
        raise err("[record] logs: the list repeats a log.")
    return tuple(logs)
