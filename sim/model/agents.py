"""Members of the group, as Mesa agents.

Each member is a ``mesa.Agent``: it is created when the member joins and removed
(``agent.remove()``) when the member leaves, and it is the handle to inspect a
member. Its day-to-day state lives in the population's NumPy arrays, indexed by
the member's ``slot``, so that the daily arithmetic runs over all members at once;
the attributes below read those arrays.
"""

from __future__ import annotations

import mesa

from sim.model.population import Population
from sim.model.strategies import TABLE, Strategy

__all__ = ["Member"]


class Member(mesa.Agent):
    """A member of the discussion group.

    Parameters
    ----------
    model : mesa.Model
        The group the member belongs to.
    population : Population
        The members' state arrays.
    slot : int
        Index of the member's row in ``population``.
    """

    def __init__(self, model: mesa.Model, population: Population, slot: int) -> None:
        super().__init__(model)
        self.population = population
        self.slot = slot

    @property
    def strategy(self) -> Strategy:
        """Current strategy (it can change by lurking, returning or imitation)."""
        return Strategy(int(self.population.strategy[self.slot]))

    @property
    def company(self) -> int:
        """Company id, or -1 for a member without affiliation."""
        return int(self.population.company[self.slot])

    @property
    def satisfaction(self) -> float:
        """Moving average of the payoff of the member's visits."""
        return float(self.population.satisfaction[self.slot])

    @property
    def standard(self) -> float:
        """Payoff the member needs to stay satisfied."""
        return float(self.population.standard[self.slot])

    @property
    def activity(self) -> float:
        """Heavy-tailed activity level (median 1 over members)."""
        return float(self.population.activity[self.slot])

    @property
    def posts(self) -> int:
        """Posts the member has published since day 0."""
        return int(self.population.posts[self.slot])

    @property
    def contributions(self) -> int:
        """Contributions (shares, questions, substantive comments) since day 0."""
        return int(self.population.contributions[self.slot])

    @property
    def promotions(self) -> int:
        """Promotions the member has published since day 0."""
        return int(self.population.promotions[self.slot])

    @property
    def removals(self) -> int:
        """Posts of the member that moderators removed."""
        return int(self.population.removals[self.slot])

    def __repr__(self) -> str:
        return (
            f"Member(id={self.unique_id}, {TABLE[self.strategy].key}, "
            f"satisfaction={self.satisfaction:.2f}, standard={self.standard:.2f})"
        )
