"""Customers: the single customer view (360 degrees), timeline, search and browsing.

Facade::

    from patron.customers import get_customer, search_customers
    view = get_customer(store, 42)          # profile, contact points, consent, orders, timeline
    hits = search_customers(store, "张伟")   # or "zhang wei", "138 0013 8000", "a@b.cn", "#42"
    view = get_customer(store, 42, masked=True)   # for roles without the personal-data right

Reading a customer unmasked on someone's behalf (``viewed_by``) is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from patron.core import NotFoundError, PermissionDeniedError
from patron.customers import catalog
from patron.customers.masking import mask_customer, mask_summary
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
from patron.store import Store, record_audit
from patron.store.schema import customers as _customers


def get_customer(
    store: Store, customer_id: int, *, masked: bool = False, viewed_by: str | None = None
) -> Customer360:
    """The 360-degree view of one customer (raises NotFoundError for an unknown id).

    ``masked`` hides personal data; an unmasked read ``viewed_by`` someone is audited.
    """
    if masked or viewed_by is None:
        with store.connect() as conn:
            view = load_customer(conn, customer_id)
        return mask_customer(view) if masked else view
    with store.begin() as conn:
        view = load_customer(conn, customer_id)
        record_audit(
            conn, actor=viewed_by, action="customer.viewed", target_type="customer",
            target_id=customer_id,
        )  # fmt: skip
    return view


def search_customers(
    store: Store,
    query: str,
    *,
    limit: int = 50,
    region: str = "CN",
    masked: bool = False,
    viewed_by: str | None = None,
) -> list[CustomerSummary]:
    """Customers matching a name, pinyin, phone, e-mail or id (see customers.search).

    With ``masked`` the results are masked and phones and e-mails are not searched (a role
    that may not see a phone number may not test guesses of it either); an e-mail query is
    refused outright so nobody mistakes "no match" for "no such customer".
    """
    if masked and "@" in query:
        raise PermissionDeniedError(
            "searching by e-mail needs the personal-data permission",
            hint="search by name or customer id",
        )
    with store.connect() as conn:
        hits = _search(conn, query, limit=limit, region=region, contacts=not masked)
    if masked:
        return [mask_summary(h) for h in hits]
    if viewed_by is not None and hits:
        _audit_unmasked_list(store, viewed_by, "customers.searched", hits, query=query[:200])
    return hits


def find_customer(store: Store, query: str, *, region: str = "CN") -> Customer360:
    """The 360 view of the single best match for an id, phone or e-mail."""
    hits = search_customers(store, query, limit=2, region=region)
    if not hits:
        raise NotFoundError(f"no customer matches '{query}'")
    return get_customer(store, hits[0].id)


def list_customers(
    store: Store,
    *,
    after: int = 0,
    limit: int = 50,
    masked: bool = False,
    viewed_by: str | None = None,
) -> list[CustomerSummary]:
    """Active customers by id, ``limit`` after id ``after`` (keyset pages)."""
    with store.connect() as conn:
        rows = catalog.list_customers(conn, after=after, limit=limit)
    if masked:
        return [mask_summary(r) for r in rows]
    if viewed_by is not None and rows:
        _audit_unmasked_list(store, viewed_by, "customers.listed", rows)
    return rows


def _audit_unmasked_list(
    store: Store, actor: str, action: str, shown: list[CustomerSummary], **details: Any
) -> None:
    """Unmasked lists show phones and e-mails: who saw whose is audited."""
    with store.begin() as conn:
        record_audit(
            conn, actor=actor, action=action, target_type="customer",
            details={**details, "ids": [c.id for c in shown]},
        )  # fmt: skip


def list_products(store: Store, *, after: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return catalog.list_products(conn, after=after, limit=limit)


def list_orders(
    store: Store, *, after: int = 0, limit: int = 50, customer_id: int | None = None
) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return catalog.list_orders(conn, after=after, limit=limit, customer_id=customer_id)


def list_events(
    store: Store, *, after: int = 0, limit: int = 50, customer_id: int | None = None
) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return catalog.list_events(conn, after=after, limit=limit, customer_id=customer_id)


def overview(store: Store) -> dict[str, Any]:
    """Headline figures: customers, contact data validity, orders, events, rejects, sources."""
    with store.connect() as conn:
        return catalog.overview(conn)


def customer_version(store: Store, customer_id: int) -> int:
    """The customer's current version (raises NotFoundError)."""
    with store.connect() as conn:
        version = conn.execute(
            select(_customers.c.version).where(_customers.c.id == customer_id)
        ).scalar()
    if version is None:
        raise NotFoundError(f"no customer {customer_id}")
    return int(version)


def iter_customer_rows(
    store: Store, columns: list[str], batch_size: int = 5000
) -> Iterator[list[Any]]:
    """Yield active customers' golden fields as lists, streaming (for exports)."""
    cols = [_customers.c[name] for name in columns]
    last = 0
    while True:
        with store.connect() as conn:
            rows = conn.execute(
                select(*cols)
                .where(_customers.c.id > last, _customers.c.status == "active")
                .order_by(_customers.c.id)
                .limit(batch_size)
            ).all()
        if not rows:
            return
        for row in rows:
            yield list(row)
        last = rows[-1][0]


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
    "customer_version",
    "find_customer",
    "get_customer",
    "iter_customer_rows",
    "list_customers",
    "list_events",
    "list_orders",
    "list_products",
    "mask_customer",
    "overview",
    "search_customers",
]
