"""Per-customer (frequency, recency, T, monetary_value) from a transaction log: the input of
the CLV models.

Same definitions as lifetimes' ``summary_data_from_transaction_data``: times are cut to whole
periods of ``freq``, purchases in one period count once (their values summed), the first
period is the customer's "birth" and not a repeat purchase, and monetary_value is the mean
value of the repeat periods (0 for customers without one).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# Time units with a fixed length; lifetimes' freq codes, "H" kept as an alias of pandas' "h".
UNITS = {"D": "D", "W": "W", "H": "h", "h": "h"}


def summary_from_transactions(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None = None,
    observation_period_end: Any = None,
    freq: str = "D",
    datetime_format: str | None = None,
) -> pd.DataFrame:
    """One row per customer (index: the customer id) with frequency, recency and T in periods
    of ``freq``, and monetary_value when ``monetary_value_col`` is given. Transactions after
    ``observation_period_end`` (default: the last transaction) are ignored.

    >>> log = pd.DataFrame({"id": [1, 1, 1, 2], "day": ["2024-01-01", "2024-01-01",
    ...     "2024-01-05", "2024-01-03"], "value": [10.0, 5.0, 20.0, 8.0]})
    >>> summary_from_transactions(log, "id", "day", "value", "2024-01-10").reset_index()
       id  frequency  recency    T  monetary_value
    0   1        1.0      4.0  9.0            20.0
    1   2        0.0      0.0  7.0             0.0
    """
    if freq not in UNITS:
        raise ValueError(f"freq: expected one of {sorted(UNITS)}, got {freq!r}")
    unit = UNITS[freq]
    wanted = [customer_id_col, datetime_col, *([monetary_value_col] if monetary_value_col else [])]
    missing = [name for name in wanted if name not in transactions.columns]
    if missing:
        raise ValueError(
            f"transactions: no column {', '.join(map(repr, missing))}; "
            f"columns are {list(transactions.columns)}"
        )
    when = _parse_times(transactions[datetime_col], datetime_col, datetime_format)
    period = when.dt.to_period(unit).dt.start_time
    end = when.max() if observation_period_end is None else pd.Timestamp(observation_period_end)
    end = end.to_period(unit).start_time
    keep = (period <= end).to_numpy()
    log = pd.DataFrame({"customer": transactions[customer_id_col].to_numpy()[keep]})
    log["period"] = period.to_numpy()[keep]
    if monetary_value_col:
        values = pd.to_numeric(transactions[monetary_value_col], errors="coerce")
        bad = int(values.isna().sum())
        if bad:
            raise ValueError(
                f"{monetary_value_col}: {bad} transactions have no numeric value; fix or drop them"
            )
        log["value"] = values.to_numpy()[keep]
    # One row per customer and purchase period, in time order within each customer.
    periods = (
        log.groupby(["customer", "period"], sort=True).sum()
        if monetary_value_col
        else (log.drop_duplicates().set_index(["customer", "period"]).sort_index())
    )
    times = periods.index.get_level_values("period").to_series(index=periods.index)
    by_customer = times.groupby(level="customer")
    first, last = by_customer.min(), by_customer.max()
    one = pd.Timedelta(1, unit=unit)
    summary = pd.DataFrame(
        {
            "frequency": by_customer.size() - 1,
            "recency": (last - first) / one,
            "T": (end - first) / one,
        }
    )
    if monetary_value_col:
        repeat = periods["value"].where(periods.groupby(level="customer").cumcount() > 0)
        summary["monetary_value"] = repeat.groupby(level="customer").mean().fillna(0.0)
    summary.index.name = customer_id_col
    return summary.astype(float)


def _parse_times(column: pd.Series, name: str, datetime_format: str | None) -> pd.Series:
    try:
        when = pd.to_datetime(column, format=datetime_format)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: cannot read the transaction times ({exc})") from None
    missing = int(when.isna().sum())
    if missing:
        raise ValueError(f"{name}: {missing} transactions have no time; fix or drop them")
    return when
