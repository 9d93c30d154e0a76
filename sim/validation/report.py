"""The validation report (``VALIDATION.md``) and its figures, from the judged outcomes.

Nothing here computes a verdict: the report prints the checks of ``judges`` and the
words of ``criteria`` and ``readings`` as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.experiment.progress import format_duration
from sim.figures.validation import Panel, plot_checks
from sim.validation.checks import Check, Outcome
from sim.validation.groups import Plan
from sim.validation.readings import CANNOT_EXPRESS, MEANING, READINGS, SHORT_PUBLISHED
from sim.validation.runner import Runs
from sim.validation.stats import estimate, paired

__all__ = ["Provenance", "panel", "write_figures", "write_report"]

FIGURES = "validation"
# The commit that fixed the criteria, before any validation run.
CRITERIA_COMMIT = "d325b75"


@dataclass(frozen=True)
class Provenance:
    """How a report was produced: command, code, criteria, time taken."""

    command: str
    code_commit: str
    criteria_status: str
    date: str
    seconds: float
    jobs: int
    runs: int
    failed: int


def panel(check: Check) -> Panel:
    """A check as a figure's panel."""
    e = check.estimate
    return Panel(
        label=check.label,
        mean=e.mean,
        lo=e.lo,
        hi=e.hi,
        band_lo=check.band[0],
        band_hi=check.band[1],
        passed=check.passed,
        published=check.published,
        published_text=check.published_text,
    )


def write_figures(outcomes: list[Outcome], folder: Path) -> list[Path]:
    """One figure per regularity, ``folder/<key>.png``: its judged statistics, and those
    reported beside a published figure (the other context is in the report's tables)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for o in outcomes:
        path = folder / f"{o.criterion.key}.png"
        shown = [panel(c) for c in o.checks if c.judged or c.published is not None]
        plot_checks(o.criterion.title, o.verdict, shown, path)
        paths.append(path)
    return paths


def write_report(
    path: Path, plan: Plan, runs: Runs, outcomes: list[Outcome], prov: Provenance, mark: str
) -> None:
    """Write the whole report to ``path``."""
    parts = [
        mark,
        _head(plan, outcomes, prov),
        _summary(outcomes),
        _method(plan),
        *(_section(i, o, plan.quick) for i, o in enumerate(outcomes, 1)),
        _cannot_express(runs, plan),
        _failures(runs),
        _reproduce(runs, prov),
    ]
    path.write_text("\n\n".join(p for p in parts if p).rstrip() + "\n")


def _head(plan: Plan, outcomes: list[Outcome], prov: Provenance) -> str:
    passed = sum(o.passed for o in outcomes)
    size = "QUICK size" if plan.quick else "full size"
    lines = [
        "# Validation against published findings on online communities",
        "",
        "`sim` reproduces the patterns it was calibrated to (`docs/ODD.md`, section 1). "
        "Here it is tried against regularities published about online communities that it "
        f"was not fitted to: {len(outcomes)} of them, each with its source, the published "
        "figure, the pass criterion, the model's figure with its 95% interval over seeds, "
        "and the verdict. The criteria were written and committed before any validation "
        f"run, in commit {CRITERIA_COMMIT} (`sim/validation/criteria.py`), and are not "
        f"changed after a result is seen; the criteria file is {prov.criteria_status}. A FAIL "
        "stays a FAIL.",
        "",
        f"**{passed} of {len(outcomes)} regularities pass** ({size}; "
        f"{prov.runs} runs in {format_duration(prov.seconds)}).",
    ]
    if plan.quick:
        lines += [
            "",
            "> **This is the QUICK size** (300 members in place of 1,000, 1,000 in place of "
            "3,000 and 10,000, 5 seeds, 180 days). It checks that the suite runs, not the "
            "model: its verdicts say nothing about the model. The windows of the criteria "
            "are kept as written (days 1-270, 1-358...), so in 180 days some follow-up "
            "windows are cut short. The committed report is `docs/VALIDATION.md`.",
        ]
    return "\n".join(lines)


def _judged_text(o: Outcome) -> str:
    return "; ".join(f"{c.label}: {c.estimate.text()}" for c in o.judged)


def _summary(outcomes: list[Outcome]) -> str:
    rows = [
        "## Summary",
        "",
        "| # | regularity | published | model: mean [95% CI] over seeds | verdict |",
        "|---|---|---|---|---|",
    ]
    for i, o in enumerate(outcomes, 1):
        c = o.criterion
        link = f"[{c.title}](#{i}-{_anchor(c.title)})"
        pub = SHORT_PUBLISHED.get(c.key, c.published)
        rows.append(f"| {i} | {link} | {pub} | {_judged_text(o)} | **{o.verdict}** |")
    return "\n".join(rows)


def _anchor(title: str) -> str:
    keep = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -")
    return keep.replace(" ", "-")


def _method(plan: Plan) -> str:
    groups = "\n".join(
        f"| `{g.key}` | {g.label} | {g.seeds} (1-{g.seeds}) | {g.days} | "
        + ", ".join(f"`{k}={v}`" for k, v in g.params)
        + " |"
        for g in plan.groups
    )
    return "\n".join(
        [
            "## How the model is tried",
            "",
            "Each run is one group for a year after the warm-up, on one seed; it gives one "
            "value of each statistic, computed from its daily measures and its member, post "
            "and reply logs (`sim/validation/measures.py`). A statistic's figure is its mean "
            "over seeds with a 95% Student-t interval. A difference between two sizes "
            "(independent runs) has Welch's interval; a difference between two conditions "
            "run on the same seeds has the interval of the paired differences; a ratio of "
            "paired means has Fieller's interval. 'Inside [a, b]' means the whole interval "
            "lies inside the band; a direction means the interval excludes the value on the "
            "stated side. A statistic that cannot be measured fails its check.",
            "",
            "Criteria that need the same group share its runs. Groups (parameters not listed "
            "keep their defaults, `sim params`):",
            "",
            "| group | what | seeds | days | parameters set |",
            "|---|---|---|---|---|",
            groups,
        ]
    )


def _section(i: int, o: Outcome, quick: bool) -> str:
    c = o.criterion
    lines = [
        f"## {i}. {c.title}",
        "",
        f"**Source.** {c.source}.",
        "",
        f"**Published.** {c.published}.",
        "",
        f"**Measured.** {c.measure}.",
        "",
        f"**Pass criterion** (fixed in commit {CRITERIA_COMMIT}, before any run): "
        f'"{c.criterion}".' + (f" Note: {c.note}." if c.note else ""),
    ]
    if c.key in READINGS:
        lines += ["", f"**How it is read.** {READINGS[c.key]}"]
    lines += [
        "",
        "**The model.** Groups: " + ", ".join(f"`{g.key}`" for g in o.groups) + ".",
        "",
        "| statistic | model: mean [95% CI] | runs | test | result |",
        "|---|---|---|---|---|",
        *(_row(ch) for ch in o.checks),
        "",
        f"**Verdict: {o.verdict}.**" + _reasons(o),
    ]
    meaning = MEANING.get(c.key)
    if meaning and not quick:
        written_for, text = meaning
        if written_for == o.verdict:
            lines += ["", f"**What it says about the model.** {text}"]
        else:
            lines += [
                "",
                f"*The reading of this result in `sim/validation/readings.py` was written for a "
                f"{written_for} and no longer applies; it needs rewriting.*",
            ]
    lines += ["", f"![{c.title}]({FIGURES}/{c.key}.png)"]
    return "\n".join(lines)


def _row(ch: Check) -> str:
    result = {True: "pass", False: "**FAIL**", None: "reported"}[ch.passed]
    test = ch.rule or "-"
    if ch.published is not None:
        test += f" (published: {ch.published_text})"
    return f"| {ch.label} | {ch.estimate.text()} | {ch.estimate.n} | {test} | {result} |"


def _reasons(o: Outcome) -> str:
    reasons = o.reasons()
    return (" " + " ".join(reasons)) if reasons else ""


def _cannot_express(runs: Runs, plan: Plan) -> str:
    lines = [
        "## What the model cannot express",
        "",
        "Findings that the model has no way to show, or that no published figure makes a test of:",
        "",
        *(f"- **{what}.** {why}" for what, why in CANNOT_EXPRESS),
        "",
        "### Evaporative cooling: a property of the model, not a test",
        "",
        _cooling(runs, plan),
    ]
    return "\n".join(lines)


def _cooling(runs: Runs, plan: Plan) -> str:
    lines = [
        "Skill is correlated with a member's standard (`skill_standard_corr`), and a member "
        "leaves dissatisfied when its satisfaction stays below its standard, so the model "
        "expects the leavers to be the more skilled; no published figure was found to test "
        "it against. Mean contribution skill (a standard normal trait) of honest members:",
        "",
        "| group | left dissatisfied, per run | their skill | skill of those present at the "
        "end | difference (paired by run) |",
        "|---|---|---|---|---|",
    ]
    for g in (plan.decline, plan.small):
        left = runs.values(g, "skill_left_dissatisfied")
        stayed = runs.values(g, "skill_stayed")
        count = estimate(runs.values(g, "left_dissatisfied_count"))
        skill, diff = estimate(left), paired(left, stayed)
        lines.append(
            f"| {g.label} ({g.seeds} seeds) | {count.text(1)} | {skill.text()} (n = {skill.n}) "
            f"| {estimate(stayed).text()} | {diff.text()} |"
        )
    lines += [
        "",
        "A run in which nobody left dissatisfied has no leavers' skill and is left out (n).",
    ]
    return "\n".join(lines)


def _failures(runs: Runs) -> str:
    failed = runs.failures()
    if failed.empty:
        return ""
    lines = ["## Runs that failed", ""]
    for _, r in failed.iterrows():
        last = str(r["error"]).strip().splitlines()[-1]
        lines.append(f"- `{r['group']}` seed {r['seed']}: {last}")
    return "\n".join(lines)


def _reproduce(runs: Runs, prov: Provenance) -> str:
    per_run = float(runs.table["seconds"].mean()) if len(runs.table) else float("nan")
    return "\n".join(
        [
            "## Reproduce",
            "",
            "```bash",
            prov.command,
            "```",
            "",
            f"Produced on {prov.date} from commit `{prov.code_commit}` with {prov.jobs} worker "
            f"processes: {prov.runs} runs ({prov.failed} failed) in "
            f"{format_duration(prov.seconds)} of wall time on a shared 2-core machine; a run "
            f"took {per_run:.1f} s on average inside its worker, which is started afresh for "
            "each run. One seed gives one result, so the same command gives the same figures "
            "on any machine and with any number of workers.",
        ]
    )
