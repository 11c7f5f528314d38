"""Request and response bodies of /api/v1/analytics and a customer's scores."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["high", "medium", "low"]
Cell = Literal[
    "high_value/high_churn", "high_value/medium_churn", "high_value/low_churn",
    "medium_value/high_churn", "medium_value/medium_churn", "medium_value/low_churn",
    "low_value/high_churn", "low_value/medium_churn", "low_value/low_churn",
]  # fmt: skip
DriftLevel = Literal["stable", "watch", "alert"]


class AnalyticsRunOut(BaseModel):
    id: int
    as_of: datetime = Field(description="the moment the scores describe")
    status: Literal["running", "completed", "failed"]
    actor: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None


class AnalyticsRunSummaryOut(AnalyticsRunOut):
    """The newest completed run with what the pages chart."""

    summary: dict[str, Any] = Field(
        description="rfm_grid (rows R 5..1, keys F 1..5), rfm_segments, lifecycle_funnel, "
        "classes, clv {histogram, params, total}, tiers, tier_migration, churn {backtest, "
        "histogram}, value_churn_matrix, drift, models, timings"
    )


class AnalyticsRunPage(BaseModel):
    items: list[AnalyticsRunOut]
    starting: bool = Field(
        description="a run this server started is bringing the warehouse up to date and not "
        "listed yet"
    )


class AnalyzeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(
        default=None,
        ge=date(2000, 1, 1),
        description="score as of this day (midnight UTC); default the day after the newest "
        "order. Not in the future.",
        examples=["2026-07-01"],
    )


class AnalyzeStartOut(BaseModel):
    """A run that was started: it appears in `GET /analytics/runs` once the warehouse is up
    to date (the run's id is given there)."""

    status: Literal["starting"]
    as_of: date | None = Field(description="as asked; null: the day after the newest order")
    actor: str
    requested_at: datetime


class OfferOut(BaseModel):
    item: Any = Field(description="the product offered")
    name: str | None
    because: Any = Field(description="the product bought that suggests it")
    because_name: str | None
    score: float


class ReasonOut(BaseModel):
    feature: str = Field(description="a behaviour feature, e.g. recency_days")
    value: str = Field(description="the customer's value of it")
    weight: float = Field(description="how much it pushed the churn probability (log-odds)")


class ScoresOut(BaseModel):
    run_id: int
    as_of: datetime
    rfm_r: int | None
    rfm_f: int | None
    rfm_m: int | None
    rfm_segment: str | None
    lifecycle_stage: str | None
    customer_class: str | None
    value_tier: str | None
    clv: float | None
    expected_purchases: float | None
    p_alive: float | None = Field(description="probability the customer is still active")
    churn_probability: float | None
    churn_reasons: str | None = Field(description="as the model wrote them")
    reasons: list[ReasonOut] = Field(description="churn_reasons, one per feature")
    value_churn_cell: str | None
    next_products: list[OfferOut] | None = Field(description="next best products")


class CustomerScoresOut(BaseModel):
    customer_id: int
    scores: ScoresOut | None = Field(description="null until an analytics run scored them")


class RiskOut(BaseModel):
    customer_id: int
    full_name: str | None = Field(description="masked for roles without the personal-data right")
    member_tier: str | None = None
    churn_probability: float | None
    clv: float | None
    value_tier: str | None
    rfm_segment: str | None
    lifecycle_stage: str | None = None
    value_churn_cell: str | None = None
    churn_reasons: str | None
    reasons: list[ReasonOut]


class RiskPage(BaseModel):
    items: list[RiskOut]
    offset: int
    next_offset: int | None = Field(description="pass as `offset` for the next page")
    masked: bool


class MatrixCellOut(BaseModel):
    cell: Cell
    value: Level
    churn: Level
    customers: int
    clv: float = Field(description="the cell's total CLV")
    mean_churn: float | None
    strategy: str
    edited: bool = Field(description="false: patron's default strategy in the asked language")
    updated_by: str | None
    updated_at: datetime | None


class MatrixOut(BaseModel):
    run_id: int | None = Field(description="the run the counts come from; null before any")
    as_of: datetime | None
    cells: list[MatrixCellOut]


class StrategyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strategy: str = Field(
        min_length=1, max_length=2000, examples=["Call within a week; offer free delivery."]
    )


class ModelOut(BaseModel):
    id: int
    kind: str
    version: int
    run_id: int | None
    status: Literal["active", "retired"]
    trained_at: datetime
    as_of: datetime
    window_start: datetime | None
    window_end: datetime | None
    params: dict[str, Any]
    metrics: dict[str, Any] = Field(description="churn: backtest auc next to baseline_auc")


class ModelCheckOut(BaseModel):
    id: int
    model_id: int
    checked_at: datetime
    as_of: datetime
    score_psi: float | None
    input_psi: dict[str, float | None] | None
    outcome_auc: float | None
    worst_input: str | None
    worst_input_psi: float | None
    level: DriftLevel = Field(description="PSI below 0.1 stable, to 0.25 watch, above alert")
