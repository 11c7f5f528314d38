"""Turn a parsed customer record into database-ready column values.

Runs in the parser worker, so the process that writes to the store only adds ids and inserts.
Values are what both SQLite and PostgreSQL's COPY accept as they are: text, numbers, ISO dates,
0/1 flags and JSON text. Timestamps are added by the writer (they differ per backend).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

# Columns of customers that come from the record, in the order prepared rows carry them.
GOLDEN_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "name_key",
    "gender",
    "birth_date",
    "company",
    "member_tier",
    "province",
    "city",
    "district",
    "postcode",
)
CUSTOMER_COLUMNS = (*GOLDEN_FIELDS, "primary_email", "primary_phone", "attributes")
POINT_COLUMNS = (
    "kind",
    "value",
    "raw_value",
    "valid",
    "validation_error",
    "phone_kind",
    "province",
    "city",
    "district",
    "postcode",
)
CONSENT_COLUMNS = ("channel", "purpose", "status", "origin")

PreparedCustomer = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def primary(points: list[dict[str, Any]], prefer_kind: str | None = None) -> str | None:
    """The first valid value, preferring a kind (mobile phones over landlines)."""
    valid = [p for p in points if p.get("valid")]
    if prefer_kind:
        preferred = [p for p in valid if p.get("kind") == prefer_kind]
        valid = preferred or valid
    return valid[0]["value"] if valid else None


def golden_values(parsed: dict[str, Any], source_record_id: int | None) -> dict[str, Any]:
    """The customer columns a parsed record gives (Python values), with its lineage."""
    values: dict[str, Any] = {name: parsed.get(name) for name in GOLDEN_FIELDS}
    if values["birth_date"]:
        values["birth_date"] = date.fromisoformat(values["birth_date"])
    values["primary_email"] = primary(parsed.get("emails") or [])
    values["primary_phone"] = primary(parsed.get("phones") or [], prefer_kind="mobile")
    values["attributes"] = parsed.get("attributes") or None
    # Every field of a single-record customer comes from that record: "*" says so in a few
    # bytes. Field-by-field entries ({"full_name": 12, ...}) appear once records are merged.
    values["lineage"] = {"*": source_record_id} if source_record_id is not None else None
    return values


def prepare_customer(parsed: dict[str, Any]) -> PreparedCustomer:
    """(customer values, contact point rows, consent rows) in the column orders above."""
    get = parsed.get
    attributes = get("attributes")
    customer = (
        *(get(name) for name in GOLDEN_FIELDS),
        primary(get("emails") or []),
        primary(get("phones") or [], prefer_kind="mobile"),
        orjson.dumps(attributes).decode() if attributes else None,
    )
    points: list[tuple[Any, ...]] = []
    for phone in get("phones") or ():
        points.append(
            (
                "phone",
                phone["value"],
                phone.get("raw"),
                int(bool(phone.get("valid"))),
                phone.get("error"),
                phone.get("kind"),
                None,
                None,
                None,
                None,
            )
        )
    for email in get("emails") or ():
        points.append(
            (
                "email",
                email["value"],
                email.get("raw"),
                int(bool(email.get("valid"))),
                email.get("error"),
                None,
                None,
                None,
                None,
                None,
            )
        )
    address = get("address")
    if address and address.get("line"):
        points.append(
            (
                "address",
                address["line"],
                address["line"],
                1,
                None,
                None,
                address.get("province"),
                address.get("city"),
                address.get("district"),
                address.get("postcode"),
            )
        )
    consents = [
        (c["channel"], c["purpose"], c["status"], f"column '{c['column']}'")
        for c in get("consents") or ()
    ]
    return customer, points, consents
