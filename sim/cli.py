"""The `sim` command line: run a group, list parameters, sweep, plot, demo, app.

Heavy packages (Mesa, pandas, matplotlib) are imported inside the commands, so
`sim --help` answers at once. Mistakes a user can make (Typer's own included) and
file-system faults (a full disk) end with one line on standard error and exit status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from sim.errors import UserError, naming, os_error_message, replacing
from sim.experiment.forkserver import prestart
from sim.model.budget import MAX_STEPS
from sim.validation.command import validate as validate_command

try:  # recent Typer runs on its own copy of click
    from typer._click import exceptions as _click_errors
except ImportError:  # pragma: no cover - older Typer runs on click itself
    from click import exceptions as _click_errors  # type: ignore[no-redef]


@contextmanager
def _one_line_usage() -> Iterator[None]:
    """A usage error (unknown option, missing argument, value out of range) as one line
    (a plain ``ClickException`` prints just ``Error: message``), exit status 2."""
    try:
        yield
    except getattr(_click_errors, "NoArgsIsHelpError", ()):
        raise  # `sim` alone prints the help
    except _click_errors.UsageError as err:
        message = err.format_message().rstrip()
        message += "" if message.endswith((".", "?", "!")) else "."
        hint = f" See '{err.ctx.command_path} --help'." if err.ctx else ""
        one_line = _click_errors.ClickException(message + hint)
        one_line.exit_code = 2
        raise one_line from None


class _Commands(TyperGroup):
    """Typer's group, with its usage errors in the same one-line style as ours."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _one_line_usage():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _one_line_usage():
            return super().invoke(ctx)


def _folder(value: str | Path) -> Path:
    """An output folder: refuse an empty name (it would mean the current folder) and a file."""
    if not str(value).strip():
        raise typer.BadParameter("the folder name is empty; give one, e.g. results/mine.")
    if Path(value).is_file():
        raise typer.BadParameter(f"{value} is a file, not a folder.")
    return Path(value)


def _out(help: str) -> Any:
    return typer.Option(help=help, parser=_folder, metavar="DIR")


RUN_OUT, DEMO_OUT = Path("results/run"), Path("results/demo")

app = typer.Typer(
    cls=_Commands,
    help=(
        "Simulate an online discussion group: how unchecked self-promotion degrades "
        "it, and which rules save it.\n\n"
        "Start with `sim run` (one group for a year), `sim params` (what you can "
        "change) and `sim sweep experiments/headline.toml` (the main experiment)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        metavar="NAME=VALUE",
        help="Set a model parameter, e.g. --set share_spammers=0.2 --set policy=etiquette. "
        "Repeat for several. `sim params` lists them all.",
    ),
]

LangOption = Annotated[
    str,
    typer.Option("--lang", help="Language of what the class reads: en (English) or fr (French)."),
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Report a ``UserError``, or a file-system fault (``OSError``: a full disk, a read-only
    folder), in one line and exit with status 2."""
    try:
        yield
    except UserError as err:
        typer.echo(f"Error: {err}", err=True)
        raise typer.Exit(2) from None
    except OSError as err:
        typer.echo(f"Error: {os_error_message(err)}", err=True)
        raise typer.Exit(2) from None


def writable(out: Path) -> None:
    """Create ``out`` and check that a file can be written in it, before the work starts
    (a read-only or impossible folder is reported at once, not after the runs)."""
    import tempfile

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        reason = os_error_message(err, path=False)
        raise UserError(f"cannot create output folder {out}: {reason}") from None
    with naming(out), tempfile.TemporaryFile(dir=out):
        pass


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """``["name=value", ...]`` to checked parameter values; a name given twice is refused
    (which value was meant?)."""
    from sim.model.params import ParamError, parse_value

    values: dict[str, Any] = {}
    given: dict[str, str] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParamError(f"--set expects NAME=VALUE, got {item!r}.")
        if name in given:
            raise ParamError(
                f"--set {name} is given twice ({given[name]} and {text.strip()}); "
                "give each parameter once."
            )
        values[name], given[name] = parse_value(name, text), text.strip()
    return values


@app.command()
def run(
    sets: SetOption = None,
    seed: Annotated[
        int,
        typer.Option(help="Seed of the random generator; the same seed gives the same run.", min=0),
    ] = 1,
    steps: Annotated[int, typer.Option(help="Days to simulate.", min=1, max=MAX_STEPS)] = 365,
    out: Annotated[Path, _out("Folder for timeseries.csv, summary.json, run.png.")] = RUN_OUT,
) -> None:
    """Run one group for a number of days and summarise its health.

    Writes OUT/timeseries.csv (one row per day), OUT/summary.json (the outcome and
    every parameter used) and OUT/run.png (members, quality, spam and engagement).
    A run that takes more than a few seconds (a large group) shows its days on
    standard error.

    Example: sim run --set share_spammers=0.2 --set policy=etiquette --seed 7
    """
    import time

    with user_errors():
        overrides = parse_sets(sets)
        from sim.experiment.progress import run_days, said_if_slow
        from sim.model.model import CommunityModel
        from sim.model.params import resolve

        p = resolve(overrides)  # a refused combination is reported before anything is written
        writable(out)
        started = time.perf_counter()
        with said_if_slow(f"Setting up {p['n_members']:,} members ({p['warmup']} warm-up days)..."):
            model = CommunityModel(rng=seed, **overrides)
        run_days(model, steps)  # progress on standard error once it takes a while
        elapsed = time.perf_counter() - started
        summary = model.summary()
        _write_run(model, summary, out)
    _print_summary(summary, model.params, overrides, elapsed)
    typer.echo(f"Wrote {out}/timeseries.csv, {out}/summary.json and {out}/run.png")


def _write_run(model: Any, summary: dict[str, Any], out: Path) -> None:
    """Write the three files, each moved into place whole (a full disk leaves the files
    of an earlier run as they were)."""
    from sim.figures.run import plot_run

    ts = model.timeseries()
    with replacing(out / "timeseries.csv") as tmp:
        ts.to_csv(tmp, index=False)
    with replacing(out / "summary.json") as tmp:
        tmp.write_text(json.dumps({**summary, "parameters": model.params}, indent=2) + "\n")
    with replacing(out / "run.png") as tmp:
        plot_run(ts, tmp, title=_title(model.params))


def _title(params: dict[str, Any]) -> str:
    return (
        f"{params['n_members']} members, {params['share_spammers']:.0%} spammers, "
        f"rules: {params['policy']}, feed: {params['feed_ranking']}"
    )


def _print_summary(
    summary: dict[str, Any], params: dict[str, Any], overrides: dict[str, Any], elapsed: float
) -> None:
    changed = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "all defaults"
    typer.echo(f"One group, seed {summary['seed']}, {summary['days']} days ({changed})")
    typer.echo(f"  {_title(params)}")
    rows = [
        (
            "members (not spammers)",
            f"{summary['initial_honest']} -> {summary['final_honest']}",
            f"{summary['honest_ratio']:.0%} kept",
        ),
        (
            "members (all)",
            f"{summary['initial_members']} -> {summary['final_members']}",
            f"{summary['members_ratio']:.0%}",
        ),
        (
            "quality read",
            f"{summary['initial_quality']:.2f} -> {summary['final_quality']:.2f}",
            f"{summary['quality_ratio']:.0%} of start",
        ),
        ("spam in what is read", f"{summary['final_spam_share']:.0%}", "last 30 days"),
        ("engagement", f"{summary['engagement_last30']:.3f}", "likes+comments/member/day"),
        (
            "collapsed",
            "yes, day " + str(summary["collapse_day"]) if summary["collapsed"] else "no",
            f"non-spammers below {params['collapse_threshold']:.0%} of start",
        ),
        ("spam reach", f"{summary['promo_reach_total']:,}", "reads of spam in total"),
        ("never posted", f"{summary['never_posted']:.0%}", "of non-spammers"),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value, note in rows:
        typer.echo(f"  {label:<{width}}  {value:>14}  {note}")
    days = summary["days"]
    member_days = summary["initial_members"] * days
    typer.echo(f"  ran in {elapsed:.2f} s ({member_days / max(elapsed, 1e-9):,.0f} member-days/s)")


@app.command("params")
def params_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List every model parameter with its default, allowed values and meaning.

    Set any of them with `sim run --set NAME=VALUE` or in a sweep spec.
    """
    from sim.model.params import PARAMS, PRESETS

    if as_json:
        payload = {"parameters": [p.as_dict() for p in PARAMS.values()], "presets": PRESETS}
        typer.echo(json.dumps(payload, indent=2))
        return
    group = None
    for p in PARAMS.values():
        if p.group != group:
            group = p.group
            typer.echo(f"\n[{group}]")
        unit = f" {p.unit}" if p.unit else ""
        typer.echo(f"  {p.name} = {p.default!r}{unit}   ({p.allowed()})")
        typer.echo(f"      {p.help}")
    typer.echo("\nPolicy presets (policy=NAME sets these; explicit values override):")
    for name, values in PRESETS.items():
        body = ", ".join(f"{k}={v}" for k, v in values.items()) or "no rules"
        typer.echo(f"  {name}: {body}")


EXECUTOR_HELP = (
    "Where runs go: local (this machine's processes), dask (a LocalCluster of --jobs "
    "workers, or --scheduler's cluster) or mpi (under mpiexec). See docs/distributed.md."
)


@app.command()
def sweep(
    spec: Annotated[
        Path, typer.Argument(metavar="SPEC", help="Sweep spec (TOML); see experiments/README.md.")
    ],
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default, most: the cores)."),
    ] = None,
    out: Annotated[
        Path | None, _out("Results folder (default: results/<name in the spec>).")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the points, runs, time and disk estimated by a short pilot."
        ),
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option("--fresh", help="Delete the sweep files already in the folder, start over."),
    ] = False,
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", help="Stop at the first run that fails.")
    ] = False,
    plot: Annotated[
        bool, typer.Option("--plot/--no-plot", help="Write figures and summary.md at the end.")
    ] = True,
    allow_large: Annotated[
        bool, typer.Option("--allow-large", help="Run a design of more than 100,000 runs.")
    ] = False,
    executor: Annotated[str, typer.Option(metavar="local|dask|mpi", help=EXECUTOR_HELP)] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(metavar="ADDRESS", help="A Dask scheduler (tcp://HOST:PORT or file)."),
    ] = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Drop results that cannot be read; run them again.")
    ] = False,
) -> None:
    """Run many replicated groups over a parameter space and find where the group tips.

    Each run is stored as soon as it finishes (OUT/runs.parquet, OUT/timeseries.parquet,
    OUT/manifest.json; OUT/posts.parquet and the other logs the spec's [record] logs
    keeps), so an interrupted sweep resumes where it stopped when the same
    command is run again. A run that fails is recorded with its error and the sweep
    goes on. At the end, figures go to OUT/figures/ and a summary to OUT/summary.md.

    A design of more than 100,000 runs is refused before anything is built or run,
    with its estimated time and disk, unless --allow-large is given.

    Example: sim sweep experiments/headline.toml --jobs 2
    """
    with user_errors():
        if executor == "local" and not dry_run:
            prestart(jobs)  # the workers' fork server loads the model while this process plans
        from sim.experiment import preview
        from sim.experiment.spec import load_spec

        plan = load_spec(spec)
        out = out or Path("results") / plan.name
        if dry_run:
            typer.echo("\n".join(preview.dry_run(plan, out, jobs, fresh, allow_large)))
            return
        preview.admit(plan, jobs, allow_large)
        from sim.experiment.sweep import run_sweep

        where = {"executor": executor, "scheduler": scheduler, "repair": repair}
        report = run_sweep(plan, out, jobs, fresh, fail_fast, command=sys.argv, **where)
    for line, to_stderr in report.lines(out):
        typer.echo(line, err=to_stderr)
    if plot and report.counts.get("ok"):
        with user_errors():
            _plot(out, None, None, None)
    raise typer.Exit(_SWEEP_EXIT.get(report.status, 1))


_SWEEP_EXIT = {"complete": 0, "failures": 1, "stopped": 1, "interrupted": 130}


def _plot(directory: Path, outcome: str | None, threshold: float | None, along: str | None) -> None:
    from sim.experiment.analysis import analyse
    from sim.experiment.report import terminal_report, write_report

    if directory.exists() and not directory.is_dir():
        raise UserError(
            f"{directory} is a file; give the folder a sweep wrote its results to "
            "(e.g. results/headline)."
        )
    if not directory.is_dir():
        raise UserError(f"results folder {directory} not found.")
    from sim.experiment.store import record_outputs

    analysis = analyse(directory, outcome=outcome, threshold=threshold, along=along)
    written = write_report(analysis)
    record_outputs(directory, written)
    typer.echo(terminal_report(analysis))
    figures = sum(p.suffix == ".png" for p in written)
    typer.echo(f"Wrote {figures} figures to {directory}/figures/ and {directory}/summary.md")


@app.command("plot")
def plot_cmd(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="A results folder written by `sim sweep`.")
    ],
    outcome: Annotated[
        str | None,
        typer.Option(help="Outcome for the tipping point (default: the spec's, honest_ratio)."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Collapse threshold the outcome crosses (default: the spec's, or the "
            "model's collapse_threshold)."
        ),
    ] = None,
    along: Annotated[
        str | None,
        typer.Option(help="Numeric parameter to find the tipping point along (default: first)."),
    ] = None,
) -> None:
    """Figures, tipping points and a summary of a sweep's results.

    Writes DIR/figures/ (each outcome against each varied parameter, a heatmap when
    two numeric parameters vary, time-series envelopes, the tipping point),
    DIR/summary.md and DIR/aggregates.csv.

    Example: sim plot results/headline
    """
    with user_errors():
        _plot(directory, outcome, threshold, along)


@app.command()
def demo(
    out: Annotated[Path, _out("Folder for the figures, the animation and the data.")] = DEMO_OUT,
    seed: Annotated[
        int, typer.Option(help="First seed; every scenario runs the same seeds.", min=0)
    ] = 1,
    runs: Annotated[
        int, typer.Option(help="Runs per scenario (seeds SEED, SEED+1...).", min=1, max=100)
    ] = 5,
    days: Annotated[int, typer.Option(help="Days to simulate.", min=30, max=3650)] = 365,
    lang: LangOption = "en",
) -> None:
    """Show a class how a healthy group decays under unchecked self-promotion, and what rules do.

    Runs the same group on the same seeds under four scenarios (no spammers; spammers
    unchecked; spammers with the founding text's etiquette; spammers with moderation),
    writes OUT/scenarios.png and .svg (side by side), OUT/unchecked.gif (one unchecked
    group over time, for slides), OUT/story.md (what happened, with the numbers: how
    many groups collapsed in each scenario) and the data, and prints the story.

    Example: sim demo --out class --seed 7 --lang fr
    """
    import time

    from sim.classroom.demo import run_demo

    started = time.perf_counter()
    with user_errors():
        writable(out)
        result = run_demo(out, seed=seed, runs=runs, days=days, lang=lang)
    typer.echo(result.story)
    typer.echo(f"Wrote {', '.join(str(f) for f in result.files)}")
    typer.echo(f"  ran in {time.perf_counter() - started:.1f} s")


@app.command("app")
def app_cmd(
    port: Annotated[
        int,
        typer.Option(help="Port of the page (0 = any free port).", min=0, max=65535),
    ] = 8765,
    host: Annotated[
        str,
        typer.Option(
            help="Where the page listens: localhost (this computer only) or 0.0.0.0 "
            "(everyone on the network, e.g. the class's phones and laptops)."
        ),
    ] = "localhost",
    lang: LangOption = "en",
) -> None:
    """Start the class app: groups to drive live in the browser (works offline).

    Prints the address to open (http://localhost:PORT); press Ctrl-C to stop. With
    --host 0.0.0.0 it serves everyone on the network and prints the address to give
    the class; each browser gets its own groups, so students cannot change the
    teacher's. The page explains itself (Info tab): move the settings, press Reset,
    then Step, Play or Run a year, and compare two groups side by side.

    Example: sim app --host 0.0.0.0 --lang fr
    """
    from sim.classroom.serve import serve

    with user_errors():
        status = serve(port, echo=typer.echo, host=host, lang=lang)
    if status:
        raise typer.Exit(status)


# sim validate: its options, help and output live in sim.validation.command.
app.command("validate")(user_errors()(validate_command))


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
