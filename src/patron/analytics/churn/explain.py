"""Per-customer reasons for a churn score, in a table a UI can show as is.

The reasons are LightGBM's SHAP values (``pred_contrib=True``): each feature's contribution
to the row's log-odds, measured from the average score, so a contribution of +1.3 means
"this value makes churn e^1.3 ≈ 3.7 times more likely in odds than for a typical customer".
They explain the booster's raw log-odds; calibration afterwards is monotone, so a reason that
pushes the log-odds up never pushes the calibrated probability down.
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray


def format_value(value: Any) -> str:
    """A feature value as a person reads it: whole numbers without ".0", four significant
    digits otherwise, and "missing" for NaN / None.

    >>> [format_value(v) for v in (210.0, 0.123456, float("nan"), "web", 123456.0)]
    ['210', '0.1235', 'missing', 'web', '123456']
    """
    if value is None or (isinstance(value, Number) and pd.isna(value)):
        return "missing"
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, Number):
        number = float(value)  # type: ignore[arg-type]
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return np.format_float_positional(number, precision=4, fractional=False, trim="-")
    if pd.isna(value):
        return "missing"
    return str(value)


def reasons_frame(
    contributions: NDArray[np.float64],
    X: pd.DataFrame,
    probability: NDArray[np.float64],
    top: int,
) -> pd.DataFrame:
    """The wide reasons table: for each row, the ``top`` features by contribution, largest
    first (most towards churn), with the row's value and a text such as
    ``"recency_days = 210 (+1.32)"``.

    ``contributions`` is LightGBM's ``pred_contrib`` output (rows × (features + 1), the last
    column the base value), ``X`` the selected feature columns in the same order.
    Columns: ``probability``, ``base_log_odds``, then per rank k ``reason_k``,
    ``reason_k_value``, ``reason_k_contribution``, ``reason_k_text``, and ``reasons`` (the
    texts joined by "; "). Rows keep ``X``'s index, so the table joins back to customers.
    """
    features = contributions[:, :-1]
    names = np.asarray(X.columns, dtype=object)
    top = max(1, min(top, features.shape[1]))
    # Descending by contribution; a stable sort on the negation keeps column order for ties.
    ranked = np.argsort(-features, axis=1, kind="stable")[:, :top]
    rows = np.arange(len(X))
    out: dict[str, Any] = {
        "probability": probability,
        "base_log_odds": contributions[:, -1],
    }
    columns = [X.iloc[:, j].to_numpy(dtype=object) for j in range(X.shape[1])]
    texts: list[list[str]] = []
    for k in range(top):
        which = ranked[:, k]
        values = [columns[j][i] for i, j in zip(rows, which, strict=True)]
        amounts = features[rows, which]
        text = [
            f"{name} = {format_value(v)} ({a:+.2f})"
            for name, v, a in zip(names[which], values, amounts, strict=True)
        ]
        out[f"reason_{k + 1}"] = names[which]
        out[f"reason_{k + 1}_value"] = pd.array(values, dtype=object)
        out[f"reason_{k + 1}_contribution"] = amounts
        out[f"reason_{k + 1}_text"] = text
        texts.append(text)
    out["reasons"] = ["; ".join(parts) for parts in zip(*texts, strict=True)]
    return pd.DataFrame(out, index=X.index)
