"""What a sweep found: outcomes aggregated over replicates, confidence intervals, and
where the group tips into collapse.

Everything here reads a results folder (``runs.parquet``, ``timeseries.parquet`` and
``manifest.json``) and returns tidy tables; ``sim.experiment.report`` draws them
and writes ``figures/``, ``summary.md`` and ``aggregates.csv``.

The tipping point is the value of one numeric parameter at which the mean of an
outcome across replicates first crosses a threshold (linear interpolation between
neighbouring levels), with a percentile bootstrap interval obtained by resampling
the replicates at each level. The outcome, the threshold and the parameter to look
along default to the spec's ``[analysis]`` (whose own defaults live in
``sim.experiment.spec``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError, did_you_mean
from sim.experiment.sensitivity import Sensitivity, of_results
from sim.experiment.spec import (
    DEFAULT_OUTCOMES,
    DEFAULT_THRESHOLD,
    DEFAULT_TIPPING,
    outcome_names,
)
from sim.experiment.store import (
    MANIFEST,
    RUNS,
    consolidate,
    iter_timeseries,
    read_manifest,
    read_runs,
)
from sim.model.metrics import NEVER
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
    "wilson",
    "tipping_points",
    "tipping_table",
    "point_table",
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
        return point_label(self.group) or "all runs"


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
    sensitivity: Sensitivity | None = None  # a SALib design's indices
    sensitivity_note: str = ""

    @property
    def numeric(self) -> list[str]:
        return [v for v in self.varied if _is_numeric(v)]

    @property
    def categorical(self) -> list[str]:
        return [v for v in self.varied if not _is_numeric(v)]


def _is_numeric(name: str) -> bool:
    return PARAMS[name].type in (int, float) if name in PARAMS else True


def point_label(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={fmt_value(v)}" for k, v in values.items())


def point_labels(df: pd.DataFrame, cols: list[str]) -> pd.Series | str:
    """Each row's values of ``cols`` as a label (``policy=none, ...``); "" without columns."""
    if not cols:
        return ""
    return df[cols].apply(lambda r: point_label(r.to_dict()), axis=1)


def fmt_value(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return f"{float(v):.4g}"
    return str(v)


# ------------------------------------------------------------------------------ numbers
def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its confidence interval: Student-t, or Wilson's score interval for a
    share of 0/1 values (which stays within [0, 1] and is not empty at 0 or 1).
    NaN bounds with fewer than 2 values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    m = float(v.mean())
    if len(v) >= 2 and np.all((v == 0) | (v == 1)):
        return (m, *wilson(m, len(v), level))
    if len(v) < 2:
        return m, math.nan, math.nan
    half = _t_quantile(0.5 + level / 2, len(v) - 1) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return m, m - half, m + half


def wilson(share: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval of a share observed in ``n`` trials."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


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
            values = g[o].astype(float).to_numpy()
            if o in NEVER:  # runs where it never happened have no value to average
                values = values[values != NEVER[o]]
            row[o], row[f"{o}_lo"], row[f"{o}_hi"] = mean_ci(values)
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
        outcomes=list(settings.get("outcomes", DEFAULT_OUTCOMES)),
        tipping_outcome=outcome or settings.get("tipping", DEFAULT_TIPPING),
        threshold=settings.get("threshold", DEFAULT_THRESHOLD) if threshold is None else threshold,
        along=along or settings.get("along"),
    )
    _check_choice(a, outcome, threshold, along)
    _find_tipping(a, n_boot)
    a.sensitivity, a.sensitivity_note = of_results(manifest["resolved"], a.runs, a.outcomes)
    return a


def _in_spec_order(runs: pd.DataFrame, vary: list[dict[str, Any]]) -> pd.DataFrame:
    """Categorical parameters as ordered categories, in the order the spec lists them
    (so lines and tables read none, etiquette, moderated rather than alphabetically)."""
    for d in vary:
        name = d["name"]
        if name in runs and not _is_numeric(name) and d.get("values"):
            runs[name] = pd.Categorical(runs[name], categories=d["values"], ordered=True)
    return runs


def _check_choice(
    a: Analysis, outcome: str | None, threshold: float | None, along: str | None
) -> None:
    """Refuse a tipping outcome that is not an outcome (a parameter, a typo) and a threshold
    that no mean can cross (nan, inf), before anything is written."""
    if outcome is not None and (outcome not in outcome_names() or outcome not in a.runs.columns):
        known = [o for o in outcome_names() if o in a.runs.columns]
        hint = did_you_mean(outcome, known)
        raise UserError(
            f"--outcome {outcome!r} is not a per-run outcome of these results.{hint} "
            f"Outcomes: {', '.join(known)}."
        )
    if threshold is not None and not math.isfinite(threshold):
        raise UserError(f"--threshold must be a finite number, got {threshold!r}.")
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
    agg["series"] = point_labels(agg, series)
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


def tipping_table(a: Analysis) -> pd.DataFrame:
    """The tipping outcome against ``along``, one series per tipping group."""
    assert a.along is not None
    groups = [v for v in a.varied if v != a.along]
    data = a.runs.assign(**{a.along: levels(a.runs[a.along])})
    agg = aggregate(data, [*groups, a.along], [a.tipping_outcome])
    agg["series"] = point_labels(agg, groups)
    return agg


def point_table(a: Analysis) -> pd.DataFrame:
    """Aggregates per point (every varied parameter), for aggregates.csv and summary.md."""
    if not a.varied:
        return aggregate(a.runs, [], a.outcomes)
    return aggregate(a.runs, a.varied, a.outcomes)
