"""Watching models decay: drift of their inputs and scores (population stability index) and
their performance once the outcomes of an earlier scoring are known."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

# The usual reading of PSI: below 0.1 stable, 0.1-0.25 worth a look, above 0.25 shifted.
PSI_WATCH, PSI_ALERT = 0.1, 0.25
_EPS = 1e-4  # an empty bin counts as this share, so the logarithm stays finite


def psi(expected: ArrayLike, actual: ArrayLike, bins: int = 10) -> float:
    """Population stability index of ``actual`` against ``expected``.

    Bins are quantiles of ``expected`` (equal shares there), so a shift shows wherever the
    mass was; missing values form a bin of their own, so a feature going missing is drift.
    Values equal to a bin edge fall on one side consistently, which keeps many ties (counts of
    zero) in one bin.
    """
    e = pd.to_numeric(pd.Series(np.asarray(expected, dtype=float)), errors="coerce")
    a = pd.to_numeric(pd.Series(np.asarray(actual, dtype=float)), errors="coerce")
    if e.notna().sum() == 0 or len(a) == 0:
        return float("nan")
    edges = np.unique(np.nanquantile(e, np.linspace(0, 1, bins + 1)[1:-1]))

    def shares(values: pd.Series) -> np.ndarray:
        present = values.dropna().to_numpy()
        counts = np.bincount(np.searchsorted(edges, present, side="right"),
                             minlength=len(edges) + 1).astype(float)  # fmt: skip
        counts = np.append(counts, values.isna().sum())
        return np.maximum(counts / max(len(values), 1), _EPS)

    p, q = shares(e), shares(a)
    return float(np.sum((q - p) * np.log(q / p)))


SCORE_BINS = 20  # equal-width bins of a probability


def score_shares(probabilities: ArrayLike, bins: int = SCORE_BINS) -> list[float]:
    """Shares of probabilities in equal-width bins over [0, 1]: what a model keeps of its
    score distribution, so later runs can measure drift against it."""
    values = np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0)
    counts, _ = np.histogram(values[np.isfinite(values)], bins=bins, range=(0.0, 1.0))
    return (counts / max(counts.sum(), 1)).round(8).tolist()


def psi_of_shares(expected: ArrayLike, actual: ArrayLike) -> float:
    """PSI between two distributions given as shares of the same bins."""
    p = np.maximum(np.asarray(expected, dtype=float), _EPS)
    q = np.maximum(np.asarray(actual, dtype=float), _EPS)
    return float(np.sum((q - p) * np.log(q / p)))


def input_drift(
    before: pd.DataFrame, after: pd.DataFrame, columns: Iterable[str], bins: int = 10
) -> dict[str, float]:
    """PSI per column between two feature snapshots."""
    return {c: round(psi(before[c], after[c], bins), 6) for c in columns}


def drift_level(value: float) -> str:
    """ "stable", "watch" or "alert" for a PSI value."""
    if not np.isfinite(value) or value < PSI_WATCH:
        return "stable"
    return "watch" if value < PSI_ALERT else "alert"
