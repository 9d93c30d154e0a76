"""Draw random parameter sets within the schema's bounds and run each small group.

Run by ``tests/test_safety.py`` in a child process whose address space is capped,
so that a set that would exhaust memory shows as a crash, not as a frozen machine.
Prints one JSON object: sets tried, runs completed, refusals (with their messages'
first words) and crashes (with their tracebacks).
"""

from __future__ import annotations

import json
import math
import sys
import traceback

import numpy as np

from sim.errors import UserError
from sim.model.model import CommunityModel
from sim.model.params import PARAMS

# Held small so that hundreds of groups run in a minute or two; every other
# parameter is drawn over its whole allowed range, extremes included.
SMALL = {"n_members": (10, 300), "warmup": (0, 20)}
MEMORY_LIMIT_MB = 400.0
DAYS = 40


def draw(rng: np.random.Generator) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, p in PARAMS.items():
        if name == "memory_limit":
            values[name] = MEMORY_LIMIT_MB
        elif p.choices:
            values[name] = str(rng.choice(p.choices))
        elif p.type is bool:
            values[name] = bool(rng.random() < 0.5)
        else:
            low, high = SMALL.get(name, (p.low, p.high))
            values[name] = _number(rng, low, high, p.type is int)
    if rng.random() < 0.9:  # most draws keep the strategy shares valid (at most 1)
        shares = [n for n in PARAMS if n.startswith("share_")]
        raw = rng.random(len(shares) + 1) ** 3
        for name, share in zip(shares, raw / raw.sum(), strict=False):
            values[name] = float(share)
    return values


def _number(rng: np.random.Generator, low: float, high: float, integer: bool) -> float:
    u = rng.random()
    if u < 0.1:
        x = low
    elif u < 0.2:
        x = high
    elif u < 0.6 or low <= 0:
        x = low + rng.random() * (high - low)
    else:  # log-uniform: wide ranges are explored at every scale
        x = math.exp(math.log(low) + rng.random() * (math.log(high) - math.log(low)))
    return int(round(x)) if integer else float(x)


def main(n: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    done, refused, crashed = 0, [], []
    for i in range(n):
        values = draw(rng)
        try:
            CommunityModel(rng=i, **values).run(DAYS)
            done += 1
        except UserError as err:
            refused.append(str(err)[:80])
        except BaseException:  # noqa: BLE001 - a crash of any kind is what we count
            crashed.append({"params": values, "error": traceback.format_exc()[-2000:]})
    return {"tried": n, "completed": done, "refused": refused, "crashed": crashed}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2])), default=str))
