"""The customer 360-degree view: profile, contact points, consent, orders, interactions, and
everything in one timeline, newest first."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import BindParameter, Connection, Engine, Integer, bindparam, select

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


# The 360 view runs on every customer page and API read: its statements are built once, with
# only the columns it shows (building a statement and describing unused columns cost more than
# running it).
_CID: BindParameter[int] = bindparam("cid", type_=Integer)
_GOLDEN = (
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
_CUSTOMER = select(
    *(customers.c[k] for k in _GOLDEN), customers.c.attributes, customers.c.lineage
).where(customers.c.id == _CID)
_cp = contact_points.c
_POINTS = (
    select(
        _cp.kind, _cp.value, _cp.valid, _cp.verified, _cp.validation_error, _cp.source_record_id,
        _cp.raw_value, _cp.phone_kind, _cp.province, _cp.city, _cp.district, _cp.postcode,
    )
    .where(_cp.customer_id == _CID)
    .order_by(_cp.id)
)  # fmt: skip
_ev = interactions.c
_EVENTS = (
    select(
        _ev.id, _ev.source_id, _ev.occurred_at, _ev.type, _ev.channel, _ev.touchpoint, _ev.payload
    )
    .where(_ev.customer_id == _CID)
    .order_by(_ev.occurred_at.desc())
    .limit(bindparam("limit"))
)
_sr = source_records.c
_CONSENTS = (
    select(
        consents.c.channel, consents.c.purpose, consents.c.status, consents.c.recorded_at,
        consents.c.origin, _sr.source_id, _sr.batch_id.label("record_batch"), _sr.row_number,
    )
    .outerjoin(source_records, _sr.id == consents.c.source_record_id)
    .where(consents.c.customer_id == _CID)
    .order_by(consents.c.recorded_at, consents.c.id)
)  # fmt: skip
_RECORDS = (
    select(
        _sr.id, _sr.source_id, _sr.source_key, _sr.batch_id, _sr.row_number, _sr.loaded_at,
        _sr.external, _sr.is_current, _sr.raw,
    )
    .where(_sr.customer_id == _CID, _sr.kind == "customers")
    .order_by(_sr.id)
)  # fmt: skip
_o = orders.c
_ORDERS = (
    select(_o.id, _o.source_id, _o.order_key, _o.ordered_at, _o.total_amount, _o.currency,
           _o.channel, _o.store)
    .where(_o.customer_id == _CID)
    .order_by(_o.ordered_at.desc())
)  # fmt: skip
_ol = order_lines.c
_LINES = (
    select(_ol.order_id, _ol.line_no, _ol.sku, _ol.quantity, _ol.unit_price, _ol.amount)
    .join(orders, _o.id == _ol.order_id)
    .where(_o.customer_id == _CID)
    .order_by(_ol.order_id, _ol.line_no)
)


class _SourceNames(dict[int, str]):
    """Source names by id, read once per engine: sources are never renamed or deleted, so the
    only change is a new source, read again when an unknown id turns up."""

    _known: ClassVar[weakref.WeakKeyDictionary[Engine, dict[int, str]]] = (
        weakref.WeakKeyDictionary()
    )
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, conn: Connection) -> None:
        with self._lock:
            names = self._known.get(conn.engine)
        super().__init__(names or {})
        self._conn = conn

    def __missing__(self, source_id: int) -> str:
        names = {r.id: r.name for r in self._conn.execute(select(sources.c.id, sources.c.name))}
        with self._lock:
            self._known[self._conn.engine] = names
        self.update(names)
        return names[source_id]


def load_customer(conn: Connection, customer_id: int, *, max_events: int = 500) -> Customer360:
    """Read one customer's full view. Raises NotFoundError for an unknown id."""
    row = conn.execute(_CUSTOMER, {"cid": customer_id}).mappings().first()
    if row is None:
        raise NotFoundError(
            f"no customer {customer_id}", hint="search with `patron customer search`"
        )
    source_names = _SourceNames(conn)
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
        for r in conn.execute(_POINTS, {"cid": customer_id})
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
        for r in conn.execute(_EVENTS, {"cid": customer_id, "limit": max_events})
    ]
    view = Customer360(
        **{k: row[k] for k in _GOLDEN},
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
    history = []
    for r in conn.execute(_CONSENTS, {"cid": customer_id}):
        origin = r.origin
        if r.source_id is not None:
            origin = (
                f"import of source '{names[r.source_id]}', batch {r.record_batch}, "
                f"row {r.row_number}, {r.origin}"
            )
        history.append(ConsentState(r.channel, r.purpose, r.status, r.recorded_at, origin))
    return history


def _records(conn: Connection, customer_id: int, names: dict[int, str]) -> list[SourceRecord]:
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
        for r in conn.execute(_RECORDS, {"cid": customer_id})
    ]


def _orders(conn: Connection, customer_id: int, names: dict[int, str]) -> list[Order]:
    rows = conn.execute(_ORDERS, {"cid": customer_id}).mappings().all()
    lines: dict[int, list[OrderLine]] = {}
    if rows:
        for r in conn.execute(_LINES, {"cid": customer_id}):
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
