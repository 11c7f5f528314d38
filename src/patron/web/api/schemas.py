"""The REST API's request and response bodies (they make the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

Gender = Literal["M", "F", "O", "U"]
# Ids in paths: positive and within the 64-bit keys every backend stores.
Id = Annotated[int, Path(ge=1, le=2**62)]


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    hint: str | None = None
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


class Page(BaseModel):
    next_cursor: str | None = Field(
        description="pass as `cursor` for the next page; null on the last page"
    )


class CustomerSummaryOut(BaseModel):
    id: int
    full_name: str | None
    primary_phone: str | None
    primary_email: str | None
    city: str | None
    member_tier: str | None
    matched_on: str | None = None


class CustomerPage(Page):
    items: list[CustomerSummaryOut]


class ContactPointOut(BaseModel):
    kind: str
    value: str
    valid: bool
    verified: bool
    validation_error: str | None
    source: str
    details: dict[str, Any]


class ConsentOut(BaseModel):
    channel: str
    purpose: str
    status: str
    recorded_at: datetime
    origin: str


class OrderLineOut(BaseModel):
    line_no: str
    sku: str | None
    quantity: float
    unit_price: float | None
    amount: float


class OrderOut(BaseModel):
    id: int
    source: str
    order_key: str
    ordered_at: datetime
    total_amount: float
    currency: str | None
    channel: str | None
    store: str | None
    lines: list[OrderLineOut]


class InteractionOut(BaseModel):
    id: int
    source: str
    occurred_at: datetime
    type: str
    channel: str | None
    touchpoint: str | None
    payload: dict[str, Any] | None


class SourceRecordOut(BaseModel):
    id: int
    source: str
    source_key: str
    batch_id: int
    row_number: int
    loaded_at: datetime
    external: bool
    is_current: bool
    raw: dict[str, Any]


class TimelineEntryOut(BaseModel):
    at: datetime
    kind: str
    title: str
    ref: int


class CustomerOut(BaseModel):
    """The 360-degree view. Personal data is masked for roles without that permission."""

    id: int
    version: int
    status: str
    masked: bool
    full_name: str | None
    given_name: str | None
    family_name: str | None
    gender: str | None
    birth_date: date | None
    company: str | None
    member_tier: str | None
    primary_email: str | None
    primary_phone: str | None
    province: str | None
    city: str | None
    district: str | None
    postcode: str | None
    external: bool
    attributes: dict[str, Any]
    lineage: dict[str, int | None]
    created_at: datetime
    updated_at: datetime
    contact_points: list[ContactPointOut]
    consents: list[ConsentOut]
    orders: list[OrderOut]
    interactions: list[InteractionOut]
    source_records: list[SourceRecordOut]
    timeline: list[TimelineEntryOut]


class CustomerIn(BaseModel):
    """A customer entered by a person. Values are normalised like imported ones."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=200, examples=["张伟"])
    gender: str | None = Field(default=None, max_length=20, examples=["女"])
    birth_date: date | None = None
    company: str | None = Field(default=None, max_length=200)
    member_tier: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=50, examples=["138 0013 8000"])
    email: str | None = Field(default=None, max_length=320, examples=["zhang.wei@example.cn"])
    address: str | None = Field(default=None, max_length=500)


class CustomerChanges(CustomerIn):
    """Fields to change; omitted fields stay as they are."""


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["granted", "denied"]
    origin: str | None = Field(
        default=None, max_length=300, examples=["customer asked by phone, call 2026-11-02"]
    )


class ItemPage(Page):
    items: list[dict[str, Any]]


class ImportJobOut(BaseModel):
    id: str
    status: Literal["running", "completed", "failed"]
    file_name: str
    source: str
    kind: str
    started_by: str
    started_at: datetime
    rows_read: int
    percent: float
    batch_id: int | None
    report: dict[str, Any]
    error: str | None


class BatchOut(BaseModel):
    id: int
    source: str
    kind: str
    file_name: str
    format: str
    encoding: str | None
    status: str
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    created_by: str | None


class MeOut(BaseModel):
    name: str
    role: str
    permissions: list[str]
    via: str


class SourceQualityOut(BaseModel):
    source: str
    records: int
    newest_data: datetime | None
    reliability_now: float
    duplicate_share: float = Field(
        description="records sharing a phone or e-mail with another customer"
    )
    score: float = Field(description="0-100: completeness x validity of key fields x reliability")


class FieldQualityOut(BaseModel):
    source: str
    field: str
    records: int
    filled: int
    valid: int
    completeness: float
    validity: float = Field(description="share of filled values that passed validation")


class QualityOut(BaseModel):
    sources: list[SourceQualityOut]
    fields: list[FieldQualityOut]
