"""The warehouse tables analytics reads, as Ibis tables of any backend (DuckDB by default,
PostgreSQL or Spark when the same tables live there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import ibis

Table = Any  # ibis.expr.types.Table: Ibis' types are not precise enough for mypy to help


@dataclass(frozen=True)
class Facts:
    customers: Table
    orders: Table
    order_lines: Table
    products: Table
    interactions: Table


def facts_from(con: Any) -> Facts:
    """The fact tables of an Ibis backend holding the warehouse layout."""
    return Facts(*(con.table(name) for name in Facts.__dataclass_fields__))


def as_timestamp(moment: date | datetime) -> datetime:
    """A snapshot moment as an aware UTC datetime; a date means the start of that day (UTC),
    so "as of 2026-06-30" sees nothing that happened on the 30th."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def epoch(moment: datetime) -> Any:
    """``moment`` as an Ibis literal of seconds since 1970, for day arithmetic every backend
    writes the same way."""
    return ibis.literal(moment.timestamp())


def days_before(moment: datetime, column: Any) -> Any:
    """Days from ``column`` (a timestamp) to ``moment``, fractional."""
    return (epoch(moment) - column.epoch_seconds()) / 86_400
