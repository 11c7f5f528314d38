"""/api/v1/analytics: the runs of `patron analyze` (and starting one in the background), the
churn list, the value x churn matrix with its strategies and ready customer lists, the model
registry and its checks; and /api/v1/customers/{id}/scores, one customer's latest scores.

Everything is read from the operational store, where each run leaves its results: the API
never opens the warehouse. patron.analytics brings pandas, Ibis and LightGBM: each route
imports it when it runs, so the web app starts without them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from patron import customers
from patron.access import Principal
from patron.core import InputError, NotFoundError, utcnow
from patron.golden import resolve_customer
from patron.store import record_audit
from patron.web import analytics_job
from patron.web.analytics_view import check_body, json_safe, parse_reasons
from patron.web.api.analytics_bodies import (
    CSV_HEADER,
    cell_of,
    cell_rows,
    list_audited,
    matrix_body,
    risk_body,
)
from patron.web.api.idempotency import Idempotent, idempotent
from patron.web.api.identity import _as, links_csv, merged_redirect
from patron.web.api.schemas import Id
from patron.web.api.schemas_analytics import (
    AnalyticsRunPage,
    AnalyticsRunSummaryOut,
    AnalyzeIn,
    AnalyzeStartOut,
    Cell,
    CustomerScoresOut,
    Level,
    MatrixCellOut,
    MatrixOut,
    ModelCheckOut,
    ModelOut,
    RiskPage,
    StrategyIn,
)
from patron.web.api.schemas_identity import MergedOut
from patron.web.security import allow
from patron.web.state import State

router = APIRouter(tags=["analytics"])
READ = "analytics.read"
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "A run is running"}}
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


# --- runs ----------------------------------------------------------------------------------


@router.get(
    "/analytics/runs/latest",
    response_model=AnalyticsRunSummaryOut,
    summary="The newest completed analytics run, with its summary",
)
def latest(who: Annotated[Principal, allow(READ)], state: State) -> dict[str, Any]:
    """What the Analytics page charts: the RFM grid, lifecycle funnel, CLV and churn
    distributions, the churn model's backtest, the value x churn matrix, drift. 404 before
    the first completed run."""
    from patron import analytics

    with state.store.connect() as conn:
        run = analytics.latest_run(conn)
    if run is None:
        raise NotFoundError(
            "no completed analytics run yet",
            hint="start one: POST /api/v1/analytics/runs (or `patron analyze`)",
        )
    return json_safe(run | {"summary": run.get("summary") or {}})


@router.get("/analytics/runs", response_model=AnalyticsRunPage, summary="Analytics runs")
def runs(
    who: Annotated[Principal, allow(READ)],
    state: State,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Newest first, running and failed ones too (without their summaries)."""
    from patron import analytics

    with state.store.connect() as conn:
        items = analytics.list_runs(conn, limit=limit)
    mine = analytics_job.local_state(state.store)
    return {"items": items, "starting": bool(mine and mine.starting and mine.alive)}


@router.post(
    "/analytics/runs",
    response_model=AnalyzeStartOut,
    status_code=202,
    summary="Start an analytics run (patron analyze) in the background",
    responses=CONFLICT,
)
def start_run(
    body: AnalyzeIn,
    who: Annotated[Principal, allow("analytics.run")],
    state: State,
    idem: Annotated[Idempotent, Depends(idempotent)],
) -> Any:
    """Brings the warehouse up to date, then scores every customer as of `as_of`: RFM,
    lifecycle, CLV and tiers, churn with reasons, the value x churn matrix, cross-sell.
    Answers at once; the run is listed by `GET /analytics/runs` once the warehouse is up to
    date. 409 while a run is running, whoever started it."""
    if body.as_of is not None and body.as_of > utcnow().date() + timedelta(days=1):
        raise InputError(
            f"as_of {body.as_of} is in the future",
            field="as_of",
            hint="scores describe the past: leave it out for the day after the newest order",
        )
    replay = idem.replay(body.model_dump(mode="json"))
    if replay is not None:
        return replay
    try:
        run = analytics_job.start_analysis(
            state.store, state.settings, as_of=body.as_of, actor=who.actor
        )
    except Exception:
        idem.release()
        raise
    out = {"status": "starting", "as_of": run.as_of, "actor": run.actor,
           "requested_at": run.requested_at}  # fmt: skip
    return idem.save(202, _as(AnalyzeStartOut, out), {"Location": "/api/v1/analytics/runs"})


# --- a customer's scores -------------------------------------------------------------------


@router.get(
    "/customers/{customer_id}/scores",
    response_model=CustomerScoresOut,
    summary="A customer's latest scores: RFM, lifecycle, tier, CLV, churn and reasons, offers",
    responses={307: {"model": MergedOut, "description": "Merged: Location names the survivor"}},
)
def customer_scores(customer_id: Id, who: Annotated[Principal, allow(READ)], state: State) -> Any:
    """`scores` is null until a run scored the customer (customers without a purchase get RFM
    and lifecycle only). For a merged id, 307 to the survivor's scores."""
    from patron import analytics

    customers.customer_version(state.store, customer_id)  # 404 for an unknown id
    with state.store.connect() as conn:
        survivor = resolve_customer(conn, customer_id)
        if survivor != customer_id:
            return merged_redirect(customer_id, survivor, "/scores")
        scores = analytics.customer_score(conn, customer_id)
    if scores is not None:
        scores = scores | {"reasons": [r.__dict__ for r in parse_reasons(scores["churn_reasons"])]}
    return json_safe({"customer_id": customer_id, "scores": scores})


# --- the churn list (流失预警) ---------------------------------------------------------------


@router.get("/analytics/at-risk", response_model=RiskPage, summary="Customers about to churn")
def at_risk(
    who: Annotated[Principal, allow(READ)],
    state: State,
    min_probability: Annotated[float, Query(ge=0, le=1)] = 0.5,
    cell: Cell | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Active customers whose churn probability is at least `min_probability`, the riskiest
    and most valuable first, with the model's reasons (for the riskiest customers of the run)
    and their value x churn cell. Names are masked for roles without the personal-data
    right; an unmasked list is audited."""
    from patron import analytics

    masked = not who.sees_personal_data
    with state.store.connect() as conn:
        rows = analytics.at_risk(
            conn, min_probability=min_probability, cell=cell, limit=limit + 1, offset=offset
        )
    page = rows[:limit]
    list_audited(state, who, "at_risk", page)
    return {
        "items": [risk_body(r, masked) for r in page],
        "offset": offset,
        "next_offset": offset + limit if len(rows) > limit else None,
        "masked": masked,
    }


# --- the value x churn matrix --------------------------------------------------------------


@router.get("/analytics/matrix", response_model=MatrixOut, summary="The value x churn matrix")
def matrix(
    who: Annotated[Principal, allow(READ)],
    state: State,
    lang: Annotated[str, Query(pattern="^(en|zh_CN)$", description="default strategies in")] = "en",
) -> dict[str, Any]:
    """The nine cells (value high/medium/low by CLV rank x churn high/medium/low by
    probability) with their customers, total CLV and mean churn from the newest run, and each
    cell's strategy: edited, or patron's default in `lang`."""
    return matrix_body(state, lang)


@router.put(
    "/analytics/matrix/{value}/{churn}/strategy",
    response_model=MatrixCellOut,
    summary="Edit a cell's strategy",
)
def put_strategy(
    value: Level,
    churn: Level,
    body: StrategyIn,
    who: Annotated[Principal, allow("analytics.write")],
    state: State,
    lang: Annotated[str, Query(pattern="^(en|zh_CN)$")] = "en",
) -> dict[str, Any]:
    """Replaces the cell's strategy text (audited as analytics.strategy)."""
    from patron import analytics

    cell = cell_of(value, churn)
    with state.store.begin() as conn:
        analytics.set_strategy(conn, cell, body.strategy, actor=who.actor)
    return next(c for c in matrix_body(state, lang)["cells"] if c["cell"] == cell)


@router.get(
    "/analytics/matrix/{value}/{churn}/customers",
    response_model=RiskPage,
    summary="A cell's customers (a ready segment)",
)
def cell_customers(
    value: Level,
    churn: Level,
    who: Annotated[Principal, allow(READ)],
    state: State,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Active customers of one cell, most valuable first. Names are masked for roles without
    the personal-data right; an unmasked list is audited."""
    from patron import analytics

    masked = not who.sees_personal_data
    with state.store.connect() as conn:
        rows = analytics.cell_customers(conn, cell_of(value, churn), limit=limit + 1, offset=offset)
    page = rows[:limit]
    list_audited(state, who, "value_churn_cell", page)
    return {
        "items": [risk_body(r, masked) for r in page],
        "offset": offset,
        "next_offset": offset + limit if len(rows) > limit else None,
        "masked": masked,
    }


@router.get(
    "/analytics/matrix/{value}/{churn}/customers.csv",
    summary="A cell's customers as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def cell_csv(
    value: Level, churn: Level, who: Annotated[Principal, allow(READ)], state: State
) -> StreamingResponse:
    """Every active customer of the cell, most valuable first: `customer_id, full_name, clv,
    churn_probability, value_tier, rfm_segment, churn_reasons`. UTF-8 with a byte order mark,
    formulas escaped; names masked for roles without the personal-data right (an unmasked
    export is audited)."""
    cell = cell_of(value, churn)
    masked = not who.sees_personal_data
    if not masked:
        with state.store.begin() as conn:
            record_audit(
                conn, actor=who.actor, action="customers.exported",
                target_type="value_churn_cell", target_id=cell,
            )  # fmt: skip
    name = cell.replace("/", "-")
    return StreamingResponse(
        links_csv(CSV_HEADER, cell_rows(state, cell, masked), raw=False),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


# --- the model registry --------------------------------------------------------------------


@router.get("/analytics/models", response_model=list[ModelOut], summary="The model registry")
def models(
    who: Annotated[Principal, allow(READ)],
    state: State,
    kind: Annotated[str | None, Query(max_length=40, description="churn, clv_bgnbd_gg ...")] = None,
) -> list[dict[str, Any]]:
    """Every fitted model, newest first: version, training window, parameters and metrics
    (the churn model's backtest AUC next to the recency-only baseline)."""
    from patron import analytics

    with state.store.connect() as conn:
        found = analytics.list_models(conn, kind)
    return [json_safe(m.__dict__) for m in found]


@router.get("/analytics/models/{model_id}", response_model=ModelOut, summary="One model")
def model(model_id: Id, who: Annotated[Principal, allow(READ)], state: State) -> dict[str, Any]:
    from patron import analytics

    with state.store.connect() as conn:
        return json_safe(analytics.get_model(conn, model_id).__dict__)


@router.get(
    "/analytics/models/{model_id}/checks",
    response_model=list[ModelCheckOut],
    summary="A model's drift and outcome checks",
)
def model_checks(
    model_id: Id, who: Annotated[Principal, allow(READ)], state: State
) -> list[dict[str, Any]]:
    """Each later run's check of the model: drift of its scores and inputs (PSI; below 0.1
    stable, to 0.25 watch, above alert) and, once the horizon has passed, the AUC it achieved
    on what customers actually did."""
    from patron import analytics

    with state.store.connect() as conn:
        analytics.get_model(conn, model_id)  # 404 for an unknown model
        checks = analytics.model_checks_of(conn, model_id)
    return [json_safe(check_body(c)) for c in checks]
