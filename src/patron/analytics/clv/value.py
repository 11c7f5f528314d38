"""Customer lifetime value: expected purchases from a transaction model times expected spend
from the Gamma-Gamma model, discounted month by month.

The definition is lifetimes' ``customer_lifetime_value`` so figures can be compared with it:
for month i = 1..time, the purchases expected between months i-1 and i (a difference of
cumulative conditional expectations) times the expected spend per purchase, divided by
(1 + discount_rate)^i.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from patron.analytics.clv._validate import FloatArray, check_non_negative
from patron.analytics.clv.gammagamma import GammaGamma

# Periods of each time unit in a month, lifetimes' factors (a month is 30 days, 4.345 weeks).
PERIODS_PER_MONTH = {"D": 30.0, "H": 30.0 * 24, "W": 4.345, "M": 1.0}


class TransactionModel(Protocol):
    """What CLV needs from a purchase model: BetaGeo and ParetoNBD have it."""

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> FloatArray: ...


def customer_lifetime_value(
    transaction_model: TransactionModel,
    spend_model: GammaGamma,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: str | float = "D",
) -> FloatArray:
    """Discounted value of each customer's purchases over the next ``time`` months.

    ``freq`` is the time unit of recency and T ("D", "H", "W" or "M"), or the number of those
    units in a month. ``discount_rate`` is per month.

    >>> import numpy as np
    >>> from patron.analytics.clv import BetaGeo, GammaGamma
    >>> purchases, spend = BetaGeo(), GammaGamma()
    >>> purchases.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> spend.params_ = {"p": 6.25, "q": 3.74, "v": 15.44}
    >>> clv = customer_lifetime_value(purchases, spend, [2], [30.43], [38.86], [22.35], freq="W")
    >>> np.round(clv, 2)
    array([36.29])
    """
    if isinstance(time, bool) or not isinstance(time, int | np.integer) or time < 1:
        raise ValueError(f"time: expected a whole number of months >= 1, got {time!r}")
    rate = check_non_negative("discount_rate", discount_rate)
    per_month = _periods_per_month(freq)
    spend = spend_model.conditional_expected_average_profit(frequency, monetary_value)
    value = np.zeros(np.broadcast(spend, np.asarray(recency), np.asarray(T)).shape)
    before: FloatArray | float = 0.0
    for month in range(1, int(time) + 1):
        cumulative = transaction_model.expected_purchases(month * per_month, frequency, recency, T)
        value += spend * (cumulative - before) / (1.0 + rate) ** month
        before = cumulative
    return np.asarray(value, dtype=np.float64)


def _periods_per_month(freq: str | float) -> float:
    if isinstance(freq, str):
        if freq not in PERIODS_PER_MONTH:
            raise ValueError(
                f"freq: expected one of {sorted(PERIODS_PER_MONTH)} (the time unit of recency "
                f"and T) or a number of those units per month, got {freq!r}"
            )
        return PERIODS_PER_MONTH[freq]
    periods = float(freq)
    if not np.isfinite(periods) or periods <= 0:
        raise ValueError(f"freq: the number of time units per month must be > 0, got {freq!r}")
    return periods
