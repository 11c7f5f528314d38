"""Cross-references: records that name each other outright.

A service ticket logged against member 12345 whose contact card is TC64728718 says that the
card and the member are one customer; no name or phone comparison can say it better. Such
references live in the payload of interactions (``payload.ticket_contact_id`` in the demo's
event log) and point at a customer record of another source. `patron unify` joins the two
customers like a sure pair, unless a person kept them apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, func, select

from patron.identity.records import current_customer_records
from patron.store.schema import interactions, source_records, sources

# The demo's service-desk events name the ticket's contact card; harmless where no
# interaction carries the key.
DEFAULT_CROSS_REFERENCES = ("payload.ticket_contact_id=service",)


@dataclass(frozen=True)
class CrossReference:
    """``path`` into an interaction's payload holding the key of a ``source``'s customer
    record."""

    path: tuple[str, ...]
    source: str

    @classmethod
    def parse(cls, text: str) -> CrossReference:
        """From ``"payload.ticket_contact_id=service"`` (path=source)."""
        path, sep, source = text.partition("=")
        steps = tuple(p for p in path.strip().split(".") if p)
        if not sep or not steps or not source.strip():
            raise ValueError(
                f"cross reference {text!r}: write it as payload.path.to.key=source, "
                "e.g. payload.ticket_contact_id=service"
            )
        return cls(steps, source.strip())


def cross_reference_pairs(conn: Connection, references: Sequence[CrossReference]) -> pd.DataFrame:
    """Record pairs (``unique_id_l``, ``unique_id_r``) that references join: a current record
    of the interaction's customer and the referenced record, where their customers differ."""
    found: list[tuple[int, int]] = []
    i, sr = interactions.c, source_records.c
    target = source_records.alias("target")
    own = (  # one record standing for each customer
        select(sr.customer_id, func.min(sr.id).label("record_id"))
        .where(*current_customer_records())
        .group_by(sr.customer_id)
        .subquery()
    )
    for ref in references:
        key: Any = i.payload
        for step in ref.path:
            key = key[step]
        referenced = (
            select(key.as_string().label("key"), i.customer_id.label("customer_id"))
            .where(key.as_string().is_not(None))
            .distinct()
            .subquery()
        )
        query = (
            select(own.c.record_id, target.c.id)
            .select_from(referenced)
            .join(own, own.c.customer_id == referenced.c.customer_id)
            .join(
                target,
                and_(
                    target.c.source_key == referenced.c.key,
                    target.c.kind == "customers",
                    target.c.is_current,
                ),
            )
            .join(sources, and_(sources.c.id == target.c.source_id, sources.c.name == ref.source))
            .where(target.c.customer_id != referenced.c.customer_id)
        )
        found.extend((int(a), int(b)) for a, b in conn.execute(query))
    return pd.DataFrame(
        sorted({tuple(sorted(p)) for p in found}), columns=["unique_id_l", "unique_id_r"]
    )
