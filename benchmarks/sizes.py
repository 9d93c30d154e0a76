"""The cost per member-day at many sizes, measured in rounds: where it rises.

Run from the project's root folder, with the project installed (``pip install -e .``)::

    python benchmarks/sizes.py                                   # about 4 minutes
    python benchmarks/sizes.py --sizes 100000,1000000 --rounds 5

A machine's speed drifts over minutes, so two sizes measured minutes apart differ by
more than the sizes alone make them. Here, as in ``run.py``'s sizes, every round runs
each size once, in turn, each in a fresh process (``run.py``'s own child, compiled
loops loaded first as in a sweep), and the ratio to the first size is taken within
each round; this script takes more sizes, one seed, and the days without the set-up.
It prints, per size, the median over rounds of the nanoseconds per member-day (set-up
included, and the days alone) and of the set-up's seconds, and each round's ratio to
the first size. Nothing is written.

Every run here is seed 1's. A group's own draws change how long it takes: at 100,000
members seed 1 takes 3.6 to 3.8 s a year and seeds 2 and 3 about 3.4, whatever their
order in a process (fourteenth round), while at 1,000,000 the seeds differ less.
``run.py`` runs seeds 1 to 3, one a round, and takes their median, so its ratios
between sizes can differ from these.
"""

from __future__ import annotations

import argparse
import statistics

from run import _child

SIZES = (100_000, 200_000, 300_000, 500_000, 1_000_000)
DAYS = 365


def measure(sizes: list[int], rounds: int) -> dict[int, list[dict[str, float]]]:
    """One year of each size per round, each in a fresh process: nanoseconds per
    member-day (set-up included and days only) and the set-up's seconds."""
    got: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    for r in range(rounds):
        for n in sizes:
            print(f"round {r + 1} of {rounds}: {n:,} members", flush=True)
            run = _child("model", n, DAYS, 1)["runs"][0]
            member_days = n * DAYS
            got[n].append(
                {
                    "ns": 1e9 * run["seconds"] / member_days,
                    "days_ns": 1e9 * (run["seconds"] - run["setup_seconds"]) / member_days,
                    "setup_s": run["setup_seconds"],
                }
            )
    return got


def report(got: dict[int, list[dict[str, float]]]) -> str:
    """A Markdown table: medians over rounds, and each round's ratio to the first size."""
    first = next(iter(got.values()))
    lines = [
        "| members | ns per member-day | days only | set-up (s) | ratio to the first, each round |",
        "|---:|---:|---:|---:|---|",
    ]
    for n, rows in got.items():
        ratios = ", ".join(f"{a['ns'] / b['ns']:.2f}" for a, b in zip(rows, first, strict=True))
        lines.append(
            f"| {n:,} | {statistics.median(r['ns'] for r in rows):.1f} "
            f"| {statistics.median(r['days_ns'] for r in rows):.1f} "
            f"| {statistics.median(r['setup_s'] for r in rows):.2f} | {ratios} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="members of each size, comma-separated; ratios are to the first",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds (each runs every size)")
    args = parser.parse_args()
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    if args.rounds < 1 or any(n < 1 for n in sizes):
        parser.error("--rounds and every size must be at least 1")
    print(report(measure(sizes, args.rounds)))


if __name__ == "__main__":
    main()
