"""The versions a run's result depends on: every worker must have the client's.

A sweep's promise is one seed, one result, wherever a run ran. A worker with another
version of ``sim``, Mesa, NumPy or Python may give other numbers for the same seed, so
it is refused: once when the executor starts (the workers present then), and again by
every run (a worker that joins a cluster later).
"""

from __future__ import annotations

import functools
import platform
from importlib.metadata import PackageNotFoundError, version

from sim.errors import UserError

__all__ = ["VersionMismatch", "mismatch", "versions"]


class VersionMismatch(UserError):
    """A worker whose versions differ from the client's."""


@functools.cache
def _package(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """``sim``, Mesa, NumPy and Python versions of this process."""
    import numpy

    import sim

    return {
        "sim": sim.__version__,
        "mesa": _package("mesa"),
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def mismatch(
    worker: str, theirs: dict[str, str | None], ours: dict[str, str | None]
) -> VersionMismatch | None:
    """The refusal of a worker whose versions differ from ours, or None if they agree."""
    differ = [f"{k} {theirs.get(k)} (here {v})" for k, v in ours.items() if theirs.get(k) != v]
    if not differ:
        return None
    return VersionMismatch(
        f"worker {worker} has {', '.join(differ)}; install the same versions of sim, Mesa, "
        "NumPy and Python on every worker, so that a run's result does not depend on where "
        "it ran."
    )
