"""The home dashboard, customer search and the customer 360 page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from patron import customers, ingest
from patron.access import Principal
from patron.core import PatronError
from patron.web.api.identity import survivor_of
from patron.web.api.schemas import Id
from patron.web.security import (
    allow,
)
from patron.web.state import AppState, State
from patron.web.ui.render import page

router = APIRouter(include_in_schema=False)


# --- home --------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, state: State, who: Annotated[Principal, allow("dashboard.read")]
) -> Response:
    figures = customers.overview(state.store)
    recent: list[dict[str, Any]] = []
    if who.can("imports.read"):
        with state.store.connect() as conn:
            recent = ingest.list_batches(conn, 8)
    chart = {
        "labels": [s["source"] for s in figures["sources"]],
        "values": [s["records"] for s in figures["sources"]],
    }
    return page(request, "home.html", {"figures": figures, "recent": recent, "chart": chart})


# --- customers ---------------------------------------------------------------------------


def _search(state: AppState, who: Principal, q: str) -> tuple[list[Any], str | None]:
    if not q.strip():
        rows = customers.list_customers(
            state.store, limit=50, masked=not who.sees_personal_data, viewed_by=who.actor
        )
        return rows, None
    try:
        hits = customers.search_customers(
            state.store,
            q,
            limit=50,
            region=state.settings.default_region,
            masked=not who.sees_personal_data,
            viewed_by=who.actor,
        )
    except PatronError as exc:
        return [], exc.message
    return hits, None


@router.get("/customers", response_class=HTMLResponse)
def customer_search(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("customers.read")],
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    hits, error = _search(state, who, q)
    template = "_customer_results.html" if request.headers.get("hx-request") else "customers.html"
    return page(request, template, {"q": q, "hits": hits, "error": error})


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request,
    state: State,
    customer_id: Id,
    who: Annotated[Principal, allow("customers.read")],
    merged_from: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    masked = not who.sees_personal_data
    view = customers.get_customer(
        state.store, customer_id, masked=masked, viewed_by=None if masked else who.actor
    )
    if view.status == "merged":  # the id leads to the survivor, which says so
        survivor = survivor_of(state, customer_id)
        return RedirectResponse(f"/customers/{survivor}?merged_from={customer_id}", 307)
    records = {r.id: r for r in view.source_records}
    lineage = {
        name: records.get(rid) if rid is not None else None
        for name in (
            "full_name",
            "gender",
            "birth_date",
            "company",
            "member_tier",
            "primary_phone",
            "primary_email",
            "city",
        )
        if (rid := view.source_record_of(name)) is not None
    }
    return page(
        request,
        "customer.html",
        {
            "c": view,
            "masked": masked,
            "lineage": lineage,
            "channels": ingest.CONSENT_CHANNELS,
            "merged_from": merged_from,
            "tab": "overview",
        },
    )


@router.post("/customers/{customer_id}/consent")
def customer_consent(
    state: State,
    customer_id: Id,
    who: Annotated[Principal, allow("consent.write")],
    channel: Annotated[str, Form(max_length=20)],
    status: Annotated[str, Form(max_length=10)],
    purpose: Annotated[str, Form(max_length=50)] = "marketing",
) -> Response:
    ingest.record_consent(state.store, customer_id, channel, purpose, status, actor=who.actor)
    return RedirectResponse(f"/customers/{customer_id}#consent", status_code=303)
