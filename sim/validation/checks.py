"""Checks: one statistic's estimate against the band or direction a criterion sets,
and a criterion's outcome (PASS only if every check it judges passes).

A band "inside [a, b]" holds when the whole 95% interval lies inside it; a direction
holds when the interval excludes the value on the stated side (``criteria.py``). A
statistic the runs could not give (no interval) fails its check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.validation.criteria import Criterion
from sim.validation.groups import Group
from sim.validation.stats import Estimate

__all__ = [
    "Check",
    "Outcome",
    "above",
    "at_least",
    "below",
    "inside",
    "mean_above",
    "reported",
]

INF = math.inf


@dataclass(frozen=True)
class Check:
    """A statistic's estimate, the band it must lie in and whether it does.

    ``passed`` is None for a statistic that is reported, not judged. ``quote`` is the
    criterion's own words that the check implements; ``rule`` says how it is applied.
    ``published`` is the published figure to draw beside it, if there is one.
    """

    label: str
    estimate: Estimate
    band: tuple[float, float] = (-INF, INF)
    rule: str = ""
    quote: str = ""
    passed: bool | None = None
    published: float | None = None
    published_text: str = ""

    @property
    def judged(self) -> bool:
        return self.passed is not None

    def why(self) -> str:
        """A plain sentence on where the estimate lies against the band."""
        e, (lo, hi) = self.estimate, self.band
        if not math.isfinite(e.mean):
            return f"{self.label}: could not be measured (no run gave a value)."
        if not e.defined:
            return f"{self.label}: no interval (fewer than two runs gave a value)."
        where = "meets" if self.passed else "misses"
        detail = ""
        if self.rule.startswith("mean"):
            detail = f" (mean {e.mean:.3g})"
        elif e.hi < lo or e.lo > hi:
            detail = " (the whole interval lies outside)"
        elif e.lo < lo or e.hi > hi:
            side = "lower" if e.lo < lo else "upper"
            detail = f" (the interval crosses the {side} edge)"
        return f"{self.label}: {e.text()} {where} '{self.rule}'{detail}."


def _num(x: float) -> str:
    """A band's end as the criteria write it: 0.10, 0.02, 2, -0.02."""
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}"


def _check(
    label: str, est: Estimate, band: tuple[float, float], rule: str, ok: bool, **kw
) -> Check:
    return Check(label, est, band, rule, passed=bool(ok and est.defined), **kw)


def inside(label: str, est: Estimate, lo: float, hi: float, quote: str, **kw) -> Check:
    """The whole interval lies inside [lo, hi]."""
    ok = est.defined and lo <= est.lo and est.hi <= hi
    return _check(
        label, est, (lo, hi), f"95% CI inside [{_num(lo)}, {_num(hi)}]", ok, quote=quote, **kw
    )


def above(label: str, est: Estimate, x: float, quote: str, **kw) -> Check:
    """The interval excludes ``x`` on the upper side (its lower end is above ``x``)."""
    ok = est.defined and est.lo > x
    return _check(label, est, (x, INF), f"95% CI above {_num(x)}", ok, quote=quote, **kw)


def below(label: str, est: Estimate, x: float, quote: str, **kw) -> Check:
    """The interval excludes ``x`` on the lower side (its upper end is below ``x``)."""
    ok = est.defined and est.hi < x
    return _check(label, est, (-INF, x), f"95% CI below {_num(x)}", ok, quote=quote, **kw)


def at_least(label: str, est: Estimate, x: float, quote: str, **kw) -> Check:
    """The lower end of the interval is at least ``x``."""
    ok = est.defined and est.lo >= x
    return _check(
        label, est, (x, INF), f"95% CI lower end at least {_num(x)}", ok, quote=quote, **kw
    )


def mean_above(label: str, est: Estimate, x: float, quote: str, **kw) -> Check:
    """The mean (not the interval) is above ``x``."""
    ok = est.defined and est.mean > x
    return _check(label, est, (x, INF), f"mean above {_num(x)}", ok, quote=quote, **kw)


def reported(label: str, est: Estimate, **kw) -> Check:
    """A statistic shown for context, not judged."""
    return Check(label, est, **kw)


@dataclass(frozen=True)
class Outcome:
    """A criterion's checks on the groups it used, and its verdict."""

    criterion: Criterion
    checks: tuple[Check, ...]
    groups: tuple[Group, ...] = field(default_factory=tuple)

    @property
    def judged(self) -> list[Check]:
        return [c for c in self.checks if c.judged]

    @property
    def passed(self) -> bool:
        judged = self.judged
        return bool(judged) and all(c.passed for c in judged)

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"

    def reasons(self) -> list[str]:
        """One sentence per judged check that failed."""
        return [c.why() for c in self.judged if not c.passed]
