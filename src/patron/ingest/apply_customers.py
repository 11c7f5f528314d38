"""Write customer rows: the raw record, the golden customer, contact points and consent.

Each new source record becomes its own customer (identity resolution merges them later). A
changed record (same key in the same source) updates its customer: with the record's values
when it is the customer's only record, by survivorship over all of them otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, update

from patron.golden import latest_consents, recompute_golden
from patron.ingest.prepare import (
    CONSENT_COLUMNS,
    CUSTOMER_COLUMNS,
    POINT_COLUMNS,
    golden_values,
    prepare_customer,
)
from patron.ingest.rows import ParsedRow
from patron.ingest.versions import BatchContext, classify, insert_source_records, retire
from patron.store import allocate_ids, db_timestamp, insert_tuples
from patron.store.schema import consents, contact_points, customers, source_records


def apply_customers(conn: Connection, ctx: BatchContext, rows: list[ParsedRow]) -> dict[str, int]:
    """Apply a chunk of customer rows (keys unique within the chunk); returns counts."""
    sorted_rows = classify(conn, ctx, rows)
    _insert_new(conn, ctx, sorted_rows.new)
    for row, current in sorted_rows.changed:
        apply_change(conn, ctx, row, current.id, current.customer_id)
    return {
        "inserted": len(sorted_rows.new),
        "updated": len(sorted_rows.changed),
        "unchanged": len(sorted_rows.unchanged),
    }


CUSTOMER_INSERT = (
    "id",
    *CUSTOMER_COLUMNS,
    "status",
    "external",
    "version",
    "created_at",
    "updated_at",
    "lineage",
)
POINT_INSERT = (
    *POINT_COLUMNS,
    "customer_id",
    "verified",
    "source_record_id",
    "batch_id",
    "created_at",
)
CONSENT_INSERT = (*CONSENT_COLUMNS, "customer_id", "recorded_at", "source_record_id", "batch_id")


def _insert_new(conn: Connection, ctx: BatchContext, rows: list[ParsedRow]) -> None:
    """New customers from prepared rows: allocate ids, then one bulk insert per table."""
    if not rows:
        return
    customer_ids = allocate_ids(conn, customers, len(rows))
    record_ids = allocate_ids(conn, source_records, len(rows))
    now = db_timestamp(conn, ctx.loaded_at)
    batch, external = ctx.batch_id, int(ctx.external)
    people: list[tuple[Any, ...]] = []
    points: list[tuple[Any, ...]] = []
    grants: list[tuple[Any, ...]] = []
    for row, cid, rid in zip(rows, customer_ids, record_ids, strict=True):
        assert row.prepared is not None
        customer, contact, consent = row.prepared
        people.append((cid, *customer, "active", external, 1, now, now, f'{{"*":{rid}}}'))
        points.extend((*p, cid, 0, rid, batch, now) for p in contact)
        grants.extend((*c, cid, now, rid, batch) for c in consent)
    insert_tuples(conn, customers, CUSTOMER_INSERT, people, ready=True)
    insert_source_records(conn, ctx, list(zip(rows, customer_ids, strict=True)), record_ids)
    insert_tuples(conn, contact_points, POINT_INSERT, points, ready=True)
    insert_tuples(conn, consents, CONSENT_INSERT, grants, ready=True)


def apply_change(
    conn: Connection,
    ctx: BatchContext,
    row: ParsedRow,
    current_id: int | None,
    customer_id: int | None,
) -> None:
    """Make ``row`` its record's current version (superseding ``current_id``) and update the
    customer from it: new phones, e-mails and addresses are added, consent changes appended."""
    if current_id is not None:
        retire(conn, [current_id])
    record_id = insert_source_records(conn, ctx, [(row, customer_id)])[0]
    if customer_id is None:  # pragma: no cover - customer records always carry their customer
        return
    if _record_count(conn, customer_id) > 1:  # merged, or edited by a person
        recompute_golden(conn, [customer_id], at=ctx.loaded_at)
    else:
        values = golden_values(row.parsed, record_id)
        values["updated_at"] = ctx.loaded_at
        values["version"] = customers.c.version + 1
        conn.execute(update(customers).where(customers.c.id == customer_id).values(**values))
    # Rows rebuilt from a staging file carry no prepared values; derive them the same way.
    _, contact, consent = row.prepared or prepare_customer(row.parsed)
    now = db_timestamp(conn, ctx.loaded_at)
    known = {
        (r.kind, r.value)
        for r in conn.execute(
            select(contact_points.c.kind, contact_points.c.value).where(
                contact_points.c.customer_id == customer_id
            )
        )
    }
    points = [
        (*p, customer_id, 0, record_id, ctx.batch_id, now)
        for p in contact
        if (p[0], p[1]) not in known  # (kind, value)
    ]
    insert_tuples(conn, contact_points, POINT_INSERT, points, ready=True)
    latest = latest_consents(conn, [customer_id]).get(customer_id, {})
    status = {key: state[0] for key, state in latest.items()}  # (channel, purpose) -> status
    grants = [
        (*c, customer_id, now, record_id, ctx.batch_id)
        for c in consent
        if status.get((c[0], c[1])) != c[2]
    ]
    insert_tuples(conn, consents, CONSENT_INSERT, grants, ready=True)


def _record_count(conn: Connection, customer_id: int) -> int:
    sr = source_records.c
    query = select(func.count()).where(
        sr.customer_id == customer_id, sr.kind == "customers", sr.is_current
    )
    return int(conn.execute(query).scalar_one())
