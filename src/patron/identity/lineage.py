"""One customer's identity: the records it is made of, where each golden value came from, the
merges it took part in and its household (what `patron identity show ID` prints)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from patron.core import NotFoundError
from patron.golden import GOLDEN_COLUMNS, resolve_customer
from patron.identity.merge import MergeRecord, merges_of
from patron.store.schema import (
    customers,
    household_members,
    households,
    import_batches,
    source_records,
    sources,
)


@dataclass(frozen=True)
class RecordLine:
    id: int
    source: str
    source_key: str
    batch_id: int
    row_number: int
    loaded_at: datetime
    is_current: bool
    full_name: str | None


@dataclass(frozen=True)
class GoldenField:
    field: str
    value: Any
    record_id: int | None  # the source record it came from
    source: str | None


@dataclass(frozen=True)
class CustomerIdentity:
    asked_id: int
    customer_id: int  # where asked_id leads today (itself unless merged)
    status: str
    golden: list[GoldenField]
    records: list[RecordLine]  # the customer records, current first
    merges: list[MergeRecord]
    household_id: int | None
    household: list[int]  # the other members' customer ids


def customer_identity(conn: Connection, customer_id: int) -> CustomerIdentity:
    exists = conn.execute(select(customers.c.id).where(customers.c.id == customer_id)).scalar()
    if exists is None:
        raise NotFoundError(
            f"no customer {customer_id}", hint="search with `patron customer search`"
        )
    current = resolve_customer(conn, customer_id)
    row = conn.execute(select(customers).where(customers.c.id == current)).one()
    sr = source_records.c
    query = (
        select(
            sr.id,
            sources.c.name,
            sr.source_key,
            sr.batch_id,
            sr.row_number,
            sr.loaded_at,
            sr.is_current,
            sr.parsed["full_name"].as_string().label("full_name"),
        )
        .join(sources, sources.c.id == sr.source_id)
        .join(import_batches, import_batches.c.id == sr.batch_id)
        .where(sr.customer_id == current, sr.kind == "customers")
        .order_by(sr.is_current.desc(), sr.id)
    )
    records = [RecordLine(*r) for r in conn.execute(query)]
    source_of = {r.id: r.source for r in records}
    lineage = row.lineage or {}
    golden = []
    for column in GOLDEN_COLUMNS:
        rid = lineage.get(column, lineage.get("*"))
        value = getattr(row, column)
        if isinstance(value, date):
            value = value.isoformat()
        golden.append(GoldenField(column, value, rid, source_of.get(rid) if rid else None))
    household_id = conn.execute(
        select(household_members.c.household_id).where(household_members.c.customer_id == current)
    ).scalar()
    members: list[int] = []
    if household_id is not None:
        members = [
            int(c)
            for c in conn.execute(
                select(household_members.c.customer_id)
                .join(households, households.c.id == household_members.c.household_id)
                .where(household_members.c.household_id == household_id)
                .order_by(household_members.c.customer_id)
            ).scalars()
            if int(c) != current
        ]
    return CustomerIdentity(
        customer_id,
        current,
        row.status,
        golden,
        records,
        _cluster_merges(conn, current),
        None if household_id is None else int(household_id),
        members,
    )


def _cluster_merges(conn: Connection, customer_id: int) -> list[MergeRecord]:
    """Every merge that built this customer, including merges into customers it absorbed
    (undone ones too, as history)."""
    found: dict[int, MergeRecord] = {}
    todo = [customer_id]
    while todo:
        node = todo.pop()
        for m in merges_of(conn, node):
            if m.id in found:
                continue
            found[m.id] = m
            if m.survivor_id == node and m.undone_at is None:
                todo.append(m.merged_id)
    return sorted(found.values(), key=lambda m: m.id)
