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
    "CommunityModel": "sim.model.model",
    "Member": "sim.model.agents",
    "Strategy": "sim.model.agents",
    "Kind": "sim.model.feed",
    "PARAMS": "sim.model.params",
    "PRESETS": "sim.model.params",
    "ParamError": "sim.model.params",
    "resolve": "sim.model.params",
    "DAILY": "sim.model.metrics",
    "SUMMARY": "sim.model.metrics",
    "plot_run": "sim.figures.run",
    "plot_outcomes": "sim.figures.sweeps",
    "plot_tipping": "sim.figures.sweeps",
    "plot_heatmap": "sim.figures.sweeps",
    "parse_spec": "sim.experiment.spec",
    "load_spec": "sim.experiment.spec",
    "run_sweep": "sim.experiment.sweep",
    "run_one": "sim.experiment.api",
    "run_batch": "sim.experiment.api",
    "ema_model": "sim.experiment.ema",
    "plot_indices": "sim.figures.sensitivity",
    "analyse": "sim.experiment.analysis",
    "aggregate": "sim.experiment.analysis",
    "tipping_points": "sim.experiment.analysis",
    "Texts": "sim.classroom.locale",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
