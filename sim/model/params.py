"""The parameter schema: the one place where every model parameter is defined.

Each parameter has a name, a type, a default, bounds (or allowed choices), a unit
and a help text. The model, the CLI, sweep specs, the browser app and the docs all
read this module; nothing else restates a default.

Policy presets (``policy = "etiquette"`` ...) are bundles of policy parameters.
A preset is applied first, then any policy parameter given explicitly overrides it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.errors import UserError, did_you_mean

__all__ = [
    "Param",
    "ParamError",
    "PARAMS",
    "PRESETS",
    "STRATEGY_SHARES",
    "defaults",
    "parse_value",
    "resolve",
    "check_value",
]


class ParamError(UserError, ValueError):
    """A parameter value a user gave is not allowed; the message says why."""


@dataclass(frozen=True)
class Param:
    """One model parameter.

    Parameters
    ----------
    name : str
        Keyword used by ``CommunityModel``, ``--set`` and sweep specs.
    default : int, float, bool or str
        Value used when the parameter is not given.
    low, high : float, optional
        Inclusive bounds for numeric parameters.
    choices : tuple of str, optional
        Allowed values for categorical parameters.
    unit : str
        Unit of the value, for tables and axis labels.
    help : str
        One sentence that says what the parameter means.
    group : str
        Section in ``sim params`` and the docs.
    label : str
        Plain-language label for the browser app and figures.
    """

    name: str
    default: Any
    help: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    group: str = "group"
    label: str = ""

    @property
    def type(self) -> type:
        """Python type of the value (bool, int, float or str)."""
        return type(self.default)

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type is bool:
            return "true or false"
        kind = "an integer" if self.type is int else "a number"
        return f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def as_dict(self) -> dict[str, Any]:
        """The parameter as plain data (for ``sim params --json``)."""
        return {
            "name": self.name,
            "type": self.type.__name__,
            "default": self.default,
            "low": self.low,
            "high": self.high,
            "choices": list(self.choices) or None,
            "unit": self.unit,
            "group": self.group,
            "label": self.label or self.name,
            "help": self.help,
        }


def _fmt(x: float | None) -> str:
    return "-inf" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))


def _p(name: str, default: Any, help: str, **kw: Any) -> Param:
    return Param(name=name, default=default, help=help, **kw)


_SCHEMA: list[Param] = [
    # --- the group and its members -------------------------------------------------
    _p(
        "n_members",
        1000,
        "Members at the start (after the warm-up).",
        unit="members",
        low=10,
        high=2_000_000,
        label="Group size",
    ),
    _p(
        "share_sharers",
        0.12,
        "Share of starting members who share relevant material with their own commentary.",
        unit="share",
        low=0.0,
        high=1.0,
        label="Sharers",
    ),
    _p(
        "share_carers",
        0.15,
        "Share of starting members who mostly like, comment and answer, and rarely post.",
        unit="share",
        low=0.0,
        high=1.0,
        label="Carers",
    ),
    _p(
        "share_promoters",
        0.05,
        "Share of starting members who promote their own content "
        "ethically: give first, each link once, disclosed.",
        unit="share",
        low=0.0,
        high=1.0,
        label="Ethical promoters",
    ),
    _p(
        "share_spammers",
        0.20,
        "Share of starting members who use the group as a "
        "billboard (lurkers are the rest of the members).",
        unit="share",
        low=0.0,
        high=1.0,
        label="Spammers",
    ),
    _p(
        "ring_size",
        5,
        "Spammers per company; colleagues like each other's posts whatever they are (1 = no ring).",
        unit="members",
        low=1,
        high=1000,
        label="Company ring size",
    ),
    _p(
        "activity_sigma",
        1.6,
        "Spread (log-normal sigma, median 1) of members' activity: larger "
        "means a few members do most of the posting.",
        low=0.0,
        high=4.0,
    ),
    _p(
        "visit_rate",
        0.13,
        "Mean daily probability that a satisfied member visits.",
        unit="1/day",
        low=0.001,
        high=1.0,
    ),
    _p(
        "visit_floor",
        0.02,
        "Daily visit probability of a member however dissatisfied.",
        unit="1/day",
        low=0.0,
        high=1.0,
    ),
    _p(
        "visit_width",
        0.08,
        "How sharply visiting falls when satisfaction drops below "
        "the member's standard (sigmoid width).",
        unit="satisfaction",
        low=0.001,
        high=1.0,
    ),
    _p(
        "rate_sharer",
        0.25,
        "Posts per visit of a sharer of average activity.",
        unit="posts/visit",
        low=0.0,
        high=20.0,
    ),
    _p(
        "rate_carer",
        0.03,
        "Posts per visit of a carer of average activity.",
        unit="posts/visit",
        low=0.0,
        high=20.0,
    ),
    _p(
        "rate_promoter",
        0.12,
        "Posts per visit of an ethical promoter of average activity.",
        unit="posts/visit",
        low=0.0,
        high=20.0,
    ),
    _p(
        "promoter_ratio",
        3,
        "Contributions an ethical promoter makes, by its own standard, before each promotion.",
        unit="contributions",
        low=0,
        high=100,
    ),
    _p(
        "spam_visit",
        0.9,
        "Daily visit probability of a spammer.",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="spam",
    ),
    _p(
        "spam_rate",
        0.10,
        "Promotions a spammer tries to post per visit.",
        unit="posts/visit",
        low=0.0,
        high=20.0,
        group="spam",
    ),
    _p(
        "spam_repost",
        0.6,
        "Share of spam that reposts one of the company's old links.",
        unit="share",
        low=0.0,
        high=1.0,
        group="spam",
    ),
    _p(
        "spam_offtopic",
        0.5,
        "Share of spam that is off the group's topic.",
        unit="share",
        low=0.0,
        high=1.0,
        group="spam",
    ),
    _p(
        "spam_hidden",
        0.8,
        "Share of spam whose author hides the company affiliation.",
        unit="share",
        low=0.0,
        high=1.0,
        group="spam",
    ),
    _p(
        "spam_join_rate",
        0.002,
        "Daily rate at which spammers join, per member of the "
        "audience and per unit of the spammer share.",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="spam",
    ),
    _p(
        "spam_quit_reach",
        0.5,
        "Reach per spammer-day (reads of its promotion) below which a spammer starts to quit.",
        unit="reads/day",
        low=0.0,
        high=1000.0,
        group="spam",
    ),
    _p(
        "spam_quit_rate",
        0.01,
        "Daily probability that a spammer whose reach stays low quits.",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="spam",
    ),
    # --- the feed and reading ------------------------------------------------------
    _p(
        "feed_ranking",
        "engagement",
        "How the feed is ordered: 'chronological' (newest "
        "first) or 'engagement' (likes and comments with age decay, as platforms do).",
        choices=("chronological", "engagement"),
        group="feed",
        label="Feed ranking",
    ),
    _p(
        "post_lifetime",
        7,
        "Days a post stays in the feed.",
        unit="days",
        low=1,
        high=365,
        group="feed",
    ),
    _p(
        "comment_weight",
        2.0,
        "Weight of a comment relative to a like in the engagement score.",
        low=0.0,
        high=100.0,
        group="feed",
    ),
    _p(
        "attention",
        8.0,
        "Median number of posts a member reads per visit.",
        unit="posts/visit",
        low=1.0,
        high=200.0,
        group="feed",
        label="Attention (posts read per visit)",
    ),
    _p(
        "attention_cap",
        40,
        "Most posts any member reads in one visit.",
        unit="posts/visit",
        low=1,
        high=1000,
        group="feed",
    ),
    _p(
        "scan_depth",
        0.5,
        "Probability that a reader skips a post while scrolling (0 = reads strictly from the top).",
        unit="probability",
        low=0.0,
        high=0.95,
        group="feed",
    ),
    _p(
        "value_scale",
        2.0,
        "Value at which reading returns start to saturate "
        "(value per visit = 1 - exp(-sum / scale)).",
        low=0.01,
        high=100.0,
        group="reading",
    ),
    _p(
        "cost_hidden",
        0.04,
        "Attention cost of reading a promotion whose affiliation is hidden.",
        unit="satisfaction",
        low=0.0,
        high=1.0,
        group="reading",
    ),
    _p(
        "cost_disclosed",
        0.02,
        "Attention cost of reading a disclosed promotion.",
        unit="satisfaction",
        low=0.0,
        high=1.0,
        group="reading",
    ),
    _p(
        "cost_offtopic",
        0.02,
        "Extra cost of reading an off-topic promotion.",
        unit="satisfaction",
        low=0.0,
        high=1.0,
        group="reading",
    ),
    _p(
        "noise_amplifier",
        3.0,
        "How much reading costs rise as the share of promotion "
        "in what a member reads grows (cost x (1 + amplifier x noise)).",
        low=0.0,
        high=100.0,
        group="reading",
    ),
    _p(
        "satisfaction_weight",
        0.1,
        "Weight of a visit's payoff in the satisfaction moving average.",
        low=0.001,
        high=1.0,
        group="reading",
    ),
    _p(
        "standard_mean",
        0.30,
        "Mean of members' standards (the payoff a member needs to stay).",
        unit="satisfaction",
        low=-1.0,
        high=2.0,
        group="reading",
    ),
    _p(
        "standard_sd",
        0.12,
        "Spread of members' standards.",
        unit="satisfaction",
        low=0.0,
        high=1.0,
        group="reading",
    ),
    _p(
        "motivation_gain",
        0.5,
        "How much likes and comments received raise an author's posting rate.",
        low=0.0,
        high=10.0,
        group="reading",
    ),
    # --- leaving and joining ---------------------------------------------------------
    _p(
        "lurk_hazard",
        0.03,
        "Daily probability that a dissatisfied contributor drops to lurking.",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="membership",
    ),
    _p(
        "leave_hazard",
        0.004,
        "Daily probability that a dissatisfied lurker leaves.",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="membership",
    ),
    _p(
        "return_rate",
        0.02,
        "Daily probability that a satisfied former contributor contributes again.",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="membership",
    ),
    _p(
        "churn",
        0.0006,
        "Daily probability that any member leaves for reasons outside the group.",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="membership",
    ),
    _p(
        "join_rate",
        0.002,
        "Daily joining rate per member when the group's reputation is at its reference.",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="membership",
    ),
    _p(
        "market_size",
        2.0,
        "Potential audience, as a multiple of the starting size; "
        "joining slows as the group approaches it.",
        unit="x n_members",
        low=1.0,
        high=100.0,
        group="membership",
    ),
    _p(
        "reputation_ref",
        0.72,
        "Reputation (moving average of quality read) at which joining runs at join_rate.",
        low=0.01,
        high=1.0,
        group="membership",
    ),
    _p(
        "reputation_power",
        4.0,
        "How strongly joining responds to reputation.",
        low=0.0,
        high=20.0,
        group="membership",
    ),
    _p(
        "reputation_weight",
        0.05,
        "Weight of a day's quality in the reputation moving average.",
        low=0.001,
        high=1.0,
        group="membership",
    ),
    _p(
        "collapse_threshold",
        0.5,
        "A run has collapsed once its non-spamming members fall below this share of their start.",
        unit="share",
        low=0.0,
        high=1.0,
        group="membership",
    ),
    _p(
        "warmup",
        30,
        "Days simulated before day 0 so the feed has a history; "
        "spammers are idle and nobody joins or leaves.",
        unit="days",
        low=0,
        high=365,
        group="membership",
    ),
    # --- rules -----------------------------------------------------------------------
    _p(
        "policy",
        "none",
        "Preset of rules: 'none' (unchecked), 'etiquette' (give "
        "before take, one post per link, disclosure), 'moderated' (etiquette plus "
        "flagging, moderators and bans) or 'strict' (everything, tight thresholds). "
        "Policy parameters given explicitly override the preset.",
        choices=("none", "etiquette", "moderated", "strict"),
        group="rules",
        label="Rules",
    ),
    _p(
        "give_take_ratio",
        0,
        "Give before take: contributions needed since the last "
        "promotion before a new one is accepted (9 = Reddit's 9:1 rule; 0 = off).",
        unit="contributions",
        low=0,
        high=100,
        group="rules",
    ),
    _p(
        "one_post_per_link",
        False,
        "Refuse a promotion whose link was posted before.",
        group="rules",
    ),
    _p(
        "require_disclosure",
        False,
        "Promotion must disclose the author's affiliation; "
        "undisclosed promotion is labelled or removed when detected.",
        group="rules",
    ),
    _p(
        "disclosure_action",
        "label",
        "What happens to detected undisclosed promotion: "
        "'label' (marked as promotion) or 'remove'.",
        choices=("label", "remove"),
        group="rules",
    ),
    _p(
        "rule_detection",
        0.15,
        "Probability that a rule broken at submission is noticed.",
        unit="probability",
        low=0.0,
        high=1.0,
        group="rules",
    ),
    _p(
        "discount_company_likes",
        False,
        "Ranking defence: likes from the author's own "
        "company do not count in an engagement-ranked feed.",
        group="rules",
    ),
    _p("flagging", False, "Members flag promotion they find off-topic or hidden.", group="rules"),
    _p(
        "flag_prob",
        0.08,
        "Probability that a member flags a noisy post it reads.",
        unit="probability",
        low=0.0,
        high=1.0,
        group="rules",
    ),
    _p(
        "flag_threshold",
        3,
        "Flags that hide a post.",
        unit="flags",
        low=1,
        high=1000,
        group="rules",
    ),
    _p(
        "moderator_capacity",
        0,
        "Posts the moderators review per day (0 = no moderators).",
        unit="posts/day",
        low=0,
        high=100_000,
        group="rules",
    ),
    _p(
        "moderator_accuracy",
        0.9,
        "Probability that a moderator removes a rule-breaking post it reviews.",
        unit="probability",
        low=0.0,
        high=1.0,
        group="rules",
    ),
    _p(
        "false_positive",
        0.02,
        "Probability that a moderator removes an honest post it reviews.",
        unit="probability",
        low=0.0,
        high=1.0,
        group="rules",
    ),
    _p(
        "removal_penalty",
        0.3,
        "Satisfaction an honest author loses when its post is removed by mistake.",
        unit="satisfaction",
        low=0.0,
        high=2.0,
        group="rules",
    ),
    _p(
        "ban_after",
        0,
        "Removals after which a member is banned (0 = never).",
        unit="removals",
        low=0,
        high=1000,
        group="rules",
    ),
    # --- norm erosion ----------------------------------------------------------------
    _p(
        "imitation_rate",
        0.0,
        "Daily probability that a member compares its strategy's "
        "payoff with another member's and may imitate it (0 = strategies are fixed).",
        unit="1/day",
        low=0.0,
        high=1.0,
        group="norms",
        label="Imitation",
    ),
    _p(
        "imitation_scale",
        1.0,
        "Payoff gap (reach in reads/day, or satisfaction x 10) at which imitation becomes certain.",
        low=0.001,
        high=1000.0,
        group="norms",
    ),
]

PARAMS: dict[str, Param] = {p.name: p for p in _SCHEMA}

STRATEGY_SHARES = ("share_sharers", "share_carers", "share_promoters", "share_spammers")

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
    """Return ``value`` as the parameter's type, or raise ``ParamError``.

    Integers are accepted for float parameters and integral floats for integer ones;
    anything else of the wrong type, out of bounds or not among the choices is refused.
    """
    if name not in PARAMS:
        raise _unknown(name)
    p = PARAMS[name]
    bad = ParamError(f"parameter {name!r} must be {p.allowed()}, got {value!r}.")
    if p.type is bool:
        if not isinstance(value, (bool,)) and not (isinstance(value, int) and value in (0, 1)):
            raise bad
        return bool(value)
    if p.type is str:
        if not isinstance(value, str) or value not in p.choices:
            raise bad
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad
    if isinstance(value, float) and not math.isfinite(value):
        raise bad
    if p.type is int:
        if isinstance(value, float) and not value.is_integer():
            raise bad
        value = int(value)
    else:
        value = float(value)
    if (p.low is not None and value < p.low) or (p.high is not None and value > p.high):
        raise bad
    return value


def parse_value(name: str, text: str) -> Any:
    """Parse a command-line string (``--set name=text``) into a checked value."""
    if name not in PARAMS:
        raise _unknown(name)
    p = PARAMS[name]
    raw: Any = text.strip()
    if p.type is bool:
        low = raw.lower()
        if low in ("true", "yes", "on", "1"):
            raw = True
        elif low in ("false", "no", "off", "0"):
            raw = False
    elif p.type in (int, float):
        try:
            raw = float(raw) if any(c in raw for c in ".eE") or p.type is float else int(raw)
        except ValueError:
            pass
    return check_value(name, raw)


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
    total = sum(values[s] for s in STRATEGY_SHARES)
    if total > 1.0 + 1e-9:
        parts = " + ".join(f"{s}={values[s]:g}" for s in STRATEGY_SHARES)
        raise ParamError(
            f"strategy shares sum to {total:g} ({parts}); they must sum to at most 1 "
            "(lurkers are the rest)."
        )
    return values
