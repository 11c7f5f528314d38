"""Bulk INSERT for imports: values converted once per column, handed to the driver directly.

SQLAlchemy's executemany processes every parameter of every row through its type system,
which cost three times the database work itself in import profiles. Here each column's
conversion is chosen once; SQLite gets one ``executemany`` and PostgreSQL a ``COPY``. Table
and column names come from patron's own schema, never from user input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Connection, Date, Numeric, Table

from patron.store.schema import UtcDateTime

Convert = Callable[[Any], Any] | None


def _json(value: Any) -> Any:
    return None if value is None else orjson.dumps(value, default=str).decode()


@lru_cache(maxsize=4096)  # a batch stamps thousands of rows with the same load time
def _sqlite_datetime(value: datetime | None) -> str | None:
    # The storage format SQLAlchemy's SQLite dialect reads back.
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _bool(value: Any) -> Any:
    return None if value is None else int(bool(value))


def _converter(column_type: Any, dialect: str) -> Convert:
    if isinstance(column_type, JSON):
        return _json
    if dialect != "sqlite":
        return None  # psycopg adapts datetimes, dates, decimals and booleans itself
    if isinstance(column_type, UtcDateTime):
        return _sqlite_datetime
    if isinstance(column_type, Date):
        return _sqlite_date
    if isinstance(column_type, Numeric):
        return _text
    if isinstance(column_type, Boolean):
        return _bool
    return None


def db_timestamp(conn: Connection, value: datetime) -> Any:
    """A timestamp as :func:`insert_tuples` with ``ready=True`` expects it on this backend."""
    return _sqlite_datetime(value) if conn.dialect.name == "sqlite" else value


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` inside the caller's transaction."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect.name
    converters = [_converter(table.c[name].type, dialect) for name in columns]
    # Column by column: one map() per column is much cheaper than a generator per row.
    by_column = []
    for name, convert in zip(columns, converters, strict=True):
        column = [row[name] for row in rows]
        by_column.append(column if convert is None else list(map(convert, column)))
    insert_tuples(conn, table, columns, list(zip(*by_column, strict=True)), ready=True)


def insert_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    values: Sequence[Sequence[Any]],
    *,
    ready: bool = False,
) -> None:
    """Insert rows given as tuples in ``columns`` order.

    ``ready=True`` means the values are already what the driver takes for this backend: JSON
    as text, on SQLite ISO dates, 0/1 flags and timestamps from :func:`db_timestamp`.
    """
    if not values:
        return
    dialect = conn.dialect.name
    if not ready:
        converters = [_converter(table.c[name].type, dialect) for name in columns]
        values = [
            tuple(v if c is None else c(v) for v, c in zip(row, converters, strict=True))
            for row in values
        ]
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    if dialect == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy,
        ):
            for value in values:
                copy.write_row(value)
        return
    if dialect == "sqlite":
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", values)
        return
    conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in values])


def chunked(items: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    """Split parameter lists so IN (...) stays under every backend's parameter limit (and
    multi-row inserts stay a sensible size)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
