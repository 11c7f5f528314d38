"""Undo an import batch: remove what it wrote and restore what it changed.

Generic rule: delete the batch's source records; every record key it touched then falls back to
its newest remaining version (re-applied), or, with none left, its entity is removed. Raw
records of other batches are never touched. Customers still referenced by other batches'
orders or events are not removed: the rollback refuses and says which batch to undo first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, or_, select, update

from patron.core import PatronError
from patron.golden import recompute_golden
from patron.ingest import batches
from patron.ingest.apply_facts import (
    event_values,
    order_line_values,
    product_values,
    refresh_order_totals,
)
from patron.ingest.versions import BatchContext, chunked
from patron.store import Store, record_audit
from patron.store.schema import (
    consents,
    contact_points,
    customer_merges,
    customers,
    import_batches,
    interactions,
    order_lines,
    orders,
    products,
    rejected_rows,
    source_records,
)

sr = source_records.c


def rollback_batch(store: Store, batch_id: int, *, actor: str = "cli") -> dict[str, int]:
    """Roll back a batch in one transaction; returns what was removed or restored."""
    with store.begin() as conn:
        batch = batches.get_batch(conn, batch_id)
        if batch["status"] == "rolled_back":
            raise PatronError(f"batch {batch_id} is already rolled back")
        if batch["status"] == "running" and _alive(batch):
            raise PatronError(
                f"batch {batch_id} is still running",
                hint="wait for it or stop it before rolling back",
            )
        kind = batch["kind"]
        touched = [
            (r.source_key, r.customer_id)
            for r in conn.execute(
                select(sr.source_key, sr.customer_id).where(sr.batch_id == batch_id)
            )
        ]
        keys = sorted({k for k, _ in touched})
        ctx = BatchContext(
            batch_id,
            batch["source_id"],
            batch["source"],
            kind,
            batch["external"],
            batch["started_at"],
            batch["mapping"].get("customer_source_id", 0),
        )
        if kind == "customers":
            result = _rollback_customers(conn, ctx, sorted({c for _, c in touched if c}))
        else:
            result = _rollback_facts(conn, ctx, keys)
        result["rejected_rows"] = conn.execute(
            delete(rejected_rows).where(rejected_rows.c.batch_id == batch_id)
        ).rowcount
        conn.execute(
            update(import_batches)
            .where(import_batches.c.id == batch_id)
            .values(status="rolled_back")
        )
        record_audit(
            conn,
            actor=actor,
            action="import.rolled_back",
            target_type="import_batch",
            target_id=batch_id,
            details=result,
        )
    return result


def _alive(batch: dict[str, Any]) -> bool:
    from patron.core import utcnow

    return (utcnow() - batch["heartbeat_at"]).total_seconds() < 120


def _delete_batch_records(conn: Connection, batch_id: int) -> int:
    return conn.execute(delete(source_records).where(sr.batch_id == batch_id)).rowcount


def _remaining_versions(
    conn: Connection, ctx: BatchContext, keys: list[str]
) -> dict[str, dict[str, Any]]:
    """For each key, its newest version written by any other batch."""
    latest: dict[str, dict[str, Any]] = {}
    for part in chunked(keys):
        query = (
            select(source_records)
            .where(
                sr.source_id == ctx.source_id,
                sr.kind == ctx.kind,
                sr.source_key.in_(part),
                sr.batch_id != ctx.batch_id,
            )
            .order_by(sr.id)
        )
        for row in conn.execute(query).mappings():
            latest[row["source_key"]] = dict(row)
    return latest


def _make_current(conn: Connection, latest: dict[str, dict[str, Any]]) -> None:
    ids = [v["id"] for v in latest.values()]
    for part in chunked(ids):
        conn.execute(update(source_records).where(sr.id.in_(part)).values(is_current=True))


def _batch_keys(conn: Connection, batch_id: int) -> list[str]:
    query = select(sr.source_key).where(sr.batch_id == batch_id).distinct()
    return sorted(r[0] for r in conn.execute(query))


def _rollback_customers(
    conn: Connection, ctx: BatchContext, customer_ids: list[int]
) -> dict[str, int]:
    created = [cid for cid in customer_ids if _created_by(conn, cid, ctx.batch_id)]
    blockers = _fact_batches_for(conn, created)
    if blockers:
        raise PatronError(
            f"customers created by batch {ctx.batch_id} have orders or events from batch(es) "
            f"{', '.join(map(str, blockers))}",
            hint="roll those batches back first: "
            + "; ".join(f"patron import rollback {b}" for b in blockers),
        )
    merges = _merges_of(conn, customer_ids)
    if merges:
        raise PatronError(
            f"customers of batch {ctx.batch_id} took part in merge(s) "
            f"{', '.join(f'#{m}' for m in merges)}",
            hint="undo those merges first: "
            + "; ".join(f"patron identity unmerge --merge {m}" for m in merges),
        )
    latest = _remaining_versions(conn, ctx, _batch_keys(conn, ctx.batch_id))
    result = {
        "contact_points": conn.execute(
            delete(contact_points).where(contact_points.c.batch_id == ctx.batch_id)
        ).rowcount,
        "consents": conn.execute(
            delete(consents).where(consents.c.batch_id == ctx.batch_id)
        ).rowcount,
        "source_records": _delete_batch_records(conn, ctx.batch_id),
    }
    _make_current(conn, latest)
    # Survivorship over what remains (a customer may also hold a person's edits).
    recompute_golden(conn, {v["customer_id"] for v in latest.values() if v["customer_id"]})
    for part in chunked(created):
        conn.execute(delete(customers).where(customers.c.id.in_(part)))
    result["customers_removed"] = len(created)
    result["customers_restored"] = len(latest)
    return result


def _merges_of(conn: Connection, customer_ids: list[int]) -> list[int]:
    """Merges still in force that involve any of these customers."""
    m = customer_merges.c
    found: set[int] = set()
    for part in chunked(customer_ids):
        query = select(m.id).where(
            m.undone_at.is_(None), or_(m.survivor_id.in_(part), m.merged_id.in_(part))
        )
        found.update(int(r[0]) for r in conn.execute(query))
    return sorted(found)


def _created_by(conn: Connection, customer_id: int, batch_id: int) -> bool:
    """True when every source record of the customer belongs to this batch."""
    others = conn.execute(
        select(func.count()).where(
            sr.customer_id == customer_id, sr.batch_id != batch_id, sr.kind == "customers"
        )
    ).scalar_one()
    return int(others) == 0


def _fact_batches_for(conn: Connection, customer_ids: list[int]) -> list[int]:
    found: set[int] = set()
    for part in chunked(customer_ids):
        for table in (orders, interactions):
            query = select(table.c.batch_id).where(table.c.customer_id.in_(part)).distinct()
            found.update(int(r[0]) for r in conn.execute(query) if r[0] is not None)
    return sorted(found)


def _rollback_facts(conn: Connection, ctx: BatchContext, keys: list[str]) -> dict[str, int]:
    latest = _remaining_versions(conn, ctx, keys)
    gone = [k for k in keys if k not in latest]
    src = ctx.source_id
    if ctx.kind == "products":
        for key in gone:
            conn.execute(delete(products).where(products.c.source_id == src, products.c.sku == key))
        for key, v in latest.items():
            conn.execute(
                update(products)
                .where(products.c.source_id == src, products.c.sku == key)
                .values(**product_values(ctx, v["parsed"], v["id"]))
            )
    elif ctx.kind == "events":
        for key in gone:
            conn.execute(
                delete(interactions).where(
                    interactions.c.source_id == src, interactions.c.event_key == key
                )
            )
        for key, v in latest.items():
            conn.execute(
                update(interactions)
                .where(interactions.c.source_id == src, interactions.c.event_key == key)
                .values(**event_values(ctx, v["parsed"], key, v["customer_id"], v["id"]))
            )
    else:
        _rollback_order_lines(conn, ctx, gone, latest)
    result = {"source_records": _delete_batch_records(conn, ctx.batch_id)}
    _make_current(conn, latest)
    result["entities_removed"] = len(gone)
    result["entities_restored"] = len(latest)
    return result


def _rollback_order_lines(
    conn: Connection, ctx: BatchContext, gone: list[str], latest: dict[str, dict[str, Any]]
) -> None:
    touched_orders: set[int] = set()
    for key in gone + list(latest):
        order_key, line_no = key.rsplit("/", 1)
        order_id = conn.execute(
            select(orders.c.id).where(
                orders.c.source_id == ctx.source_id, orders.c.order_key == order_key
            )
        ).scalar()
        if order_id is None:
            continue
        touched_orders.add(int(order_id))
        line = (order_lines.c.order_id == order_id) & (order_lines.c.line_no == line_no)
        if key in latest:
            v = latest[key]
            values = order_line_values(ctx, v["parsed"], int(order_id), line_no, v["id"], {})
            values.pop("product_id")
            conn.execute(update(order_lines).where(line).values(**values))
        else:
            conn.execute(delete(order_lines).where(line))
    empty = [
        oid
        for oid in touched_orders
        if not conn.execute(select(func.count()).where(order_lines.c.order_id == oid)).scalar_one()
    ]
    for part in chunked(empty):
        conn.execute(delete(orders).where(orders.c.id.in_(part)))
    refresh_order_totals(conn, sorted(touched_orders - set(empty)))
