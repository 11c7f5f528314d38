"""Input checks shared by the CLV models.

The models accept NumPy arrays, pandas Series or plain sequences. Bad summaries are common
(recency computed from the wrong end date, spend copied into frequency, unparsed dates left as
NaN), and a maximum-likelihood fit on them fails far from the cause or, worse, succeeds with
nonsense parameters, so every check names the argument, how many rows break it and the first
such row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def as_float_array(name: str, values: Any) -> FloatArray:
    """``values`` as a float array (0-d for a scalar), with no NaN or infinity."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected numbers, got values that are not ({exc})") from None
    if array.ndim > 1:
        raise ValueError(f"{name}: expected one value per customer, got shape {array.shape}")
    _reject(name, ~np.isfinite(array), "missing (NaN) or infinite; fill or drop those customers")
    return array


def _reject(name: str, bad: BoolArray, problem: str) -> None:
    count = int(np.count_nonzero(bad))
    if count:
        first = int(np.flatnonzero(np.atleast_1d(bad))[0])
        rows = "row is" if count == 1 else "rows are"
        raise ValueError(f"{name}: {count} {rows} {problem} (first at position {first})")


def check_frequency(frequency: Any) -> FloatArray:
    """Repeat-purchase counts: whole numbers, not negative."""
    x = as_float_array("frequency", frequency)
    _reject("frequency", x < 0, "negative; frequency counts repeat purchases")
    _reject(
        "frequency",
        x != np.round(x),
        "not whole numbers; frequency counts repeat purchases (periods with a purchase, minus 1)",
    )
    return x


def check_rfm(frequency: Any, recency: Any, T: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(frequency, recency, T) broadcast to one shape, each checked against the others.

    recency is the time from the first to the last purchase and T the time from the first
    purchase to the end of observation, both in the same unit, so 0 <= recency <= T, and a
    customer with no repeat purchase has recency 0.
    """
    x = check_frequency(frequency)
    t_x = as_float_array("recency", recency)
    age = as_float_array("T", T)
    try:
        x, t_x, age = np.broadcast_arrays(x, t_x, age)
    except ValueError:
        raise ValueError(
            "frequency, recency and T must have one value per customer each, got lengths "
            f"{np.size(frequency)}, {np.size(recency)} and {np.size(T)}"
        ) from None
    _reject("T", age < 0, "negative; T is the time since the customer's first purchase")
    _reject("recency", t_x < 0, "negative; recency is the time from first to last purchase")
    _reject(
        "recency",
        t_x > age,
        "greater than T; recency (first to last purchase) cannot exceed T (first purchase "
        "to the end of observation): check both use the same end date and time unit",
    )
    _reject(
        "recency",
        (x == 0) & (t_x != 0),
        "non-zero for customers with frequency 0; with no repeat purchase recency is 0",
    )
    return x, t_x, age


def check_fit_rfm(
    frequency: Any, recency: Any, T: Any
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """As check_rfm, for fitting: one-dimensional and not empty."""
    x, t_x, age = check_rfm(frequency, recency, T)
    if x.ndim != 1 or x.size == 0:
        raise ValueError("frequency, recency and T: need at least one customer to fit")
    return x, t_x, age


def check_spend(frequency: Any, monetary_value: Any) -> tuple[FloatArray, FloatArray]:
    """(frequency, monetary_value) broadcast together; spend must be positive where x > 0."""
    x = check_frequency(frequency)
    m = as_float_array("monetary_value", monetary_value)
    try:
        x, m = np.broadcast_arrays(x, m)
    except ValueError:
        raise ValueError(
            "frequency and monetary_value must have one value per customer each, got lengths "
            f"{np.size(frequency)} and {np.size(monetary_value)}"
        ) from None
    _reject(
        "monetary_value",
        (x > 0) & (m <= 0),
        "zero or negative for customers with repeat purchases; the Gamma-Gamma model needs "
        "the positive average value of their repeat purchases",
    )
    return x, m


def check_non_negative(name: str, value: float) -> float:
    """A setting such as a penalizer or a discount rate: finite and not negative."""
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return float(value)


def check_horizon(t: Any) -> FloatArray:
    """A forecast horizon in periods of the model's time unit."""
    horizon = as_float_array("t", t)
    _reject("t", horizon < 0, "negative; the forecast horizon is a number of periods >= 0")
    return horizon
