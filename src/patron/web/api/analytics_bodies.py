"""What the analytics API and pages answer with: rows of the churn list and of a cell's
customers (reasons split, names masked for roles without the personal-data right, unmasked
lists audited), the value x churn matrix with its strategies, a cell's rows for the CSV."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from patron.access import Principal
from patron.store import record_audit
from patron.web.analytics_view import json_safe, mask_name, parse_reasons
from patron.web.api.schemas_analytics import Level
from patron.web.state import AppState

CSV_HEADER = ("customer_id", "full_name", "clv", "churn_probability", "value_tier",
              "rfm_segment", "churn_reasons")  # fmt: skip
CSV_PAGE = 2000


def risk_body(row: dict[str, Any], masked: bool) -> dict[str, Any]:
    """A row of the churn list or a cell's list, with its reasons split, masked if asked."""
    reasons = [r.__dict__ for r in parse_reasons(row.get("churn_reasons"))]
    name = mask_name(row.get("full_name")) if masked else row.get("full_name")
    return json_safe(row | {"full_name": name, "reasons": reasons})


def list_audited(state: AppState, who: Principal, view: str, rows: list[dict[str, Any]]) -> None:
    """Unmasked lists of people are audited: who saw whose name (as customer lists are)."""
    if not who.sees_personal_data or not rows:
        return
    with state.store.begin() as conn:
        record_audit(
            conn, actor=who.actor, action="customers.listed", target_type="customer",
            details={"view": view, "ids": [r["customer_id"] for r in rows]},
        )  # fmt: skip


def matrix_body(state: AppState, lang: str) -> dict[str, Any]:
    """Every cell with its customers and CLV from the newest run, and its strategy."""
    from patron import analytics

    with state.store.connect() as conn:
        run = analytics.latest_run(conn)
        texts = analytics.strategies(conn, lang)
    summary = (run or {}).get("summary") or {}
    counts = {c["cell"]: c for c in summary.get("value_churn_matrix", [])}
    cells = []
    for cell in analytics.CELLS:
        value, churn = (part.split("_", 1)[0] for part in cell.split("/"))
        found = counts.get(cell, {})
        cells.append(
            {
                "cell": cell, "value": value, "churn": churn,
                "customers": int(found.get("customers") or 0),
                "clv": float(found.get("clv") or 0.0),
                "mean_churn": found.get("mean_churn"),
                **texts[cell],
            }
        )  # fmt: skip
    return json_safe(
        {
            "run_id": run["id"] if run else None,
            "as_of": run["as_of"] if run else None,
            "cells": cells,
        }
    )


def cell_of(value: Level, churn: Level) -> str:
    return f"{value}_value/{churn}_churn"


def cell_rows(state: AppState, cell: str, masked: bool) -> Iterator[tuple[Any, ...]]:
    """The cell's rows for the CSV, read a page at a time."""
    from patron import analytics

    offset = 0
    while True:
        with state.store.connect() as conn:
            rows = analytics.cell_customers(conn, cell, limit=CSV_PAGE, offset=offset)
        for r in rows:
            name = mask_name(r["full_name"]) if masked else r["full_name"]
            yield (r["customer_id"], name, _round(r["clv"], 2), _round(r["churn_probability"], 4),
                   r["value_tier"], r["rfm_segment"], r["churn_reasons"])  # fmt: skip
        if len(rows) < CSV_PAGE:
            return
        offset += CSV_PAGE


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
