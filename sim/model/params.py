"""The parameter schema: the one place where every model parameter is defined.

Each parameter has a name, a type, a default, bounds (or allowed choices), a unit,
what it is relative to (per member, per post, absolute...) and a help text. The
model, the CLI, sweep specs, the browser app and the docs all read this module;
nothing else restates a default.

Policy presets (``policy = "etiquette"`` ...) are bundles of policy parameters.
A preset is applied first, then any policy parameter given explicitly overrides it.

Every combination of allowed values either runs or is refused here, before a run
starts: the bounds keep each value meaningful, and ``resolve`` checks the joint
constraints (strategy shares, the group's potential size).
"""

from __future__ import annotations

from typing import Any

from sim.errors import did_you_mean
from sim.model.parameters import Choice, Flag, Integer, Param, ParamError, Real
from sim.model.strategies import SHARE_PARAMS

__all__ = [
    "MAX_POTENTIAL_MEMBERS",
    "Param",
    "ParamError",
    "PARAMS",
    "PRESETS",
    "STRATEGY_SHARES",
    "check_value",
    "defaults",
    "parse_value",
    "resolve",
]

# Sections of `sim params` and of the docs' parameter table.
FEED, SPAM, READING, MEMBERSHIP = "feed", "spam", "reading", "membership"
RULES, NORMS, RUN = "rules", "norms", "run"

# The most members a group may ever hold (its potential membership, ``market_size`` x
# ``n_members``): about 200 bytes of state a member, so a few GB at most.
MAX_POTENTIAL_MEMBERS = 20_000_000

# fmt: off
_SCHEMA: tuple[Param, ...] = (
    # group -------------------------------------------------------------------------------------
    Integer("n_members", 1000, 10, 2_000_000, unit="members", label="Group size",
        help="Members at the start (after the warm-up)."),
    Real("share_sharers", 0.12, 0.0, 1.0, unit="share", label="Sharers",
        help="Share of starting members who share relevant material with their own commentary."),
    Real("share_carers", 0.15, 0.0, 1.0, unit="share", label="Carers",
        help="Share of starting members who mostly like, comment and answer, and rarely post."),
    Real("share_promoters", 0.05, 0.0, 1.0, unit="share", label="Ethical promoters",
        help=("Share of starting members who promote their own content ethically: give first, "
              "each link once, disclosed.")),
    Real("share_spammers", 0.2, 0.0, 1.0, unit="share", label="Spammers",
        help=("Share of starting members who use the group as a billboard (lurkers are the rest "
              "of the members).")),
    Integer("ring_size", 5, 1, 1000, unit="members", basis="group", label="Company ring size",
        help=("Spammers per company; colleagues like each other's posts whatever they are (1 = no "
              "ring).")),
    Real("activity_sigma", 1.6, 0.0, 4.0,
        help=("Spread (log-normal sigma, median 1) of members' activity: larger means a few "
              "members do most of the posting.")),
    Real("visit_rate", 0.13, 0.001, 0.95, unit="1/day", basis="member",
        help="Mean daily probability that a satisfied member visits."),
    Real("visit_floor", 0.02, 0.0, 1.0, unit="1/day", basis="member",
        help="Daily visit probability of a member however dissatisfied."),
    Real("visit_width", 0.08, 0.001, 1.0, unit="satisfaction",
        help=("How sharply visiting falls when satisfaction drops below the member's standard "
              "(sigmoid width).")),
    Real("rate_sharer", 0.25, 0.0, 20.0, unit="posts/visit", basis="visit",
        help="Posts per visit of a sharer of average activity."),
    Real("rate_carer", 0.03, 0.0, 20.0, unit="posts/visit", basis="visit",
        help="Posts per visit of a carer of average activity."),
    Real("rate_promoter", 0.12, 0.0, 20.0, unit="posts/visit", basis="visit",
        help="Posts per visit of an ethical promoter of average activity."),
    Integer("promoter_ratio", 3, 0, 100, unit="contributions", basis="member",
        help=("Contributions an ethical promoter makes, by its own standard, before each "
              "promotion.")),
    Real("offtopic_share", 0.05, 0.0, 1.0, unit="share", basis="post",
        help=("Share of honest members' posts that are off the group's topic: social talk, "
              "which draws comments but informs little.")),
    Real("skill_weight", 1.0, 0.0, 5.0, unit="log-odds",
        help=("How much a member's contribution skill moves the quality of its posts "
              "(log-odds per standard deviation of skill; 0 = all posts of a kind alike).")),
    Real("skill_standard_corr", 0.5, -1.0, 1.0,
        help=("Correlation between a member's skill and its standard: demanding members "
              "write better posts, so the best contributors are the first to leave.")),
    # spam --------------------------------------------------------------------------------------
    Real("spam_visit", 0.9, 0.0, 1.0, unit="1/day", basis="member", group=SPAM,
        help="Daily visit probability of a spammer."),
    Real("spam_rate", 0.1, 0.0, 20.0, unit="posts/visit", basis="visit", group=SPAM,
        help="Promotions a spammer tries to post per visit."),
    Real("spam_repost", 0.6, 0.0, 1.0, unit="share", basis="post", group=SPAM,
        help="Share of spam that reposts one of the company's old links."),
    Real("spam_offtopic", 0.5, 0.0, 1.0, unit="share", basis="post", group=SPAM,
        help="Share of spam that is off the group's topic."),
    Real("spam_hidden", 0.8, 0.0, 1.0, unit="share", basis="post", group=SPAM,
        help="Share of spam whose author hides the company affiliation."),
    Real("spam_join_rate", 0.002, 0.0, 1.0, unit="1/day", basis="member", group=SPAM,
        help=("Daily rate at which spammers join, per member of the audience and per unit of the "
              "spammer share.")),
    Real("spam_quit_reach", 0.5, 0.0, 1000.0, unit="reads/day", group=SPAM,
        help=("Reach per spammer-day (reads of its promotion) below which a spammer starts to "
              "quit.")),
    Real("spam_quit_rate", 0.01, 0.0, 1.0, unit="1/day", basis="member", group=SPAM,
        help="Daily probability that a spammer whose reach stays low quits."),
    # feed --------------------------------------------------------------------------------------
    Choice("feed_ranking", "engagement", ("chronological", "engagement",), group=FEED,
        label="Feed ranking",
        help=("How the feed is ordered: 'chronological' (newest first) or 'engagement' (likes and "
              "comments with age decay, as platforms do).")),
    Integer("post_lifetime", 7, 1, 365, unit="days", basis="post", group=FEED,
        help="Days a post stays in the feed."),
    Real("comment_weight", 2.0, 0.0, 100.0, group=FEED,
        help="Weight of a comment relative to a like in the engagement score."),
    Real("attention", 8.0, 1.0, 200.0, unit="posts/visit", basis="visit", group=FEED,
        label="Attention (posts read per visit)",
        help="Median number of posts a member reads per visit."),
    Real("feed_reach", 1000.0, 1.0, 1e9, unit="members", basis="member", group=FEED,
        help=("Members whose posts can reach a member's feed (the members it follows); in a "
              "group larger than this, each feed holds a random share of the posts, so a "
              "post's audience does not grow with the group.")),
    Integer("attention_cap", 40, 1, 1000, unit="posts/visit", basis="visit", group=FEED,
        help="Most posts any member reads in one visit."),
    Real("scan_depth", 0.5, 0.0, 0.95, unit="probability", basis="read", group=FEED,
        help=("Probability that a reader skips a post while scrolling (0 = reads strictly from "
              "the top).")),
    # reading -----------------------------------------------------------------------------------
    Real("value_scale", 2.0, 0.01, 100.0, basis="visit", group=READING,
        help=("Value at which reading returns start to saturate (value per visit = 1 - exp(-sum / "
              "scale)).")),
    Real("cost_hidden", 0.04, 0.0, 1.0, unit="satisfaction", basis="read", group=READING,
        help="Attention cost of reading a promotion whose affiliation is hidden."),
    Real("cost_disclosed", 0.02, 0.0, 1.0, unit="satisfaction", basis="read", group=READING,
        help="Attention cost of reading a disclosed promotion."),
    Real("cost_offtopic", 0.02, 0.0, 1.0, unit="satisfaction", basis="read", group=READING,
        help="Extra cost of reading an off-topic promotion."),
    Real("noise_amplifier", 3.0, 0.0, 100.0, group=READING,
        help=("How much reading costs rise as the share of promotion in what a member reads grows "
              "(cost x (1 + amplifier x noise)).")),
    Real("satisfaction_weight", 0.1, 0.001, 1.0, basis="visit", group=READING,
        help="Weight of a visit's payoff in the satisfaction moving average."),
    Real("standard_mean", 0.3, -1.0, 2.0, unit="satisfaction", group=READING,
        help="Mean of members' standards (the payoff a member needs to stay)."),
    Real("standard_sd", 0.12, 0.0, 1.0, unit="satisfaction", group=READING,
        help="Spread of members' standards."),
    Real("care_value", 0.1, 0.0, 2.0, unit="satisfaction", basis="visit", group=READING,
        help=("Most satisfaction a member gets at a visit from the likes and comments its "
              "posts received since its last visit: being answered (0 = none).")),
    Real("care_scale", 3.0, 0.01, 1000.0, unit="reactions", group=READING,
        help=("Likes and comments received at which the benefit of being answered reaches "
              "about two thirds of care_value.")),
    Real("overload_threshold", 300.0, 1.0, 1e6, unit="posts", basis="visit", group=READING,
        help=("New posts in a member's feed at a visit beyond which reading it is "
              "overwhelming (information overload).")),
    Real("overload_cost", 0.1, 0.0, 1.0, unit="satisfaction", basis="visit", group=READING,
        help=("Satisfaction a visit loses per factor e of new posts beyond "
              "overload_threshold (0 = no overload).")),
    Real("motivation_gain", 0.5, 0.0, 2.0, group=READING,
        help="How much likes and comments received raise an author's posting rate."),
    # membership --------------------------------------------------------------------------------
    Real("lurk_hazard", 0.03, 0.0, 1.0, unit="1/day", basis="member", group=MEMBERSHIP,
        help="Daily probability that a dissatisfied contributor drops to lurking."),
    Real("leave_hazard", 0.004, 0.0, 1.0, unit="1/day", basis="member", group=MEMBERSHIP,
        help="Daily probability that a dissatisfied lurker leaves."),
    Real("return_rate", 0.02, 0.0, 1.0, unit="1/day", basis="member", group=MEMBERSHIP,
        help="Daily probability that a satisfied former contributor contributes again."),
    Real("churn", 0.0006, 0.0, 1.0, unit="1/day", basis="member", group=MEMBERSHIP,
        help="Daily probability that any member leaves for reasons outside the group."),
    Real("join_rate", 0.002, 0.0, 1.0, unit="1/day", basis="member", group=MEMBERSHIP,
        help="Daily joining rate per member when the group's reputation is at its reference."),
    Real("market_size", 2.0, 1.0, 100.0, unit="x n_members", basis="size", group=MEMBERSHIP,
        help=("Potential audience, as a multiple of the starting size; joining slows as the group "
              "approaches it.")),
    Real("reputation_ref", 0.72, 0.01, 1.0, group=MEMBERSHIP,
        help="Reputation (moving average of quality read) at which joining runs at join_rate."),
    Real("reputation_power", 4.0, 0.0, 20.0, group=MEMBERSHIP,
        help="How strongly joining responds to reputation."),
    Real("reputation_weight", 0.05, 0.001, 1.0, group=MEMBERSHIP,
        help="Weight of a day's quality in the reputation moving average."),
    Real("collapse_threshold", 0.5, 0.0, 1.0, unit="share", group=RUN,
        help=("A run has collapsed once its non-spamming members fall below this share of their "
              "start.")),
    Real("memory_limit", 8000.0, 10.0, 1_000_000.0, unit="MB", basis="group", group=RUN,
        help=("Memory a run may use; a group that would outgrow it stops with a clear "
              "message (it changes no result of a run that fits).")),
    Integer("warmup", 30, 0, 365, unit="days", group=RUN,
        help=("Days simulated before day 0 so the feed has a history; spammers are idle and "
              "nobody joins or leaves.")),
    # rules -------------------------------------------------------------------------------------
    Choice("policy", "none", ("none", "etiquette", "moderated", "strict",), group=RULES,
        label="Rules",
        help=("Preset of rules: 'none' (unchecked), 'etiquette' (give before take, one post per "
              "link, disclosure), 'moderated' (etiquette plus flagging, moderators and bans) or "
              "'strict' (everything, tight thresholds). Policy parameters given explicitly "
              "override the preset.")),
    Integer("give_take_ratio", 0, 0, 100, unit="contributions", basis="member", group=RULES,
        help=("Give before take: contributions needed since the last promotion before a new one "
              "is accepted (9 = Reddit's 9:1 rule; 0 = off).")),
    Flag("one_post_per_link", False, group=RULES,
        help="Refuse a promotion whose link was posted before."),
    Flag("require_disclosure", False, group=RULES,
        help=("Promotion must disclose the author's affiliation; undisclosed promotion is "
              "labelled or removed when detected.")),
    Choice("disclosure_action", "label", ("label", "remove",), group=RULES,
        help=("What happens to detected undisclosed promotion: 'label' (marked as promotion) or "
              "'remove'.")),
    Real("rule_detection", 0.15, 0.0, 1.0, unit="probability", basis="post", group=RULES,
        help="Probability that a rule broken at submission is noticed."),
    Flag("remove_offtopic", False, group=RULES,
        help=("Off-topic posts break the group's rules: refused when noticed at "
              "submission, removed by moderators.")),
    Flag("rules_visible", False, group=RULES,
        help=("The rules are announced to newcomers (a pinned post); otherwise newcomers "
              "learn them when one of their posts is refused or removed.")),
    Real("newcomer_awareness", 0.2, 0.0, 1.0, unit="share", group=RULES,
        help="Share of newcomers who know the group's norms when the rules are not announced."),
    Real("announcement_reach", 0.6, 0.0, 1.0, unit="share", group=RULES,
        help="Share of the other newcomers who read the rules when they are announced."),
    Flag("discount_company_likes", False, group=RULES,
        help=("Ranking defence: likes from the author's own company do not count in an "
              "engagement-ranked feed.")),
    Flag("flagging", False, group=RULES,
        help="Members flag promotion they find off-topic or hidden."),
    Real("flag_prob", 0.08, 0.0, 1.0, unit="probability", basis="read", group=RULES,
        help="Probability that a member flags a noisy post it reads."),
    Integer("flag_threshold", 3, 1, 1000, unit="flags", basis="post", group=RULES,
        help="Flags that hide a post."),
    Integer("moderator_capacity", 0, 0, 100_000, unit="posts/day", basis="group", group=RULES,
        help="Posts the moderators review per day (0 = no moderators)."),
    Real("moderator_accuracy", 0.9, 0.0, 1.0, unit="probability", basis="post", group=RULES,
        help="Probability that a moderator removes a rule-breaking post it reviews."),
    Real("false_positive", 0.02, 0.0, 1.0, unit="probability", basis="post", group=RULES,
        help="Probability that a moderator removes an honest post it reviews."),
    Real("removal_penalty", 0.3, 0.0, 2.0, unit="satisfaction", basis="post", group=RULES,
        help="Satisfaction an honest author loses when its post is removed by mistake."),
    Integer("ban_after", 0, 0, 1000, unit="removals", basis="member", group=RULES,
        help="Removals after which a member is banned (0 = never)."),
    # norms -------------------------------------------------------------------------------------
    Real("imitation_rate", 0.0, 0.0, 1.0, unit="1/day", basis="member", group=NORMS,
        label="Imitation",
        help=("Daily probability that a member compares its strategy's payoff with another "
              "member's and may imitate it (0 = strategies are fixed).")),
    Real("imitation_scale", 1.0, 0.001, 1000.0, group=NORMS,
        help=("Payoff gap (reach in reads/day, or satisfaction x 10) at which imitation becomes "
              "certain.")),
)
# fmt: on

PARAMS: dict[str, Param] = {p.name: p for p in _SCHEMA}

STRATEGY_SHARES = SHARE_PARAMS  # one share parameter per strategy but the rest (lurkers)

PRESETS: dict[str, dict[str, Any]] = {
    "none": {},
    "etiquette": {
        "give_take_ratio": 9,
        "one_post_per_link": True,
        "require_disclosure": True,
    },
    "moderated": {
        "give_take_ratio": 9,
        "one_post_per_link": True,
        "require_disclosure": True,
        "flagging": True,
        "moderator_capacity": 20,
        "ban_after": 3,
    },
    "strict": {
        "give_take_ratio": 19,
        "one_post_per_link": True,
        "require_disclosure": True,
        "disclosure_action": "remove",
        "rule_detection": 0.8,
        "discount_company_likes": True,
        "flagging": True,
        "flag_threshold": 2,
        "moderator_capacity": 60,
        "false_positive": 0.05,
        "ban_after": 1,
    },
}


def defaults() -> dict[str, Any]:
    """Every parameter at its default value."""
    return {name: p.default for name, p in PARAMS.items()}


def _unknown(name: str) -> ParamError:
    hint = did_you_mean(name, PARAMS)
    return ParamError(f"unknown parameter {name!r}.{hint} Run `sim params` for the list.")


def check_value(name: str, value: Any) -> Any:
    """Return ``value`` as the parameter's Python type, or raise ``ParamError``.

    Integers are accepted for real parameters and integral numbers for integer ones,
    NumPy scalars as Python ones; anything else of the wrong type, out of bounds or
    not among the choices is refused.
    """
    if name not in PARAMS:
        raise _unknown(name)
    return PARAMS[name].check(value)


def parse_value(name: str, text: str) -> Any:
    """Parse a command-line string (``--set name=text``) into a checked value."""
    if name not in PARAMS:
        raise _unknown(name)
    return PARAMS[name].parse(text)


def resolve(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Complete, checked parameter values: defaults, then the preset, then overrides.

    Parameters
    ----------
    overrides : dict
        Parameters given by the user. Unknown names, wrong types, values out of
        bounds, and strategy shares that sum past 1 raise ``ParamError``.

    Returns
    -------
    dict
        A value for every parameter in the schema.
    """
    overrides = dict(overrides or {})
    checked = {name: check_value(name, v) for name, v in overrides.items()}
    values = defaults()
    values.update(PRESETS[checked.get("policy", values["policy"])])
    values.update(checked)
    _check_shares(values)
    _check_potential(values)
    return values


def _check_shares(values: dict[str, Any]) -> None:
    total = sum(values[s] for s in STRATEGY_SHARES)
    if total > 1.0 + 1e-9:
        parts = " + ".join(f"{s}={values[s]:g}" for s in STRATEGY_SHARES)
        raise ParamError(
            f"strategy shares sum to {total:g} ({parts}); they must sum to at most 1 "
            "(lurkers are the rest)."
        )


def _check_potential(values: dict[str, Any]) -> None:
    """The group's potential membership must fit the memory of a run."""
    potential = values["n_members"] * values["market_size"]
    if potential > MAX_POTENTIAL_MEMBERS:
        raise ParamError(
            f"n_members x market_size is {potential:,.0f} potential members; at most "
            f"{MAX_POTENTIAL_MEMBERS:,} fit in a run (lower n_members or market_size)."
        )


def from_scenario(scenario: Any, rng: Any, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The seed and parameters of a Mesa ``Scenario`` merged with those given directly."""
    given = {k: v for k, v in scenario if k != "rng"}
    for name in given.keys() & params.keys():
        if given[name] != params[name]:
            raise ParamError(
                f"parameter {name!r} is {params[name]!r} but the scenario says {given[name]!r}."
            )
    if scenario.rng is not None:
        if rng is not None and rng != scenario.rng:
            raise ParamError(f"rng is {rng!r} but the scenario's rng is {scenario.rng!r}.")
        rng = scenario.rng
    return rng, {**given, **params}
