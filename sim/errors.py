"""Errors a user can cause: the CLI reports them in one line and exits with status 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["UserError", "did_you_mean"]


class UserError(Exception):
    """A mistake in what the user asked for (a value, a file, a spec); the message
    names the thing and what is allowed."""


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``choices``, or ``""`` if none is close.

    The leading space lets callers append it to a sentence unconditionally.
    """
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
