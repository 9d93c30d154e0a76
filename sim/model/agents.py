"""Members of the group and their strategies.

Each member is a ``mesa.Agent``: it is created when the member joins and removed
(``agent.remove()``) when the member leaves, and it is the handle to inspect a
member. Its day-to-day state lives in the model's NumPy arrays, indexed by the
member's ``slot``, so that the daily arithmetic runs over all members at once; the
attributes below read those arrays.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model.model import CommunityModel


class Strategy(IntEnum):
    """How a member behaves in the group (the founding text's order of value)."""

    SHARER = 0  # shares relevant material with own commentary
    CARER = 1  # likes, comments, answers; rarely posts
    PROMOTER = 2  # gives first, promotes each link once, disclosed
    SPAMMER = 3  # uses the group as a billboard
    LURKER = 4  # reads only

    @property
    def label(self) -> str:
        """Lower-case name used in tables and legends."""
        return self.name.lower()


STRATEGIES: tuple[Strategy, ...] = tuple(Strategy)

# Behaviour of each strategy when reading, indexed by ``Strategy``: the probability
# of a like or a comment per unit of value a post gave the reader. Spammers give
# likes only to their colleagues (the company ring), not as readers.
LIKE_PROPENSITY = np.array([0.30, 0.60, 0.30, 0.0, 0.05])
COMMENT_PROPENSITY = np.array([0.05, 0.25, 0.10, 0.0, 0.0])

# Beta(a, b) of a post's quality, indexed by ``Kind`` (share, question, ethical
# promotion), then spam.
POST_QUALITY = np.array([[7.0, 3.0], [6.0, 4.0], [5.0, 5.0], [2.0, 8.0]])


class Member(mesa.Agent):
    """A member of the discussion group.

    Parameters
    ----------
    model : CommunityModel
        The group the member belongs to.
    slot : int
        Index of the member's row in the model's state arrays.
    """

    model: CommunityModel

    def __init__(self, model: CommunityModel, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    @property
    def strategy(self) -> Strategy:
        """Current strategy (it can change by lurking, returning or imitation)."""
        return Strategy(int(self.model.state.strategy[self.slot]))

    @property
    def company(self) -> int:
        """Company id, or -1 for a member without affiliation."""
        return int(self.model.state.company[self.slot])

    @property
    def satisfaction(self) -> float:
        """Moving average of the payoff of the member's visits."""
        return float(self.model.state.satisfaction[self.slot])

    @property
    def standard(self) -> float:
        """Payoff the member needs to stay satisfied."""
        return float(self.model.state.standard[self.slot])

    @property
    def activity(self) -> float:
        """Heavy-tailed activity level (mean 1 over members)."""
        return float(self.model.state.activity[self.slot])

    @property
    def posts(self) -> int:
        """Posts the member has published since day 0."""
        return int(self.model.state.posts[self.slot])

    @property
    def contributions(self) -> int:
        """Contributions (shares, questions, substantive comments) since day 0."""
        return int(self.model.state.contributions[self.slot])

    @property
    def promotions(self) -> int:
        """Promotions the member has published since day 0."""
        return int(self.model.state.promotions[self.slot])

    @property
    def removals(self) -> int:
        """Posts of the member that moderators removed."""
        return int(self.model.state.removals[self.slot])

    def __repr__(self) -> str:
        return (
            f"Member(id={self.unique_id}, {self.strategy.label}, "
            f"satisfaction={self.satisfaction:.2f}, standard={self.standard:.2f})"
        )
