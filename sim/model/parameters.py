"""Typed model parameters: each kind owns its validation, parsing and description.

A parameter is a ``Real``, an ``Integer``, a ``Choice`` or a ``Flag``, in the spirit
of the EMA Workbench's parameter classes. The schema itself (every parameter of the
model, with its default, bounds, unit and help) is in ``sim.model.params``.

Values are accepted as readily from NumPy (``np.int64``, ``np.float64``,
``np.bool_``, ``np.str_``) as from Python, because samplers and exploratory
frameworks hand them over that way; ``check`` always returns a plain Python value.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

import numpy as np

from sim.errors import UserError

__all__ = ["Choice", "Flag", "Integer", "Param", "ParamError", "Real", "BASES"]

# What a rate or count is relative to, so that a reader knows how it scales with size.
BASES: dict[str, str] = {
    "member": "per member (each member draws it for itself)",
    "post": "per post (each post draws it for itself)",
    "read": "per read (each post read draws it)",
    "visit": "per visit",
    "group": "absolute, for the whole group (does not grow with its size)",
    "size": "a multiple of the group's starting size",
    "": "",
}

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


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
    help : str
        One sentence that says what the parameter means.
    unit : str
        Unit of the value, for tables and axis labels.
    group : str
        Section in ``sim params`` and the docs.
    label : str
        Plain-language label for the browser app and figures.
    basis : str
        For rates and capacities: what they are relative to (a key of ``BASES``).
    """

    name: str
    default: Any
    _: KW_ONLY
    help: str
    unit: str = ""
    group: str = "group"
    label: str = ""
    basis: str = ""

    type: ClassVar[type] = object
    numeric: ClassVar[bool] = False
    low: ClassVar[float | None] = None
    high: ClassVar[float | None] = None
    choices: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise ValueError(f"{self.name}: unknown basis {self.basis!r}")
        self.check(self.default)

    def check(self, value: Any) -> Any:
        """``value`` as this parameter's Python type, or ``ParamError``."""
        raise NotImplementedError

    def parse(self, text: str) -> Any:
        """A value typed on the command line (``--set name=text``), checked."""
        return self.check(text.strip())

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        raise NotImplementedError

    def refuse(self, value: Any) -> ParamError:
        """The error for a value this parameter does not take."""
        shown = value.item() if isinstance(value, np.generic) else value
        return ParamError(f"parameter {self.name!r} must be {self.allowed()}, got {shown!r}.")

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
            "basis": self.basis,
            "group": self.group,
            "label": self.label or self.name,
            "help": self.help,
        }


@dataclass(frozen=True)
class _Number(Param):
    """A number within inclusive bounds."""

    low: float  # type: ignore[misc]  # a field here, a class default above
    high: float  # type: ignore[misc]

    numeric: ClassVar[bool] = True

    def allowed(self) -> str:
        kind = "an integer" if self.type is int else "a number"
        return f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def _within(self, value: Any, raw: Any) -> Any:
        if not self.low <= value <= self.high:
            raise self.refuse(raw)
        return value

    def parse(self, text: str) -> Any:
        raw = text.strip()
        whole = self.type is int and raw.lstrip("+-").isdigit()
        try:
            number: Any = int(raw) if whole else float(raw)
        except ValueError:
            raise self.refuse(raw) from None
        return self.check(number)


@dataclass(frozen=True)
class Real(_Number):
    """A real number; integers are accepted and returned as floats."""

    type: ClassVar[type] = float

    def check(self, value: Any) -> float:
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
            raise self.refuse(value)
        number = float(value)
        if not math.isfinite(number):
            raise self.refuse(value)
        return self._within(number, value)


@dataclass(frozen=True)
class Integer(_Number):
    """An integer; a float with an integral value is accepted."""

    type: ClassVar[type] = int

    def check(self, value: Any) -> int:
        if isinstance(value, bool | np.bool_):
            raise self.refuse(value)
        if isinstance(value, numbers.Integral):
            return self._within(int(value), value)
        if isinstance(value, numbers.Real) and float(value).is_integer():
            return self._within(int(value), value)
        raise self.refuse(value)


@dataclass(frozen=True)
class Choice(Param):
    """One of a few named values."""

    choices: tuple[str, ...]  # type: ignore[misc]

    type: ClassVar[type] = str

    def check(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise self.refuse(value)
        return str(value)

    def allowed(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)


@dataclass(frozen=True)
class Flag(Param):
    """A switch: true or false (1 and 0 are accepted)."""

    type: ClassVar[type] = bool

    def check(self, value: Any) -> bool:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, numbers.Integral) and int(value) in (0, 1):
            return bool(value)
        raise self.refuse(value)

    def parse(self, text: str) -> bool:
        word = text.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise self.refuse(text.strip())

    def allowed(self) -> str:
        return "true or false"


def _fmt(x: float | None) -> str:
    return "-inf" if x is None else (f"{x:g}" if isinstance(x, float) else str(x))
