"""/api/v1/customers: list and search, the 360 view, create, update, consent."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request, Response

from patron import customers, ingest
from patron.access import Principal
from patron.core import ConflictError
from patron.web.api.idempotency import Idempotent, idempotent
from patron.web.api.identity import merged_redirect, survivor_of
from patron.web.api.paging import decode_cursor, encode_cursor
from patron.web.api.schemas import (
    ConsentIn,
    ConsentOut,
    CustomerChanges,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    Id,
)
from patron.web.api.schemas_identity import MergedOut
from patron.web.problems import HTTPProblem
from patron.web.security import allow
from patron.web.state import State

router = APIRouter(prefix="/customers", tags=["customers"])
MAX_SEARCH_DEPTH = 1000


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def etag(view: customers.Customer360, masked: bool) -> str:
    return f'"c{view.id}v{view.version}{"m" if masked else ""}"'


def customer_body(view: customers.Customer360, masked: bool) -> dict[str, Any]:
    body = dataclasses.asdict(view)
    body["masked"] = masked
    body.pop("consent_history", None)
    for point in body["contact_points"]:
        point.pop("raw_value", None)
    return body


def customer_json(view: customers.Customer360, masked: bool) -> bytes:
    """customer_body as JSON, without copying the view first: orjson writes the nested
    dataclasses itself (twenty times faster than ``dataclasses.asdict`` on the hottest route)."""
    body = {f.name: getattr(view, f.name) for f in _VIEW_FIELDS}
    body["masked"] = masked
    body["contact_points"] = [
        {f.name: getattr(p, f.name) for f in _POINT_FIELDS} for p in view.contact_points
    ]
    return orjson.dumps(body, default=_json_default)


_VIEW_FIELDS = [f for f in dataclasses.fields(customers.Customer360) if f.name != "consent_history"]
_POINT_FIELDS = [f for f in dataclasses.fields(customers.ContactPoint) if f.name != "raw_value"]


@router.get("", response_model=CustomerPage, summary="List or search customers")
def list_customers(
    who: Annotated[Principal, allow("customers.read")],
    state: State,
    q: Annotated[
        str | None, Query(max_length=200, description="name, pinyin, phone, e-mail or id")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    masked = not who.sees_personal_data
    position = decode_cursor(cursor)
    if q is not None and q.strip():
        offset = position.get("offset", 0)
        if offset > MAX_SEARCH_DEPTH:
            raise HTTPProblem(422, "Invalid input", "search results stop at 1000; refine the query")
        hits = customers.search_customers(
            state.store,
            q,
            limit=offset + limit + 1,
            region=state.settings.default_region,
            masked=masked,
            viewed_by=who.actor,
        )
        page = hits[offset : offset + limit]
        more = len(hits) > offset + limit
        return {
            "items": [dataclasses.asdict(h) for h in page],
            "next_cursor": encode_cursor(offset=offset + limit) if more else None,
        }
    rows = customers.list_customers(
        state.store,
        after=position.get("after", 0),
        limit=limit + 1,
        masked=masked,
        viewed_by=who.actor,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [dataclasses.asdict(r) | {"matched_on": None} for r in rows],
        "next_cursor": encode_cursor(after=rows[-1].id) if more and rows else None,
    }


@router.get(
    "/{customer_id}",
    response_model=CustomerOut,
    summary="A customer's 360 view",
    responses={
        304: {"description": "Not modified (If-None-Match)"},
        307: {"model": MergedOut, "description": "Merged: Location names the survivor"},
    },
)
def get_customer(
    customer_id: Id,
    who: Annotated[Principal, allow("customers.read")],
    state: State,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Any:
    masked = not who.sees_personal_data
    if if_none_match and not masked:
        # Answer a revalidation without reading (or auditing) the whole record again.
        version = customers.customer_version(state.store, customer_id)
        if if_none_match == f'"c{customer_id}v{version}"':
            return Response(status_code=304, headers={"ETag": if_none_match})
    view = customers.get_customer(
        state.store, customer_id, masked=masked, viewed_by=None if masked else who.actor
    )
    if view.status == "merged":  # its id leads to the survivor (temporarily: merges undo)
        return merged_redirect(customer_id, survivor_of(state, customer_id))
    tag = etag(view, masked)
    if if_none_match == tag:
        return Response(status_code=304, headers={"ETag": tag})
    # The hottest route: serialised straight to JSON (its shape is CustomerOut, which the
    # OpenAPI schema documents and the fuzzing tests check) instead of validated again.
    return Response(
        customer_json(view, masked),
        media_type="application/json",
        headers={"ETag": tag, "Cache-Control": "private, no-cache"},
    )


@router.post("", response_model=CustomerOut, status_code=201, summary="Create a customer")
def create_customer(
    body: CustomerIn,
    request: Request,
    response: Response,
    who: Annotated[Principal, allow("customers.write")],
    state: State,
    idem: Annotated[Idempotent, Depends(idempotent)],
) -> Any:
    replay = idem.replay(body.model_dump(mode="json"))
    if replay is not None:
        return replay
    try:
        customer_id = ingest.enter_customer(
            state.store,
            body.model_dump(exclude_none=True),
            actor=who.actor,
            settings=state.settings,
        )
    except Exception:
        idem.release()
        raise
    masked = not who.sees_personal_data
    view = customers.get_customer(state.store, customer_id, masked=masked)
    result = customer_body(view, masked)
    response.headers["Location"] = f"/api/v1/customers/{customer_id}"
    response.headers["ETag"] = etag(view, masked)
    return idem.save(201, result, {"Location": response.headers["Location"]})


def _expected_version(customer_id: int, if_match: str | None) -> int:
    if not if_match:
        raise HTTPProblem(
            428, "Precondition required", "send If-Match with the ETag of the version you edited"
        )
    tag = if_match.strip().removeprefix("W/").strip('"')
    prefix = f"c{customer_id}v"
    digits = tag.removeprefix(prefix).removesuffix("m")
    if not tag.startswith(prefix) or not digits.isdigit():
        raise HTTPProblem(412, "Precondition failed", "If-Match is not an ETag of this customer")
    return int(digits)


@router.patch(
    "/{customer_id}",
    response_model=CustomerOut,
    summary="Edit a customer",
    responses={
        412: {"model": None, "description": "Changed by someone else"},
        428: {"model": None, "description": "If-Match missing"},
    },
)
def update_customer(
    customer_id: Id,
    body: CustomerChanges,
    response: Response,
    who: Annotated[Principal, allow("customers.write")],
    state: State,
    if_match: Annotated[str | None, Header()] = None,
) -> Any:
    expected = _expected_version(customer_id, if_match)
    try:
        ingest.edit_customer(
            state.store,
            customer_id,
            body.model_dump(exclude_unset=True),
            expected_version=expected,
            actor=who.actor,
            settings=state.settings,
        )
    except ConflictError as exc:
        raise HTTPProblem(412, "Precondition failed", exc.message, hint=exc.hint) from exc
    masked = not who.sees_personal_data
    view = customers.get_customer(state.store, customer_id, masked=masked)
    response.headers["ETag"] = etag(view, masked)
    return customer_body(view, masked)


@router.get(
    "/{customer_id}/consent",
    response_model=list[ConsentOut],
    summary="Current consent per channel and purpose, with its origin",
)
def get_consent(
    customer_id: Id,
    who: Annotated[Principal, allow("customers.read")],
    state: State,
    history: Annotated[bool, Query(description="every change, oldest first")] = False,
) -> list[dict[str, Any]]:
    view = customers.get_customer(state.store, customer_id, masked=not who.sees_personal_data)
    states = view.consent_history if history else view.consents
    return [dataclasses.asdict(c) for c in states]


@router.put(
    "/{customer_id}/consent/{channel}/{purpose}",
    response_model=CustomerOut,
    summary="Record consent for a channel and purpose",
)
def put_consent(
    customer_id: Id,
    channel: str,
    purpose: str,
    body: ConsentIn,
    who: Annotated[Principal, allow("consent.write")],
    state: State,
) -> Any:
    ingest.record_consent(
        state.store, customer_id, channel, purpose, body.status, actor=who.actor,
        origin=body.origin,
    )  # fmt: skip
    masked = not who.sees_personal_data
    return customer_body(customers.get_customer(state.store, customer_id, masked=masked), masked)
