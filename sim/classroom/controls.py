"""The settings a teacher moves in class, in the units a class thinks in.

Each control reads its parameter's default and bounds from the schema
(``sim.model.params``), narrows them to what a live class group allows, and says its
value the way a class would: ``20% of the members``, ``8 posts a visit``, ``no rules``.
Shares are moved in whole percents; the model gets the share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.classroom.locale import N_, Texts
from sim.model.params import PARAMS, STRATEGY_SHARES

__all__ = ["CONTROLS", "SEED", "Control", "defaults", "control"]


@dataclass(frozen=True)
class Control:
    """One setting on the page.

    Parameters
    ----------
    name : str
        The model parameter (``rng`` for the seed).
    label : str
        What the class calls it (a message of the catalogue).
    help : str
        One sentence for a class (a message of the catalogue).
    value : str
        How a value is said, ``{value}`` standing for the number (a catalogue message).
    low, high, step : float
        The slider's range and step, in the shown unit (percent for shares).
    scale : float
        Shown unit per model unit: 100 for a share moved in percent.
    choices : dict
        For a choice, each value's words (catalogue messages).
    default : any
        The model's default value.
    """

    name: str
    label: str
    help: str
    value: str = "{value}"
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    scale: float = 1.0
    choices: dict[str, str] | None = None
    default: Any = None

    def to_model(self, shown: float) -> Any:
        """The model's value for a slider position."""
        if self.choices is not None:
            return shown
        value = shown / self.scale
        return int(round(value)) if isinstance(self.default, int) else round(value, 6)

    def to_shown(self, value: Any) -> Any:
        """The slider position for a model value."""
        if self.choices is not None:
            return value
        shown = value * self.scale
        return int(round(shown)) if float(self.step).is_integer() else shown

    def say(self, value: Any, texts: Texts) -> str:
        """The value in words: ``20% of the members``, ``no rules``."""
        if self.choices is not None:
            return texts(self.choices[value])
        if self.scale == 100:
            number = texts.percent(value)
        elif isinstance(self.default, int):
            number = texts.number(value)
        else:
            number = texts.decimal(value, 0 if float(value).is_integer() else 1)
        return texts(self.value).format(value=number)


# Slider ranges narrower than the schema allows: what makes sense live in a class
# (a group of a million members would not redraw in time).
_CLASS_RANGES: dict[str, tuple[float, float]] = {"ring_size": (1, 20), "n_members": (100, 5000)}


def _bounds(name: str) -> tuple[float, float]:
    """The schema's bounds, narrowed to what a valid, live group allows."""
    p = PARAMS[name]
    low, high = float(p.low), float(p.high)
    if name in STRATEGY_SHARES:  # the strategy shares must leave room for each other
        others = sum(PARAMS[n].default for n in STRATEGY_SHARES if n != name)
        high = min(high, math.floor(round((1.0 - others) * 100, 6)) / 100)
    if name == "attention":  # nobody reads past the cap
        high = min(high, PARAMS["attention_cap"].default)
    if name in _CLASS_RANGES:
        low, high = max(low, _CLASS_RANGES[name][0]), min(high, _CLASS_RANGES[name][1])
    return low, high


def _slider(name: str, label: str, help: str, value: str, step: float, scale: float = 1.0):
    low, high = _bounds(name)
    return Control(
        name, label, help, value, low * scale, high * scale, step, scale, None, PARAMS[name].default
    )


def _choice(name: str, label: str, help: str, choices: dict[str, str]) -> Control:
    assert set(choices) == set(PARAMS[name].choices), f"{name}: words for every choice"
    return Control(name, label, help, choices=choices, default=PARAMS[name].default)


CONTROLS: tuple[Control, ...] = (
    _slider(
        "share_spammers",
        N_("Spammers"),
        N_("Members who use the group only to advertise."),
        N_("{value} of the members"),
        step=1,
        scale=100,
    ),
    _slider(
        "ring_size",
        N_("Spammers per company"),
        N_("Colleagues who like each other's posts, whatever they are, so ads climb the feed."),
        N_("{value} per company"),
        step=1,
    ),
    _choice(
        "policy",
        N_("Rules"),
        N_("The rules of the group and how they are enforced."),
        {
            "none": N_("no rules"),
            "etiquette": N_("etiquette: give first, each link once, say who you work for"),
            "moderated": N_("etiquette and moderators who remove spam and ban"),
            "strict": N_("strict: every rule, strictly enforced"),
        },
    ),
    _choice(
        "feed_ranking",
        N_("Feed order"),
        N_("Which posts members see first."),
        {"engagement": N_("most liked first"), "chronological": N_("newest first")},
    ),
    _slider(
        "attention",
        N_("Attention"),
        N_("How many posts a member reads on a visit (half read fewer, half more)."),
        N_("{value} posts a visit"),
        step=1,
    ),
    _slider(
        "n_members",
        N_("Group size"),
        N_("Members at the start."),
        N_("{value} members"),
        step=100,
    ),
)
SEED = Control(
    "rng",
    N_("Luck (seed)"),
    N_("The same number gives the same people and the same luck; both groups share it."),
    N_("number {value}"),
    low=1,
    high=100,
    step=1,
    default=1,
)


def control(name: str) -> Control:
    """The control of parameter ``name`` (``rng`` for the seed)."""
    return next(c for c in (*CONTROLS, SEED) if c.name == name)


def defaults() -> dict[str, Any]:
    """Every control's model value at the schema's default."""
    return {c.name: c.default for c in CONTROLS}
