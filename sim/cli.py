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
    from sim.params import ParamError, parse_value

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
        from sim.model import CommunityModel

        started = time.perf_counter()
        model = CommunityModel(rng=seed, **overrides)
        model.run(steps)
        elapsed = time.perf_counter() - started
        summary = model.summary()
        _write_run(model, summary, out)
    _print_summary(summary, model.params, overrides, elapsed)
    typer.echo(f"Wrote {out}/timeseries.csv, {out}/summary.json and {out}/run.png")


def _write_run(model: Any, summary: dict[str, Any], out: Path) -> None:
    from sim.plots import plot_run

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
    from sim.params import PARAMS, PRESETS

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


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
