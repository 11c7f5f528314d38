"""A customer's current consent: per channel and purpose, the newest record wins."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select

from patron.store.bulk import chunked
from patron.store.schema import consents

# (channel, purpose) -> (status, recorded at, the consent row's id)
Consents = dict[tuple[str, str], tuple[str, datetime, int]]


def latest_consents(conn: Connection, customer_ids: Iterable[int]) -> dict[int, Consents]:
    """Per customer and (channel, purpose): the newest status, when, and its row id."""
    c = consents.c
    out: dict[int, Consents] = {}
    for part in chunked(list(customer_ids)):
        query = (
            select(c.id, c.customer_id, c.channel, c.purpose, c.status, c.recorded_at)
            .where(c.customer_id.in_(part))
            .order_by(c.recorded_at, c.id)
        )
        for r in conn.execute(query):
            out.setdefault(int(r.customer_id), {})[(r.channel, r.purpose)] = (
                r.status,
                r.recorded_at,
                int(r.id),
            )
    return out
