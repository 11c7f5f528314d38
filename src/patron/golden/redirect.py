"""Which customer an id stands for today: a merged customer's id leads to its survivor."""

from __future__ import annotations

from sqlalchemy import Connection, select

from patron.core import ConflictError
from patron.store.schema import customers


def resolve_customer(conn: Connection, customer_id: int) -> int:
    """The customer an id stands for today: merged ids lead to their survivor (through every
    merge since). Unknown ids are returned as they are."""
    seen = {customer_id}
    current = customer_id
    while True:
        into = conn.execute(
            select(customers.c.merged_into_id).where(customers.c.id == current)
        ).scalar()
        if into is None:
            return current
        if into in seen:  # pragma: no cover - merges never form a cycle
            raise ConflictError(f"customer {customer_id}: merge pointers form a cycle")
        seen.add(int(into))
        current = int(into)
