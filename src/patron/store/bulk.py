"""Bulk INSERT for imports: values converted once per column, handed to the driver directly.

SQLAlchemy's executemany processes every parameter of every row through its type system,
which cost three times the database work itself in import profiles. Here each column's
conversion is chosen once; SQLite gets one ``executemany`` and PostgreSQL a ``COPY``. Table
and column names come from patron's own schema, never from user input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` inside the caller's transaction."""
    if not rows:
        return
    dialect = conn.dialect.name
    columns = list(rows[0])
    converters = [_converter(table.c[name].type, dialect) for name in columns]
    # Column by column: one map() per column is much cheaper than a generator per row.
    by_column = []
    for name, convert in zip(columns, converters, strict=True):
        column = [row[name] for row in rows]
        by_column.append(column if convert is None else list(map(convert, column)))
    values = list(zip(*by_column, strict=True))
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
    conn.execute(table.insert(), list(rows))  # other backends: the portable path
