"""What people are shown of identities and the review queue: masked for roles without the
personal-data permission (the same masks as the customer 360 view, patron.core.privacy), and
audited when read unmasked on someone's behalf, like the 360 view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from patron.core.privacy import (
    mask_address,
    mask_birth_date,
    mask_email,
    mask_phone,
)
from patron.identity.lineage import CustomerIdentity, customer_identity
from patron.identity.review import ReviewItem, list_reviews
from patron.store import Store, record_audit


def _withheld(_value: Any) -> None:
    return None


# Golden columns holding personal data, and how each is masked (names and cities are shown).
GOLDEN_MASKS: dict[str, Callable[[Any], Any]] = {
    "primary_phone": mask_phone,
    "primary_email": mask_email,
    "birth_date": mask_birth_date,
    "district": _withheld,
    "postcode": _withheld,
    "attributes": lambda _value: {},  # imported extra columns may hold anything
}
# Evidence fields (the matching model's comparisons) holding personal data.
EVIDENCE_MASKS: dict[str, Callable[[str], str | None]] = {
    "phone": mask_phone,
    "email": mask_email,
    "birth_date": mask_birth_date,
    "address": mask_address,
}


def mask_identity(view: CustomerIdentity) -> CustomerIdentity:
    """A copy of ``view`` with personal golden values masked (where they came from is kept)."""
    golden = [
        replace(g, value=GOLDEN_MASKS[g.field](g.value)) if g.field in GOLDEN_MASKS else g
        for g in view.golden
    ]
    return replace(view, golden=golden)


def mask_evidence(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Field-by-field evidence with both sides' personal values masked (agreement and weight
    stay: they say how the values compare, not what they are)."""
    out = []
    for entry in evidence:
        mask = EVIDENCE_MASKS.get(entry.get("field", ""))
        if mask is None:
            out.append(entry)
            continue
        out.append(
            entry
            | {side: mask(entry[side]) if entry.get(side) else None for side in ("left", "right")}
        )
    return out


def mask_review(item: ReviewItem) -> ReviewItem:
    """A copy of a review with its evidence masked."""
    return replace(item, evidence=mask_evidence(item.evidence))


def identity_view(
    store: Store, customer_id: int, *, masked: bool, viewed_by: str | None = None
) -> CustomerIdentity:
    """``customer_identity``, masked or, when read unmasked ``viewed_by`` someone, audited
    (``customer.viewed``, as the 360 view)."""
    if masked or viewed_by is None:
        with store.connect() as conn:
            view = customer_identity(conn, customer_id)
        return mask_identity(view) if masked else view
    with store.begin() as conn:
        view = customer_identity(conn, customer_id)
        record_audit(
            conn, actor=viewed_by, action="customer.viewed", target_type="customer",
            target_id=view.customer_id, details={"view": "identity"},
        )  # fmt: skip
    return view


def review_page(
    store: Store,
    *,
    status: str = "pending",
    limit: int = 50,
    offset: int = 0,
    masked: bool,
    viewed_by: str | None = None,
) -> tuple[list[ReviewItem], int]:
    """``list_reviews`` with the evidence masked, or, read unmasked ``viewed_by`` someone,
    audited (``match_reviews.listed`` with the customers shown)."""
    if masked or viewed_by is None:
        with store.connect() as conn:
            items, total = list_reviews(conn, status=status, limit=limit, offset=offset)
        return ([mask_review(i) for i in items] if masked else items), total
    with store.begin() as conn:
        items, total = list_reviews(conn, status=status, limit=limit, offset=offset)
        if items:
            shown = sorted({c for i in items for c in (i.left.customer_id, i.right.customer_id)})
            record_audit(
                conn, actor=viewed_by, action="match_reviews.listed", target_type="customer",
                details={"status": status, "reviews": [i.id for i in items], "ids": shown},
            )  # fmt: skip
    return items, total
