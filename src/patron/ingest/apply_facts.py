"""Write product, order-line and event rows, each as a versioned source record plus its fact."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from patron.ingest.references import resolve_customers
from patron.ingest.rows import ParsedRow, RejectedRow
from patron.ingest.versions import BatchContext, chunked, classify, insert_source_records, retire
from patron.store import insert_rows
from patron.store.schema import interactions, order_lines, orders, products

Counts = dict[str, int]


def _counts(new: int, changed: int, unchanged: int) -> Counts:
    return {"inserted": new, "updated": changed, "unchanged": unchanged}


def _record_versions(
    conn: Connection,
    ctx: BatchContext,
    rows: list[tuple[ParsedRow, int | None]],
    superseded: list[int],
) -> list[int]:
    retire(conn, superseded)
    return insert_source_records(conn, ctx, rows)


# --- products -------------------------------------------------------------------------------


def product_values(ctx: BatchContext, parsed: dict[str, Any], record_id: int) -> dict[str, Any]:
    return {
        "source_id": ctx.source_id,
        "sku": parsed["sku"],
        "name": parsed.get("name"),
        "category": parsed.get("category"),
        "brand": parsed.get("brand"),
        "price": _dec(parsed.get("price")),
        "currency": parsed.get("currency"),
        "attributes": parsed.get("attributes") or None,
        "source_record_id": record_id,
        "batch_id": ctx.batch_id,
        "updated_at": ctx.loaded_at,
    }


def apply_products(
    conn: Connection, ctx: BatchContext, rows: list[ParsedRow]
) -> tuple[Counts, list[RejectedRow]]:
    c = classify(conn, ctx, rows)
    todo = c.new + [r for r, _ in c.changed]
    ids = _record_versions(conn, ctx, [(r, None) for r in todo], [v.id for _, v in c.changed])
    existing = _existing(
        conn, products, products.c.sku, ctx.source_id, [r.source_key for r in todo]
    )
    inserts, updates = [], []
    for row, record_id in zip(todo, ids, strict=True):
        values = product_values(ctx, row.parsed, record_id)
        if row.source_key in existing:
            updates.append({**values, "pid": existing[row.source_key]})
        else:
            inserts.append(values)
    insert_rows(conn, products, inserts)
    if updates:
        conn.execute(update(products).where(products.c.id == bindparam("pid")), updates)
    return _counts(len(c.new), len(c.changed), len(c.unchanged)), []


# --- orders ---------------------------------------------------------------------------------


def apply_orders(
    conn: Connection, ctx: BatchContext, rows: list[ParsedRow], customer_source: str
) -> tuple[Counts, list[RejectedRow]]:
    resolved, rejected = resolve_customers(conn, ctx, customer_source, rows)
    customer_of = {id(r): cid for r, cid in resolved}
    ok_rows = [r for r, _ in resolved]
    c = classify(conn, ctx, ok_rows)
    todo = c.new + [r for r, _ in c.changed]
    ids = _record_versions(
        conn, ctx, [(r, customer_of[id(r)]) for r in todo], [v.id for _, v in c.changed]
    )
    order_keys = sorted({r.source_key.rsplit("/", 1)[0] for r in todo})
    order_ids = _existing(conn, orders, orders.c.order_key, ctx.source_id, order_keys)
    new_orders: dict[str, dict[str, Any]] = {}
    for row in todo:
        key = row.source_key.rsplit("/", 1)[0]
        if key not in order_ids and key not in new_orders:
            p = row.parsed
            new_orders[key] = {
                "source_id": ctx.source_id,
                "order_key": key,
                "customer_id": customer_of[id(row)],
                "ordered_at": datetime.fromisoformat(p["ordered_at"]),
                "total_amount": Decimal(0),
                "currency": p.get("currency"),
                "channel": p.get("channel"),
                "store": p.get("store"),
                "status": p.get("status"),
                "batch_id": ctx.batch_id,
            }
    if new_orders:
        insert_rows(conn, orders, list(new_orders.values()))
        order_ids.update(
            _existing(conn, orders, orders.c.order_key, ctx.source_id, list(new_orders))
        )
    line_ids = _existing_lines(conn, [order_ids[r.source_key.rsplit("/", 1)[0]] for r in todo])
    sku_ids = _product_ids(conn, [r.parsed["sku"] for r in todo if r.parsed.get("sku")])
    inserts, updates = [], []
    for row, record_id in zip(todo, ids, strict=True):
        key, line_no = row.source_key.rsplit("/", 1)
        values = order_line_values(ctx, row.parsed, order_ids[key], line_no, record_id, sku_ids)
        existing_line = line_ids.get((order_ids[key], line_no))
        if existing_line is None:
            inserts.append(values)
        else:
            updates.append({**values, "lid": existing_line})
    insert_rows(conn, order_lines, inserts)
    if updates:
        conn.execute(update(order_lines).where(order_lines.c.id == bindparam("lid")), updates)
    refresh_order_totals(conn, sorted({order_ids[r.source_key.rsplit("/", 1)[0]] for r in todo}))
    return _counts(len(c.new), len(c.changed), len(c.unchanged)), rejected


def order_line_values(
    ctx: BatchContext,
    p: dict[str, Any],
    order_id: int,
    line_no: str,
    record_id: int,
    sku_ids: dict[str, int],
) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "line_no": line_no,
        "sku": p.get("sku"),
        "product_id": sku_ids.get(p.get("sku") or ""),
        "quantity": _dec(p.get("quantity")),
        "unit_price": _dec(p.get("unit_price")),
        "amount": _dec(p.get("amount")),
        "discount": _dec(p.get("discount")),
        "source_record_id": record_id,
        "batch_id": ctx.batch_id,
    }


def refresh_order_totals(conn: Connection, order_ids: list[int]) -> None:
    """An order's total is the sum of its lines."""
    line_sum = (
        select(func.coalesce(func.sum(order_lines.c.amount), 0))
        .where(order_lines.c.order_id == orders.c.id)
        .scalar_subquery()
    )
    for part in chunked(order_ids):
        conn.execute(update(orders).where(orders.c.id.in_(part)).values(total_amount=line_sum))


def _existing_lines(conn: Connection, order_ids: list[int]) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    ol = order_lines.c
    for part in chunked(sorted(set(order_ids))):
        for r in conn.execute(select(ol.id, ol.order_id, ol.line_no).where(ol.order_id.in_(part))):
            found[(int(r.order_id), r.line_no)] = int(r.id)
    return found


def _product_ids(conn: Connection, skus: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunked(sorted(set(skus))):
        query = (
            select(products.c.sku, func.min(products.c.id))
            .where(products.c.sku.in_(part))
            .group_by(products.c.sku)
        )
        found.update({r[0]: int(r[1]) for r in conn.execute(query)})
    return found


# --- events ---------------------------------------------------------------------------------


def event_values(
    ctx: BatchContext, p: dict[str, Any], key: str, customer_id: int, record_id: int
) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "source_id": ctx.source_id,
        "event_key": key,
        "occurred_at": datetime.fromisoformat(p["occurred_at"]),
        "type": p["type"],
        "channel": p.get("channel"),
        "touchpoint": p.get("touchpoint"),
        "payload": p.get("payload") or None,
        "source_record_id": record_id,
        "batch_id": ctx.batch_id,
    }


def apply_events(
    conn: Connection, ctx: BatchContext, rows: list[ParsedRow], customer_source: str
) -> tuple[Counts, list[RejectedRow]]:
    resolved, rejected = resolve_customers(conn, ctx, customer_source, rows)
    customer_of = {id(r): cid for r, cid in resolved}
    c = classify(conn, ctx, [r for r, _ in resolved])
    todo = c.new + [r for r, _ in c.changed]
    ids = _record_versions(
        conn, ctx, [(r, customer_of[id(r)]) for r in todo], [v.id for _, v in c.changed]
    )
    existing = _existing(
        conn, interactions, interactions.c.event_key, ctx.source_id, [r.source_key for r in todo]
    )
    inserts, updates = [], []
    for row, record_id in zip(todo, ids, strict=True):
        values = event_values(ctx, row.parsed, row.source_key, customer_of[id(row)], record_id)
        if row.source_key in existing:
            updates.append({**values, "iid": existing[row.source_key]})
        else:
            inserts.append(values)
    insert_rows(conn, interactions, inserts)
    if updates:
        conn.execute(update(interactions).where(interactions.c.id == bindparam("iid")), updates)
    return _counts(len(c.new), len(c.changed), len(c.unchanged)), rejected


# --- helpers --------------------------------------------------------------------------------


def _existing(
    conn: Connection, table: Any, key_col: Any, source_id: int, keys: list[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunked(sorted(set(keys))):
        query = select(key_col, table.c.id).where(table.c.source_id == source_id, key_col.in_(part))
        found.update({r[0]: int(r[1]) for r in conn.execute(query)})
    return found


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
