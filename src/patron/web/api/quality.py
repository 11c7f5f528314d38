"""/api/v1/quality: data quality per source and field, high-risk flags, one customer's score,
and the score history."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from patron.access import Principal
from patron.web.api.schemas import FieldQualityOut, Id, SourceQualityOut
from patron.web.security import allow
from patron.web.state import State

if TYPE_CHECKING:
    from patron.identity import QualitySnapshot

# Imported by each route: patron.identity brings Splink, DuckDB and pandas, which only these
# routes need.

router = APIRouter(tags=["quality"])

FlagName = Literal["deceased", "company_closed", "invalid_contact", "bounced", "do_not_contact"]


class FlagCountsOut(BaseModel):
    deceased: int
    company_closed: int = Field(description="closed, deregistered, revoked or bankrupt company")
    invalid_contact: int = Field(description="a phone or e-mail that failed validation")
    bounced: int
    do_not_contact: int = Field(description="every consent denied, a do-not-contact mark or dead")
    any: int = Field(description="at least one flag")


class SourceReportOut(SourceQualityOut):
    median_data: datetime | None = Field(description="the median current record's data date")
    records_reliability: float = Field(
        description="the mean reliability of the source's current records, decayed to now"
    )
    flags: FlagCountsOut = Field(description="the source's records whose customer is flagged")


class StoreQualityOut(BaseModel):
    records: int
    customers: int
    duplicate_share: float
    score: float = Field(description="the sources' scores weighted by their records")
    flags: FlagCountsOut = Field(description="active customers carrying each flag")


class QualityReportOut(BaseModel):
    sources: list[SourceReportOut]
    fields: list[FieldQualityOut]
    overall: StoreQualityOut
    taken_at: datetime


class FlaggedCustomerOut(BaseModel):
    customer_id: int
    flags: list[FlagName]


class FlaggedPage(BaseModel):
    items: list[FlaggedCustomerOut]
    next_after: int | None = Field(description="pass as `after` for the next page; null: done")


class CustomerQualityOut(BaseModel):
    customer_id: int
    score: float = Field(description="0-100: completeness x validity x freshness x flag penalty")
    completeness: float
    validity: float
    freshness: float = Field(description="the best decayed reliability of its current records")
    missing: list[str]
    invalid: list[str]
    flags: list[FlagName]


class SnapshotOut(BaseModel):
    taken_at: datetime
    source: str | None = Field(description="null: the whole store")
    records: int
    score: float
    details: dict[str, Any]


class HistoryOut(BaseModel):
    items: list[SnapshotOut]


def quality_body(state: State) -> dict[str, Any]:
    from patron import identity

    report = identity.quality_report(state.store)
    return {
        "sources": [dataclasses.asdict(s) for s in report.sources],
        "fields": [
            dataclasses.asdict(f) | {"completeness": f.completeness, "validity": f.validity}
            for f in report.fields
        ],
        "overall": dataclasses.asdict(report.overall),
        "taken_at": report.taken_at,
    }


def history_body(rows: list[QualitySnapshot]) -> dict[str, Any]:
    return {"items": [dataclasses.asdict(r) for r in rows]}


@router.get(
    "/quality", response_model=QualityReportOut, summary="Data quality per source and field"
)
def quality(who: Annotated[Principal, allow("quality.read")], state: State) -> dict[str, Any]:
    """Completeness and validity per source and field; per source the newest and median data
    date, reliability decayed to now, the share of records sharing a phone or e-mail with
    another customer, high-risk flags and a 0-100 score; the same for the whole store."""
    return quality_body(state)


@router.get(
    "/quality/flagged", response_model=FlaggedPage, summary="Customers with high-risk flags"
)
def flagged(
    who: Annotated[Principal, allow("quality.read", "customers.read")],
    state: State,
    flag: Annotated[FlagName | None, Query(description="only this flag (default: any)")] = None,
    source: Annotated[str | None, Query(max_length=100)] = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="customer id to start after")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Customers carrying a flag, by id; with ``source``, only those with a current record
    there."""
    from patron import identity

    found = identity.flagged_customers(
        state.store, flag=flag, source=source, after=after, limit=limit
    )
    return {
        "items": [dataclasses.asdict(c) for c in found],
        "next_after": found[-1].customer_id if len(found) == limit else None,
    }


@router.get(
    "/quality/customers/{customer_id}",
    response_model=CustomerQualityOut,
    summary="One customer's quality score",
)
def customer_quality(
    who: Annotated[Principal, allow("quality.read", "customers.read")],
    state: State,
    customer_id: Id,
) -> dict[str, Any]:
    """A 0-100 score from the customer's golden record, contact points, the age of their
    records and their flags, with what is missing or invalid."""
    from patron import identity

    return dataclasses.asdict(identity.customer_quality(state.store, customer_id))


@router.get("/quality/history", response_model=HistoryOut, summary="Saved quality scores")
def history(
    who: Annotated[Principal, allow("quality.read")],
    state: State,
    source: Annotated[str | None, Query(max_length=100)] = None,
    whole_store: Annotated[bool, Query(description="only the whole store's rows")] = False,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> dict[str, Any]:
    """Snapshots saved with `POST /quality/snapshots` or `patron quality --save`, oldest first
    (the newest ``limit``): one row per source and one for the whole store (source null)."""
    from patron import identity

    rows = identity.quality_history(
        state.store, source=source, whole_store=whole_store, limit=limit
    )
    return history_body(rows)


@router.post(
    "/quality/snapshots",
    response_model=HistoryOut,
    status_code=201,
    summary="Save the quality scores now",
)
def save_snapshot(
    who: Annotated[Principal, allow("quality.write")], state: State
) -> dict[str, Any]:
    """Measure quality and store it: one row per source and one for the whole store (last)."""
    from patron import identity

    return history_body(identity.save_quality_snapshot(state.store, actor=who.actor))
