"""Request and response bodies of /api/v1/identity and a customer's identity view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ReviewStatus = Literal["pending", "accepted", "rejected", "superseded"]
CustomerRef = Annotated[int, Field(ge=1, le=2**62)]


class ReviewSideOut(BaseModel):
    record_id: int = Field(description="the source record")
    source: str
    source_key: str
    customer_id: int = Field(description="the customer the record belongs to now")
    full_name: str | None = Field(description="that customer's name")


class EvidenceOut(BaseModel):
    field: str = Field(description="the comparison: name_tokens, birth_date, phone, email ...")
    left: str | None
    right: str | None
    level: str | None = Field(description="how the two values agree (the level they reached)")
    weight: float | None = Field(
        description="that level's match weight, log2(m/u): positive for evidence of a match"
    )


class ReviewOut(BaseModel):
    """A pair of records matching was unsure about, with why it scored what it did."""

    id: int
    status: ReviewStatus
    match_probability: float
    match_weight: float
    left: ReviewSideOut
    right: ReviewSideOut
    evidence: list[EvidenceOut]
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    note: str | None
    merge_id: int | None = Field(description="the merge an accepted pair made")
    masked: bool = Field(description="personal values in the evidence are masked")


class ReviewPage(BaseModel):
    items: list[ReviewOut]
    total: int = Field(description="reviews in this status")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "reject"] = Field(
        description="accept merges the two customers; reject keeps them apart for good"
    )
    note: str = Field(default="", max_length=1000)


class MergeOut(BaseModel):
    id: int
    survivor_id: int
    merged_id: int = Field(description="its id leads to the survivor until the merge is undone")
    match_probability: float | None = Field(description="null for a merge a person asked for")
    match_weight: float | None
    reason: str
    actor: str
    merged_at: datetime
    undone_at: datetime | None
    undone_by: str | None
    moved: dict[str, int] = Field(description="rows moved to the survivor, per table")


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survivor_id: CustomerRef
    merged_id: CustomerRef
    reason: str = Field(min_length=1, max_length=1000, examples=["same member card"])


class UndoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, examples=["twins, not one person"])


class GoldenFieldOut(BaseModel):
    field: str
    value: Any
    record_id: int | None = Field(description="the source record the value came from")
    source: str | None


class RecordLineOut(BaseModel):
    id: int
    source: str
    source_key: str
    batch_id: int
    row_number: int
    loaded_at: datetime
    is_current: bool
    full_name: str | None


class IdentityOut(BaseModel):
    """Where a customer's values came from, the records it is made of, its merges (undone
    ones too) and its household. Personal values are masked for roles without that right."""

    asked_id: int
    customer_id: int = Field(description="where asked_id leads today (itself unless merged)")
    status: str
    masked: bool
    golden: list[GoldenFieldOut]
    records: list[RecordLineOut]
    merges: list[MergeOut]
    household_id: int | None
    household: list[int] = Field(description="the other members' customer ids")


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full: bool = Field(default=False, description="re-train on all records and re-match all")
    high: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="merge at or above; default 0.95, lowered where review decisions show it "
        "safe (as `patron unify` without --high)",
    )
    low: float = Field(default=0.5, gt=0, le=1, description="review between low and high")


class RunOut(BaseModel):
    id: int
    mode: Literal["full", "incremental"]
    status: Literal["running", "completed", "failed"]
    actor: str
    started_at: datetime
    finished_at: datetime | None
    high: float
    low: float
    records: int | None = Field(description="current customer records (when completed)")
    pairs: int | None
    merges: int | None
    reviews: int | None = Field(description="pairs newly queued for review")
    households: int | None
    error: str | None
    stage: str | None = Field(description="what a running run is doing")
    stage_done: int | None
    stage_total: int | None


class RunPage(BaseModel):
    items: list[RunOut]
    total: int


class MergedOut(BaseModel):
    """The answer for a merged customer's id: a 307 redirect to the survivor."""

    id: int
    status: Literal["merged"]
    merged_into: int = Field(description="the survivor (also in Location)")
