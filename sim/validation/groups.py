"""The groups of runs the criteria need, at the full and the quick size, and the
statistics each run of a group gives.

The groups are those of ``criteria.py``: the default parameters with no spammers and
no rules at three sizes, the same group with ten times the honest posting rates, and
the group with the topic rule and the moderated preset, with the rules announced to
newcomers or not. Criteria that need the same group share its runs: the default
group at 1,000 members serves eight of them. Seeds are 1..n in every group, so two
conditions at the same size are paired seed by seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.validation import measures as m

if TYPE_CHECKING:
    from sim.model.model import CommunityModel

__all__ = ["FULL", "QUICK", "Group", "Plan", "Size", "plan", "statistics"]

# The default group of the criteria: no spammers, no rules.
DEFAULT = {"share_spammers": 0.0, "policy": "none"}
# The overload criterion: honest posting rates times VOLUME.
RATES = ("rate_sharer", "rate_carer", "rate_promoter")
VOLUME = 10
# The announced-rules criterion: the topic rule and the moderated preset.
TOPIC_RULES = {"policy": "moderated", "remove_offtopic": True, "offtopic_share": 0.2}


@dataclass(frozen=True)
class Size:
    """Members and seeds of the three sizes, and days simulated after the warm-up."""

    small: int
    middle: int
    large: int
    seeds_small: int
    seeds_large: int
    days: int


FULL = Size(small=1000, middle=3000, large=10_000, seeds_small=20, seeds_large=10, days=365)
# Checks that the suite runs, not the model (criteria.py): 300 members in place of
# 1,000, 1,000 in place of 3,000 and 10,000, 5 seeds, 180 days.
QUICK = Size(small=300, middle=1000, large=1000, seeds_small=5, seeds_large=5, days=180)


@dataclass(frozen=True)
class Group:
    """One group of runs: its parameters, seeds 1..``seeds`` and the days simulated.

    ``kind`` says which statistics its runs give (``statistics``): ``default`` (all
    of them, from every log), ``volume`` (the daily measures and the member log),
    ``rules`` (those and newcomers' compliance and participation) or ``cooling`` (who
    leaves dissatisfied: a property of the model, not a criterion).
    """

    key: str
    label: str
    kind: str
    params: tuple[tuple[str, Any], ...]
    seeds: int
    days: int

    @property
    def overrides(self) -> dict[str, Any]:
        return dict(self.params)

    @property
    def members(self) -> int:
        return int(self.overrides["n_members"])

    @property
    def logs(self) -> bool:
        """Whether its runs keep the post and reply logs."""
        return self.kind in ("default", "rules")

    @property
    def cost(self) -> float:
        """Relative cost of one run (members x days, more posts for ``volume``)."""
        return self.members * self.days * (3 if self.kind == "volume" else 1)


@dataclass(frozen=True)
class Plan:
    """The groups of a validation run by role, at one size."""

    quick: bool
    size: Size
    small: Group
    middle: Group
    large: Group
    volume: Group
    rules_hidden: Group
    rules_shown: Group
    decline: Group

    @property
    def groups(self) -> list[Group]:
        """Each distinct group once (at the quick size, middle and large are one group)."""
        seen: dict[str, Group] = {}
        for g in (self.small, self.middle, self.large, self.volume):
            seen.setdefault(g.key, g)
        for g in (self.rules_hidden, self.rules_shown, self.decline):
            seen.setdefault(g.key, g)
        return list(seen.values())

    @property
    def runs(self) -> int:
        return sum(g.seeds for g in self.groups)


def _default(n: int, seeds: int, days: int) -> Group:
    params = {"n_members": n, **DEFAULT}
    label = f"default parameters, {n:,} members, no spammers, no rules"
    return Group(f"default-{n}", label, "default", tuple(params.items()), seeds, days)


def plan(quick: bool = False) -> Plan:
    """The groups at the full size (the committed report) or the quick size (tests)."""
    from sim.model.params import PARAMS

    s = QUICK if quick else FULL
    small = _default(s.small, s.seeds_small, s.days)
    more = {r: PARAMS[r].default * VOLUME for r in RATES}
    volume = Group(
        f"volume-{s.small}",
        f"honest posting rates x {VOLUME}, {s.small:,} members, no spammers, no rules",
        "volume",
        tuple({"n_members": s.small, **DEFAULT, **more}.items()),
        s.seeds_small,
        s.days,
    )

    def rules(visible: bool) -> Group:
        params = {"n_members": s.small, **DEFAULT, **TOPIC_RULES, "rules_visible": visible}
        shown = "announced" if visible else "not announced"
        label = (
            f"moderated preset with the topic rule, off-topic share 0.2, rules {shown}, "
            f"{s.small:,} members, no spammers"
        )
        key = f"rules-{'shown' if visible else 'hidden'}-{s.small}"
        return Group(key, label, "rules", tuple(params.items()), s.seeds_small, s.days)

    # Not a criterion's: the model's own scenario (20% spammers, no rules), in which
    # members do leave dissatisfied, for the evaporative cooling the report describes.
    spammers = PARAMS["share_spammers"].default
    decline = Group(
        f"spammers-{s.small}",
        f"default parameters ({spammers:.0%} spammers, no rules), {s.small:,} members",
        "cooling",
        (("n_members", s.small),),
        s.seeds_small,
        s.days,
    )
    return Plan(
        quick=quick,
        size=s,
        small=small,
        middle=_default(s.middle, s.seeds_large, s.days),
        large=_default(s.large, s.seeds_large, s.days),
        volume=volume,
        rules_hidden=rules(False),
        rules_shown=rules(True),
        decline=decline,
    )


def statistics(group: Group, model: CommunityModel) -> dict[str, float]:
    """Every statistic the criteria read from one finished run of ``group``."""
    ts, members = model.timeseries(), model.member_log()
    if group.kind == "cooling":
        return m.skill_of_leavers(members)
    out = {
        **m.content(ts),
        **m.turnover(ts),
        **m.departures_by_cause(members, ts),
        "visits_last30": m.last_mean(ts, "visits_per_member"),
        "satisfaction_last30": m.last_mean(ts, "satisfaction"),
    }
    if group.kind == "volume":
        return out
    posts, replies = model.post_log(), model.reply_log()
    last = int(ts["day"].max())
    if group.kind == "rules":
        return {
            **out,
            "compliance": m.compliance(members, posts),
            "newcomer_posts": m.newcomer_posts(members, posts, last),
        }
    posted, top1 = m.participation(members)
    return {
        **out,
        "posted_share": posted,
        "top1_share": top1,
        "gini": m.posts_gini(members),
        **m.first_reply(members, posts, replies),
        "answered": m.answered_share(posts, replies),
        "churn": m.posting_churn(posts, last),
        **m.heavy_tail(members),
        **m.burstiness(posts),
        **m.skill_of_leavers(members),
    }
