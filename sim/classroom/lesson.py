"""What one browser runs: two groups, A and B, on the same seed, for one year.

The groups start from the same people and the same luck and differ only in their
settings, so a class sees them diverge because of the settings. They advance together,
day by day, and stop at the end of the year. Each browser (each student) has its own
``Lesson``: the page keeps it per session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.classroom.controls import defaults
from sim.model.model import CommunityModel

__all__ = ["YEAR", "GROUPS", "Lesson", "starting_settings"]

YEAR = 365  # days in a lesson: play stops here
GROUPS = ("A", "B")


def starting_settings() -> dict[str, dict[str, Any]]:
    """The settings a page opens with: A with no rules, B the same group moderated."""
    return {"A": defaults(), "B": {**defaults(), "policy": "moderated"}}


@dataclass
class Lesson:
    """Groups A and B made from ``settings`` and ``seed``, advanced together.

    ``settings`` and ``seed`` are what the groups were made with; the page compares
    them with the controls to show that a change waits for Reset.
    """

    settings: dict[str, dict[str, Any]] = field(default_factory=starting_settings)
    seed: int = 1
    groups: dict[str, CommunityModel] = field(init=False)

    def __post_init__(self) -> None:
        self.settings = {g: dict(self.settings[g]) for g in GROUPS}
        self.groups = {g: CommunityModel(rng=self.seed, **self.settings[g]) for g in GROUPS}

    @property
    def day(self) -> int:
        """Days both groups have run."""
        return int(self.groups["A"].day)

    @property
    def over(self) -> bool:
        """Whether the year is over (nothing more to run)."""
        return self.day >= YEAR

    def advance(self, days: int = 1) -> int:
        """Run both groups ``days`` more days, never past the year; returns the new day."""
        for _ in range(max(0, min(days, YEAR - self.day))):
            for model in self.groups.values():
                model.step()
        return self.day

    def waiting(self, settings: dict[str, dict[str, Any]], seed: int) -> bool:
        """Whether ``settings`` or ``seed`` differ from the groups' (a Reset would apply them)."""
        return seed != self.seed or any(settings[g] != self.settings[g] for g in GROUPS)
