"""The customer 360-degree view: profile, contact points, consent, orders, interactions, and
everything in one timeline, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from patron.core import NotFoundError
from patron.store.schema import (
    consents,
    contact_points,
    customers,
    interactions,
    order_lines,
    orders,
    source_records,
    sources,
)


@dataclass
class ContactPoint:
    kind: str
    value: str
    valid: bool
    verified: bool
    validation_error: str | None
    source: str
    raw_value: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class ConsentState:
    channel: str
    purpose: str
    status: str
    recorded_at: datetime
    origin: str


@dataclass
class OrderLine:
    line_no: str
    sku: str | None
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal


@dataclass
class Order:
    id: int
    source: str
    order_key: str
    ordered_at: datetime
    total_amount: Decimal
    currency: str | None
    channel: str | None
    store: str | None
    lines: list[OrderLine]


@dataclass
class Interaction:
    id: int
    source: str
    occurred_at: datetime
    type: str
    channel: str | None
    touchpoint: str | None
    payload: dict[str, Any] | None


@dataclass
class SourceRecord:
    id: int
    source: str
    source_key: str
    batch_id: int
    row_number: int
    loaded_at: datetime
    external: bool
    is_current: bool
    raw: dict[str, str]


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # order | interaction | consent | record
    title: str
    ref: int


@dataclass
class Customer360:
    """Everything patron knows about one customer."""

    id: int
    status: str
    full_name: str | None
    given_name: str | None
    family_name: str | None
    gender: str | None
    birth_date: date | None
    company: str | None
    member_tier: str | None
    primary_email: str | None
    primary_phone: str | None
    province: str | None
    city: str | None
    district: str | None
    postcode: str | None
    external: bool
    attributes: dict[str, Any]
    lineage: dict[str, int]
    version: int
    created_at: datetime
    updated_at: datetime
    contact_points: list[ContactPoint]
    consents: list[ConsentState]  # current state per channel and purpose
    consent_history: list[ConsentState]
    orders: list[Order]
    interactions: list[Interaction]
    source_records: list[SourceRecord]
    timeline: list[TimelineEntry]

    def source_record_of(self, field: str) -> int | None:
        """The id of the source record a golden field's value came from."""
        return self.lineage.get(field, self.lineage.get("*"))

    def consent_for(self, channel: str, purpose: str = "marketing") -> str | None:
        """'granted', 'denied' or None (never asked)."""
        return next(
            (c.status for c in self.consents if c.channel == channel and c.purpose == purpose), None
        )


def load_customer(conn: Connection, customer_id: int, *, max_events: int = 500) -> Customer360:
    """Read one customer's full view. Raises NotFoundError for an unknown id."""
    row = conn.execute(select(customers).where(customers.c.id == customer_id)).mappings().first()
    if row is None:
        raise NotFoundError(
            f"no customer {customer_id}", hint="search with `patron customer search`"
        )
    source_names = {r.id: r.name for r in conn.execute(select(sources.c.id, sources.c.name))}
    records = _records(conn, customer_id, source_names)
    record_source = {r.id: r.source for r in records}
    points = [
        ContactPoint(
            r.kind,
            r.value,
            r.valid,
            r.verified,
            r.validation_error,
            record_source.get(r.source_record_id, "manual"),
            r.raw_value,
            {
                k: getattr(r, k)
                for k in ("phone_kind", "province", "city", "district", "postcode")
                if getattr(r, k)
            },
        )
        for r in conn.execute(
            select(contact_points)
            .where(contact_points.c.customer_id == customer_id)
            .order_by(contact_points.c.id)
        )
    ]
    history = _consents(conn, customer_id, source_names)
    current: dict[tuple[str, str], ConsentState] = {}
    for c in history:
        current[(c.channel, c.purpose)] = c
    order_list = _orders(conn, customer_id, source_names)
    events = [
        Interaction(
            r.id,
            source_names[r.source_id],
            r.occurred_at,
            r.type,
            r.channel,
            r.touchpoint,
            r.payload,
        )
        for r in conn.execute(
            select(interactions)
            .where(interactions.c.customer_id == customer_id)
            .order_by(interactions.c.occurred_at.desc())
            .limit(max_events)
        )
    ]
    view = Customer360(
        **{
            k: row[k]
            for k in (
                "id",
                "status",
                "full_name",
                "given_name",
                "family_name",
                "gender",
                "birth_date",
                "company",
                "member_tier",
                "primary_email",
                "primary_phone",
                "province",
                "city",
                "district",
                "postcode",
                "external",
                "version",
                "created_at",
                "updated_at",
            )
        },
        attributes=row["attributes"] or {},
        lineage=row["lineage"] or {},
        contact_points=points,
        consents=sorted(current.values(), key=lambda c: (c.channel, c.purpose)),
        consent_history=history,
        orders=order_list,
        interactions=events,
        source_records=records,
        timeline=[],
    )
    view.timeline = build_timeline(view)
    return view


def _consents(conn: Connection, customer_id: int, names: dict[int, str]) -> list[ConsentState]:
    """Consent history, oldest first, each with where it came from in words."""
    sr = source_records.c
    query = (
        select(consents, sr.source_id, sr.batch_id.label("record_batch"), sr.row_number)
        .outerjoin(source_records, sr.id == consents.c.source_record_id)
        .where(consents.c.customer_id == customer_id)
        .order_by(consents.c.recorded_at, consents.c.id)
    )
    history = []
    for r in conn.execute(query):
        origin = r.origin
        if r.source_id is not None:
            origin = (
                f"import of source '{names[r.source_id]}', batch {r.record_batch}, "
                f"row {r.row_number}, {r.origin}"
            )
        history.append(ConsentState(r.channel, r.purpose, r.status, r.recorded_at, origin))
    return history


def _records(conn: Connection, customer_id: int, names: dict[int, str]) -> list[SourceRecord]:
    sr = source_records.c
    query = (
        select(
            sr.id,
            sr.source_id,
            sr.source_key,
            sr.batch_id,
            sr.row_number,
            sr.loaded_at,
            sr.external,
            sr.is_current,
            sr.raw,
        )
        .where(sr.customer_id == customer_id, sr.kind == "customers")
        .order_by(sr.id)
    )
    return [
        SourceRecord(
            r.id,
            names[r.source_id],
            r.source_key,
            r.batch_id,
            r.row_number,
            r.loaded_at,
            r.external,
            r.is_current,
            r.raw,
        )
        for r in conn.execute(query)
    ]


def _orders(conn: Connection, customer_id: int, names: dict[int, str]) -> list[Order]:
    rows = (
        conn.execute(
            select(orders)
            .where(orders.c.customer_id == customer_id)
            .order_by(orders.c.ordered_at.desc())
        )
        .mappings()
        .all()
    )
    lines: dict[int, list[OrderLine]] = {}
    if rows:
        ol = order_lines.c
        query = (
            select(ol.order_id, ol.line_no, ol.sku, ol.quantity, ol.unit_price, ol.amount)
            .join(orders, orders.c.id == ol.order_id)
            .where(orders.c.customer_id == customer_id)
            .order_by(ol.order_id, ol.line_no)
        )
        for r in conn.execute(query):
            lines.setdefault(r.order_id, []).append(
                OrderLine(r.line_no, r.sku, r.quantity, r.unit_price, r.amount)
            )
    return [
        Order(
            r["id"],
            names[r["source_id"]],
            r["order_key"],
            r["ordered_at"],
            r["total_amount"],
            r["currency"],
            r["channel"],
            r["store"],
            lines.get(r["id"], []),
        )
        for r in rows
    ]


def build_timeline(view: Customer360) -> list[TimelineEntry]:
    """Orders, interactions, consent changes and record loads as one list, newest first."""
    entries = [
        TimelineEntry(
            o.ordered_at,
            "order",
            f"Order {o.order_key} ({o.source}): {o.total_amount:.2f} {o.currency or ''}, "
            f"{len(o.lines)} line(s)".strip(),
            o.id,
        )
        for o in view.orders
    ]
    entries += [
        TimelineEntry(
            i.occurred_at,
            "interaction",
            " · ".join(x for x in (i.type, i.channel, i.touchpoint) if x),
            i.id,
        )
        for i in view.interactions
    ]
    entries += [
        TimelineEntry(c.recorded_at, "consent", f"{c.channel}/{c.purpose} consent {c.status}", 0)
        for c in view.consent_history
    ]
    entries += [
        TimelineEntry(
            r.loaded_at,
            "record",
            f"Record {r.source_key} loaded from {r.source} "
            f"(batch {r.batch_id}, row {r.row_number})",
            r.id,
        )
        for r in view.source_records
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)
