"""Customers entered or edited by people (web app, REST API), kept like any imported record.

A person's entry is a source record of the "patron" source, in one standing batch, normalised
by the same code as an import, so lineage, history and rollback work the same way:
- creating a customer writes a new record (key ``entry:<uuid>``) that becomes a new customer;
- editing one writes a new version of its record ``customer:<id>`` holding the edited golden
  values, and the changed fields' lineage points at it (a manual override later merges honour).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from patron.core import ConflictError, InputError, NotFoundError, Settings, utcnow
from patron.golden import MANUAL_SOURCE, golden_values, resolve_customer
from patron.ingest import batches
from patron.ingest.apply_customers import apply_change, apply_customers
from patron.ingest.fields import CONSENT_CHANNELS
from patron.ingest.mapping import ColumnMapping
from patron.ingest.rows import ParsedRow, RowContext, parse_row
from patron.ingest.versions import BatchContext, load_versions
from patron.store import record_audit
from patron.store.schema import consents, customers, import_batches, source_records

# Fields a person may enter; phone, email and address add contact points.
EDITABLE = (
    "full_name",
    "gender",
    "birth_date",
    "company",
    "member_tier",
    "phone",
    "email",
    "address",
)
# The golden columns each editable field sets; an edit leaves every other column as it was.
_COLUMNS_OF_INPUT = {
    "full_name": ("full_name", "given_name", "family_name", "name_key"),
    "phone": ("primary_phone",),
    "email": ("primary_email",),
    "address": ("province", "city", "district", "postcode"),
}
_GOLDEN_COLUMNS = (
    *(c for cols in _COLUMNS_OF_INPUT.values() for c in cols),
    "gender",
    "birth_date",
    "company",
    "member_tier",
    "attributes",
)
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def _batch(conn: Connection, settings: Settings) -> BatchContext:
    """The standing batch that holds people's entries (created on first use)."""
    source = batches.ensure_source(conn, settings, MANUAL_SOURCE, external=False)
    found = conn.execute(
        select(import_batches.c.id).where(
            import_batches.c.source_id == source.id, import_batches.c.kind == "customers"
        )
    ).first()
    if found is not None:
        batch_id = int(found.id)
        # Take SQLite's write lock before anything reads ids to allocate (see allocate_ids).
        batches.touch(conn, batch_id)
    else:
        batch_id = batches.create_batch(
            conn,
            source_id=source.id,
            kind="customers",
            file_name="(entered in patron)",
            file_sha256="-",
            file_size=0,
            format="manual",
            mapping={"kind": "customers", "headers": list(EDITABLE)},
            external=False,
            reliability=1.0,
            half_life_days=source.half_life_days,
            data_as_of=utcnow(),
            created_by="patron",
        )
        batches.finish_batch(conn, batch_id, "completed")
    return BatchContext(batch_id, source.id, MANUAL_SOURCE, "customers", False, utcnow(), source.id)


def _parse(settings: Settings, fields: dict[str, Any], key: str) -> ParsedRow:
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise InputError(
            f"unknown field(s): {', '.join(unknown)}",
            field=unknown[0],
            hint=f"editable fields are {', '.join(EDITABLE)}",
        )
    headers = [name for name in EDITABLE if fields.get(name) not in (None, "")]
    values = [_text(fields[name]) for name in headers]
    mapping = ColumnMapping(
        "customers", [*headers, "source_key"], {n: [i] for i, n in enumerate(headers)}
    )
    mapping.fields["source_key"] = [len(headers)]
    result = parse_row(RowContext(mapping, settings.default_region), 1, [*values, key])
    if not isinstance(result, ParsedRow):
        first = result.problems[0]
        raise InputError(
            str(first["reason"]), field=str(first["field"]), hint=first.get("fix") or None
        )
    return result


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def create_customer(
    conn: Connection, settings: Settings, fields: dict[str, Any], *, actor: str
) -> int:
    """A new customer from a person's entry; returns its id."""
    if not fields.get("full_name") and not fields.get("phone") and not fields.get("email"):
        raise InputError("a customer needs a name, a phone number or an e-mail", field="full_name")
    ctx = _batch(conn, settings)
    key = f"entry:{uuid.uuid4().hex}"
    apply_customers(conn, ctx, [_parse(settings, fields, key)])
    customer_id = conn.execute(
        select(source_records.c.customer_id).where(
            source_records.c.source_id == ctx.source_id, source_records.c.source_key == key
        )
    ).scalar_one()
    record_audit(
        conn,
        actor=actor,
        action="customer.created",
        target_type="customer",
        target_id=customer_id,
        details={"fields": sorted(k for k, v in fields.items() if v)},
    )
    return int(customer_id)


def update_customer(
    conn: Connection,
    settings: Settings,
    customer_id: int,
    changes: dict[str, Any],
    *,
    expected_version: int,
    actor: str,
) -> int:
    """Apply a person's edits to a customer if it is still at ``expected_version``; returns
    the new version. Raises ConflictError when someone else changed it meanwhile."""
    # The version check takes the row's write lock, so two editors cannot both pass it.
    claimed = conn.execute(
        update(customers)
        .where(customers.c.id == customer_id, customers.c.version == expected_version)
        .values(version=customers.c.version)
    ).rowcount
    row = conn.execute(select(customers).where(customers.c.id == customer_id)).first()
    if row is not None and row.status == "merged":
        survivor = resolve_customer(conn, customer_id)
        raise ConflictError(
            f"customer {customer_id} was merged into customer {survivor}",
            hint=f"edit customer {survivor} (reload it first)",
        )
    if row is None or row.status != "active":
        raise NotFoundError(f"no active customer {customer_id}")
    if not claimed:
        raise ConflictError(
            f"customer {customer_id} is at version {row.version}, not {expected_version}",
            hint="reload the customer and apply your change again",
        )
    current = _current_values(row)
    merged = {**current, **changes}
    changed = sorted(k for k in changes if _text(changes[k] or "") != _text(current.get(k) or ""))
    if not changed:
        return int(row.version)
    ctx = _batch(conn, settings)
    key = f"customer:{customer_id}"
    parsed = _parse(settings, {k: v for k, v in merged.items() if v not in (None, "")}, key)
    versions = load_versions(conn, ctx.source_id, "customers", [key]).get(key, [])
    previous = next((v.id for v in versions if v.is_current), None)
    apply_change(conn, ctx, parsed, previous, customer_id)
    record_id = conn.execute(
        select(source_records.c.id).where(
            source_records.c.source_id == ctx.source_id,
            source_records.c.source_key == key,
            source_records.c.is_current.is_(True),
        )
    ).scalar_one()
    lineage = dict(row.lineage or {})
    affected: set[str] = set()
    for name in changed:
        for column in _COLUMNS_OF_INPUT.get(name, (name,)):
            lineage[column] = int(record_id)
            affected.add(column)
    # The edited columns take the person's values, whatever survivorship chose for the rest.
    entered = golden_values(parsed.parsed, int(record_id))
    kept = {c: getattr(row, c) for c in _GOLDEN_COLUMNS if c not in affected}
    kept.update({c: entered[c] for c in affected})
    conn.execute(
        update(customers).where(customers.c.id == customer_id).values(lineage=lineage, **kept)
    )
    record_audit(
        conn,
        actor=actor,
        action="customer.updated",
        target_type="customer",
        target_id=customer_id,
        details={"fields": changed, "record": int(record_id)},
    )
    return int(row.version) + 1


def _current_values(row: Any) -> dict[str, Any]:
    """The customer's golden values under the names people edit."""
    values = {name: getattr(row, _COLUMNS_OF_INPUT.get(name, (name,))[0]) for name in EDITABLE}
    values["address"] = None  # addresses are contact points; a new one is added, never replaced
    return values


def record_consent(
    conn: Connection,
    customer_id: int,
    channel: str,
    purpose: str,
    status: str,
    *,
    actor: str,
    origin: str | None = None,
) -> None:
    """Record consent given or withdrawn by a customer, as told to a person in patron."""
    if status not in ("granted", "denied"):
        raise InputError(f"consent status '{status}'", field="status", hint="granted or denied")
    if channel not in CONSENT_CHANNELS:
        raise InputError(
            f"unknown channel '{channel}'", field="channel", hint=", ".join(CONSENT_CHANNELS)
        )
    if not _PURPOSE.match(purpose):
        raise InputError(
            f"purpose '{purpose[:60]}'",
            field="purpose",
            hint="lower-case letters, digits and _ (e.g. marketing, newsletter)",
        )
    asked = customer_id
    # A customer merged into another: the consent is the survivor's now (an unsubscribe sent
    # to an old id must still stop the messages).
    customer_id = resolve_customer(conn, customer_id)
    row = conn.execute(select(customers.c.status).where(customers.c.id == customer_id)).first()
    if row is None or row.status != "active":
        raise NotFoundError(f"no active customer {customer_id}")
    origin = origin or f"recorded by {actor}"
    if asked != customer_id:
        origin += f" (for customer {asked}, merged into {customer_id})"
    conn.execute(
        consents.insert().values(
            customer_id=customer_id,
            channel=channel,
            purpose=purpose,
            status=status,
            recorded_at=datetime.now(UTC),
            origin=origin,
        )
    )
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_id)
        .values(version=customers.c.version + 1, updated_at=utcnow())
    )
    record_audit(
        conn,
        actor=actor,
        action="consent.recorded",
        target_type="customer",
        target_id=customer_id,
        details={"channel": channel, "purpose": purpose, "status": status},
    )
