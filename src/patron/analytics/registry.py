"""The model registry: every fitted model with its version, training window, parameters and
metrics, in the operational store (so the pages and the API read it without the warehouse).

A new model of a kind becomes the active one and retires the previous; nothing is deleted,
so any score can be traced to the model that made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from patron.core import NotFoundError, utcnow
from patron.store.schema import model_checks, model_registry


@dataclass(frozen=True)
class ModelRecord:
    id: int
    kind: str
    version: int
    run_id: int | None
    trained_at: datetime
    as_of: datetime
    window_start: datetime | None
    window_end: datetime | None
    params: dict[str, Any]
    metrics: dict[str, Any]
    artifact: str | None
    status: str


def register_model(
    conn: Connection,
    kind: str,
    *,
    as_of: datetime,
    params: dict[str, Any],
    metrics: dict[str, Any],
    run_id: int | None = None,
    window: tuple[datetime, datetime] | None = None,
    artifact: str | None = None,
) -> ModelRecord:
    """Store a fitted model as the next version of its kind and make it the active one."""
    r = model_registry.c
    last = conn.execute(select(func.max(r.version)).where(r.kind == kind)).scalar()
    conn.execute(
        update(model_registry)
        .where((r.kind == kind) & (r.status == "active"))
        .values(status="retired")
    )
    values = {
        "kind": kind,
        "version": int(last or 0) + 1,
        "run_id": run_id,
        "trained_at": utcnow(),
        "as_of": as_of,
        "window_start": window[0] if window else None,
        "window_end": window[1] if window else None,
        "params": params,
        "metrics": metrics,
        "artifact": artifact,
        "status": "active",
    }
    model_id = conn.execute(insert(model_registry).values(values).returning(r.id)).scalar_one()
    return ModelRecord(id=int(model_id), **values)  # type: ignore[arg-type]


def _record(row: Any) -> ModelRecord:
    m = row._mapping
    return ModelRecord(**{k: m[k] for k in ModelRecord.__dataclass_fields__})


def active_model(conn: Connection, kind: str) -> ModelRecord | None:
    r = model_registry.c
    row = conn.execute(
        select(model_registry).where((r.kind == kind) & (r.status == "active"))
    ).first()
    return _record(row) if row else None


def get_model(conn: Connection, model_id: int) -> ModelRecord:
    row = conn.execute(select(model_registry).where(model_registry.c.id == model_id)).first()
    if row is None:
        raise NotFoundError(f"no model #{model_id} in the registry")
    return _record(row)


def list_models(conn: Connection, kind: str | None = None) -> list[ModelRecord]:
    """Every registered model, newest first (without artifacts, which can be large)."""
    r = model_registry.c
    columns = [c for c in model_registry.c if c.name != "artifact"]
    query = select(*columns).order_by(r.trained_at.desc(), r.id.desc())
    if kind is not None:
        query = query.where(r.kind == kind)
    return [ModelRecord(**{**dict(row._mapping), "artifact": None}) for row in conn.execute(query)]


def record_check(
    conn: Connection,
    model_id: int,
    *,
    as_of: datetime,
    score_psi: float | None,
    input_psi: dict[str, float] | None,
    outcome_auc: float | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Keep one monitoring result of a model (drift and, once known, performance)."""
    return int(
        conn.execute(
            insert(model_checks)
            .values(
                model_id=model_id,
                checked_at=utcnow(),
                as_of=as_of,
                score_psi=score_psi,
                input_psi=input_psi,
                outcome_auc=outcome_auc,
                details=details,
            )
            .returning(model_checks.c.id)
        ).scalar_one()
    )


def model_checks_of(conn: Connection, model_id: int) -> list[dict[str, Any]]:
    c = model_checks.c
    rows = conn.execute(
        select(model_checks).where(c.model_id == model_id).order_by(c.checked_at, c.id)
    )
    return [dict(row._mapping) for row in rows]
