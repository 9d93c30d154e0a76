"""The headline sweep on each executor: the local pool against a Dask LocalCluster.

Run from the project's root folder, with the project and its Dask extra installed
(``pip install -e ".[dask]"``)::

    python benchmarks/executors.py            # 3 rounds of a 99-run sweep: about 6 minutes
    python benchmarks/executors.py --quick    # 1 round of 33 runs: about 1 minute
    python benchmarks/run.py --executors      # the same, through the main benchmark

It writes ``benchmarks/results/executors.json`` (every round) and ``executors.md``
(the table), and prints the table.

Each round times whole ``sim sweep --no-plot --fresh`` commands, one after the other
so that they all see the same machine: the reduced headline sweep (a copy of
``experiments/headline.toml`` with fewer replicates) with ``--executor local`` and
``--executor dask``, each with 1 and 2 workers (``--jobs 1`` on the local executor runs
in the ``sim`` process itself; on Dask it is a one-worker ``LocalCluster``), the same
commands on a two-run, one-day spec (the fixed cost: start-up, imports, starting the
workers, the final tables), and the same runs done bare in one process. From these:

- throughput: runs per second of the whole command, and without its fixed cost;
- per-run overhead: the CPU time (of the command and every process it started) beyond
  the fixed cost and the bare runs, per run, in milliseconds and as a share of a bare
  run. CPU time hardly depends on what else the machine runs; wall time does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from report import markdown_table
from run import (
    RESULTS,
    STARTUP_SPEC,
    _child,
    _say,
    _sim_command,
    _timed,
    adopt_orphans,
    machine,
    machine_parallel_efficiency,
    reduced_headline,
    save,
)

ROOT = Path(__file__).resolve().parent.parent
CASES = [("local", 1), ("local", 2), ("dask", 1), ("dask", 2)]


def _sweep(kind: str, jobs: int, spec: Path, out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``sim sweep`` from scratch on an executor."""
    options = ["--executor", kind, "--jobs", str(jobs), "--out", str(out), "--fresh", "--no-plot"]
    return _timed([*_sim_command(), "sweep", str(spec), *options], ROOT)


def measure(replicates: int, reps: int, scratch: Path) -> dict[str, Any]:
    """Rounds of every case, then medians per case."""
    spec = reduced_headline(replicates, scratch)
    tiny = scratch / "bench-startup.toml"
    tiny.write_text(STARTUP_SPEC, encoding="utf-8")
    rounds = []
    for i in range(reps):
        _say(f"executors: reduced headline ({replicates} replicates), round {i + 1} of {reps}")
        compute = _child("compute", spec)
        row: dict[str, Any] = {"runs": compute["runs"], "compute": compute}
        for kind, jobs in CASES:
            name = f"{kind}-{jobs}"
            wall, cpu = _sweep(kind, jobs, spec, scratch / name)
            fixed_wall, fixed_cpu = _sweep(kind, jobs, tiny, scratch / f"tiny-{name}")
            row[name] = {"seconds": wall, "cpu_seconds": cpu}
            row[name] |= {"fixed_seconds": fixed_wall, "fixed_cpu_seconds": fixed_cpu}
        row["machine_parallel_efficiency"] = machine_parallel_efficiency()
        rounds.append(row)
    return {
        "spec": f"experiments/headline.toml with replicates = {replicates}",
        "runs": rounds[0]["runs"],
        "compute_seconds": statistics.median(r["compute"]["seconds"] for r in rounds),
        "machine_parallel_efficiency": statistics.median(
            r["machine_parallel_efficiency"] for r in rounds
        ),
        "cases": {f"{k}-{j}": _case(rounds, f"{k}-{j}", k, j) for k, j in CASES},
        "rounds": rounds,
    }


def _case(rounds: list[dict[str, Any]], name: str, kind: str, jobs: int) -> dict[str, Any]:
    def med(key: str) -> float:
        return statistics.median(r[name][key] for r in rounds)

    runs = rounds[0]["runs"]
    compute_cpu = statistics.median(r["compute"]["cpu_seconds"] for r in rounds)
    extra_cpu = med("cpu_seconds") - med("fixed_cpu_seconds") - compute_cpu
    return {
        "executor": kind,
        "workers": jobs,
        "seconds": med("seconds"),
        "fixed_seconds": med("fixed_seconds"),
        "runs_per_s": runs / med("seconds"),
        "steady_runs_per_s": runs / max(med("seconds") - med("fixed_seconds"), 1e-9),
        "overhead_ms_per_run": 1000 * extra_cpu / runs,
        "overhead_share": extra_cpu / compute_cpu,
    }


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    quick = " (quick mode)" if result["quick"] else ""
    lines = [
        f"Measured {m['date'][:10]} at commit `{m['commit']}` on {m['cpu']} ({m['cores']} "
        f"cores), Python {m['python']}, NumPy {m['numpy']}, Mesa {m['mesa']}{quick}; medians "
        f"of {len(result['rounds'])} rounds; load average {m['load_average_at_start'][0]:.1f} "
        f"before, {m['load_average_at_end'][0]:.1f} after; the machine gave "
        f"{result['machine_parallel_efficiency']:.0%} of a second core to two CPU-bound "
        "processes at the time.",
        "",
        f"Headline sweep ({result['spec']}: {result['runs']} runs of 1,000 members for a year), "
        "whole `sim sweep --no-plot` command; the same runs bare in one process take "
        f"{result['compute_seconds']:.1f} s:",
        "",
    ]
    rows = [
        [
            f"`--executor {c['executor']}`",
            str(c["workers"]),
            f"{c['seconds']:.1f}",
            f"{c['runs_per_s']:.2f}",
            f"{c['steady_runs_per_s']:.2f}",
            f"{c['fixed_seconds']:.1f}",
            f"{c['overhead_ms_per_run']:+.1f} ms ({c['overhead_share']:+.1%})",
        ]
        for c in result["cases"].values()
    ]
    header = [
        "executor",
        "workers",
        "time (s)",
        "runs/s",
        "runs/s without fixed cost",
        "fixed cost (s)",
        "per-run overhead (CPU)",
    ]
    lines += markdown_table(header, "lrrrrrr", rows)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round of a 33-run sweep")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for executors.json/.md")
    args = parser.parse_args(argv)
    adopt_orphans()
    started = time.perf_counter()
    result: dict[str, Any] = {"quick": args.quick, "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="sim-bench-executors-") as tmp:
        replicates, reps = (1, 1) if args.quick else (3, 3)
        result |= measure(replicates, reps, Path(tmp))
    result["machine"]["load_average_at_end"] = os.getloadavg()
    result["benchmark_seconds"] = time.perf_counter() - started
    save(result, markdown(result), args.out, "executors")


if __name__ == "__main__":
    sys.exit(main())
