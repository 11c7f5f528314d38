"""Locks that keep merges and imports from interleaving.

An import chunk reads which customer a record key or a contact belongs to and then writes rows
for that customer; a merge moves a customer's rows to another. If a merge committed between
the chunk's read and its write, the chunk's new rows would land on the merged customer and be
left behind. So import chunks hold the customer-links lock shared (they can run side by side)
and merges hold it exclusively.

PostgreSQL: a transaction-level advisory lock. SQLite has one writer at a time: a transaction
that writes first (an import chunk starts by touching its batch row) already excludes the
others, so a merge only has to take the write lock before it reads.
"""

from __future__ import annotations

from sqlalchemy import Connection

CUSTOMER_LINKS_LOCK = 724012  # advisory lock key (the audit chain uses 724011)


def hold_customer_links(conn: Connection, *, exclusive: bool) -> None:
    """Hold the customer-links lock until the caller's transaction ends."""
    if conn.dialect.name == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        conn.exec_driver_sql(f"SELECT {function}({CUSTOMER_LINKS_LOCK})")
    elif exclusive and conn.dialect.name == "sqlite":
        # A write statement takes SQLite's write lock even when it changes no row.
        conn.exec_driver_sql("UPDATE customers SET version = version WHERE id = -1")


MATCH_RUNS_LOCK = 724013


def hold_match_runs(conn: Connection) -> None:
    """Hold the matching-runs lock until the caller's transaction ends, so that two processes
    starting a run at once cannot both see none running (one run at a time)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MATCH_RUNS_LOCK})")
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("UPDATE match_runs SET status = status WHERE id = -1")
