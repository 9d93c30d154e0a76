"""What a run may ask for: its memory (a group that outgrows it stops with a clear
message instead of exhausting the machine), its days and its seed.

The model's memory is its member rows, the posts in its feed and the day's reads.
``check`` estimates their bytes (the state's columns plus NumPy's temporaries) and
raises ``BudgetError`` above the ``memory_limit`` parameter, before the arrays are
allocated.
"""

from __future__ import annotations

from typing import Any

from sim.errors import UserError

__all__ = [
    "BYTES_PER_MEMBER",
    "BYTES_PER_POST",
    "BYTES_PER_READ",
    "MAX_SEED",
    "MAX_STEPS",
    "BudgetError",
    "check",
    "check_reads",
]

MAX_STEPS = 100_000  # days of a run (`sim run --steps`, a spec's steps, `sim.run_one`)
MAX_SEED = 2**63 - 1  # the largest seed: a run's seed is stored as a 64-bit integer

BYTES_PER_MEMBER = 400  # 22 columns, and the day's temporaries over members
BYTES_PER_POST = 400  # 25 columns, and the ranking's and reactions' temporaries
BYTES_PER_READ = 200  # reader, post, value, reactions and their temporaries


class BudgetError(UserError, MemoryError):
    """The group would need more memory than ``memory_limit`` allows."""


def check(
    limit_mb: float, members: int = 0, posts: int = 0, reads: float = 0, extra: float = 0
) -> None:
    """Raise ``BudgetError`` if the rows (and ``extra`` bytes of working arrays) would
    need more than ``limit_mb`` megabytes."""
    need = members * BYTES_PER_MEMBER + posts * BYTES_PER_POST + reads * BYTES_PER_READ + extra
    if need > limit_mb * 1e6:
        raise BudgetError(
            f"the group needs about {need / 1e6:,.0f} MB ({members:,} members, "
            f"{posts:,} posts in the feed, {reads:,.0f} reads a day), over memory_limit = "
            f"{limit_mb:,.0f} MB; lower the group's size or activity, or raise memory_limit."
        )


def check_reads(
    params: dict[str, Any], members: int, posts: int, readers: int, reads: float, ranked: int
) -> None:
    """``check`` before the day's reads: ``reads`` at most, and the lists of ``ranked``
    posts that ``sim.model.reading.sample_reads`` builds for each group of ``readers``
    by days away (at most ``post_lifetime + 1`` groups)."""
    groups = min(readers, params["post_lifetime"] + 1)
    check(params["memory_limit"], members, posts, reads, extra=9.0 * groups * ranked)
