"""``sim validate``: run the groups, judge every criterion, write the figures and the
report.

The full size writes the committed report (``docs/VALIDATION.md`` and
``docs/validation/*.png``); the quick size checks that the suite runs and writes to a
results folder. A quick run never overwrites a full report.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sim.errors import UserError
from sim.validation.checks import Outcome
from sim.validation.criteria import CRITERIA
from sim.validation.groups import Plan, plan
from sim.validation.judges import JUDGES, USES
from sim.validation.report import (
    CRITERIA_COMMIT,
    FIGURES,
    Provenance,
    write_figures,
    write_report,
)
from sim.validation.runner import Runs, run_groups

__all__ = ["CRITERIA_COMMIT", "FULL_MARK", "Provenance", "Validation", "validate"]

CRITERIA_PATH = "sim/validation/criteria.py"
# The first line of a full report; a quick run refuses to overwrite a file that has it.
FULL_MARK = "<!-- sim validate: full size -->"
QUICK_MARK = "<!-- sim validate: quick size -->"
REPORT = "VALIDATION.md"


@dataclass(frozen=True)
class Validation:
    """A finished validation: the plan, the runs, the outcomes and where they went."""

    plan: Plan
    runs: Runs
    outcomes: list[Outcome]
    provenance: Provenance
    report: Path
    figures: list[Path]

    def summary(self) -> str:
        """What the terminal shows: one verdict per criterion, and what was written."""
        lines = [f"  {o.verdict}  {o.criterion.title}" for o in self.outcomes]
        passed = sum(o.passed for o in self.outcomes)
        lines.append(
            f"{passed} of {len(self.outcomes)} pass. Wrote {self.report} and "
            f"{len(self.figures)} figures in {self.report.parent / FIGURES}/"
        )
        return "\n".join(lines)


def validate(
    quick: bool, out: Path, jobs: int | None = None, stream: IO[str] | None = None
) -> Validation:
    """Run every criterion and write ``out/VALIDATION.md`` and ``out/validation/*.png``."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    report = out / REPORT
    _check_target(quick, out, report)
    p = plan(quick)
    started = time.perf_counter()
    runs = run_groups(p.groups, jobs, stream)
    seconds = time.perf_counter() - started
    outcomes = judge(runs, p)
    prov = Provenance(
        command="sim validate" + (" --quick" if quick else "") + f" --jobs {jobs}",
        code_commit=code_commit(),
        criteria_status=criteria_status(),
        date=dt.date.today().isoformat(),
        seconds=seconds,
        jobs=jobs,
        runs=len(runs.table),
        failed=len(runs.failures()),
    )
    figures = write_figures(outcomes, out / FIGURES)
    write_report(report, p, runs, outcomes, prov, FULL_MARK if not quick else QUICK_MARK)
    return Validation(p, runs, outcomes, prov, report, figures)


def judge(runs: Runs, p: Plan) -> list[Outcome]:
    """Every criterion's outcome, in the order of ``CRITERIA``."""
    return [
        Outcome(c, tuple(JUDGES[c.key](runs, p)), tuple(getattr(p, r) for r in USES[c.key]))
        for c in CRITERIA
    ]


def _check_target(quick: bool, out: Path, report: Path) -> None:
    """Refuse a folder that cannot be written, and a quick run over a full report."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder.")
    if quick and report.is_file() and report.read_text().startswith(FULL_MARK):
        raise UserError(
            f"{report} is the full validation report; a --quick run does not overwrite it "
            "(choose another --out)."
        )
    try:
        (out / FIGURES).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"cannot create output folder {out}: {err.strerror}.") from None


def _root() -> Path:
    return Path(__file__).resolve().parents[2]


def _git(*args: str) -> str | None:
    """Output of a git command in the source tree, or None outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=_root(), capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def code_commit() -> str:
    """The commit of the code that produced the results, and whether the package's code
    (``sim/``) had changes not committed (the report's own files do not count)."""
    head = _git("rev-parse", "--short", "HEAD")
    if head is None:
        return "unknown (not a git checkout)"
    changed = _git("status", "--porcelain", "--", "sim")
    return head + (" with uncommitted changes to sim/" if changed else "")


def criteria_status() -> str:
    """Whether ``criteria.py`` is still as committed in ``CRITERIA_COMMIT``."""
    if _git("cat-file", "-e", f"{CRITERIA_COMMIT}^{{commit}}") is None:
        return f"not checked (commit {CRITERIA_COMMIT} is not in this checkout's history)"
    if _git("diff", "--quiet", CRITERIA_COMMIT, "--", CRITERIA_PATH) is None:
        return f"CHANGED since commit {CRITERIA_COMMIT}"
    return f"unchanged since commit {CRITERIA_COMMIT}"
