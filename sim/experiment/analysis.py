"""What a sweep found: outcomes aggregated over replicates, confidence intervals, and
where the group tips into collapse.

Everything here reads a results folder (``runs.parquet``, ``timeseries.parquet`` and
``manifest.json``) and returns tidy tables; ``sim.figures.plots`` draws them and
``write_report`` writes ``figures/``, ``summary.md`` and ``aggregates.csv``.

The tipping point is the value of one numeric parameter at which the mean of an
outcome across replicates first crosses a threshold (linear interpolation between
neighbouring levels), with a percentile bootstrap interval obtained by resampling
the replicates at each level. The default outcome is ``honest_ratio`` (final over
initial non-spamming members), not ``members_ratio``: spammers drawn by the audience
can hide the loss of the people who made the group.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.experiment.store import (
    MANIFEST,
    RUNS,
    consolidate,
    iter_timeseries,
    read_manifest,
    read_runs,
)
from sim.model.params import PARAMS

__all__ = [
    "Analysis",
    "Tipping",
    "aggregate",
    "analyse",
    "crossing",
    "envelopes",
    "levels",
    "mean_ci",
    "tipping_points",
    "write_report",
]

MAX_LEVELS = 12  # a numeric parameter with more distinct values is binned
BINS = 10
MAX_SERIES = 12  # lines in one panel
MAX_LINES = 8  # envelopes in one panel
ENVELOPE_METRICS = ("honest_members", "quality", "spam_share", "engagement")
N_BOOT = 2000


@dataclass
class Tipping:
    """A tipping point: where ``outcome`` crosses ``threshold`` along ``along``."""

    along: str
    outcome: str
    threshold: float
    group: dict[str, Any]
    estimate: float
    lo: float
    hi: float
    crossed: float  # share of bootstrap samples whose curve crosses
    note: str = ""

    def label(self) -> str:
        return _label(self.group) or "all runs"


@dataclass
class Analysis:
    """A results folder, read and summarised."""

    root: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame  # runs with status ok
    failed: int
    varied: list[str]
    outcomes: list[str]
    tipping_outcome: str
    threshold: float
    along: str | None
    tipping: list[Tipping] = field(default_factory=list)
    tipping_note: str = ""

    @property
    def numeric(self) -> list[str]:
        return [v for v in self.varied if _is_numeric(v)]

    @property
    def categorical(self) -> list[str]:
        return [v for v in self.varied if not _is_numeric(v)]


def _is_numeric(name: str) -> bool:
    return PARAMS[name].type in (int, float) if name in PARAMS else True


def _label(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())


def _labels(df: pd.DataFrame, cols: list[str]) -> pd.Series | str:
    """Each row's values of ``cols`` as a label (``policy=none, ...``); "" without columns."""
    if not cols:
        return ""
    return df[cols].apply(lambda r: _label(r.to_dict()), axis=1)


def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return f"{float(v):.4g}"
    return str(v)


# ------------------------------------------------------------------------------ numbers
def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its Student-t confidence interval (NaN bounds with fewer than 2 values)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if len(v) < 2:
        return m, math.nan, math.nan
    half = _t_quantile(0.5 + level / 2, len(v) - 1) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return m, m - half, m + half


@functools.lru_cache(maxsize=256)
def _t_quantile(q: float, dof: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(q, dof))


def levels(values: pd.Series, max_levels: int = MAX_LEVELS, bins: int = BINS) -> pd.Series:
    """A numeric column as levels: itself if it has few distinct values (a grid), else
    the centre of its bin among ``bins`` equal-width bins (a sampled design)."""
    if values.nunique() <= max_levels or not pd.api.types.is_numeric_dtype(values):
        return values
    lo, hi = float(values.min()), float(values.max())
    edges = np.linspace(lo, hi, bins + 1)
    idx = np.searchsorted(edges, values.to_numpy(dtype=float), side="right") - 1
    idx = np.clip(idx, 0, bins - 1)
    centres = (edges[:-1] + edges[1:]) / 2
    return pd.Series(centres[idx], index=values.index, name=values.name)


def aggregate(runs: pd.DataFrame, by: list[str], outcomes: list[str]) -> pd.DataFrame:
    """Mean and 95% CI of each outcome per combination of ``by``: columns ``by``, ``n``,
    ``<outcome>``, ``<outcome>_lo``, ``<outcome>_hi``."""
    rows = []
    groups = runs.groupby(by, sort=True, observed=True) if by else [((), runs)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(by, key, strict=True))
        row["n"] = len(g)
        for o in outcomes:
            row[o], row[f"{o}_lo"], row[f"{o}_hi"] = mean_ci(g[o].astype(float).to_numpy())
        rows.append(row)
    return pd.DataFrame(rows)


def crossing(x: np.ndarray, y: np.ndarray, threshold: float) -> np.ndarray:
    """Where each curve first crosses ``threshold`` (linear interpolation), NaN if never.

    ``x`` are sorted levels; ``y`` is one curve (1-D) or one curve per row (2-D). A
    curve crosses where it first falls on the other side of the threshold from where
    it starts.
    """
    x = np.asarray(x, dtype=float)
    y = np.atleast_2d(np.asarray(y, dtype=float))
    below = y < threshold
    changed = below != below[:, :1]
    has = changed.any(axis=1)
    k = np.where(has, changed.argmax(axis=1), 1)
    rows = np.arange(len(y))
    y0, y1 = y[rows, k - 1], y[rows, k]
    x0, x1 = x[k - 1], x[k]
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = x0 + (threshold - y0) * (x1 - x0) / (y1 - y0)
    return np.where(has, cross, np.nan)


def tipping_points(
    runs: pd.DataFrame,
    along: str,
    by: list[str],
    outcome: str,
    threshold: float,
    n_boot: int = N_BOOT,
    seed: int = 0,
) -> list[Tipping]:
    """The tipping point per group of ``by``, with a bootstrap 95% interval.

    Each bootstrap sample resamples, with replacement, the replicates at every level
    of ``along`` and finds where the resampled mean curve crosses.
    """
    rng = np.random.default_rng(seed)
    data = runs.assign(_x=levels(runs[along]))
    out = []
    groups = data.groupby(by, sort=True, observed=True) if by else [((), data)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        group = dict(zip(by, key, strict=True))
        per_level = [
            (float(x), v[outcome].astype(float).dropna().to_numpy())
            for x, v in g.groupby("_x", sort=True)
        ]
        per_level = [(x, v) for x, v in per_level if len(v)]
        out.append(_tip(per_level, along, outcome, threshold, group, n_boot, rng))
    return out


def _tip(
    per_level: list[tuple[float, np.ndarray]],
    along: str,
    outcome: str,
    threshold: float,
    group: dict[str, Any],
    n_boot: int,
    rng: np.random.Generator,
) -> Tipping:
    nan = math.nan
    if len(per_level) < 2:
        return Tipping(along, outcome, threshold, group, nan, nan, nan, 0.0, "fewer than 2 levels")
    xs = np.array([x for x, _ in per_level])
    means = np.array([v.mean() for _, v in per_level])
    estimate = float(crossing(xs, means, threshold)[0])
    boot = np.empty((n_boot, len(xs)))
    for j, (_, v) in enumerate(per_level):
        boot[:, j] = v[rng.integers(0, len(v), size=(n_boot, len(v)))].mean(axis=1)
    crosses = crossing(xs, boot, threshold)
    ok = crosses[np.isfinite(crosses)]
    share = len(ok) / n_boot
    lo, hi = (nan, nan)
    if len(ok):
        lo, hi = float(np.percentile(ok, 2.5)), float(np.percentile(ok, 97.5))
    note = ""
    if not np.isfinite(estimate):
        side = "below" if means[0] < threshold else "above"
        note = f"no crossing: {side} {threshold:g} over the whole range"
    elif share < 0.95:
        note = f"only {share:.0%} of bootstrap samples cross"
    return Tipping(along, outcome, threshold, group, estimate, lo, hi, share, note)


# ---------------------------------------------------------------------------- analysis
def analyse(
    root: Path,
    outcome: str | None = None,
    threshold: float | None = None,
    along: str | None = None,
    n_boot: int = N_BOOT,
) -> Analysis:
    """Read a results folder and compute its aggregates and tipping points.

    ``outcome``, ``threshold`` and ``along`` default to the spec's ``[analysis]``.
    """
    root = Path(root)
    manifest = read_manifest(root)
    if manifest is None:
        raise UserError(f"{root} has no {MANIFEST}; give the folder a sweep wrote its results to.")
    consolidate(root)  # a sweep killed before it could merge its last runs
    if not (root / RUNS).exists():
        raise UserError(f"{root} has no runs yet; run the sweep first.")
    runs = _in_spec_order(read_runs(root), manifest["resolved"]["vary"])
    settings = manifest["resolved"].get("analysis", {})
    varied = [d["name"] for d in manifest["resolved"]["vary"]]
    a = Analysis(
        root=root,
        manifest=manifest,
        runs=runs[runs["status"] == "ok"].reset_index(drop=True),
        failed=int((runs["status"] != "ok").sum()),
        varied=varied,
        outcomes=list(settings.get("outcomes", ["honest_ratio"])),
        tipping_outcome=outcome or settings.get("tipping", "honest_ratio"),
        threshold=settings.get("threshold", 0.5) if threshold is None else threshold,
        along=along or settings.get("along"),
    )
    _check_choice(a, outcome, along)
    _find_tipping(a, n_boot)
    return a


def _in_spec_order(runs: pd.DataFrame, vary: list[dict[str, Any]]) -> pd.DataFrame:
    """Categorical parameters as ordered categories, in the order the spec lists them
    (so lines and tables read none, etiquette, moderated rather than alphabetically)."""
    for d in vary:
        name = d["name"]
        if name in runs and not _is_numeric(name) and d.get("values"):
            runs[name] = pd.Categorical(runs[name], categories=d["values"], ordered=True)
    return runs


def _check_choice(a: Analysis, outcome: str | None, along: str | None) -> None:
    if outcome is not None and outcome not in a.runs.columns:
        raise UserError(f"--outcome {outcome!r} is not a per-run outcome of these results.")
    if along is not None and along not in a.numeric:
        listed = ", ".join(a.numeric) or "none"
        raise UserError(f"--along must be a numeric varied parameter ({listed}), got {along!r}.")


def _find_tipping(a: Analysis, n_boot: int) -> None:
    if not a.numeric:
        a.tipping_note = "no numeric parameter varies, so there is no tipping point to find."
        return
    along = a.along or a.numeric[0]
    a.along = along
    others = [v for v in a.varied if v != along]
    many = [v for v in others if a.runs[v].nunique() > MAX_LEVELS]
    if many:
        a.tipping_note = (
            f"not estimated: {', '.join(many)} also vary over many values (a sampled design); "
            "tipping points need one numeric parameter varied with the others at a few levels."
        )
        return
    if len(a.runs) == 0:
        a.tipping_note = "no successful runs."
        return
    seed = int(a.manifest["resolved"].get("seed", 0))
    a.tipping = tipping_points(
        a.runs, along, others, a.tipping_outcome, a.threshold, n_boot=n_boot, seed=seed
    )


def series_for(a: Analysis, x: str) -> list[str]:
    """The parameters that split lines when plotting against ``x``: categorical ones, and
    numeric ones with few levels while the number of lines stays readable."""
    cat = [v for v in a.varied if v != x and not _is_numeric(v)]
    num = [v for v in a.varied if v != x and _is_numeric(v) and a.runs[v].nunique() <= 6]
    cols = cat + num
    while cols and _combos(a.runs, cols) > MAX_SERIES:
        cols = cols[:-1]
    return cols


def _combos(runs: pd.DataFrame, cols: list[str]) -> int:
    return len(runs[cols].drop_duplicates()) if cols else 1


def outcome_table(a: Analysis, x: str) -> tuple[pd.DataFrame, list[str]]:
    """Aggregates of every outcome against ``x`` (levelled), one row per series and level."""
    series = series_for(a, x)
    data = a.runs.assign(**{x: levels(a.runs[x])})
    agg = aggregate(data, [*series, x], a.outcomes)
    agg["series"] = _labels(agg, series)
    return agg, series


def envelopes(a: Analysis, metric: str) -> pd.DataFrame:
    """Median and interquartile band of ``metric`` per point and day: columns ``point``,
    ``day``, ``q25``, ``q50``, ``q75``. Reads one measure at a time from disk."""
    point_of = a.runs.set_index("run_id")["point"]
    frames = []
    for table in iter_timeseries(a.root, columns=["run_id", "day", metric]):
        df = table.to_pandas()
        df = df[df["run_id"].isin(point_of.index)]
        frames.append(df.assign(point=point_of.loc[df["run_id"]].to_numpy()))
    if not frames:
        return pd.DataFrame(columns=["point", "day", "q25", "q50", "q75"])
    data = pd.concat(frames, ignore_index=True)
    q = data.groupby(["point", "day"])[metric].quantile([0.25, 0.5, 0.75]).unstack()
    q.columns = ["q25", "q50", "q75"]
    return q.reset_index()


def recorded_metrics(a: Analysis) -> list[str]:
    """Measures the sweep recorded, the four that tell a group's health first."""
    kept = a.manifest["resolved"]["record"]["metrics"]
    main = [m for m in ENVELOPE_METRICS if m in kept]
    return main or kept[:4]


# ------------------------------------------------------------------------------ report
def write_report(a: Analysis) -> list[Path]:
    """Write the figures, ``summary.md`` and ``aggregates.csv``; return the paths written."""
    from sim.figures import plots

    figures = a.root / "figures"
    figures.mkdir(exist_ok=True)
    written: list[Path] = []
    if len(a.runs) == 0:
        return [_write_summary(a)]
    for x in a.varied:
        agg, series = outcome_table(a, x)
        path = figures / f"outcomes_vs_{x}.png"
        _close(plots.plot_outcomes(agg, x, a.outcomes, path, title=_title(a, series)))
        written.append(path)
    if a.tipping:
        agg = _tipping_table(a)
        path = figures / f"tipping_{a.tipping_outcome}_vs_{a.along}.png"
        tips = pd.DataFrame([{"series": _label(t.group), **vars(t)} for t in a.tipping])
        _close(plots.plot_tipping(agg, a.along, a.tipping_outcome, a.threshold, tips, path))
        written.append(path)
    written += _heatmap(a, figures)
    written += _envelopes(a, figures)
    written.append(_write_aggregates(a))
    written.append(_write_summary(a))
    return written


def _close(fig: Any) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def _tipping_table(a: Analysis) -> pd.DataFrame:
    """The tipping outcome against ``along``, one series per tipping group."""
    assert a.along is not None
    groups = [v for v in a.varied if v != a.along]
    data = a.runs.assign(**{a.along: levels(a.runs[a.along])})
    agg = aggregate(data, [*groups, a.along], [a.tipping_outcome])
    agg["series"] = _labels(agg, groups)
    return agg


def _title(a: Analysis, series: list[str]) -> str:
    name = a.manifest.get("name", "")
    rest = [v for v in a.varied if v not in series]
    note = " (averaged over the other varied parameters)" if len(rest) > 1 else ""
    return f"{name}: mean and 95% CI over replicates{note}"


def _heatmap(a: Analysis, figures: Path) -> list[Path]:
    from sim.figures import plots

    if len(a.numeric) != 2:
        return []
    x, y = a.numeric
    panels = [v for v in a.categorical]
    data = a.runs.assign(**{x: levels(a.runs[x]), y: levels(a.runs[y])})
    cells = aggregate(data, [*panels, x, y], [a.tipping_outcome])
    cells["panel"] = _labels(cells, panels)
    path = figures / f"heatmap_{a.tipping_outcome}_{x}_{y}.png"
    _close(plots.plot_heatmap(cells, x, y, a.tipping_outcome, path, threshold=a.threshold))
    return [path]


def _envelopes(a: Analysis, figures: Path) -> list[Path]:
    from sim.figures import plots

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
        env["panel"] = _labels(env, panel_cols)
        env["line"] = (
            _labels(env, line_cols) if len(line_cols) <= 2 else "point " + env["point"].astype(str)
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


def point_table(a: Analysis) -> pd.DataFrame:
    """Aggregates per point (every varied parameter), for aggregates.csv and summary.md."""
    if not a.varied:
        return aggregate(a.runs, [], a.outcomes)
    return aggregate(a.runs, a.varied, a.outcomes)


def _write_aggregates(a: Analysis) -> Path:
    path = a.root / "aggregates.csv"
    point_table(a).to_csv(path, index=False)
    return path


def _write_summary(a: Analysis) -> Path:
    from sim.model.metrics import SUMMARY

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
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _tipping_lines(a: Analysis, summary: dict[str, str]) -> list[str]:
    if not a.tipping:
        return [f"Not estimated: {a.tipping_note}"]
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
        cells = [_fmt(r[k]) for k in keys] + [str(int(r["n"]))]
        cells += [f"{_num(r[o])} [{_num(r[f'{o}_lo'])}, {_num(r[f'{o}_hi'])}]" for o in outcomes]
        out.append("| " + " | ".join(cells) + " |")
    if len(table) > limit:
        out.append(f"\n({len(table) - limit} more rows in aggregates.csv)")
    return out


def terminal_report(a: Analysis) -> str:
    """The tipping points in a few lines, for the end of `sim sweep` and `sim plot`."""
    if not a.tipping:
        return f"Tipping point: {a.tipping_note}"
    lines = [f"Tipping point: {a.along} at which mean {a.tipping_outcome} crosses {a.threshold:g}"]
    for t in a.tipping:
        ci = f"95% CI {_num(t.lo)} to {_num(t.hi)}" if np.isfinite(t.lo) else "no CI"
        extra = f"  ({t.note})" if t.note else ""
        lines.append(f"  {t.label():<40} {_num(t.estimate):>8}  {ci}{extra}")
    return "\n".join(lines)
