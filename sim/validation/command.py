"""The ``sim validate`` command: its options, its help and what it prints.

``sim/cli.py`` registers it (with its one-line errors, ``user_errors``) so that the
command-line shell stays thin. Nothing heavy is imported until the command runs, so
``sim --help`` stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["validate"]


def _folder(value: str) -> Path:
    """Refuse an empty folder name (it would mean the current folder)."""
    if not str(value).strip():
        raise typer.BadParameter("the folder name is empty; give one, e.g. results/mine.")
    return Path(value)


def validate(
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="Small groups, 5 seeds, 180 days (about 10 seconds): checks that the suite "
            "runs, not the model. Never overwrites the full report.",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            parser=_folder,
            help="Folder for VALIDATION.md and validation/*.png (default: docs for the full "
            "size, results/validation-quick with --quick).",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    ] = None,
) -> None:
    """Try the model against published findings on online communities.

    Runs the groups that eleven published regularities need (participation inequality,
    replies that keep newcomers, announced rules, overload, growth...), judges each
    against its pass criterion, fixed in sim/validation/criteria.py before any run, and
    writes OUT/VALIDATION.md (source, published figure, criterion, the model's figure
    with its 95% interval over seeds, PASS or FAIL) and one figure per regularity in
    OUT/validation/. Each run has a fresh worker process; a progress line shows the runs.
    The full size (120 runs, up to 10,000 members, about 40 seconds on 2 cores, more on
    busy ones) is the committed docs/VALIDATION.md.

    Exit status: 0 when every run finished (whatever the verdicts), 1 if a run failed.

    Example: sim validate --quick --jobs 2
    """
    from sim.validation.suite import validate as run_validation

    target = out if out is not None else Path("results/validation-quick" if quick else "docs")
    try:
        result = run_validation(quick, target, jobs)
    except KeyboardInterrupt:
        typer.echo("Interrupted: the report was not written.", err=True)
        raise typer.Exit(130) from None
    typer.echo(result.summary())
    if result.provenance.failed:
        typer.echo(f"{result.provenance.failed} runs failed; see the report.", err=True)
        raise typer.Exit(1)
