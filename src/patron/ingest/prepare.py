"""Turn a parsed customer record into database-ready column values.

Runs in the parser worker, so the process that writes to the store only adds ids and inserts.
Values are what both SQLite and PostgreSQL's COPY accept as they are: text, numbers, ISO dates,
0/1 flags and JSON text. Timestamps are added by the writer (they differ per backend).
"""

from __future__ import annotations

from typing import Any

import orjson

from patron.golden.fields import GOLDEN_FIELDS, golden_values, primary

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

__all__ = [
    "CONSENT_COLUMNS",
    "CUSTOMER_COLUMNS",
    "GOLDEN_FIELDS",
    "POINT_COLUMNS",
    "PreparedCustomer",
    "golden_values",
    "prepare_customer",
    "primary",
]

PreparedCustomer = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]


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
