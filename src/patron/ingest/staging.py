"""Staging files: how parsed customer chunks reach SQLite without Python objects in between.

On SQLite the writing process is the bottleneck, and turning pickled rows back into millions
of Python objects cost it as much as the inserts. So the parser worker writes each prepared
chunk into a small throwaway SQLite file (no journal, no sync: it is deleted after use); the
writer ATTACHes it and copies rows with INSERT ... SELECT, which runs entirely inside SQLite,
adding ids arithmetically (allocated base + row index). Only rows whose key already exists
(changed or unchanged records) come back into Python.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from patron.ingest.prepare import CONSENT_COLUMNS, CUSTOMER_COLUMNS, POINT_COLUMNS
from patron.ingest.rows import ParsedRow
from patron.ingest.versions import BatchContext
from patron.store import allocate_ids, db_timestamp
from patron.store.schema import customers, source_records

RECORD_COLUMNS = ("row_number", "source_key", "row_hash", "raw", "parsed")
_TABLES = {
    "records": RECORD_COLUMNS,
    "customers": CUSTOMER_COLUMNS,
    "points": POINT_COLUMNS,
    "consents": CONSENT_COLUMNS,
}


def can_stage(rows: list[ParsedRow]) -> bool:
    """Staging needs prepared customer rows with keys unique within the chunk."""
    keys = {r.source_key for r in rows}
    return bool(rows) and len(keys) == len(rows) and all(r.prepared is not None for r in rows)


def write_stage(path: Path, rows: list[ParsedRow]) -> None:
    """Worker side: write prepared rows to a new staging file (idx = position in ``rows``)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        for table, columns in _TABLES.items():
            db.execute(f"CREATE TABLE {table} (idx INTEGER, {', '.join(columns)})")
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)",
            [
                (i, r.row_number, r.source_key, r.row_hash, r.raw_json, r.parsed_json)
                for i, r in enumerate(rows)
            ],
        )
        people: list[tuple[Any, ...]] = []
        points: list[tuple[Any, ...]] = []
        grants: list[tuple[Any, ...]] = []
        for i, r in enumerate(rows):
            assert r.prepared is not None
            customer, contact, consent = r.prepared
            people.append((i, *customer))
            points.extend((i, *p) for p in contact)
            grants.extend((i, *c) for c in consent)
        for table, values in (("customers", people), ("points", points), ("consents", grants)):
            marks = ", ".join("?" * (len(_TABLES[table]) + 1))
            db.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
        db.execute("COMMIT")
    finally:
        db.close()


def attach(conn: Connection, path: Path, schema: str) -> None:
    """Attach a staging file as ``schema``; must happen outside a transaction (SQLite's rule)."""
    conn.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (str(path),))
    conn.commit()


def detach(conn: Connection, schema: str) -> None:
    conn.exec_driver_sql(f"DETACH DATABASE {schema}")
    conn.commit()


def existing_rows(conn: Connection, ctx: BatchContext, schema: str) -> list[Any]:
    """Staged rows whose key already has a current version in this source."""
    # CROSS JOIN fixes the loop order: each staged row probes the source-key index (the staging
    # table has no index, so the other order would scan it once per stored record).
    query = (
        "SELECT st.idx, st.row_hash AS new_hash, s.id, s.row_hash, s.customer_id "
        f"FROM {schema}.records st CROSS JOIN source_records s ON s.source_id = ? AND s.kind = ? "
        "AND s.source_key = st.source_key AND s.is_current"
    )
    return list(conn.exec_driver_sql(query, (ctx.source_id, ctx.kind)))


def staged_rows(conn: Connection, schema: str, indexes: list[int]) -> dict[int, ParsedRow]:
    """Staged rows as ParsedRow objects (for the few that need the Python path)."""
    if not indexes:
        return {}
    marks = ", ".join("?" * len(indexes))
    rows = conn.exec_driver_sql(
        f"SELECT idx, {', '.join(RECORD_COLUMNS)} FROM {schema}.records WHERE idx IN ({marks})",
        tuple(indexes),
    ).all()
    return {r[0]: ParsedRow(r[1], r[2], r[3], r[4], r[5]) for r in rows}


def copy_new(conn: Connection, ctx: BatchContext, schema: str, skip: list[int]) -> int:
    """Insert every staged row not in ``skip`` as a new customer; returns how many."""
    total = conn.exec_driver_sql(f"SELECT count(*) FROM {schema}.records").scalar_one()
    count = int(total) - len(skip)
    if count <= 0:
        return 0
    # Ids: base + idx, from blocks as large as the staged chunk (gaps for skipped rows are fine).
    cbase = allocate_ids(conn, customers, int(total))[0]
    rbase = allocate_ids(conn, source_records, int(total))[0]
    now = db_timestamp(conn, ctx.loaded_at)
    where = "WHERE idx NOT IN (SELECT value FROM json_each(?))"
    skipped = "[" + ",".join(map(str, skip)) + "]"
    cols = ", ".join(CUSTOMER_COLUMNS)
    conn.exec_driver_sql(
        f"INSERT INTO customers (id, {cols}, status, external, version, created_at, updated_at, "
        f"lineage) SELECT ? + idx, {cols}, 'active', ?, 1, ?, ?, "
        f"'{{\"*\":' || (? + idx) || '}}' FROM {schema}.customers {where}",
        (cbase, int(ctx.external), now, now, rbase, skipped),
    )
    conn.exec_driver_sql(
        "INSERT INTO source_records (id, batch_id, source_id, kind, source_key, row_number, "
        "row_hash, loaded_at, external, raw, parsed, customer_id, is_current) "
        "SELECT ? + idx, ?, ?, ?, source_key, row_number, row_hash, ?, ?, raw, parsed, ? + idx, 1 "
        f"FROM {schema}.records {where}",
        (rbase, ctx.batch_id, ctx.source_id, ctx.kind, now, int(ctx.external), cbase, skipped),
    )
    cols = ", ".join(POINT_COLUMNS)
    conn.exec_driver_sql(
        f"INSERT INTO contact_points ({cols}, customer_id, verified, source_record_id, batch_id, "
        f"created_at) SELECT {cols}, ? + idx, 0, ? + idx, ?, ? FROM {schema}.points {where}",
        (cbase, rbase, ctx.batch_id, now, skipped),
    )
    cols = ", ".join(CONSENT_COLUMNS)
    conn.exec_driver_sql(
        f"INSERT INTO consents ({cols}, customer_id, recorded_at, source_record_id, batch_id) "
        f"SELECT {cols}, ? + idx, ?, ? + idx, ? FROM {schema}.consents {where}",
        (cbase, now, rbase, ctx.batch_id, skipped),
    )
    return count
