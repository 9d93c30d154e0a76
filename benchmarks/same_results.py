"""Check that a change to the model's code keeps its results, bit for bit.

Before optimising, save what the current code produces; after each change, check::

    python benchmarks/same_results.py save /tmp/reference.pickle
    # ... change sim/model/model.py, sim/model/feed.py, ...
    python benchmarks/same_results.py check /tmp/reference.pickle

Each case is one seed and parameter set (rules, imitation, feed ranking, group sizes);
compared are the daily time series (exactly, dtypes included), the final state of
every member, the posts in the feed, the summary, the Python types of the daily
values, the member log and, for the case run with ``logs=True``, the post and
reply logs (their dtypes included). Measures, summary keys and cases added since the
reference was saved are not compared (cases are only ever appended); every one the
reference has must be identical. The reference file is a local pickle: make it with
the code you trust, on the same machine, and do not share it.
"""

from __future__ import annotations

import math
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.model.model import CommunityModel

CASES: list[tuple[int, dict[str, Any], int]] = [
    (1, {}, 365),
    (2, {}, 365),
    (3, {"policy": "moderated"}, 365),
    (4, {"policy": "strict"}, 365),
    (5, {"imitation_rate": 0.02}, 365),
    (6, {"feed_ranking": "chronological"}, 365),
    (7, {"policy": "etiquette", "share_spammers": 0.1}, 365),
    (8, {"share_spammers": 0.0}, 365),
    (
        9,
        {
            "policy": "strict",
            "imitation_rate": 0.02,
            "feed_ranking": "chronological",
            "n_members": 3000,
        },
        365,
    ),
    (
        10,
        {
            "policy": "moderated",
            "disclosure_action": "remove",
            "discount_company_likes": True,
            "n_members": 200,
            "ring_size": 1,
        },
        365,
    ),
    (11, {"n_members": 30_000, "policy": "moderated", "imitation_rate": 0.01}, 40),
    # Large groups: each member's feed holds a share of the posts (feed_reach).
    (12, {"n_members": 100_000}, 30),
    (13, {"n_members": 1_000_000, "warmup": 3}, 3),
    # The post, reply and member logs (``logs`` is the model's option, not a parameter).
    (14, {"logs": True, "policy": "moderated"}, 365),
    (15, {"policy": "moderated", "rules_visible": True, "remove_offtopic": True}, 365),
    (16, {"feed_reach": 50.0, "imitation_rate": 0.02}, 365),
    (17, {"policy": "strict", "warmup": 0, "n_members": 500}, 200),
]
FEED_COLUMNS = ("id", "author", "quality", "likes", "comments", "flags", "reads")


def outcome(seed: int, params: dict[str, Any], days: int) -> dict[str, Any]:
    """Everything a run produces that a user could see."""
    model = CommunityModel(rng=seed, **params).run(days)
    state = model.state
    logs = {"members": model.member_log()}
    if params.get("logs"):
        logs = {"posts": model.post_log(), "replies": model.reply_log()}
    return {
        "logs": logs,
        "timeseries": model.timeseries(),
        "summary": model.summary(),
        "state": {name: getattr(state, name).copy() for name in state.fields()},
        "feed": {name: getattr(model.feed, name).copy() for name in FEED_COLUMNS},
        "types": {k: type(v).__name__ for k, v in model.today.items()},
    }


def _same_value(a: Any, b: Any) -> bool:
    both_nan = isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    return both_nan or a == b


def compare(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Raise ``AssertionError`` naming the first difference."""
    for name, frame in want.get("logs", {}).items():
        pd.testing.assert_frame_equal(got["logs"][name], frame, check_exact=True, obj=name)
    columns = list(want["timeseries"].columns)
    pd.testing.assert_frame_equal(got["timeseries"][columns], want["timeseries"], check_exact=True)
    for key in want["summary"]:
        assert _same_value(got["summary"][key], want["summary"][key]), f"summary {key}"
    for group in ("state", "feed"):
        for name, values in want[group].items():
            np.testing.assert_array_equal(got[group][name], values, err_msg=f"{group} {name}")
    types = {k: got["types"].get(k) for k in want["types"]}
    assert types == want["types"], "types of the daily values"


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("save", "check"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    mode, path = argv[0], Path(argv[1])
    if mode == "save":
        path.write_bytes(pickle.dumps([outcome(*case) for case in CASES]))
        print(f"saved {len(CASES)} cases to {path}")
        return 0
    reference = pickle.loads(path.read_bytes())
    if len(reference) > len(CASES):
        print(f"the reference has {len(reference)} cases, this file {len(CASES)}", file=sys.stderr)
        return 2
    for case, want in zip(CASES, reference, strict=False):
        try:
            compare(outcome(*case), want)
        except AssertionError as err:
            print(f"DIFFERENT: seed {case[0]}, {case[1]}: {err}", file=sys.stderr)
            return 1
    print(f"identical: {len(reference)} cases")
    if len(reference) < len(CASES):
        print(f"not compared: the {len(CASES) - len(reference)} cases added since the reference")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
