"""Allocate primary keys in bulk, so related rows can be written in one pass.

Bulk imports need a customer's id before inserting the records that point at it; allocating a
block of ids up front avoids a RETURNING round trip or a second UPDATE per row.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, func, select, text


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """Reserve ``count`` new ids of ``table`` inside the caller's transaction.

    On SQLite the caller must already hold the write lock (have written in this transaction),
    so no other writer can take the same ids; on PostgreSQL the table's sequence hands them out.
    """
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": count},
        )
        return [int(r[0]) for r in rows]
    if not conn.in_transaction():  # pragma: no cover - guarded by callers
        raise RuntimeError("allocate_ids needs an open write transaction")
    start = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
    return list(range(start + 1, start + 1 + count))
