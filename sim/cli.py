"""The `sim` command line: run a group, list parameters, sweep, plot, demo, app.

Heavy packages (Mesa, pandas, matplotlib) are imported inside the commands, so
`sim --help` answers at once. Mistakes a user can make end with one line on
standard error and exit status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.errors import UserError

app = typer.Typer(
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
    """Report a ``UserError`` in one line and exit with status 2."""
    try:
        yield
    except UserError as err:
        typer.echo(f"Error: {err}", err=True)
        raise typer.Exit(2) from None


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """``["name=value", ...]`` to checked parameter values."""
    from sim.model.params import ParamError, parse_value

    values: dict[str, Any] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise ParamError(f"--set expects NAME=VALUE, got {item!r}.")
        values[name.strip()] = parse_value(name.strip(), text)
    return values


@app.command()
def run(
    sets: SetOption = None,
    seed: Annotated[
        int,
        typer.Option(help="Seed of the random generator; the same seed gives the same run.", min=0),
    ] = 1,
    steps: Annotated[int, typer.Option(help="Days to simulate.", min=1, max=100_000)] = 365,
    out: Annotated[
        Path, typer.Option(help="Folder for timeseries.csv, summary.json and run.png.")
    ] = Path("results/run"),
) -> None:
    """Run one group for a number of days and summarise its health.

    Writes OUT/timeseries.csv (one row per day), OUT/summary.json (the outcome and
    every parameter used) and OUT/run.png (members, quality, spam and engagement).

    Example: sim run --set share_spammers=0.2 --set policy=etiquette --seed 7
    """
    import time

    with user_errors():
        overrides = parse_sets(sets)
        from sim.model.model import CommunityModel

        started = time.perf_counter()
        model = CommunityModel(rng=seed, **overrides)
        model.run(steps)
        elapsed = time.perf_counter() - started
        summary = model.summary()
        _write_run(model, summary, out)
    _print_summary(summary, model.params, overrides, elapsed)
    typer.echo(f"Wrote {out}/timeseries.csv, {out}/summary.json and {out}/run.png")


def _write_run(model: Any, summary: dict[str, Any], out: Path) -> None:
    from sim.figures.run import plot_run

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"cannot create output folder {out}: {err.strerror}.") from None
    ts = model.timeseries()
    ts.to_csv(out / "timeseries.csv", index=False)
    record = {**summary, "parameters": model.params}
    (out / "summary.json").write_text(json.dumps(record, indent=2) + "\n")
    title = _title(model.params)
    plot_run(ts, out / "run.png", title=title)


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


@app.command()
def sweep(
    spec: Annotated[
        Path, typer.Argument(metavar="SPEC", help="Sweep spec (TOML); see experiments/README.md.")
    ],
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Results folder (default: results/<name from the spec>).")
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
) -> None:
    """Run many replicated groups over a parameter space and find where the group tips.

    Each run is stored as soon as it finishes (OUT/runs.parquet, OUT/timeseries.parquet,
    OUT/manifest.json), so an interrupted sweep resumes where it stopped when the same
    command is run again. A run that fails is recorded with its error and the sweep
    goes on. At the end, figures go to OUT/figures/ and a summary to OUT/summary.md.

    Example: sim sweep experiments/headline.toml --jobs 2
    """
    with user_errors():
        from sim.experiment.spec import load_spec

        plan = load_spec(spec)
        out = out or Path("results") / plan.name
        if dry_run:
            _dry_run(plan, out, jobs, fresh)
            return
        report = _run_sweep(plan, out, jobs, fresh, fail_fast)
    _print_sweep(report, out)
    if plot and report.counts.get("ok"):
        with user_errors():
            _plot(out, None, None, None)
    raise typer.Exit(_SWEEP_EXIT.get(report.status, 1))


_SWEEP_EXIT = {"complete": 0, "failures": 1, "stopped": 1, "interrupted": 130}


def _run_sweep(plan: Any, out: Path, jobs: int | None, fresh: bool, fail_fast: bool) -> Any:
    """Run the sweep with SIGTERM treated like Ctrl-C: stop, keep what finished."""
    import signal

    from sim.experiment.sweep import Interrupted, run_sweep

    def stop(signum: int, frame: Any) -> None:
        raise Interrupted()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return run_sweep(plan, out, jobs=jobs, fresh=fresh, fail_fast=fail_fast, command=sys.argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _design_text(plan: Any) -> str:
    dims = " x ".join(
        f"{d.name} ({len(d.values)} values)" if d.values else f"{d.name} [{d.low:g}, {d.high:g}]"
        for d in plan.vary
    )
    kind = "grid" if plan.method == "grid" else f"{plan.method} sample of {plan.n} points"
    return f"{kind} over {dims}" if plan.vary else "one point"


def _dry_run(plan: Any, out: Path, jobs: int | None, fresh: bool) -> None:
    from sim.experiment.progress import format_duration
    from sim.experiment.store import Store, done_ids
    from sim.experiment.sweep import estimate

    done: set[int] = set()
    if not fresh and out.exists():
        Store(out).check(plan)
        done = done_ids(out)
    est = estimate(plan, done, jobs=jobs)
    typer.echo(
        f"{plan.name}: {est['points']} points x {plan.replicates} replicates = {est['runs']} runs "
        f"of {plan.steps} days ({_design_text(plan)})"
    )
    typer.echo(f"  results folder: {out} ({est['done']} runs done, {est['todo']} to run)")
    typer.echo(
        f"  pilot: {est['pilot_runs']} groups for {est['pilot_days']} days in this process: "
        f"about {est['seconds_per_run']:.2f} s per run of {plan.steps} days"
    )
    typer.echo(
        f"  estimated time with {est['jobs']} workers: about {format_duration(est['seconds'])}; "
        f"disk: at most {est['bytes'] / 1e6:.1f} MB"
    )
    typer.echo("Nothing was run (--dry-run).")


def _print_sweep(report: Any, out: Path) -> None:
    c = report.counts
    typer.echo(
        f"Sweep {report.status}: {c.get('done', 0)}/{c.get('total', 0)} runs on disk "
        f"({report.ran} run now), {c.get('failed', 0)} failed, {c.get('missing', 0)} missing."
    )
    typer.echo(f"Results in {out}/ (runs.parquet, timeseries.parquet, manifest.json)")
    if c.get("failed"):
        typer.echo(
            f"{c['failed']} runs failed; their tracebacks are in the `error` column of "
            f"{out}/runs.parquet.",
            err=True,
        )
        if report.first_error:
            typer.echo("First failure this time: " + report.first_error.strip(), err=True)
    if report.status == "interrupted":
        typer.echo("Interrupted: run the same command again to resume.", err=True)
    if report.status == "stopped":
        typer.echo("Stopped at the first failure (--fail-fast).", err=True)


def _plot(directory: Path, outcome: str | None, threshold: float | None, along: str | None) -> None:
    from sim.experiment.analysis import analyse
    from sim.experiment.report import terminal_report, write_report

    if not directory.is_dir():
        raise UserError(f"results folder {directory} not found.")
    analysis = analyse(directory, outcome=outcome, threshold=threshold, along=along)
    written = write_report(analysis)
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
    out: Annotated[
        Path, typer.Option(help="Folder for the figure (PNG, SVG), the animation and the data.")
    ] = Path("results/demo"),
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


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
