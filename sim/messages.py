"""Marking the words a class reads for translation.

``N_`` marks a message where it is defined; it is translated where it is shown
(``sim.classroom.locale``). It lives at the bottom of the layers so that the model's
own words (the strategies' labels) can be marked where they are defined.
"""

from __future__ import annotations

__all__ = ["N_"]


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a deferred translation
    """Mark ``message`` for the catalogue without translating it yet."""
    return message
