"""Companies: who is affiliated with which, and the links each has posted.

Spammers fill company rings of ``ring_size`` colleagues who like each other's
posts; each ethical promoter has a company of its own. A promotion's link id is
``company x LINK_BASE + serial``, so a repost of the same link is recognisable.
"""

from __future__ import annotations

import numpy as np

from sim.model.population import Population
from sim.model.strategies import PROMOTER, SPAMMER

__all__ = ["LINK_BASE", "Companies", "number_links"]

LINK_BASE = 1 << 32  # link id = company x LINK_BASE + serial within the company


class Companies:
    """The companies of the group; ``links[c]`` is how many links company ``c`` posted."""

    def __init__(self) -> None:
        self.links = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.links)

    def new(self, k: int) -> np.ndarray:
        """Ids of ``k`` new companies (with no links posted yet)."""
        first = len(self.links)
        self.links = np.concatenate([self.links, np.zeros(k, dtype=np.int64)])
        return np.arange(first, first + k)

    def assign(self, strategies: np.ndarray, state: Population, ring_size: int) -> np.ndarray:
        """Affiliations of newcomers: spammers fill open rings, each promoter has its own."""
        company = np.full(len(strategies), -1, dtype=np.int64)
        promoters = np.flatnonzero(strategies == PROMOTER)
        company[promoters] = self.new(len(promoters))
        spammers = np.flatnonzero(strategies == SPAMMER)
        if len(spammers) == 0:
            return company
        counts = self.ring_counts(state)
        # Spammers fill the open rings (some but not all places taken) in order of
        # company, then new rings, one after the other.
        open_rings = np.flatnonzero((counts > 0) & (counts < ring_size))
        places = np.repeat(open_rings, ring_size - counts[open_rings])
        missing = len(spammers) - len(places)
        if missing > 0:
            rings = self.new(-(-missing // ring_size))
            places = np.concatenate([places, np.repeat(rings, ring_size)])
        company[spammers] = places[: len(spammers)]
        return company

    def link_ids(
        self,
        rng: np.random.Generator,
        company: np.ndarray,
        promo: np.ndarray,
        repost: np.ndarray,
    ) -> np.ndarray:
        """Link ids: a repost reuses one of its company's links, a promotion gets a new
        one."""
        u = rng.random(int(np.count_nonzero(repost)))  # which of its links each repost is
        return number_links(company, promo, repost, u, self.links)

    def ring_colleagues(self, state: Population, company: np.ndarray) -> np.ndarray:
        """For posts of the given companies, how many present colleagues their authors have."""
        return np.maximum(self.ring_counts(state)[company] - 1, 0)

    def ring_counts(self, state: Population) -> np.ndarray:
        """Present spammers per company. The spammers are found first and only their
        rows looked up: at a million members, half the cost of a mask over everyone."""
        spammers = (state.strategy == SPAMMER).nonzero()[0]
        spammers = spammers[state.present[spammers]]
        return np.bincount(state.company[spammers], minlength=len(self))


def number_links(
    company: np.ndarray, promo: np.ndarray, repost: np.ndarray, u: np.ndarray, links: np.ndarray
) -> np.ndarray:
    """Link ids of posts by ``company``: a repost takes one of the links its company had
    (uniform ``u``, one per repost), a new promotion the company's next serial, in
    order of the posts; ``links`` (per company) counts the new ones in place. Posts
    that are not promotions get -1."""
    link = np.full(len(company), -1, dtype=np.int64)
    if not promo.any():
        return link
    old = repost.nonzero()[0]
    c = company[old]
    link[old] = c * LINK_BASE + (u * links[c]).astype(int)
    new = (promo & ~repost).nonzero()[0]
    c = company[new]
    # each new link's serial within its company today: its place among them
    order = c.argsort(kind="stable")
    grouped = c[order]
    ranked = np.empty(len(c), dtype=np.int64)
    ranked[order] = np.arange(len(c)) - grouped.searchsorted(grouped)
    link[new] = c * LINK_BASE + links[c] + ranked
    links += np.bincount(c, minlength=len(links))
    return link
