"""/api/v1/products, /orders, /events: read-only pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query

from patron import customers
from patron.access import Principal
from patron.web.api.paging import decode_cursor, encode_cursor
from patron.web.api.schemas import ItemPage
from patron.web.security import allow
from patron.web.state import State

router = APIRouter(tags=["catalog"])
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=500)]
CustomerId = Annotated[int | None, Query(ge=1, le=2**62)]


def _page(
    lister: Callable[..., list[dict[str, Any]]], cursor: str | None, limit: int, **filters: Any
) -> dict[str, Any]:
    """One keyset page from a facade lister (asked for one row more, to know if more follow)."""
    after = decode_cursor(cursor).get("after", 0)
    rows = lister(after=after, limit=limit + 1, **filters)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(after=rows[-1]["id"]) if more else None}


@router.get("/products", response_model=ItemPage, summary="Products")
def products(
    who: Annotated[Principal, allow("catalog.read")],
    state: State,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    return _page(partial(customers.list_products, state.store), cursor, limit)


@router.get("/orders", response_model=ItemPage, summary="Orders")
def orders(
    who: Annotated[Principal, allow("catalog.read")],
    state: State,
    customer_id: CustomerId = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    return _page(
        partial(customers.list_orders, state.store), cursor, limit, customer_id=customer_id
    )


@router.get("/events", response_model=ItemPage, summary="Interactions and events")
def events(
    who: Annotated[Principal, allow("catalog.read")],
    state: State,
    customer_id: CustomerId = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    page = _page(
        partial(customers.list_events, state.store), cursor, limit, customer_id=customer_id
    )
    if not who.sees_personal_data:  # payloads are free text: they may hold anything
        page["items"] = [r | {"payload": None} for r in page["items"]]
    return page
