"""Churn models: calibrated, explained churn probabilities for any customer feature table.

``ChurnModel`` follows scikit-learn's estimator contract (settings in ``__init__``, data in
``fit``, ``predict_proba``), adds ``explain`` (per-customer reasons), ``evaluate`` (AUC,
Brier, log loss, lift, calibration) and ``save`` / ``load`` (JSON, no pickle). The metric
functions also judge scores from other systems.

>>> from patron.analytics.churn import ChurnModel, lift_table  # doctest: +SKIP
"""

from __future__ import annotations

from patron.analytics.churn._errors import ChurnInputError
from patron.analytics.churn.metrics import (
    calibration_table,
    evaluate_scores,
    lift_at,
    lift_table,
)
from patron.analytics.churn.model import ChurnModel

__all__ = [
    "ChurnInputError",
    "ChurnModel",
    "calibration_table",
    "evaluate_scores",
    "lift_at",
    "lift_table",
]
