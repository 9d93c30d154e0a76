"""sim: an agent-based simulator of online community health.

How does unchecked self-promotion degrade a discussion group, and which rules
save it? ``CommunityModel`` is the group; ``sim`` on the command line runs it.
The names below are imported on first use, so ``import sim`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "CommunityModel": "sim.model",
    "Member": "sim.agents",
    "Strategy": "sim.agents",
    "Kind": "sim.feed",
    "PARAMS": "sim.params",
    "PRESETS": "sim.params",
    "ParamError": "sim.params",
    "resolve": "sim.params",
    "DAILY": "sim.metrics",
    "SUMMARY": "sim.metrics",
    "plot_run": "sim.plots",
    "plot_outcomes": "sim.plots",
    "plot_tipping": "sim.plots",
    "plot_heatmap": "sim.plots",
    "parse_spec": "sim.spec",
    "load_spec": "sim.spec",
    "run_sweep": "sim.sweep",
    "analyse": "sim.analysis",
    "aggregate": "sim.analysis",
    "tipping_points": "sim.analysis",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
