"""Members of the group, as Mesa agents.

Each member present is a ``mesa.Agent`` in ``model.agents``, the handle to inspect
a member; one who leaves is removed (``agent.remove()``). Its day-to-day state
lives in the population's NumPy arrays, indexed by the member's ``slot``, so that
the daily arithmetic runs over all members at once; the attributes below read
those arrays.

The agents are made when ``model.agents`` is first read, and brought up to date
each time it is read (``Roster``): a run that never looks at them (a sweep, a
million-member group) pays nothing for them, and one that does sees exactly the
agents it would have had if each had been made on joining, ids included.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.population import Population
from sim.model.strategies import TABLE, Strategy

__all__ = ["Member", "Roster"]


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
        self.unique_id = slot + 1  # as if made on joining: members join in slot order
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


class Roster:
    """The members' Mesa agents, made on demand.

    The model reports departures as they happen (``left``, a list append); ``sync``,
    called whenever ``model.agents`` is read, makes the agents of members who joined
    since, in slot order, and removes those of members who left. Ids are the slot
    plus one, as Mesa numbers agents in order of creation from 1.
    """

    def __init__(self, model: mesa.Model, population: Population) -> None:
        self.model = model
        self.population = population
        self._members: list[Member | None] = []
        self._gone: list[np.ndarray] = []

    def left(self, slots: np.ndarray) -> None:
        """Members at ``slots`` left the group (their agents, if made, go at the next sync)."""
        if self._members:
            self._gone.append(slots)

    def sync(self) -> None:
        """Make the agents of members present but not yet made; remove those who left."""
        members = self._members
        for slots in self._gone:
            for slot in slots[slots < len(members)].tolist():
                member = members[slot]
                if member is not None:
                    member.remove()
                    members[slot] = None
        self._gone.clear()
        population = self.population
        present = population.present
        for slot in range(len(members), population.n):
            members.append(Member(self.model, population, slot) if present[slot] else None)
        self.model.agent_id_counter = population.n + 1
