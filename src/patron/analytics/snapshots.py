"""Feature snapshots with history (特征快照): the feature set as of each week or month end,
kept in the warehouse so anyone can see how a customer or a segment moved."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import ibis
import pandas as pd

from patron.analytics.facts import Facts, Table, as_timestamp, facts_from
from patron.analytics.features import customer_features

SNAPSHOT_TABLE = "feature_snapshots"


def save_snapshot(con: Any, as_of: date | datetime, facts: Facts | None = None) -> int:
    """Compute the features as of ``as_of`` and store them, replacing an earlier snapshot of
    the same moment; returns the number of customers in it."""
    moment = as_timestamp(as_of)
    features = customer_features(facts or facts_from(con), moment)
    if SNAPSHOT_TABLE not in con.list_tables():
        con.create_table(SNAPSHOT_TABLE, features)
    else:
        _delete_snapshot(con, moment)
        con.insert(SNAPSHOT_TABLE, features)
    return int(snapshot(con, moment).count().to_pyarrow().as_py())


def _delete_snapshot(con: Any, moment: datetime) -> None:
    kept = con.table(SNAPSHOT_TABLE)
    kept = kept.filter(kept.as_of != ibis.literal(moment))
    # Ibis has no DELETE: rewrite the table without that moment (snapshots are append-mostly
    # and a re-run of the same moment is rare).
    con.create_table(f"{SNAPSHOT_TABLE}_keep", kept, overwrite=True)
    con.create_table(SNAPSHOT_TABLE, con.table(f"{SNAPSHOT_TABLE}_keep"), overwrite=True)
    con.drop_table(f"{SNAPSHOT_TABLE}_keep")


def snapshot(con: Any, as_of: date | datetime) -> Table:
    """The stored snapshot of one moment (empty when there is none)."""
    table = con.table(SNAPSHOT_TABLE)
    return table.filter(table.as_of == ibis.literal(as_timestamp(as_of)))


def snapshot_moments(con: Any) -> list[datetime]:
    """The moments with a stored snapshot, oldest first."""
    if SNAPSHOT_TABLE not in con.list_tables():
        return []
    moments = con.table(SNAPSHOT_TABLE).as_of.cast("timestamp('UTC')").name("as_of")
    frame = moments.as_table().distinct().order_by("as_of").to_pandas()
    return [as_timestamp(m.to_pydatetime()) for m in frame.as_of]


def schedule(start: date, end: date, every: str = "month") -> list[datetime]:
    """Snapshot moments from ``start`` to ``end``: month starts or Mondays (a snapshot as of a
    moment sees everything before it, so "as of 1 July" is the state at June's end)."""
    if every not in ("month", "week"):
        raise ValueError(f"every must be 'month' or 'week', got {every!r}")
    moments: list[datetime] = []
    if every == "month":
        year, month = start.year, start.month
        if start.day > 1:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        while date(year, month, 1) <= end:
            moments.append(as_timestamp(date(year, month, 1)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        day = start + timedelta(days=(7 - start.weekday()) % 7)
        while day <= end:
            moments.append(as_timestamp(day))
            day += timedelta(days=7)
    return moments


def backfill(
    con: Any,
    start: date,
    end: date,
    every: str = "month",
    progress: Any = None,
) -> dict[datetime, int]:
    """Store the snapshots of every moment of :func:`schedule` (customers per moment)."""
    facts = facts_from(con)
    counts: dict[datetime, int] = {}
    for moment in schedule(start, end, every):
        counts[moment] = save_snapshot(con, moment, facts)
        if progress is not None:
            progress(moment, counts[moment])
    return counts


def segment_history(con: Any, customer_ids: list[int] | None = None) -> Any:
    """Per stored moment: customers, buyers and mean spend, orders and days since the last
    order, for everyone or for the given customers (pandas), to follow a segment over time;
    empty before the first snapshot."""
    if SNAPSHOT_TABLE not in con.list_tables():
        return pd.DataFrame()
    table = con.table(SNAPSHOT_TABLE)
    if customer_ids is not None:
        table = table.filter(table.customer_id.isin(customer_ids))
    return (
        table.group_by("as_of")
        .agg(
            customers=table.count(),
            buyers=(table.frequency > 0).ifelse(1, 0).sum(),
            mean_monetary=table.monetary.mean(),
            mean_frequency=table.frequency.mean(),
            mean_recency_days=table.recency_days.mean(),
        )
        .order_by("as_of")
        .to_pandas()
    )


def customer_history(con: Any, customer_id: int) -> Any:
    """One customer's stored snapshots, oldest first (pandas)."""
    table = con.table(SNAPSHOT_TABLE)
    return table.filter(table.customer_id == customer_id).order_by("as_of").to_pandas()
