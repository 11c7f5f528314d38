"""Find the customer an order or event row points at: by source key, e-mail or phone.

A reference that matches nobody, or matches several customers, is never guessed: the row is
quarantined with the reason.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from patron.ingest.rows import ParsedRow, RejectedRow
from patron.ingest.versions import BatchContext, chunked
from patron.store.schema import contact_kind, contact_points, source_records

_FIX_KEY = (
    "import the customers of source '{src}' first (patron import FILE --kind customers "
    "--source {src}), or set customer_source in the mapping; then import this file again"
)


def resolve_customers(
    conn: Connection, ctx: BatchContext, customer_source: str, rows: list[ParsedRow]
) -> tuple[list[tuple[ParsedRow, int]], list[RejectedRow]]:
    """Split rows into (row, customer id) pairs and rows whose customer cannot be found."""
    by_key = _lookup_keys(
        conn,
        ctx.customer_source_id,
        [r.parsed["customer_key"] for r in rows if r.parsed.get("customer_key")],
    )
    by_email = _lookup_contacts(
        conn, "email", [r.parsed["customer_email"] for r in rows if r.parsed.get("customer_email")]
    )
    by_phone = _lookup_contacts(
        conn, "phone", [r.parsed["customer_phone"] for r in rows if r.parsed.get("customer_phone")]
    )
    resolved: list[tuple[ParsedRow, int]] = []
    rejected: list[RejectedRow] = []
    for row in rows:
        p = row.parsed
        candidates: list[tuple[str, str, set[int]]] = []
        if p.get("customer_key"):
            candidates.append(
                ("customer id", p["customer_key"], by_key.get(p["customer_key"], set()))
            )
        if p.get("customer_email"):
            candidates.append(
                ("e-mail", p["customer_email"], by_email.get(p["customer_email"], set()))
            )
        if p.get("customer_phone"):
            candidates.append(
                ("phone", p["customer_phone"], by_phone.get(p["customer_phone"], set()))
            )
        # The first reference that identifies exactly one customer wins; the key is tried first.
        chosen = next((next(iter(ids)) for _, _, ids in candidates if len(ids) == 1), None)
        if chosen is not None:
            resolved.append((row, chosen))
            continue
        problems: list[dict[str, str | None]] = []
        for label, value, ids in candidates:
            reason = (
                f"no customer with {label} '{value}' in source '{customer_source}'"
                if label == "customer id"
                else f"no customer with {label} '{value}'"
            )
            if len(ids) > 1:
                reason = f"{label} '{value}' belongs to {len(ids)} customers; cannot choose"
            problems.append(
                {
                    "field": label,
                    "value": value,
                    "reason": reason,
                    "fix": _FIX_KEY.format(src=customer_source),
                }
            )
        rejected.append(RejectedRow(row.row_number, "unresolved_reference", row.raw, problems))
    return resolved, rejected


def _lookup_keys(conn: Connection, source_id: int, keys: list[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    sr = source_records.c
    for part in chunked(sorted(set(keys))):
        query = select(sr.source_key, sr.customer_id).where(
            sr.source_id == source_id,
            sr.kind == "customers",
            sr.is_current,
            sr.source_key.in_(part),
        )
        for r in conn.execute(query):
            if r.customer_id is not None:
                found.setdefault(r.source_key, set()).add(int(r.customer_id))
    return found


def _lookup_contacts(conn: Connection, kind: str, values: list[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    cp = contact_points.c
    for part in chunked(sorted(set(values))):
        query = select(cp.value, cp.customer_id).where(contact_kind(kind), cp.value.in_(part))
        for r in conn.execute(query):
            found.setdefault(r.value, set()).add(int(r.customer_id))
    return found
