"""How good a churn score is: ranking (AUC, lift), probability accuracy (Brier, log loss,
calibration).

Retention teams act on the top of the list (call the riskiest 10 %), so lift says what the
model buys them; budgets use the probabilities themselves, so calibration is reported beside
ranking. All functions take labels ``y`` (0/1) and scores ``p`` as arrays, so they also judge
scores from other systems.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score


def _arrays(y: ArrayLike, p: ArrayLike, bins: int) -> tuple[NDArray[np.float64], NDArray[Any]]:
    labels = np.asarray(y, dtype=np.float64)
    scores = np.asarray(p, dtype=np.float64)
    if labels.shape != scores.shape or labels.ndim != 1:
        raise ValueError(
            f"y and p must be 1-D and equally long; got shapes {labels.shape}, {scores.shape}"
        )
    if len(labels) == 0:
        raise ValueError("y and p are empty")
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    return labels, scores


def _ranked_groups(scores: NDArray[np.float64], bins: int) -> list[NDArray[np.intp]]:
    # Highest scores first; a stable sort keeps ties in input order, so tables are repeatable.
    order = np.argsort(-scores, kind="stable")
    return [g for g in np.array_split(order, min(bins, len(order))) if len(g)]


def lift_table(y: ArrayLike, p: ArrayLike, bins: int = 10) -> pd.DataFrame:
    """Rows ranked by score and cut into ``bins`` equal groups, riskiest first.

    ``lift`` is the group's churn rate over the overall rate; ``cumulative_capture`` the
    share of all churners found by contacting this group and the ones above it.

    >>> t = lift_table([1, 0, 1, 0], [0.9, 0.2, 0.8, 0.1], bins=2)
    >>> t[["group", "rate", "lift", "cumulative_capture"]].to_dict("list")
    {'group': [1, 2], 'rate': [1.0, 0.0], 'lift': [2.0, 0.0], 'cumulative_capture': [1.0, 1.0]}
    """
    labels, scores = _arrays(y, p, bins)
    base = labels.mean()
    total = labels.sum()
    rows = []
    for i, group in enumerate(_ranked_groups(scores, bins), start=1):
        rows.append(
            {
                "group": i,
                "rows": len(group),
                "min_score": scores[group].min(),
                "max_score": scores[group].max(),
                "mean_score": scores[group].mean(),
                "positives": int(labels[group].sum()),
                "rate": labels[group].mean(),
            }
        )
    table = pd.DataFrame(rows)
    table["lift"] = table["rate"] / base if base > 0 else np.nan
    cumulative = table["positives"].cumsum()
    table["cumulative_positives"] = cumulative
    table["cumulative_capture"] = cumulative / total if total > 0 else np.nan
    table["cumulative_lift"] = (cumulative / table["rows"].cumsum()) / base if base > 0 else np.nan
    return table


def lift_at(y: ArrayLike, p: ArrayLike, fraction: float = 0.1) -> float:
    """Churn rate among the top ``fraction`` of scores over the overall rate.

    >>> lift_at([1, 0, 0, 0], [0.9, 0.1, 0.2, 0.3], fraction=0.25)
    4.0
    """
    labels, scores = _arrays(y, p, 1)
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    top = max(1, int(np.ceil(fraction * len(labels))))
    chosen = np.argsort(-scores, kind="stable")[:top]
    base = labels.mean()
    return float(labels[chosen].mean() / base) if base > 0 else float("nan")


def calibration_table(
    y: ArrayLike, p: ArrayLike, bins: int = 10, strategy: str = "quantile"
) -> pd.DataFrame:
    """Mean predicted probability against the observed churn rate, per bin of prediction.

    ``strategy="quantile"`` (default) makes bins of equal row counts, which stays informative
    when churn is rare and most predictions sit below 0.1; ``"uniform"`` cuts [0, 1] into
    equal widths (the classic reliability diagram) and drops empty bins.

    >>> calibration_table([0, 1, 0, 1], [0.1, 0.2, 0.7, 0.9], bins=2)["observed_rate"].tolist()
    [0.5, 0.5]
    """
    labels, scores = _arrays(y, p, bins)
    if strategy == "quantile":
        order = np.argsort(scores, kind="stable")
        groups = [g for g in np.array_split(order, min(bins, len(order))) if len(g)]
    elif strategy == "uniform":
        which = np.clip(np.floor(scores * bins).astype(int), 0, bins - 1)
        groups = [np.flatnonzero(which == b) for b in range(bins)]
        groups = [g for g in groups if len(g)]
    else:
        raise ValueError(f"strategy must be 'quantile' or 'uniform', got {strategy!r}")
    table = pd.DataFrame(
        [
            {
                "bin": i,
                "rows": len(g),
                "min_predicted": scores[g].min(),
                "max_predicted": scores[g].max(),
                "mean_predicted": scores[g].mean(),
                "observed_rate": labels[g].mean(),
            }
            for i, g in enumerate(groups, start=1)
        ]
    )
    table["difference"] = table["observed_rate"] - table["mean_predicted"]
    return table


def evaluate_scores(y: ArrayLike, p: ArrayLike, bins: int = 10) -> dict[str, Any]:
    """Every metric of a churn score at once: scalars plus the lift and calibration tables.

    ``ece`` (expected calibration error) is the row-weighted mean absolute ``difference`` of
    the calibration table. AUC and log loss need both classes in ``y``.
    """
    labels, scores = _arrays(y, p, bins)
    if len(np.unique(labels)) < 2:
        raise ValueError("y has only one class; AUC and lift need churners and non-churners")
    calibration = calibration_table(labels, scores, bins)
    return {
        "rows": len(labels),
        "positive_rate": float(labels.mean()),
        "mean_predicted": float(scores.mean()),
        "auc": float(roc_auc_score(labels, scores)),
        "brier": float(brier_score_loss(labels, scores)),
        "log_loss": float(log_loss(labels, scores, labels=[0, 1])),
        "lift_top_10pct": lift_at(labels, scores, 0.1),
        "ece": float(np.average(calibration["difference"].abs(), weights=calibration["rows"])),
        "lift_table": lift_table(labels, scores, bins),
        "calibration_table": calibration,
    }


def scalar_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """The numbers of ``evaluate_scores``' result (no tables), for JSON metadata."""
    return {k: float(v) for k, v in metrics.items() if isinstance(v, int | float)}
