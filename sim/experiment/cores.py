"""The cores this process may use, and so how many workers a local pool gets."""

from __future__ import annotations

import math
import os
from pathlib import Path

__all__ = ["available_cores", "cap_jobs"]


def available_cores() -> int:
    """Cores this process may use: its CPU affinity and any cgroup CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def cap_jobs(jobs: int | None) -> tuple[int, str | None]:
    """Worker processes for this machine: ``jobs``, at most the cores available (more
    only add memory and switching), all of them by default; and a note if capped."""
    cores = available_cores()
    if jobs is None:
        return cores, None
    if jobs > cores:
        return cores, f"--jobs {jobs} is more than the {cores} cores available here; using {cores}."
    return max(1, jobs), None
