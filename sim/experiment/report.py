"""The report of a sweep: figures, ``summary.md``, ``aggregates.csv`` and the lines
printed at the end of ``sim sweep`` and ``sim plot``.

It draws the tables of ``sim.experiment.analysis`` with ``sim.figures.sweeps``;
nothing is computed here that the analysis does not already give.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import naming, replacing
from sim.experiment.analysis import (
    MAX_LINES,
    N_BOOT,
    Analysis,
    aggregate,
    envelopes,
    fmt_value,
    levels,
    outcome_table,
    point_label,
    point_labels,
    point_table,
    recorded_metrics,
    tipping_table,
)
from sim.figures import sweeps as plots
from sim.model.metrics import SUMMARY

__all__ = ["terminal_report", "write_report"]


def write_report(a: Analysis) -> list[Path]:
    """Write the figures, ``summary.md`` and ``aggregates.csv``; return the paths written.

    A file-system fault (a full disk) raises ``OSError`` naming the file or folder; the
    two tables are moved into place whole, so a failed write leaves the previous ones.
    """
    figures = a.root / "figures"
    figures.mkdir(exist_ok=True)
    if len(a.runs) == 0:
        return [_write_summary(a)]
    with naming(figures):
        written = _write_figures(a, figures)
    written.append(_write_aggregates(a))
    written += _write_sensitivity(a, figures)
    written.append(_write_summary(a))
    return written


def _write_sensitivity(a: Analysis, figures: Path) -> list[Path]:
    """A SALib design's indices: sensitivity.csv (and the pairs'), and their figure."""
    if a.sensitivity is None or len(a.sensitivity.table) == 0:
        return []
    from sim.figures.sensitivity import plot_indices

    s, written = a.sensitivity, [a.root / "sensitivity.csv"]
    with replacing(written[0]) as tmp:
        s.table.to_csv(tmp, index=False)
    if s.second is not None:
        written.append(a.root / "sensitivity_second_order.csv")
        with replacing(written[-1]) as tmp:
            s.second.to_csv(tmp, index=False)
    written.append(figures / "sensitivity.png")
    with naming(figures):
        _close(plot_indices(s.table, s.kind, list(dict.fromkeys(s.table["outcome"])), written[-1]))
    return written


def _write_figures(a: Analysis, figures: Path) -> list[Path]:
    written: list[Path] = []
    for x in a.varied:
        agg, series = outcome_table(a, x)
        path = figures / f"outcomes_vs_{x}.png"
        _close(plots.plot_outcomes(agg, x, a.outcomes, path, title=_title(a, series)))
        written.append(path)
    if a.tipping:
        agg = tipping_table(a)
        path = figures / f"tipping_{a.tipping_outcome}_vs_{a.along}.png"
        tips = pd.DataFrame([{"series": point_label(t.group), **vars(t)} for t in a.tipping])
        _close(plots.plot_tipping(agg, a.along, a.tipping_outcome, a.threshold, tips, path))
        written.append(path)
    written += _tipping_against(a, figures)
    written += _heatmap(a, figures)
    written += _envelopes(a, figures)
    return written


def _tipping_against(a: Analysis, figures: Path) -> list[Path]:
    """The tipping point against each other numeric parameter varied at a few levels
    (the size law: the tipping point against the group's size)."""
    if not a.tipping:
        return []
    others = [v for v in a.numeric if v != a.along and v in a.tipping[0].group]
    top = float(a.runs[a.along].max()) if a.along else 1.0
    written = []
    for x in others:
        rows = []
        for t in a.tipping:
            rest = {k: v for k, v in t.group.items() if k != x}
            rows.append({x: t.group[x], "series": point_label(rest), **vars(t)})
        path = figures / f"tipping_point_vs_{x}.png"
        _close(plots.plot_tipping_against(pd.DataFrame(rows), x, a.along, top, path))
        written.append(path)
    return written


def _close(fig: Any) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def _title(a: Analysis, series: list[str]) -> str:
    name = a.manifest.get("name", "")
    rest = [v for v in a.varied if v not in series]
    note = " (averaged over the other varied parameters)" if len(rest) > 1 else ""
    return f"{name}: mean and 95% CI over replicates{note}"


def _heatmap(a: Analysis, figures: Path) -> list[Path]:
    if len(a.numeric) != 2:
        return []
    x, y = a.numeric
    panels = [v for v in a.categorical]
    data = a.runs.assign(**{x: levels(a.runs[x]), y: levels(a.runs[y])})
    cells = aggregate(data, [*panels, x, y], [a.tipping_outcome])
    cells["panel"] = point_labels(cells, panels)
    path = figures / f"heatmap_{a.tipping_outcome}_{x}_{y}.png"
    _close(plots.plot_heatmap(cells, x, y, a.tipping_outcome, path, threshold=a.threshold))
    return [path]


def _envelopes(a: Analysis, figures: Path) -> list[Path]:
    points = pd.DataFrame(a.manifest["resolved"]["points"])[["point", "values"]]
    values = pd.DataFrame(list(points["values"]), index=points["point"])
    panel_cols = [c for c in a.categorical if c in values]
    line_cols = [c for c in values.columns if c not in panel_cols]
    written = []
    for metric in recorded_metrics(a):
        env = envelopes(a, metric)
        if env.empty:
            continue
        env = env.join(values, on="point")
        env["panel"] = point_labels(env, panel_cols)
        env["line"] = (
            point_labels(env, line_cols)
            if len(line_cols) <= 2
            else "point " + env["point"].astype(str)
        )
        env = _fewer_lines(env, line_cols)
        path = figures / f"timeseries_{metric}.png"
        title = f"{a.manifest.get('name', '')}: {metric}"
        _close(plots.plot_envelopes(env, metric, path, title=title))
        written.append(path)
    return written


def _fewer_lines(env: pd.DataFrame, line_cols: list[str]) -> pd.DataFrame:
    """Keep at most ``MAX_LINES`` points per panel, evenly spread over their order."""
    keep = []
    for _, g in env.groupby("panel", sort=False):
        order = g.sort_values([*line_cols, "point"])["point"].drop_duplicates().to_numpy()
        if len(order) > MAX_LINES:
            order = order[np.linspace(0, len(order) - 1, MAX_LINES).round().astype(int)]
        keep.append(g[g["point"].isin(order)])
    return pd.concat(keep, ignore_index=True)


def _write_aggregates(a: Analysis) -> Path:
    path = a.root / "aggregates.csv"
    with replacing(path) as tmp:
        point_table(a).to_csv(tmp, index=False)
    return path


def _write_summary(a: Analysis) -> Path:
    m, res = a.manifest, a.manifest["resolved"]
    lines = [f"# Sweep `{m.get('name', '')}`", ""]
    git = m.get("provenance", {}).get("git", {})
    dirty = " (uncommitted changes)" if git.get("dirty") else ""
    lines += [
        f"- Spec: `{m.get('spec', {}).get('path', '')}`; results: `{a.root}`",
        f"- {res['n_points']} points x {res['replicates']} replicates = {res['n_runs']} runs "
        f"of {res['steps']} days; {len(a.runs)} ok, {a.failed} failed, "
        f"{res['n_runs'] - len(a.runs) - a.failed} missing; status: {m.get('status')}",
        f"- Master seed {res['seed']}; commit `{git.get('commit')}`{dirty}; "
        f"sim {m.get('provenance', {}).get('version')}",
        "",
        "## Tipping point",
        "",
    ]
    lines += _tipping_lines(a, SUMMARY)
    lines += sensitivity_lines(a)
    lines += ["", "## Outcomes (mean and 95% confidence interval over replicates)", ""]
    lines += _markdown(point_table(a), a.varied, a.outcomes)
    lines += [
        "",
        "Outcomes: " + "; ".join(f"`{o}`: {_lower(SUMMARY.get(o, ''))}" for o in a.outcomes),
        "",
        "Re-run any single run from `runs.parquet` with "
        "`sim run --seed SEED --steps STEPS --set NAME=VALUE ...` using the row's seed and "
        "the spec's fixed and varied values.",
        "",
    ]
    path = a.root / "summary.md"
    with replacing(path) as tmp:
        tmp.write_text("\n".join(lines), encoding="utf-8")
    return path


def _tipping_lines(a: Analysis, summary: dict[str, str]) -> list[str]:
    if not a.tipping:
        return [a.tipping_note[:1].upper() + a.tipping_note[1:]]  # it says why
    out = [
        f"Value of `{a.along}` at which the mean of `{a.tipping_outcome}` "
        f"({_lower(summary.get(a.tipping_outcome, ''))}) crosses {a.threshold:g}, "
        f"with a {N_BOOT}-sample bootstrap 95% interval over replicates."
        + (
            " Non-spamming members are used because spammers drawn by the audience can hide "
            "the loss of the people who made the group."
            if a.tipping_outcome == "honest_ratio"
            else ""
        ),
        "",
        "| group | tipping point | 95% CI | bootstrap samples crossing | note |",
        "|---|---|---|---|---|",
    ]
    for t in a.tipping:
        out.append(
            f"| {t.label()} | {_num(t.estimate)} | {_num(t.lo)} to {_num(t.hi)} | "
            f"{t.crossed:.0%} | {t.note} |"
        )
    return out


def _lower(text: str) -> str:
    """A sentence as a clause: first letter lowered, final full stop dropped."""
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]


def _num(v: float) -> str:
    return "-" if not np.isfinite(v) else f"{v:.3g}"


def _markdown(
    table: pd.DataFrame, keys: list[str], outcomes: list[str], limit: int = 200
) -> list[str]:
    head = [*keys, "n", *outcomes]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in table.head(limit).iterrows():
        cells = [fmt_value(r[k]) for k in keys] + [str(int(r["n"]))]
        cells += [f"{_num(r[o])} [{_num(r[f'{o}_lo'])}, {_num(r[f'{o}_hi'])}]" for o in outcomes]
        out.append("| " + " | ".join(cells) + " |")
    if len(table) > limit:
        out.append(f"\n({len(table) - limit} more rows in aggregates.csv)")
    return out


def terminal_report(a: Analysis) -> str:
    """The tipping points in a few lines, for the end of `sim sweep` and `sim plot`."""
    if not a.tipping:
        return "\n".join([f"Tipping point: {a.tipping_note}", *sensitivity_terminal(a)])
    lines = [f"Tipping point: {a.along} at which mean {a.tipping_outcome} crosses {a.threshold:g}"]
    for t in a.tipping:
        ci = f"95% CI {_num(t.lo)} to {_num(t.hi)}" if np.isfinite(t.lo) else "no CI"
        extra = f"  ({t.note})" if t.note else ""
        lines.append(f"  {t.label():<40} {_num(t.estimate):>8}  {ci}{extra}")
    return "\n".join(lines + sensitivity_terminal(a))


def sensitivity_lines(a: Analysis) -> list[str]:
    """The summary's sensitivity section: the indices of each outcome, parameters by
    importance, each with the half-width of its 95% interval."""
    if a.sensitivity is None:
        note = a.sensitivity_note
        return ["", "## Sensitivity", "", f"Not computed: {note}"] if note else []
    s, res = a.sensitivity, a.manifest["resolved"]
    design = f"{res['n_points']} points x {res['replicates']} replicates"
    if s.kind == "sobol":
        cols = (("S1", "S1_conf"), ("ST", "ST_conf"))
        intro = (
            f"Sobol' indices from a Saltelli design of N = {res['sample']['n']} ({design}; a "
            "point's outcome is the mean over its replicates), estimated by SALib. `S1` is "
            "the share of the outcome's variance due to the parameter alone, `ST` with all "
            "its interactions; parameters by `ST`."
        )
    else:
        cols = (("mu_star", "mu_star_conf"), ("sigma", None), ("mu", None))
        intro = (
            f"Morris screening from {res['sample']['n']} trajectories ({design}), by SALib: "
            "`mu_star` is the mean absolute change of the outcome when the parameter crosses "
            "its range (in the outcome's units per whole range), `sigma` the spread of "
            "that change (interactions, non-linearity); parameters by `mu_star`."
        )
    lines = [
        "",
        "## Sensitivity",
        "",
        intro + " ± is the half-width of the 95% bootstrap "
        "interval. Table: `sensitivity.csv`; figure: `figures/sensitivity.png`.",
        "",
    ]
    lines += ["| outcome | parameter | " + " | ".join(c for c, _ in cols) + " |"]
    lines += ["|---|---|" + "---|" * len(cols)]
    for _, r in s.table.iterrows():
        cells = [_pm(r[c], r[conf] if conf else None) for c, conf in cols]
        lines.append(f"| {r['outcome']} | {r['parameter']} | " + " | ".join(cells) + " |")
    if s.second is not None:
        top = s.second.sort_values("S2", ascending=False).groupby("outcome").head(5)
        lines += ["", "Largest second-order indices (all in `sensitivity_second_order.csv`):", ""]
        lines += ["| outcome | pair | S2 |", "|---|---|---|"]
        lines += [
            f"| {r['outcome']} | {r['parameter']} x {r['other']} | {_pm(r['S2'], r['S2_conf'])} |"
            for _, r in top.iterrows()
        ]
    return lines + ([""] + s.notes if s.notes else [])


def _pm(value: float, conf: float | None) -> str:
    return f"{value:.3f}" + ("" if conf is None else f" ± {conf:.3f}")


def sensitivity_terminal(a: Analysis, top: int = 3) -> list[str]:
    """The most important parameters of each outcome, for the terminal."""
    s = a.sensitivity
    if s is None:
        return [f"Sensitivity: {a.sensitivity_note}"] if a.sensitivity_note else []
    out = [f"Sensitivity ({'Sobol ST' if s.kind == 'sobol' else 'Morris mu*'}, most important):"]
    conf = f"{s.rank_by}_conf"
    for outcome, g in s.table.groupby("outcome", sort=False):
        drivers = ", ".join(
            f"{r['parameter']} {_pm(r[s.rank_by], r[conf])}" for _, r in g.head(top).iterrows()
        )
        out.append(f"  {outcome}: {drivers}")
    return out
