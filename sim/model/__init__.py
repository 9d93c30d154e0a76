"""The model layer: the parameter schema, members, the feed, the rules and the group.

Nothing here imports from the layers above it (experiment, figures, classroom, CLI).
``CommunityModel`` is imported on first use, so that reading the parameter schema
does not load Mesa.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["CommunityModel"]


def __getattr__(name: str) -> Any:
    if name == "CommunityModel":
        return importlib.import_module("sim.model.model").CommunityModel
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
