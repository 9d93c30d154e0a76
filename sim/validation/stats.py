"""Statistics over seeds: the mean of a per-run statistic with its 95% Student-t
interval, and the interval of an effect between two groups of runs.

Each run gives one value of a statistic; seeds are the replicates. Two groups that
differ in size are independent samples (Welch's interval of the difference of
means); two conditions run on the same seeds share their founders and draws, so their
per-seed differences are paired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.experiment.analysis import mean_ci

__all__ = ["LEVEL", "Estimate", "estimate", "paired", "ratio", "welch"]

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A statistic's mean over ``n`` runs and its 95% interval (NaN when undefined)."""

    mean: float
    lo: float
    hi: float
    n: int

    @property
    def defined(self) -> bool:
        """Whether the mean and both ends of the interval are numbers."""
        return all(math.isfinite(x) for x in (self.mean, self.lo, self.hi))

    def text(self, digits: int = 3) -> str:
        """``0.231 [0.220, 0.242]``: the mean and its interval."""
        if not math.isfinite(self.mean):
            return "not measurable"
        if not self.defined:
            return f"{self.mean:.{digits}f} [no interval: n = {self.n}]"
        return f"{self.mean:.{digits}f} [{self.lo:.{digits}f}, {self.hi:.{digits}f}]"


def _finite(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


def _t(dof: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2, dof))


def estimate(values: np.ndarray) -> Estimate:
    """Mean over runs and its Student-t interval (runs where the statistic is undefined,
    NaN, are left out and not counted)."""
    v = _finite(values)
    m, lo, hi = mean_ci(v, LEVEL)
    return Estimate(m, lo, hi, len(v))


def welch(a: np.ndarray, b: np.ndarray) -> Estimate:
    """Difference of means ``mean(a) - mean(b)`` of two independent groups of runs, with
    Welch's interval (unequal variances, Welch-Satterthwaite degrees of freedom)."""
    a, b = _finite(a), _finite(b)
    n = min(len(a), len(b))
    if len(a) == 0 or len(b) == 0:
        return Estimate(math.nan, math.nan, math.nan, n)
    diff = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return Estimate(diff, math.nan, math.nan, n)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se2 = va + vb
    if se2 == 0:
        return Estimate(diff, diff, diff, n)
    dof = se2**2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = _t(dof) * math.sqrt(se2)
    return Estimate(diff, diff - half, diff + half, n)


def _pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The seeds where both values are defined (``a[i]`` and ``b[i]`` share seed ``i``)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired statistics need one value per seed in both groups")
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def paired(a: np.ndarray, b: np.ndarray) -> Estimate:
    """Mean of the per-seed differences ``a - b`` and its Student-t interval."""
    a, b = _pairs(a, b)
    return estimate(a - b)


def ratio(a: np.ndarray, b: np.ndarray) -> Estimate:
    """Ratio of means minus one, ``mean(a) / mean(b) - 1``, over paired seeds, with
    Fieller's interval (a Student-t interval for a ratio; unbounded, NaN, when the
    denominator's mean is not clearly away from zero)."""
    a, b = _pairs(a, b)
    n = len(a)
    if n == 0 or b.mean() == 0:
        return Estimate(math.nan, math.nan, math.nan, n)
    ma, mb = float(a.mean()), float(b.mean())
    point = ma / mb - 1.0
    if n < 2:
        return Estimate(point, math.nan, math.nan, n)
    cov = np.cov(a, b, ddof=1) / n  # variances and covariance of the two means
    t2 = _t(n - 1) ** 2
    # (ma - r mb)^2 <= t^2 (vaa - 2 r vab + r^2 vbb): a quadratic in r
    qa = mb**2 - t2 * cov[1, 1]
    qb = -2.0 * (ma * mb - t2 * cov[0, 1])
    qc = ma**2 - t2 * cov[0, 0]
    disc = qb**2 - 4.0 * qa * qc
    if qa <= 0 or disc < 0:
        return Estimate(point, math.nan, math.nan, n)
    root = math.sqrt(disc)
    lo, hi = (-qb - root) / (2.0 * qa), (-qb + root) / (2.0 * qa)
    return Estimate(point, lo - 1.0, hi - 1.0, n)
