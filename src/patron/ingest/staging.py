"""Staging files: how parsed customer chunks reach SQLite without Python objects in between.

On SQLite the writing process is the bottleneck, and turning pickled rows back into millions
of Python objects cost it as much as the inserts. So the parser worker writes each prepared
chunk into a small throwaway SQLite file (no journal, no sync: it is deleted after use); the
writer ATTACHes it and copies rows with INSERT ... SELECT, which runs entirely inside SQLite,
adding ids arithmetically (allocated base + row index). Only rows whose key already exists
(changed or unchanged records) come back into Python.

A staged row holds everything one customer row gives: its source record, customer values and
its contact points and consents in fixed slots (see StageLayout). One INSERT per customer
costs the worker far less than one per table row; the writer unfolds the slots into rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from patron.ingest.prepare import CONSENT_COLUMNS, CUSTOMER_COLUMNS, POINT_COLUMNS
from patron.ingest.rows import ParsedRow, RowContext
from patron.ingest.versions import BatchContext
from patron.store import allocate_ids, db_timestamp
from patron.store.schema import customers, source_records

RECORD_COLUMNS = ("row_number", "source_key", "row_hash", "raw", "parsed")

# What a staged contact point of each kind keeps; its kind is the slot's, the columns in
# POINT_DERIVED follow from the kept ones, and its other POINT_COLUMNS are NULL for that kind
# (prepare_customer builds them so). Every bound value costs the worker time.
POINT_SLOT_COLUMNS = {
    "phone": ("value", "raw_value", "valid", "validation_error", "phone_kind"),
    "email": ("value", "raw_value", "valid", "validation_error"),
    "address": ("value", "province", "city", "district", "postcode"),
}
POINT_DERIVED = {  # column -> SQL over the slot's columns ({} is the slot's prefix)
    "phone": {},
    "email": {},
    "address": {"raw_value": "{}value", "valid": "1"},  # an address is kept as written
}
# A consent slot belongs to one consent column, whose channel, purpose and origin are the same
# for every row: only the status is staged (NULL: no consent), the rest is in the slots table.
CONSENT_SLOT_COLUMNS = ("status",)
CONSENT_CONSTANTS = tuple(c for c in CONSENT_COLUMNS if c not in CONSENT_SLOT_COLUMNS)
_POINT_KINDS = tuple(POINT_SLOT_COLUMNS)


@dataclass(frozen=True)
class StageLayout:
    """How many contact points of each kind, and consents, one staged row has room for.

    A row of the file has at most one point per mapped phone, e-mail and address column and one
    consent per consent column, so the mapping fixes the layout. A kind's points fill its slots
    from the first; consent slot n is consent column n's.
    """

    phones: int
    emails: int
    addresses: int
    consents: int
    # (channel, purpose, origin) of each consent column (what the worker writes to the slots
    # table; a layout read back from a staging file leaves it empty).
    consent_columns: tuple[tuple[str, str, str], ...] = ()

    @classmethod
    def of(cls, ctx: RowContext) -> StageLayout:
        plan = ctx.plan
        if plan is None:
            raise ValueError("only customer rows are staged")
        addresses = 1 if "address" in plan.columns else 0
        consents = tuple((ch, pu, f"column '{header}'") for _, ch, pu, header in plan.consents)
        return cls(len(plan.phones), len(plan.emails), addresses, len(consents), consents)

    def slots(self) -> list[tuple[str, int]]:
        """(kind, slot number) in the order a customer's points are stored."""
        counts = {"phone": self.phones, "email": self.emails, "address": self.addresses}
        return [(kind, n) for kind in _POINT_KINDS for n in range(counts[kind])]

    def columns(self) -> list[str]:
        names = ["idx", *RECORD_COLUMNS, *CUSTOMER_COLUMNS]
        for kind, n in self.slots():
            names.extend(f"{kind}{n}_{c}" for c in POINT_SLOT_COLUMNS[kind])
        for n in range(self.consents):
            names.extend(f"consent{n}_{c}" for c in CONSENT_SLOT_COLUMNS)
        return names


def can_stage(rows: list[ParsedRow]) -> bool:
    """Staging needs customer rows parsed for it (see RowContext.stage) with keys unique within
    the chunk."""
    keys = {r.source_key for r in rows}
    return bool(rows) and len(keys) == len(rows) and all(r.staged is not None for r in rows)


def write_stage(path: Path, rows: list[ParsedRow], layout: StageLayout) -> None:
    """Worker side: write staged rows to a new staging file (idx = position in ``rows``).

    One row per customer holds its source record, customer values, contact points and consents
    (in fixed slots, unused ones NULL): one INSERT per customer instead of one per table row,
    which halves the worker's staging time. Parsing built each row's values in column order
    (ParsedRow.staged), so they go to SQLite as they are.
    """
    columns = layout.columns()
    values = [r.staged for r in rows if r.staged is not None]
    if len(values) < len(rows) or any(len(v) != len(columns) - 1 for v in values):
        raise ValueError("rows to stage must be parsed for this layout (RowContext.stage)")
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        # idx is the rowid: the writer reads staged rows in idx order without sorting.
        db.execute(f"CREATE TABLE records (idx INTEGER PRIMARY KEY, {', '.join(columns[1:])})")
        db.execute(f"CREATE TABLE slots (n INTEGER PRIMARY KEY, {', '.join(CONSENT_CONSTANTS)})")
        db.execute("BEGIN")
        # SQLite numbers rows it is given no rowid for from the largest one + 1: after a
        # placeholder row -1, idx counts 0, 1, 2 ... in row order (one bound value fewer each).
        db.execute("INSERT INTO records (idx) VALUES (-1)")
        db.executemany(
            f"INSERT INTO records ({', '.join(columns[1:])}) "
            f"VALUES ({', '.join('?' * (len(columns) - 1))})",
            values,
        )
        db.execute("DELETE FROM records WHERE idx = -1")
        # One row per slot number (see _unfold), with its consent column's constants.
        slots = max(len(layout.slots()), layout.consents)
        constants = [*layout.consent_columns, *[(None,) * len(CONSENT_CONSTANTS)] * slots]
        db.executemany(
            f"INSERT INTO slots VALUES (?{', ?' * len(CONSENT_CONSTANTS)})",
            [(n, *constants[n]) for n in range(slots)],
        )
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


def layout_of(conn: Connection, schema: str) -> StageLayout:
    """The layout a staging file was written with, read back from its column names."""
    names = {row[1] for row in conn.exec_driver_sql(f"PRAGMA {schema}.table_info(records)")}

    def count(prefix: str, first: str) -> int:
        n = 0
        while f"{prefix}{n}_{first}" in names:
            n += 1
        return n

    return StageLayout(
        phones=count("phone", "value"),
        emails=count("email", "value"),
        addresses=count("address", "value"),
        consents=count("consent", CONSENT_SLOT_COLUMNS[0]),
    )


def copy_new(conn: Connection, ctx: BatchContext, schema: str, skip: list[int]) -> int:
    """Insert every staged row not in ``skip`` as a new customer; returns how many."""
    total = conn.exec_driver_sql(
        f"SELECT coalesce(max(idx) + 1, 0) FROM {schema}.records"  # idx runs 0..n-1
    ).scalar_one()
    count = int(total) - len(skip)
    if count <= 0:
        return 0
    layout = layout_of(conn, schema)
    # Ids: base + idx, from blocks as large as the staged chunk (gaps for skipped rows are fine).
    cbase = allocate_ids(conn, customers, int(total))[0]
    rbase = allocate_ids(conn, source_records, int(total))[0]
    now = db_timestamp(conn, ctx.loaded_at)
    params = {
        "cbase": cbase,
        "rbase": rbase,
        "batch": ctx.batch_id,
        "source": ctx.source_id,
        "kind": ctx.kind,
        "external": int(ctx.external),
        "now": now,
        "skip": "[" + ",".join(map(str, skip)) + "]",
    }
    # Every statement reads all staged rows; most chunks (first imports) skip none.
    keep = "idx NOT IN (SELECT value FROM json_each(:skip))" if skip else "1"
    cols = ", ".join(CUSTOMER_COLUMNS)
    conn.exec_driver_sql(
        f"INSERT INTO customers (id, {cols}, status, external, version, created_at, updated_at, "
        f"lineage) SELECT :cbase + idx, {cols}, 'active', :external, 1, :now, :now, "
        f"'{{\"*\":' || (:rbase + idx) || '}}' FROM {schema}.records WHERE {keep}",
        params,
    )
    conn.exec_driver_sql(
        "INSERT INTO source_records (id, batch_id, source_id, kind, source_key, row_number, "
        "row_hash, loaded_at, external, raw, parsed, customer_id, is_current) "
        "SELECT :rbase + idx, :batch, :source, :kind, source_key, row_number, row_hash, :now, "
        f":external, raw, parsed, :cbase + idx, 1 FROM {schema}.records WHERE {keep}",
        params,
    )
    point_slots = [
        {
            c: "'" + kind + "'"
            if c == "kind"
            else f"{kind}{n}_{c}"
            if c in staged
            else derived[c].format(f"{kind}{n}_")
            if c in derived
            else "NULL"
            for c in POINT_COLUMNS
        }
        for kind, n in layout.slots()
        for staged, derived in [(POINT_SLOT_COLUMNS[kind], POINT_DERIVED[kind])]
    ]
    if point_slots:
        cols = ", ".join(POINT_COLUMNS)
        conn.exec_driver_sql(
            f"INSERT INTO contact_points ({cols}, customer_id, verified, source_record_id, "
            f"batch_id, created_at) SELECT %s, :cbase + idx, 0, :rbase + idx, :batch, :now %s"
            % _unfold(schema, point_slots, "value", keep),
            params,
        )
    consent_slots = [
        {c: f"consent{n}_{c}" if c in CONSENT_SLOT_COLUMNS else f"s.{c}" for c in CONSENT_COLUMNS}
        for n in range(layout.consents)
    ]
    if consent_slots:
        cols = ", ".join(CONSENT_COLUMNS)
        conn.exec_driver_sql(
            f"INSERT INTO consents ({cols}, customer_id, recorded_at, source_record_id, batch_id) "
            "SELECT %s, :cbase + idx, :now, :rbase + idx, :batch %s"
            % _unfold(schema, consent_slots, CONSENT_SLOT_COLUMNS[0], keep),
            params,
        )
    return count


def _unfold(schema: str, slots: list[dict[str, str]], marker: str, keep: str) -> tuple[str, str]:
    """(column expressions, FROM ... ORDER BY) of a SELECT giving one row per used slot (its
    ``marker`` column not NULL), in staged row order and slot order within a row: a customer's
    contact points or consents in the order inline imports insert them, so ids come out the
    same.

    Staged rows are the outer loop and the slots table the inner one, both in rowid order, so
    SQLite needs no sort for the ORDER BY.
    """
    columns = list(slots[0])
    exprs = [
        "CASE s.n " + " ".join(f"WHEN {n} THEN {slot[c]}" for n, slot in enumerate(slots)) + " END"
        if len({slot[c] for slot in slots}) > 1
        else slots[0][c]  # the same for every slot (a constant, or the slots table's)
        for c in [marker, *columns]
    ]
    used, values = exprs[0], exprs[1:]
    return ", ".join(values), (
        f"FROM {schema}.records CROSS JOIN {schema}.slots AS s "
        f"WHERE s.n < {len(slots)} AND {used} IS NOT NULL AND {keep} ORDER BY idx, s.n"
    )
