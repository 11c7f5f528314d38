"""/api/v1/identity: the review queue, merges and their undo, matching runs, the links of every
record to its customer; and /api/v1/customers/{id}/identity, where a customer came from.

patron.identity brings Splink, DuckDB and pandas: each route imports it when it runs, so the
web app starts without them.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from patron import ingest, jobs
from patron.access import Principal
from patron.web.api.idempotency import Idempotent, idempotent
from patron.web.api.schemas import Id
from patron.web.api.schemas_identity import (
    DecisionIn,
    IdentityOut,
    MergeIn,
    MergeOut,
    ReviewOut,
    ReviewPage,
    ReviewStatus,
    RunIn,
    RunOut,
    RunPage,
    UndoIn,
)
from patron.web.security import allow, allow_any
from patron.web.state import AppState, State

if TYPE_CHECKING:
    from patron.identity import CustomerIdentity, MatchRun, MergeRecord, ReviewItem

router = APIRouter(tags=["identity"])
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "Not pending, already undone, merged, or a run is running"}
}
RUN_READERS = ("identity.run", "identity.review")


def review_body(item: ReviewItem, masked: bool) -> dict[str, Any]:
    return dataclasses.asdict(item) | {"masked": masked}


def merge_body(merge: MergeRecord) -> dict[str, Any]:
    body = {f.name: getattr(merge, f.name) for f in dataclasses.fields(merge)}
    body["moved"] = {table: len(ids) for table, ids in merge.moved.items()}
    return body


def run_body(run: MatchRun) -> dict[str, Any]:
    return dataclasses.asdict(run)


def identity_body(view: CustomerIdentity, masked: bool) -> dict[str, Any]:
    body = {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}
    body["golden"] = [dataclasses.asdict(g) for g in view.golden]
    body["records"] = [dataclasses.asdict(r) for r in view.records]
    body["merges"] = [merge_body(m) for m in view.merges]
    return body | {"masked": masked}


def _as(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    """A body as the response model writes it (routes that answer through an idempotency
    record bypass FastAPI's serialisation: this keeps replays and reads identical)."""
    return model.model_validate(body).model_dump(mode="json")


def survivor_of(state: AppState, customer_id: int) -> int:
    """The customer a (merged) id leads to today."""
    from patron import identity

    with state.store.connect() as conn:
        return identity.resolve_customer(conn, customer_id)


# --- the review queue ----------------------------------------------------------------------


@router.get("/identity/reviews", response_model=ReviewPage, summary="The review queue")
def list_reviews(
    who: Annotated[Principal, allow("identity.review")],
    state: State,
    status: ReviewStatus = "pending",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Pairs of records matching was unsure about (between its low and high thresholds), most
    likely matches first, each with both records, their customers and the field-by-field
    evidence. Decided pairs stay, listed by their status."""
    from patron import identity

    masked = not who.sees_personal_data
    items, total = identity.review_page(
        state.store, status=status, limit=limit, offset=offset, masked=masked,
        viewed_by=None if masked else who.actor,
    )  # fmt: skip
    return {"items": [review_body(i, masked) for i in items], "total": total}


@router.post(
    "/identity/reviews/{review_id}/decision",
    response_model=ReviewOut,
    summary="Accept (merge) or reject (keep apart) a pair",
    responses=CONFLICT,
)
def decide(
    review_id: Id,
    body: DecisionIn,
    who: Annotated[Principal, allow("identity.review")],
    state: State,
    idem: Annotated[Idempotent, Depends(idempotent)],
) -> Any:
    """Accepting merges the two customers (undo with `POST /identity/merges/{id}/undo`);
    rejecting keeps them apart: matching never merges them on its own. 409 unless pending."""
    from patron import identity

    replay = idem.replay(body.model_dump(mode="json"))
    if replay is not None:
        return replay
    try:
        with state.store.begin() as conn:
            item = identity.decide(
                conn, review_id, body.decision, actor=who.actor, note=body.note.strip()
            )
    except Exception:
        idem.release()
        raise
    masked = not who.sees_personal_data
    body_out = review_body(identity.mask_review(item) if masked else item, masked)
    return idem.save(200, _as(ReviewOut, body_out))


# --- merges --------------------------------------------------------------------------------


@router.post(
    "/identity/merges",
    response_model=MergeOut,
    status_code=201,
    summary="Merge two customers",
    responses=CONFLICT,
)
def merge(
    body: MergeIn,
    who: Annotated[Principal, allow("identity.review")],
    state: State,
    idem: Annotated[Idempotent, Depends(idempotent)],
) -> Any:
    """Moves everything of `merged_id` (records, contact points, consent, orders, events) to
    `survivor_id`, rebuilds its golden record and keeps consent most restrictive. The merged
    id then leads to the survivor; the merge can be undone exactly."""
    from patron import identity

    replay = idem.replay(body.model_dump(mode="json"))
    if replay is not None:
        return replay
    try:
        with state.store.begin() as conn:
            merge_id = identity.merge_customers(
                conn, body.survivor_id, body.merged_id, actor=who.actor,
                reason=f"manual: {body.reason.strip()}",
            )  # fmt: skip
            record = identity.get_merge(conn, merge_id)
    except Exception:
        idem.release()
        raise
    location = f"/api/v1/identity/merges/{merge_id}"
    return idem.save(201, _as(MergeOut, merge_body(record)), {"Location": location})


@router.get("/identity/merges/{merge_id}", response_model=MergeOut, summary="One merge")
def get_merge(
    merge_id: Id, who: Annotated[Principal, allow("customers.read")], state: State
) -> dict[str, Any]:
    from patron import identity

    with state.store.connect() as conn:
        return merge_body(identity.get_merge(conn, merge_id))


@router.post(
    "/identity/merges/{merge_id}/undo",
    response_model=MergeOut,
    summary="Undo a merge",
    responses=CONFLICT,
)
def undo_merge(
    merge_id: Id,
    body: UndoIn,
    who: Annotated[Principal, allow("identity.review")],
    state: State,
    idem: Annotated[Idempotent, Depends(idempotent)],
) -> Any:
    """The merged customer comes back with exactly its records, contact points, consent,
    orders and events, and matching will not merge the two again. 409 when already undone,
    or when the survivor has since been merged into another customer (undo that first)."""
    from patron import identity

    replay = idem.replay(body.model_dump(mode="json"))
    if replay is not None:
        return replay
    try:
        with state.store.begin() as conn:
            record = identity.unmerge(conn, merge_id, actor=who.actor, reason=body.reason.strip())
    except Exception:
        idem.release()
        raise
    return idem.save(200, _as(MergeOut, merge_body(record)))


# --- a customer's identity -----------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/identity",
    response_model=IdentityOut,
    summary="Where a customer came from: field sources, records, merges, household",
)
def customer_identity(
    customer_id: Id, who: Annotated[Principal, allow("customers.read")], state: State
) -> dict[str, Any]:
    """For a merged id, the survivor's identity (`customer_id` differs from `asked_id`).
    Personal values are masked for roles without the personal-data right, as in the 360
    view; an unmasked read is audited."""
    from patron import identity

    masked = not who.sees_personal_data
    view = identity.identity_view(
        state.store, customer_id, masked=masked, viewed_by=None if masked else who.actor
    )
    return identity_body(view, masked)


# --- matching runs -------------------------------------------------------------------------


@router.post(
    "/identity/runs",
    response_model=RunOut,
    status_code=202,
    summary="Start matching (patron unify) in the background",
    responses=CONFLICT,
)
def start_run(
    body: RunIn,
    who: Annotated[Principal, allow("identity.run")],
    state: State,
    idem: Annotated[Idempotent, Depends(idempotent)],
) -> Any:
    """Merges customers matching at or above `high`, queues pairs between `low` and `high`
    for review and links households; incremental unless `full` (or no run completed yet).
    Answers at once with the run; follow it at `GET /identity/runs/{id}`. 409 while a run is
    running, whoever started it."""
    replay = idem.replay(body.model_dump(mode="json"))
    if replay is not None:
        return replay
    try:
        run = jobs.start_matching(
            state.store, full=body.full, high=body.high, low=body.low, actor=who.actor
        )
    except Exception:
        idem.release()
        raise
    location = f"/api/v1/identity/runs/{run.id}"
    return idem.save(202, _as(RunOut, run_body(run)), {"Location": location})


@router.get("/identity/runs", response_model=RunPage, summary="Matching runs, newest first")
def list_runs(
    who: Annotated[Principal, allow_any(*RUN_READERS)],
    state: State,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    from patron import identity

    with state.store.connect() as conn:
        runs, total = identity.list_runs(conn, limit=limit, offset=offset)
    return {"items": [run_body(r) for r in runs], "total": total}


@router.get("/identity/runs/{run_id}", response_model=RunOut, summary="One matching run")
def get_run(
    run_id: Id, who: Annotated[Principal, allow_any(*RUN_READERS)], state: State
) -> dict[str, Any]:
    """Its stage while running; its counts when completed; why, when failed (a run whose
    server process stopped shows as failed within a minute)."""
    from patron import identity

    with state.store.connect() as conn:
        return run_body(identity.get_run(conn, run_id))


# --- links ---------------------------------------------------------------------------------


@router.get(
    "/identity/links",
    summary="Every current customer record with its customer, as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def links(
    # Source keys are what source systems typed (some key members by phone number): the
    # whole file needs the personal-data right, like the rejected rows of an import.
    who: Annotated[Principal, allow("customers.read", "personal_data.read")],
    state: State,
    raw: Annotated[
        bool, Query(description="keys exactly, without spreadsheet formula escaping")
    ] = False,
) -> StreamingResponse:
    """`source,source_record_key,customer_id` for every current customer source record, with
    the customer it belongs to now (after merges and unmerges): the store's state, streamed.
    UTF-8 with a byte order mark, for spreadsheets."""
    from patron import identity

    rows = identity.current_links(state.store)
    return StreamingResponse(
        links_csv(identity.LINK_HEADER, rows, raw=raw),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="customer-links.csv"'},
    )


def links_csv(
    header: Iterable[str], rows: Iterable[tuple[Any, ...]], *, raw: bool
) -> Iterator[str]:
    """CSV text in pieces of 2000 rows, with a byte order mark (spreadsheets read UTF-8 then)
    and formulas escaped unless ``raw``."""
    clean = (lambda v: v) if raw else ingest.escape_formula
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(list(header))
    for count, row in enumerate(rows, 1):
        writer.writerow([clean(v) for v in row])
        if count % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def merged_redirect(customer_id: int, survivor: int, suffix: str = "") -> JSONResponse:
    """307 to the survivor (``suffix``: the same sub-resource of it, e.g. "/scores"):
    temporary, because an unmerge brings the id back."""
    return JSONResponse(
        {"id": customer_id, "status": "merged", "merged_into": survivor},
        status_code=307,
        headers={"Location": f"/api/v1/customers/{survivor}{suffix}"},
    )
