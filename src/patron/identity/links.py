"""Where every current customer record belongs today: (source, source record key, customer
id). This is the store's state after merges and unmerges; ``proposal.links`` is what matching
would propose, for comparison."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from patron.identity.records import current_customer_records
from patron.store import Store
from patron.store.schema import source_records, sources

PAGE = 5000


def current_links(store: Store, *, page: int = PAGE) -> Iterator[tuple[str, str, int]]:
    """(source, source record key, customer id) for every current customer record, by record
    id, read ``page`` records at a time (keyset pages, each its own short read), so that a
    store of any size streams.

    >>> next(current_links(store))                 # doctest: +SKIP
    ('pos', 'P1', 1)
    """
    sr = source_records.c
    last = 0
    while True:
        with store.connect() as conn:
            rows = conn.execute(
                select(sr.id, sources.c.name, sr.source_key, sr.customer_id)
                .join(sources, sources.c.id == sr.source_id)
                .where(*current_customer_records(), sr.id > last)
                .order_by(sr.id)
                .limit(page)
            ).all()
        if not rows:
            return
        for row in rows:
            yield row.name, row.source_key, int(row.customer_id)
        last = int(rows[-1].id)
