"""What a sweep will cost, told before it runs: a pilot's estimate of time and disk, the
refusal of a design too large to run without asking, and the text of ``--dry-run``.

The pilot times a few points of the design (``Spec.pilot``), never the whole design, so a
spec of ten million runs is estimated, and refused, in seconds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.experiment.designs import Points
from sim.experiment.progress import format_duration
from sim.experiment.spec import LARGE_RUNS, Spec
from sim.experiment.store import Store, done_ids
from sim.experiment.sweep import estimate

__all__ = ["design_text", "dry_run", "estimate_runs", "admit", "too_large"]


def estimate_runs(plan: Spec, done: set[int], jobs: int | None) -> dict[str, Any]:
    """Time and disk of the runs still to do (``sweep.estimate``'s keys), from a pilot.

    Raises
    ------
    UserError
        If a pilot run is refused by the model or raises: the message names its point.
    """
    pilot = plan.pilot()
    try:
        est = estimate(pilot, jobs=jobs, pilot=len(pilot.points))
    except Exception:
        _name_the_failing_point(pilot, jobs)
        raise
    todo = plan.n_runs - len(done)
    per_run_bytes = est["bytes"] / max(est["todo"], 1)
    return {
        **est,
        "points": len(plan.points),
        "runs": plan.n_runs,
        "done": plan.n_runs - todo,
        "todo": todo,
        "seconds": est["seconds_per_run"] * todo / min(est["jobs"], max(todo, 1)),
        "bytes": per_run_bytes * todo,
    }


def _name_the_failing_point(pilot: Spec, jobs: int | None) -> None:
    """Run the pilot's points one at a time; raise a ``UserError`` naming the one that fails."""
    for point in pilot.points:
        try:
            estimate(replace(pilot, points=Points.listed([point])), jobs=jobs, pilot=1)
        except Exception as err:  # refused (a UserError) or raised inside the model
            at = ", ".join(f"{k}={v!r}" for k, v in point.items()) or "the only point"
            why = str(err) if isinstance(err, UserError) else f"{type(err).__name__}: {err}"
            raise UserError(f"the pilot run at {at} failed: {why}") from None


def too_large(plan: Spec, est: dict[str, Any]) -> str:
    """The refusal of a large design, and the warning of its --dry-run, in the same words."""
    return (
        f"the design has {plan.n_runs:,} runs, more than {LARGE_RUNS:,}: about "
        f"{format_duration(est['seconds'])} with {est['jobs']} workers and at most "
        f"{megabytes(est['bytes'])} of disk; add --allow-large to run it anyway."
    )


def megabytes(n: float) -> str:
    """Bytes in MB, or GB past a thousand of them."""
    return f"{n / 1e6:,.1f} MB" if n < 1e9 else f"{n / 1e9:,.1f} GB"


def design_text(plan: Spec) -> str:
    """The design in a few words: ``grid over share_spammers (11 values) x policy (3 values)``."""
    dims = " x ".join(
        f"{d.name} ({len(d.values)} values)" if d.values else f"{d.name} [{d.low:g}, {d.high:g}]"
        for d in plan.vary
    )
    kind = {
        "grid": "grid",
        "points": f"points from {plan.points_file or 'a table'}",
        "sobol-saltelli": f"Saltelli design of N = {plan.n}",
        "morris": f"Morris design of {plan.n} trajectories",
    }.get(plan.method, f"{plan.method} sample of {plan.n} points")
    return f"{kind} over {dims}" if plan.vary else "one point"


def admit(plan: Spec, jobs: int | None, allow_large: bool) -> None:
    """Refuse a design of more than ``LARGE_RUNS`` runs unless ``allow_large``, in one line
    with its estimated time and disk; then check the points reading the spec did not."""
    if plan.large and not allow_large:
        raise UserError(too_large(plan, estimate_runs(plan, set(), jobs)))
    if not plan.checked:
        plan.check_points()


def dry_run(plan: Spec, out: Path, jobs: int | None, fresh: bool, allow_large: bool) -> list[str]:
    """What `sim sweep --dry-run` prints: the design, the folder, the pilot, the estimates,
    and for a large design the warning, in the words of its refusal.

    The results folder is read (and a foreign spec refused) unless ``fresh``; a large
    design's folder only with ``allow_large``, since checking it builds every point.
    """
    if not plan.checked and (allow_large or not plan.large):
        plan.check_points()
    done: set[int] = set()
    if not fresh and out.exists() and (allow_large or not plan.large):
        Store(out).check(plan)
        done = {i for i in done_ids(out) if 0 <= i < plan.n_runs}
    est = estimate_runs(plan, done, jobs)
    warning = [f"Warning: {too_large(plan, est)}"] if plan.large else []
    return [
        f"{plan.name}: {est['points']} points x {plan.replicates} replicates = {est['runs']} "
        f"runs of {plan.steps} days ({design_text(plan)})",
        f"  results folder: {out} ({est['done']} runs done, {est['todo']} to run)",
        f"  pilot: {est['pilot_runs']} group{'s' * (est['pilot_runs'] != 1)} for "
        f"{est['pilot_days']} days in this process: "
        f"about {est['seconds_per_run']:.2f} s per run of {plan.steps} days",
        f"  estimated time with {est['jobs']} workers: about {format_duration(est['seconds'])}; "
        f"disk: at most {megabytes(est['bytes'])}",
        *warning,
        "Nothing was run (--dry-run).",
    ]
