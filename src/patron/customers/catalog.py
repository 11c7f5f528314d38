"""Lists for browsing: customers, products, orders and events, page by page.

Pages are keyset pages (``after`` the last id seen), so a page costs the same however deep
it is and rows added meanwhile are neither skipped nor repeated.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from patron.customers.search import CustomerSummary
from patron.store.schema import (
    contact_points,
    customers,
    import_batches,
    interactions,
    orders,
    products,
    rejected_rows,
    source_records,
    sources,
)


def list_customers(conn: Connection, *, after: int = 0, limit: int = 50) -> list[CustomerSummary]:
    c = customers.c
    query = (
        select(c.id, c.full_name, c.primary_phone, c.primary_email, c.city, c.member_tier)
        .where(c.id > after, c.status == "active")
        .order_by(c.id)
        .limit(limit)
    )
    return [
        CustomerSummary(
            r.id, r.full_name, r.primary_phone, r.primary_email, r.city, r.member_tier, ""
        )
        for r in conn.execute(query)
    ]


def _page(conn: Connection, table: Any, after: int, limit: int, where: list[Any]) -> list[dict]:
    source_names = {r.id: r.name for r in conn.execute(select(sources.c.id, sources.c.name))}
    query = select(table).where(table.c.id > after, *where).order_by(table.c.id).limit(limit)
    rows = []
    for r in conn.execute(query).mappings():
        row = dict(r)
        if "source_id" in row:
            row["source"] = source_names.get(row.pop("source_id"))
        row.pop("batch_id", None)
        row.pop("source_record_id", None)
        rows.append(row)
    return rows


def list_products(conn: Connection, *, after: int = 0, limit: int = 50) -> list[dict]:
    return _page(conn, products, after, limit, [])


def list_orders(
    conn: Connection, *, after: int = 0, limit: int = 50, customer_id: int | None = None
) -> list[dict]:
    where = [] if customer_id is None else [orders.c.customer_id == customer_id]
    return _page(conn, orders, after, limit, where)


def list_events(
    conn: Connection, *, after: int = 0, limit: int = 50, customer_id: int | None = None
) -> list[dict]:
    where = [] if customer_id is None else [interactions.c.customer_id == customer_id]
    return _page(conn, interactions, after, limit, where)


def overview(conn: Connection) -> dict[str, Any]:
    """Headline figures for the home dashboard."""

    def scalar(query: Any) -> int:
        return int(conn.execute(query).scalar() or 0)

    c, cp = customers.c, contact_points.c
    active = scalar(select(func.count()).where(c.status == "active"))
    points = {
        (r.kind, bool(r.valid)): int(r.n)
        for r in conn.execute(
            select(cp.kind, cp.valid, func.count().label("n")).group_by(cp.kind, cp.valid)
        )
    }
    per_source = [
        {"source": r.name, "records": int(r.n), "external": bool(r.external)}
        for r in conn.execute(
            select(sources.c.name, sources.c.external, func.count(source_records.c.id).label("n"))
            .outerjoin(source_records, source_records.c.source_id == sources.c.id)
            .group_by(sources.c.name, sources.c.external)
            .order_by(sources.c.name)
        )
    ]

    def share(kind: str) -> float | None:
        valid, invalid = points.get((kind, True), 0), points.get((kind, False), 0)
        return round(valid / (valid + invalid), 4) if valid + invalid else None

    return {
        "customers": active,
        "with_phone": scalar(
            select(func.count()).where(c.status == "active", c.primary_phone.is_not(None))
        ),
        "with_email": scalar(
            select(func.count()).where(c.status == "active", c.primary_email.is_not(None))
        ),
        "valid_phone_share": share("phone"),
        "valid_email_share": share("email"),
        "orders": scalar(select(func.count()).select_from(orders)),
        "events": scalar(select(func.count()).select_from(interactions)),
        "rejected_rows": scalar(select(func.count()).select_from(rejected_rows)),
        "rows_read": scalar(select(func.coalesce(func.sum(import_batches.c.rows_read), 0))),
        "sources": per_source,
    }
