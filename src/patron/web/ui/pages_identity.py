"""Identity pages: the review queue (decide doubtful pairs with their field-by-field evidence)
and a customer's Identity tab (where each field came from, the records, merges with their undo,
the household). The customer 360 page itself does not load the matching libraries: only these
pages do (patron.identity brings Splink, DuckDB and pandas)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from patron.access import Principal
from patron.web.api.schemas import Id
from patron.web.api.schemas_identity import ReviewStatus
from patron.web.security import allow
from patron.web.state import State
from patron.web.ui.i18n import N_
from patron.web.ui.nav import NavItem, register_nav
from patron.web.ui.render import page

router = APIRouter(include_in_schema=False)
register_nav(NavItem("/identity/reviews", "Review queue", "identity.review", 35))
PAGE_SIZE = 20
STATUSES = ("pending", "accepted", "rejected", "superseded")
# Golden fields shown on the Identity tab, in order, with their labels (name_key and the
# attributes are internal).
FIELD_LABELS = {
    "full_name": N_("Name"),
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "gender": N_("Gender"),
    "birth_date": N_("Birth date"),
    "company": N_("Company"),
    "member_tier": N_("Member tier"),
    "primary_phone": N_("Mobile / phone"),
    "primary_email": N_("E-mail"),
    "province": N_("Province"),
    "city": N_("City"),
    "district": N_("District"),
    "postcode": N_("Postcode"),
}
# The matching model's comparisons, as the evidence names them.
EVIDENCE_LABELS = {
    "name_tokens": N_("Name (pinyin keys)"),
    "birth_date": N_("Birth date"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "address": N_("Address, postcode, city"),
}
# How two values agree, in words, for the matching model's levels (Splink's own labels, as the
# evidence stores them, read like SQL). A level not listed shows its Splink label.
LEVEL_LABELS = {
    "Exact match on name_tokens": N_("same name"),
    "Jaro-Winkler distance of name_tokens >= 0.92": N_("nearly the same (a typo)"),
    "Array subset": N_("written in part (e.g. the surname only)"),
    "Array intersection size >= 1": N_("one part the same, another different"),
    "Jaro-Winkler distance of name_tokens >= 0.8": N_("similar"),
    "Exact match on date of birth": N_("same date"),
    "Levenshtein distance <= 1": N_("one digit off"),
    "Abs date difference <= 1 month": N_("within a month"),
    "Abs date difference <= 1 year": N_("within a year"),
    "Abs date difference <= 10 year": N_("within ten years"),
    "Same mobile number": N_("same mobile number"),
    "Same landline or other number": N_("same landline or other number"),
    "Exact match on email": N_("same e-mail address"),
    "Same user name": N_("same user name, another provider"),
    "Exact match on address": N_("same address"),
    "Jaro-Winkler distance of address >= 0.9": N_("similar address"),
    "(Exact match on postcode) AND (Exact match on city)": N_("same postcode and city"),
    "Exact match on city": N_("same city"),
    "All other comparisons": N_("different"),
}
MISSING = N_("missing on one side")


def level_label(level: str | None) -> str:
    """The words for an evidence level (untranslated; the template translates them)."""
    if not level:
        return ""
    if "is NULL" in level:
        return MISSING
    return LEVEL_LABELS.get(level, level)


# Words that reach the templates as data, for the catalog extractor.
MESSAGES = (
    N_("Review queue"),
    N_("Decide doubtful matches, merge and unmerge customers"),
    N_("Run matching (patron unify)"),
    N_("pending"), N_("accepted"), N_("rejected"), N_("superseded"),
)  # fmt: skip


@router.get("/identity/reviews", response_class=HTMLResponse)
def review_queue(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("identity.review")],
    status: ReviewStatus = "pending",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    decided: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    from patron import identity

    masked = not who.sees_personal_data
    items, total = identity.review_page(
        state.store, status=status, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE,
        masked=masked, viewed_by=None if masked else who.actor,
    )  # fmt: skip
    notice = None
    if decided is not None:
        with state.store.connect() as conn:
            notice = identity.get_review(conn, decided)
    pages = max(1, -(-total // PAGE_SIZE))
    context: dict[str, Any] = {
        "items": items,
        "total": total,
        "status": status,
        "statuses": STATUSES,
        "page_no": page_no,
        "pages": pages,
        "decided": notice,
        "masked": masked,
        "labels": EVIDENCE_LABELS,
        "level_label": level_label,
    }
    return page(request, "identity_reviews.html", context)


@router.post("/identity/reviews/{review_id}/decision")
def decide(
    state: State,
    review_id: Id,
    who: Annotated[Principal, allow("identity.review")],
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
    note: Annotated[str, Form(max_length=1000)] = "",
    back_page: Annotated[int, Form(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    from patron import identity

    with state.store.begin() as conn:
        identity.decide(
            conn, review_id, "accept" if decision == "accept" else "reject", actor=who.actor,
            note=note.strip(),
        )  # fmt: skip
    query = urlencode({"page": back_page, "decided": review_id})
    return RedirectResponse(f"/identity/reviews?{query}", status_code=303)


@router.get("/customers/{customer_id}/identity", response_class=HTMLResponse)
def identity_tab(
    request: Request,
    state: State,
    customer_id: Id,
    who: Annotated[Principal, allow("customers.read")],
    merged_from: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    undone: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    from patron import identity

    masked = not who.sees_personal_data
    view = identity.identity_view(
        state.store, customer_id, masked=masked, viewed_by=None if masked else who.actor
    )
    if view.customer_id != customer_id:  # a merged id: show the survivor, saying so
        query = urlencode({"merged_from": customer_id})
        return RedirectResponse(f"/customers/{view.customer_id}/identity?{query}", 307)
    undone_merge = None
    if undone is not None:
        with state.store.connect() as conn:
            undone_merge = identity.get_merge(conn, undone)
    order = list(FIELD_LABELS)
    golden = [g for g in view.golden if g.field in FIELD_LABELS and g.value not in (None, "")]
    golden.sort(key=lambda g: order.index(g.field))
    context = {
        "view": view,
        "golden": golden,
        "masked": masked,
        "merged_from": merged_from,
        "undone": undone_merge,
        "name": next((g.value for g in view.golden if g.field == "full_name"), None),
        "tab": "identity",
        "labels": FIELD_LABELS,
    }
    return page(request, "customer_identity.html", context)


@router.post("/identity/merges/{merge_id}/undo")
def undo_merge(
    state: State,
    merge_id: Id,
    who: Annotated[Principal, allow("identity.review")],
    reason: Annotated[str, Form(min_length=1, max_length=1000)],
) -> Response:
    from patron import identity

    with state.store.begin() as conn:
        record = identity.unmerge(conn, merge_id, actor=who.actor, reason=reason.strip())
    query = urlencode({"undone": record.id})
    return RedirectResponse(f"/customers/{record.survivor_id}/identity?{query}", status_code=303)
