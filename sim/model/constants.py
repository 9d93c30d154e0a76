"""Structural constants of the model: numbers that shape a mechanism but are not
meant to be varied (a parameter is, and lives in ``sim.model.params``).

Each is named once here, with its meaning in ``MEANINGS``; the ODD's table of
constants is generated from this module, so the documentation cannot drift.
"""

from __future__ import annotations

__all__ = ["MEANINGS", "table"]

TOPIC_SPREAD = 0.6
POST_TOPIC_NOISE = 0.3
OFFTOPIC_NOISE = 0.5
FEEDBACK_WEIGHT = 0.1
VISIT_SHAPE = 1.5
VISIT_BOOST = 2.0
ATTENTION_SIGMA = 0.5
START_MARGIN = 0.2
SATISFACTION_IMITATION_DIVISOR = 10.0
INITIAL_QUALITY_DAYS = 7
LAST_DAYS = 30
MAX_POSTS_PER_VISIT = 50

MEANINGS: dict[str, str] = {
    "TOPIC_SPREAD": "spread (sd, radians) of members' interests around the group's topic",
    "POST_TOPIC_NOISE": "spread (sd, radians) of a post's topic around its author's interest",
    "OFFTOPIC_NOISE": "spread (sd, radians) of off-topic spam around the topic opposite "
    "the group's",
    "FEEDBACK_WEIGHT": "moving-average weight of the feedback (likes, comments) and the reach "
    "a member's posts get each day",
    "VISIT_SHAPE": "first shape of the Beta distribution of members' base visit probability",
    "VISIT_BOOST": "a fully satisfied member visits up to this many times its base probability",
    "ATTENTION_SIGMA": "log-normal spread of members' attention around its median",
    "START_MARGIN": "founders and newcomers start with satisfaction this far above their standard",
    "SATISFACTION_IMITATION_DIVISOR": "members who imitate on satisfaction are this many times "
    "more sensitive to a payoff gap than those who imitate on reach",
    "INITIAL_QUALITY_DAYS": "the initial quality is the mean quality read over the warm-up's "
    "last days, this many",
    "LAST_DAYS": "the window (days) of the summary's final and last-30-days outcomes",
    "MAX_POSTS_PER_VISIT": "the most posts a member writes in one visit, however active",
}


def table() -> list[tuple[str, float, str]]:
    """Every constant as (name, value, meaning), in the order of ``MEANINGS``."""
    return [(name, globals()[name], meaning) for name, meaning in MEANINGS.items()]
