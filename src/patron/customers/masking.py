"""Masked copies of customer views for roles without the personal-data permission.

Phones, e-mails, addresses and birth dates are masked; raw source rows (which hold the same
values as typed) are withheld, keeping where they came from.
"""

from __future__ import annotations

from dataclasses import replace

from patron.core.privacy import mask_birth_date, mask_contact, mask_email, mask_phone
from patron.customers.search import CustomerSummary
from patron.customers.view import Customer360

WITHHELD = {"(withheld)": "personal data is masked for your role"}


def mask_customer(view: Customer360) -> Customer360:
    """A copy of ``view`` with personal data masked."""
    points = [
        replace(
            p,
            value=mask_contact(p.kind, p.value) or "",
            raw_value=mask_contact(p.kind, p.raw_value),
            details={k: v for k, v in p.details.items() if k in ("phone_kind", "province", "city")},
        )
        for p in view.contact_points
    ]
    records = [replace(r, raw=dict(WITHHELD)) for r in view.source_records]
    masked = replace(
        view,
        primary_phone=mask_phone(view.primary_phone),
        primary_email=mask_email(view.primary_email),
        birth_date=None,
        district=None,
        postcode=None,
        contact_points=points,
        source_records=records,
        attributes={},
        # Event payloads are free text from service desks and forms: they may hold anything.
        interactions=[replace(i, payload=None) for i in view.interactions],
    )
    masked.attributes = {"birth_year": mask_birth_date(view.birth_date)} if view.birth_date else {}
    return masked


def mask_summary(summary: CustomerSummary) -> CustomerSummary:
    return replace(
        summary,
        primary_phone=mask_phone(summary.primary_phone),
        primary_email=mask_email(summary.primary_email),
    )
