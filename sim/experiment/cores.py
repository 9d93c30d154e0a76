"""The cores this process may use: what sizes a local pool of workers."""

from __future__ import annotations

import math
import os
from pathlib import Path

__all__ = ["available_cores"]


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
