"""What `patron analyze` leaves in the operational store: its runs and their summaries, and the
latest scores of every customer (pages, the API and segments read these, never the
warehouse, so they work while the warehouse is being rebuilt)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert, select, update

from patron.analytics.matrix import CELLS, DEFAULT_STRATEGIES
from patron.core import ConflictError, InputError, NotFoundError, utcnow
from patron.store import Store, chunked, record_audit
from patron.store.schema import (
    analytics_runs,
    customer_scores,
    customers,
    value_churn_strategies,
)

SCORE_COLUMNS = tuple(c.name for c in customer_scores.c if c.name not in ("run_id", "as_of"))


# A run takes minutes even at a million customers; one "running" for longer than this lost
# its process (a crash, a restart) and must not block the next run.
STALE_AFTER = timedelta(hours=3)


def start_run(conn: Connection, as_of: datetime, actor: str) -> int:
    r = analytics_runs.c
    conn.execute(
        update(analytics_runs)
        .where(r.status == "running", r.started_at < utcnow() - STALE_AFTER)
        .values(
            status="failed",
            finished_at=utcnow(),
            error="no result after 3 hours: its process stopped",
        )
    )
    running = conn.execute(select(r.id).where(r.status == "running")).first()
    if running is not None:
        raise ConflictError(
            f"analytics run #{running[0]} is still running",
            hint="wait for it to finish, or mark it failed with `patron analyze --abandon`",
        )
    return int(
        conn.execute(
            insert(analytics_runs)
            .values(as_of=as_of, status="running", actor=actor, started_at=utcnow())
            .returning(analytics_runs.c.id)
        ).scalar_one()
    )


def abandon_runs(conn: Connection, actor: str) -> int:
    """Mark runs left 'running' by a process that died as failed; returns how many."""
    result = conn.execute(
        update(analytics_runs)
        .where(analytics_runs.c.status == "running")
        .values(status="failed", finished_at=utcnow(), error=f"abandoned by {actor}")
    )
    return int(result.rowcount or 0)


def finish_run(conn: Connection, run_id: int, summary: dict[str, Any]) -> None:
    conn.execute(
        update(analytics_runs)
        .where(analytics_runs.c.id == run_id)
        .values(status="completed", finished_at=utcnow(), summary=_json_safe(summary))
    )


def fail_run(store: Store, run_id: int, error: str) -> None:
    with store.begin() as conn:
        conn.execute(
            update(analytics_runs)
            .where(analytics_runs.c.id == run_id)
            .values(status="failed", finished_at=utcnow(), error=error[:4000])
        )


def write_scores(conn: Connection, run_id: int, as_of: datetime, scores: pd.DataFrame) -> int:
    """Replace every customer's latest scores with ``scores`` (one row per customer)."""
    conn.execute(delete(customer_scores))
    frame = scores.reindex(columns=list(SCORE_COLUMNS))
    for column in ("customer_id", "rfm_r", "rfm_f", "rfm_m"):  # NaN made them float
        frame[column] = frame[column].astype("Int64")
    frame = frame.astype(object).where(frame.notna(), None)
    rows = [
        {"run_id": run_id, "as_of": as_of, **dict(zip(SCORE_COLUMNS, values, strict=True))}
        for values in frame.itertuples(index=False, name=None)
    ]
    for part in chunked(rows, 5000):
        conn.execute(insert(customer_scores), part)
    return len(rows)


def previous_tiers(conn: Connection) -> pd.DataFrame:
    """customer_id and value_tier from the scores in the store (the last run's)."""
    rows = conn.execute(
        select(customer_scores.c.customer_id, customer_scores.c.value_tier).where(
            customer_scores.c.value_tier.is_not(None)
        )
    ).all()
    return pd.DataFrame(rows, columns=["customer_id", "value_tier"])


def latest_run(conn: Connection) -> dict[str, Any] | None:
    row = conn.execute(
        select(analytics_runs)
        .where(analytics_runs.c.status == "completed")
        .order_by(analytics_runs.c.id.desc())
        .limit(1)
    ).first()
    return dict(row._mapping) if row else None


def list_runs(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    columns = [c for c in analytics_runs.c if c.name != "summary"]
    rows = conn.execute(select(*columns).order_by(analytics_runs.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]


def customer_score(conn: Connection, customer_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(customer_scores).where(customer_scores.c.customer_id == customer_id)
    ).first()
    return dict(row._mapping) if row else None


def strategies(conn: Connection, locale: str = "en") -> dict[str, dict[str, Any]]:
    """Each cell's strategy: the edited one, else the default in ``locale``."""
    edited = {r.cell: r for r in conn.execute(select(value_churn_strategies))}
    zh = locale.lower().startswith("zh")
    out = {}
    for cell in CELLS:
        row = edited.get(cell)
        default = DEFAULT_STRATEGIES[cell][1 if zh else 0]
        out[cell] = {
            "strategy": row.strategy if row else default,
            "edited": row is not None,
            "updated_by": row.updated_by if row else None,
            "updated_at": row.updated_at if row else None,
        }
    return out


def set_strategy(conn: Connection, cell: str, text: str, actor: str) -> None:
    if cell not in CELLS:
        raise NotFoundError(f"no matrix cell {cell!r}; cells are {', '.join(CELLS)}")
    text = text.strip()
    if not text or len(text) > 2000:
        raise InputError("a strategy needs 1 to 2000 characters of text")
    conn.execute(delete(value_churn_strategies).where(value_churn_strategies.c.cell == cell))
    conn.execute(
        insert(value_churn_strategies).values(
            cell=cell, strategy=text, updated_by=actor, updated_at=utcnow()
        )
    )
    record_audit(
        conn,
        actor=actor,
        action="analytics.strategy",
        target_type="value_churn_cell",
        target_id=cell,
        details={"strategy": text},
    )


def _json_safe(value: Any) -> Any:
    """Summaries go into a JSON column: NaN and infinities become null, numpy scalars plain."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _active_scored(*columns: Any) -> Any:
    """``columns`` of customers' latest scores and golden records, active customers only."""
    return (
        select(*columns)
        .join(customers, customers.c.id == customer_scores.c.customer_id)
        .where(customers.c.status == "active")
    )


def at_risk(
    conn: Connection,
    *,
    min_probability: float = 0.5,
    cell: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Customers about to churn (流失预警), the riskiest and most valuable first: their latest
    scores with name and tier. ``cell`` narrows it to one value x churn cell."""
    s, c = customer_scores.c, customers.c
    query = (
        _active_scored(
            s.customer_id,
            c.full_name,
            c.member_tier,
            s.churn_probability,
            s.clv,
            s.value_tier,
            s.rfm_segment,
            s.lifecycle_stage,
            s.value_churn_cell,
            s.churn_reasons,
        )
        .where(s.churn_probability >= min_probability)
        .order_by(s.churn_probability.desc(), s.clv.desc(), s.customer_id)
        .limit(limit)
        .offset(offset)
    )
    if cell is not None:
        query = query.where(s.value_churn_cell == cell)
    return [dict(r._mapping) for r in conn.execute(query)]


def cell_customers(
    conn: Connection, cell: str, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """The ready segment of one value x churn cell, most valuable first."""
    if cell not in CELLS:
        raise NotFoundError(f"no matrix cell {cell!r}; cells are {', '.join(CELLS)}")
    s, c = customer_scores.c, customers.c
    query = (
        _active_scored(
            s.customer_id,
            c.full_name,
            s.clv,
            s.churn_probability,
            s.value_tier,
            s.rfm_segment,
            s.churn_reasons,
        )
        .where(s.value_churn_cell == cell)
        .order_by(s.clv.desc(), s.customer_id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in conn.execute(query)]
