"""Customers: the single customer view (360 degrees), timeline and search.

Facade::

    from patron.customers import get_customer, search_customers
    view = get_customer(store, 42)          # profile, contact points, consent, orders, timeline
    hits = search_customers(store, "张伟")   # or "zhang wei", "138 0013 8000", "a@b.cn", "#42"
"""

from __future__ import annotations

from patron.customers.search import CustomerSummary
from patron.customers.search import search_customers as _search
from patron.customers.view import (
    ConsentState,
    ContactPoint,
    Customer360,
    Interaction,
    Order,
    OrderLine,
    SourceRecord,
    TimelineEntry,
    load_customer,
)
from patron.store import Store


def get_customer(store: Store, customer_id: int) -> Customer360:
    """The 360-degree view of one customer (raises NotFoundError for an unknown id)."""
    with store.connect() as conn:
        return load_customer(conn, customer_id)


def search_customers(
    store: Store, query: str, *, limit: int = 50, region: str = "CN"
) -> list[CustomerSummary]:
    """Customers matching a name, pinyin, phone, e-mail or id (see customers.search)."""
    with store.connect() as conn:
        return _search(conn, query, limit=limit, region=region)


def find_customer(store: Store, query: str, *, region: str = "CN") -> Customer360:
    """The 360 view of the single best match for an id, phone or e-mail."""
    from patron.core import NotFoundError

    hits = search_customers(store, query, limit=2, region=region)
    if not hits:
        raise NotFoundError(f"no customer matches '{query}'")
    return get_customer(store, hits[0].id)


__all__ = [
    "ConsentState",
    "ContactPoint",
    "Customer360",
    "CustomerSummary",
    "Interaction",
    "Order",
    "OrderLine",
    "SourceRecord",
    "TimelineEntry",
    "find_customer",
    "get_customer",
    "search_customers",
]


def iter_customer_rows(store: Store, columns: list[str], batch_size: int = 5000):  # type: ignore[no-untyped-def]
    """Yield active customers' golden fields as lists, streaming (for exports)."""
    from sqlalchemy import select

    from patron.store.schema import customers as table

    cols = [table.c[name] for name in columns]
    last = 0
    while True:
        with store.connect() as conn:
            rows = conn.execute(
                select(*cols)
                .where(table.c.id > last, table.c.status == "active")
                .order_by(table.c.id)
                .limit(batch_size)
            ).all()
        if not rows:
            return
        for row in rows:
            yield list(row)
        last = rows[-1][0]


__all__ += ["iter_customer_rows"]
