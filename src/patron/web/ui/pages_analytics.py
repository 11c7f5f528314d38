"""The Analytics pages: the overview (run status and start, RFM grid, lifecycle funnel, CLV and
churn distributions, the value x churn matrix with its editable strategies), the churn list
(流失预警), a cell's customers, and model health. Charts are inline SVG (see charts).

They read what runs left in the store, as the API does (patron.web.api.analytics); only a run
started here opens the warehouse, in the background.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from patron.access import Principal
from patron.core import ConflictError, InputError
from patron.golden import resolve_customer
from patron.web import analytics_job
from patron.web.analytics_view import check_body, parse_reasons
from patron.web.api.analytics_bodies import cell_of, list_audited, matrix_body, risk_body
from patron.web.api.schemas import Id
from patron.web.api.schemas_analytics import Cell, Level
from patron.web.security import allow
from patron.web.state import AppState, State
from patron.web.ui import charts
from patron.web.ui.analytics_labels import ALL
from patron.web.ui.i18n import negotiate, translations
from patron.web.ui.nav import NavItem, register_nav
from patron.web.ui.render import page

router = APIRouter(include_in_schema=False)
register_nav(NavItem("/analytics", "Analytics", "analytics.read", 38))
READ = "analytics.read"
PAGE_SIZE = 50
LEVELS = ("high", "medium", "low")
THRESHOLDS = (0.3, 0.5, 0.6, 0.8, 0.9)


def labeller(request: Request) -> Callable[[str, Any], str]:
    """``label(kind, key)``: the translated word for a segment, stage, tier, feature ...; the
    key itself when there is none."""
    gettext = translations(negotiate(request)).gettext

    def label(kind: str, key: Any) -> str:
        words = ALL[kind]
        return gettext(words[key]) if key in words else ("" if key is None else str(key))

    return label


def status_of(state: AppState) -> dict[str, Any]:
    """The newest runs, the one running (in the store) and this process's starting one."""
    from patron import analytics

    with state.store.connect() as conn:
        runs = analytics.list_runs(conn, limit=5)
        latest = analytics.latest_run(conn)
    mine = analytics_job.local_state(state.store)
    return {
        "runs": runs,
        "latest": latest,
        "running": next((r for r in runs if r["status"] == "running"), None),
        "starting": mine if mine is not None and mine.starting and mine.alive else None,
        "local_error": mine.error if mine is not None and mine.finished else None,
    }


@router.get("/analytics", response_class=HTMLResponse)
def overview(
    request: Request,
    state: State,
    who: Annotated[Principal, allow(READ)],
    started: Annotated[bool, Query()] = False,
    saved: Annotated[Cell | None, Query()] = None,
) -> Response:
    status = status_of(state)
    summary: dict[str, Any] = (status["latest"] or {}).get("summary") or {}
    churn = summary.get("churn") or {}
    context = status | {
        "summary": summary,
        "label": labeller(request),
        "rfm": charts.rfm_heat(summary.get("rfm_grid") or []),
        "funnel": charts.funnel(summary.get("lifecycle_funnel") or []),
        "clv_chart": charts.histogram((summary.get("clv") or {}).get("histogram") or []),
        "churn_chart": charts.histogram(churn.get("histogram") or [], "{:.0%}".format),
        "backtest": churn.get("backtest") or {},
        "matrix": matrix_body(state, negotiate(request)),
        "levels": LEVELS,
        "can_run": who.can("analytics.run"),
        "can_edit": who.can("analytics.write"),
        "started": started,
        "saved": saved,
        "today": date.today().isoformat(),
    }
    return page(request, "analytics.html", context)


@router.post("/analytics/runs")
def start_run(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("analytics.run")],
    # Always sent by the form (empty: the day after the newest order).
    as_of: Annotated[str, Form(max_length=10)],
) -> Response:
    day: date | None = None
    if as_of.strip():
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError as exc:
            raise InputError(f"as_of {as_of!r} is not a date", field="as_of",
                             hint="write it as 2026-07-01, or leave it empty") from exc  # fmt: skip
        if day > date.today():
            raise InputError(f"as_of {day} is in the future", field="as_of")
    try:
        analytics_job.start_analysis(state.store, state.settings, as_of=day, actor=who.actor)
    except ConflictError:  # the page shows the run that is running
        return RedirectResponse("/analytics#status", status_code=303)
    return RedirectResponse("/analytics?started=1#status", status_code=303)


@router.post("/analytics/matrix/{value}/{churn}/strategy")
def save_strategy(
    state: State,
    value: Level,
    churn: Level,
    who: Annotated[Principal, allow("analytics.write")],
    strategy: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    from patron import analytics

    cell = cell_of(value, churn)
    with state.store.begin() as conn:
        analytics.set_strategy(conn, cell, strategy, actor=who.actor)
    query = urlencode({"saved": cell})
    return RedirectResponse(f"/analytics?{query}#matrix", status_code=303)


@router.get("/analytics/cells/{value}/{churn}", response_class=HTMLResponse)
def cell_page(
    request: Request,
    state: State,
    value: Level,
    churn: Level,
    who: Annotated[Principal, allow(READ)],
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    from patron import analytics

    cell = cell_of(value, churn)
    masked = not who.sees_personal_data
    with state.store.connect() as conn:
        rows = analytics.cell_customers(
            conn, cell, limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE
        )
    shown = rows[:PAGE_SIZE]
    list_audited(state, who, "value_churn_cell", shown)
    info = next(c for c in matrix_body(state, negotiate(request))["cells"] if c["cell"] == cell)
    context = {
        "cell": info,
        "rows": [risk_body(r, masked) for r in shown],
        "masked": masked,
        "page_no": page_no,
        "has_next": len(rows) > PAGE_SIZE,
        "label": labeller(request),
        "csv": f"/api/v1/analytics/matrix/{value}/{churn}/customers.csv",
    }
    return page(request, "analytics_cell.html", context)


@router.get("/analytics/at-risk", response_class=HTMLResponse)
def at_risk_page(
    request: Request,
    state: State,
    who: Annotated[Principal, allow(READ)],
    min_probability: Annotated[float, Query(ge=0, le=1)] = 0.6,
    cell: Annotated[str, Query(max_length=40, description="a matrix cell; empty: all")] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    from patron import analytics

    chosen = cell if cell in analytics.CELLS else None
    masked = not who.sees_personal_data
    with state.store.connect() as conn:
        rows = analytics.at_risk(
            conn, min_probability=min_probability, cell=chosen,
            limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE,
        )  # fmt: skip
    shown = rows[:PAGE_SIZE]
    list_audited(state, who, "at_risk", shown)
    query = {"min_probability": min_probability} | ({"cell": chosen} if chosen else {})
    context = {
        "rows": [risk_body(r, masked) for r in shown],
        "masked": masked,
        "min_probability": min_probability,
        "thresholds": THRESHOLDS,
        "cell": chosen,
        "cells": analytics.CELLS,
        "page_no": page_no,
        "has_next": len(rows) > PAGE_SIZE,
        "query": urlencode(query),
        "label": labeller(request),
    }
    return page(request, "analytics_at_risk.html", context)


@router.get("/analytics/models", response_class=HTMLResponse)
def models_page(request: Request, state: State, who: Annotated[Principal, allow(READ)]) -> Response:
    from patron import analytics

    with state.store.connect() as conn:
        models = analytics.list_models(conn)
        checks = {m.id: [check_body(c) for c in analytics.model_checks_of(conn, m.id)]
                  for m in models}  # fmt: skip
        latest = analytics.latest_run(conn)
    drift = ((latest or {}).get("summary") or {}).get("drift")
    context = {
        "models": models,
        "checks": checks,
        "drift": drift,
        "label": labeller(request),
        "auc": charts.auc_bars,
    }
    return page(request, "analytics_models.html", context)


def scores_context(state: AppState, customer_id: int) -> dict[str, Any]:
    """One customer's latest scores with their reasons split, for the panel and the tab."""
    from patron import analytics

    with state.store.connect() as conn:
        scores = analytics.customer_score(conn, customer_id)
    reasons = parse_reasons(scores["churn_reasons"]) if scores else []
    return {"scores": scores, "reasons": reasons}


@router.get("/customers/{customer_id}/scores", response_class=HTMLResponse)
def scores_tab(
    request: Request,
    state: State,
    customer_id: Id,
    who: Annotated[Principal, allow("customers.read", READ)],
    merged_from: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """The scores panel alone for the 360 page (which loads it through HTMX, so that page
    never waits for the analytics libraries), or the Scores tab as a whole page."""
    from patron import customers

    with state.store.connect() as conn:
        survivor = resolve_customer(conn, customer_id)
    if survivor != customer_id:
        query = urlencode({"merged_from": customer_id})
        return RedirectResponse(f"/customers/{survivor}/scores?{query}", 307)
    context = scores_context(state, customer_id) | {"label": labeller(request), "cid": customer_id}
    if request.headers.get("hx-request"):
        customers.customer_version(state.store, customer_id)  # 404 for an unknown id
        return page(request, "_customer_scores.html", context)
    masked = not who.sees_personal_data
    view = customers.get_customer(
        state.store, customer_id, masked=masked, viewed_by=None if masked else who.actor
    )
    context |= {"c": view, "tab": "scores", "merged_from": merged_from}
    return page(request, "customer_scores.html", context)
