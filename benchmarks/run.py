"""Speed, memory and scaling of the simulator, measured in one command.

Run from the project's root folder, with the project installed (``pip install -e .``)::

    python benchmarks/run.py            # the full set: about 8 minutes on 2 cores
    python benchmarks/run.py --quick    # smaller and fewer repetitions: about a minute

It writes ``benchmarks/results/latest.json`` (every repetition of every measurement,
the machine, the versions) and ``benchmarks/results/latest.md`` (the tables the
README quotes), and prints the tables.

What is measured (times are medians over repetitions, because shared machines are
noisy; each measurement runs in a fresh Python process, so that peak memory belongs
to one model size and nothing is cached from one measurement to the next; the model
sizes run in rounds, each round every size in turn, so that the machine's drift over
minutes does not pass for a difference between sizes):

- ``CommunityModel`` with the default mix (spammers included) at 1,000 to 1,000,000
  members for a year, daily data collection on: member-days per second (members at
  the start x days; the time counts model construction with its warm-up, the run and
  ``timeseries()``); peak resident memory (RSS) of the process; cost per member-day
  relative to the smallest size. Every size runs on the loops a sweep's worker uses:
  compiled when Numba is installed (``sim.model.kernels.load``), else NumPy.
- Mesa's own ``BoltzmannWealth`` example (``mesa.examples``) at 1,000 agents, in
  agent-steps per second, timed the same way and interleaved with our 1,000-member
  runs in the same process (on the compiled loops and on NumPy, which a single run
  or an installation without Numba uses), and the ratios.
- Start-up: ``python -c "import sim"``, ``sim --help`` and the default ``sim run``,
  end to end, as the user sees them.
- A reduced copy of the headline sweep (``experiments/headline.toml`` with fewer
  replicates) through ``sim sweep --jobs 1`` and ``--jobs 2`` (whole commands,
  ``--no-plot``): runs per second and parallel efficiency; the sweep's fixed cost (the
  same commands on a two-run, one-day spec); its per-run overhead, in CPU time, over the
  same runs done bare in one process; and, at the same moment, how much of a second
  core the machine gives two CPU-bound processes (others' jobs on a shared machine
  lower it, and no sweep can beat it).
- The headline sweep itself (``experiments/headline.toml``, 330 runs; full mode only)
  through ``sim sweep --jobs 2 --no-plot``, whole command: the runs per second a user
  of the quick start sees, and the speed target's measure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from children import CHILDREN
from report import markdown, scale_targets, size_row, targets

ROOT = Path(__file__).resolve().parent.parent
HEADLINE = ROOT / "experiments" / "headline.toml"
RESULTS = ROOT / "benchmarks" / "results"

# (members, days, repetitions) per model size, and the other settings of each mode.
FULL: dict[str, Any] = {
    "sizes": [
        (1_000, 365, 15),
        (10_000, 365, 5),
        (100_000, 365, 3),
        (300_000, 365, 3),
        (1_000_000, 365, 3),
    ],
    "size_rounds": 3,  # the sizes in turn, each round with a third of each size's seeds
    "mesa_reps": 7,
    "mesa_steps": 365,
    "startup_reps": 7,
    "sweep_replicates": 3,
    "sweep_reps": 3,
    "headline_reps": 3,
}
QUICK: dict[str, Any] = {
    "sizes": [
        (1_000, 365, 3),
        (10_000, 365, 1),
        (100_000, 120, 1),
        (300_000, 60, 1),
        (1_000_000, 30, 1),
    ],
    "size_rounds": 1,
    "mesa_reps": 3,
    "mesa_steps": 365,
    "startup_reps": 3,
    "sweep_replicates": 1,
    "sweep_reps": 1,
    "headline_reps": 0,
}

CLASSROOM_DAYS = 365  # days of a 1,000-member model timed one by one


# ---------------------------------------------------------------------- child processes
def _child(kind: str, *args: Any) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return what it printed (JSON)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark step {kind} {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------ measurements
def measure_sizes(sizes: list[tuple[int, int, int]], rounds: int) -> list[dict[str, Any]]:
    """Member-days per second and peak memory per model size, measured in ``rounds``.

    A machine's speed drifts over minutes, by as much as the sizes differ; measured one
    after the other, the last size would pay for the drift. So each round runs every
    size in turn, each in a fresh process, with its share of the repetitions (seeds
    counted on from the round before): the largest sizes run one seed a round, and
    sizes compare within a round (``report.scaling_note``)."""
    got: dict[int, list[dict[str, Any]]] = {n: [] for n, _, _ in sizes}
    for r in range(rounds):
        for n, days, reps in sizes:
            first, last = r * reps // rounds, (r + 1) * reps // rounds
            if last == first:
                continue
            seeds = f"seed {last}" if last == first + 1 else f"seeds {first + 1} to {last}"
            _say(f"model, round {r + 1} of {rounds}: {n:,} members x {days} days, {seeds}")
            child = _child("model", n, days, last - first, first + 1)
            child["runs"] = [{**run, "round": r + 1} for run in child["runs"]]
            got[n].append(child)
    rows = [size_row(n, days, reps, got[n]) for n, days, reps in sizes]
    for row in rows:  # cost per member-day is 1 / throughput
        row["cost_vs_smallest"] = rows[0]["member_days_per_s"] / row["member_days_per_s"]
    return rows


def measure_mesa(steps: int, reps: int) -> dict[str, Any]:
    """Our model against Mesa's BoltzmannWealth, both at 1,000, in the same process."""
    _say(f"Mesa BoltzmannWealth vs ours at 1,000, {steps} steps, {reps} repetitions")
    got = _child("mesa", steps, reps)
    work = got["n"] * steps
    ours = statistics.median(work / r["seconds"] for r in got["ours"])
    numpy = statistics.median(work / r["seconds"] for r in got["ours_numpy"])
    theirs = statistics.median(work / r["seconds"] for r in got["boltzmann"])
    ratios = [
        b["seconds"] / o["seconds"] for o, b in zip(got["ours"], got["boltzmann"], strict=True)
    ]
    return {
        **got,
        "kernels": got["ours"][0]["kernels"],
        "ours_member_days_per_s": ours,
        "ours_numpy_member_days_per_s": numpy,
        "boltzmann_agent_steps_per_s": theirs,
        "ratio": ours / theirs,
        "ratio_numpy": numpy / theirs,
        "ratio_median_of_pairs": statistics.median(ratios),
    }


def measure_classroom(days: int) -> dict[str, Any]:
    """How long one model day takes in the classroom app (drawing aside): median and
    95th percentile of the days of a 1,000-member year, each timed alone."""
    _say(f"classroom: {days} model days at 1,000 members, each timed")
    got = _child("classroom", days)
    ms = sorted(1000 * t for t in got["seconds"])
    return {
        **got,
        "median_ms": statistics.median(ms),
        "p95_ms": ms[int(0.95 * (len(ms) - 1))],
        "max_ms": ms[-1],
    }


def _sim_command() -> list[str]:
    """The ``sim`` console script of this environment."""
    script = Path(sys.executable).with_name("sim")
    if script.exists():
        return [str(script)]
    found = shutil.which("sim")
    return [found] if found else [sys.executable, "-m", "sim.cli"]


def _wall(command: list[str], reps: int, cwd: Path) -> list[float]:
    """Wall-clock seconds of each of ``reps`` runs of a command."""
    return [_timed(command, cwd)[0] for _ in range(reps)]


def _timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the command's child processes included)
    of one run of a command. CPU time hardly depends on what else the machine runs."""
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    started, cpu_before = time.perf_counter(), cpu()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    _reap_orphans()
    return wall, cpu() - cpu_before


def adopt_orphans() -> None:
    """Become the parent of the processes our commands leave to end on their own (a
    sweep's fork server, and its workers, end just after the sweep), so that their CPU
    time counts in ours once they are reaped (Linux's ``PR_SET_CHILD_SUBREAPER``;
    elsewhere it is not counted)."""
    import ctypes

    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _reap_orphans() -> None:
    """Wait for every process left over from the last command (see ``adopt_orphans``)."""
    while sys.platform.startswith("linux"):
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


BURN = "x = 0\nfor i in range(12_000_000):\n    x += i * i"


def machine_parallel_efficiency() -> float:
    """How much of a second core the machine gives right now: a CPU-bound Python loop,
    twice one after the other against twice at the same time. Other processes on the
    machine lower it; a sweep cannot do better."""
    command = [sys.executable, "-c", BURN]
    serial = sum(_timed(command, ROOT)[0] for _ in range(2))
    started = time.perf_counter()
    both = [subprocess.Popen(command) for _ in range(2)]
    for proc in both:
        proc.wait()
    return serial / (2 * (time.perf_counter() - started))


def measure_startup(reps: int, scratch: Path) -> list[dict[str, Any]]:
    """Whole-process times of start-up and of the default ``sim run``."""
    sim = _sim_command()
    scratch_run = str(scratch / "run")
    commands = [
        ("python", "python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"]),
        ("import_sim", 'python -c "import sim"', [sys.executable, "-c", "import sim"]),
        ("help", "sim --help", [*sim, "--help"]),
        (
            "import_model",
            'python -c "import sim.model.model" (loads Mesa)',
            [sys.executable, "-c", "import sim.model.model"],
        ),
        (
            "sim_run",
            "sim run (1,000 members, a year; CSV, JSON, PNG)",
            [*sim, "run", "--out", scratch_run],
        ),
    ]
    rows = []
    for key, label, command in commands:
        _say(f"start-up: {label}")
        times = _wall(command, reps, ROOT)
        rows.append(
            {"key": key, "command": label, "seconds": statistics.median(times), "runs": times}
        )
    return rows


def reduced_headline(replicates: int, folder: Path) -> Path:
    """A copy of the headline spec with fewer replicates (the design is unchanged)."""
    text = HEADLINE.read_text(encoding="utf-8")
    text, found = re.subn(r"(?m)^replicates\s*=\s*\d+", f"replicates = {replicates}", text)
    if found != 1 or tomllib.loads(text)["replicates"] != replicates:
        raise SystemExit(f"cannot set the number of replicates in {HEADLINE}")
    path = folder / "headline-bench.toml"
    path.write_text(text, encoding="utf-8")
    return path


# Two runs of one day: what a sweep costs besides its runs (start-up, imports, worker
# processes, writing the tables), with one and with two workers.
STARTUP_SPEC = """\
name = "bench-startup"
replicates = 2
seed = 1
steps = 1

[fixed]
n_members = 1000

[vary]
policy = ["none"]
"""


def measure_headline(reps: int, scratch: Path) -> dict[str, Any] | None:
    """The headline sweep itself (``experiments/headline.toml``, the quick start's), as its
    user runs it on 2 cores: the whole ``sim sweep --jobs 2 --no-plot`` command, from
    scratch. Its fixed cost weighs a third of what it does in the reduced copy. None
    when ``reps`` is 0 (quick mode)."""
    if reps == 0:
        return None
    import pyarrow.parquet as pq

    out, rounds = scratch / "headline", []
    for i in range(reps):
        _say(f"sweep: the headline sweep itself, round {i + 1} of {reps}")
        wall, cpu = _sweep(_sim_command(), HEADLINE, 2, out)
        runs = pq.read_metadata(out / "runs.parquet").num_rows
        rounds.append({"runs": runs, "seconds": wall, "cpu_seconds": cpu})
    seconds = statistics.median(r["seconds"] for r in rounds)
    runs = rounds[0]["runs"]
    return {
        "spec": "experiments/headline.toml",
        "runs": runs,
        "seconds": seconds,
        "runs_per_s": runs / seconds,
        "rounds": rounds,
    }


def measure_sweep(replicates: int, reps: int, scratch: Path) -> dict[str, Any]:
    """Runs per second of the headline sweep with 1 and 2 workers, and its overheads.

    Each round times, one after the other: the bare model runs of the spec in one
    process (``compute``), ``sim sweep`` with 1 and with 2 workers, and the same
    commands on a two-run, one-day spec (the fixed cost of a sweep). The per-run
    overhead is what the 1-worker sweep costs beyond its fixed cost and the bare runs.
    """
    spec = reduced_headline(replicates, scratch)
    tiny = scratch / "bench-startup.toml"
    tiny.write_text(STARTUP_SPEC, encoding="utf-8")
    sim = _sim_command()
    rounds = []
    for i in range(reps):
        _say(f"sweep: reduced headline ({replicates} replicates), round {i + 1} of {reps}")
        compute = _child("compute", spec)
        one, one_cpu = _sweep(sim, spec, 1, scratch / "sweep-1")
        two, two_cpu = _sweep(sim, spec, 2, scratch / "sweep-2")
        fixed_1, fixed_1_cpu = _sweep(sim, tiny, 1, scratch / "tiny-1")
        fixed_2, fixed_2_cpu = _sweep(sim, tiny, 2, scratch / "tiny-2")
        rounds.append(
            {
                "runs": compute["runs"],
                "compute_seconds": compute["seconds"],
                "compute_cpu_seconds": compute["cpu_seconds"],
                "jobs_1_seconds": one,
                "jobs_1_cpu_seconds": one_cpu,
                "jobs_2_seconds": two,
                "jobs_2_cpu_seconds": two_cpu,
                "fixed_1_seconds": fixed_1,
                "fixed_1_cpu_seconds": fixed_1_cpu,
                "fixed_2_seconds": fixed_2,
                "fixed_2_cpu_seconds": fixed_2_cpu,
                "machine_parallel_efficiency": machine_parallel_efficiency(),
            }
        )
    med = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    n_runs, t1, t2 = med["runs"], med["jobs_1_seconds"], med["jobs_2_seconds"]
    compute_cpu = med["compute_cpu_seconds"]
    return {
        "spec": f"experiments/headline.toml with replicates = {replicates}",
        "runs": int(n_runs),
        "jobs_1_seconds": t1,
        "jobs_2_seconds": t2,
        "runs_per_s_jobs_1": n_runs / t1,
        "runs_per_s_jobs_2": n_runs / t2,
        "parallel_efficiency": t1 / (2 * t2),
        "steady_efficiency": (t1 - med["fixed_1_seconds"]) / (2 * (t2 - med["fixed_2_seconds"])),
        "machine_parallel_efficiency": med["machine_parallel_efficiency"],
        "compute_seconds": med["compute_seconds"],
        "whole_overhead": t1 / med["compute_seconds"] - 1.0,
        "compute_cpu_seconds": compute_cpu,
        "fixed_1_seconds": med["fixed_1_seconds"],
        "fixed_2_seconds": med["fixed_2_seconds"],
        "per_run_overhead": (med["jobs_1_cpu_seconds"] - med["fixed_1_cpu_seconds"] - compute_cpu)
        / compute_cpu,
        "per_run_overhead_jobs_2": (
            med["jobs_2_cpu_seconds"] - med["fixed_2_cpu_seconds"] - compute_cpu
        )
        / compute_cpu,
        "rounds": rounds,
    }


def _sweep(sim: list[str], spec: Path, jobs: int, out: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``sim sweep`` from scratch, without figures."""
    options = ["--jobs", str(jobs), "--out", str(out), "--fresh", "--no-plot"]
    return _timed([*sim, "sweep", str(spec), *options], ROOT)


# -------------------------------------------------------------------------- reporting
def machine() -> dict[str, Any]:
    """Where the numbers come from."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("numpy", "mesa", "pandas"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:  # no git: the numbers stand without a commit
        commit = ""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit or None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        **versions,
    }


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for latest.json/.md")
    parser.add_argument(
        "--executors",
        action="store_true",
        help="instead, the local pool against Dask (benchmarks/executors.py)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    adopt_orphans()
    if args.executors:  # its own process: executors.py imports this module's helpers
        script = Path(__file__).with_name("executors.py")
        quick = ["--quick"] if args.quick else []
        command = [sys.executable, str(script), "--out", str(args.out), *quick]
        raise SystemExit(subprocess.call(command))
    if args.child:
        kind, *rest = args.child
        values = [int(v) if v.isdigit() else v for v in rest]
        print(json.dumps(CHILDREN[kind](*values)))
        return

    mode = QUICK if args.quick else FULL
    started = time.perf_counter()
    result: dict[str, Any] = {"quick": args.quick, "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="sim-bench-") as tmp:
        scratch = Path(tmp)
        result["sizes"] = measure_sizes(mode["sizes"], mode["size_rounds"])
        result["mesa"] = measure_mesa(mode["mesa_steps"], mode["mesa_reps"])
        result["startup"] = measure_startup(mode["startup_reps"], scratch)
        result["sweep"] = measure_sweep(mode["sweep_replicates"], mode["sweep_reps"], scratch)
        result["headline"] = measure_headline(mode["headline_reps"], scratch)
        result["classroom"] = measure_classroom(CLASSROOM_DAYS)
    result["machine"]["load_average_at_end"] = os.getloadavg()
    result["targets"] = targets(result) + scale_targets(result)
    result["benchmark_seconds"] = time.perf_counter() - started
    save(result, markdown(result), args.out, "latest")


def save(result: dict[str, Any], table: str, out: Path, name: str) -> None:
    """Write ``name``.json (everything) and ``name``.md (the tables) and print the tables."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / f"{name}.md").write_text(table)
    print(table)
    _say(f"done in {result['benchmark_seconds']:.0f} s; wrote {out}/{name}.json and {name}.md")


if __name__ == "__main__":
    main()
