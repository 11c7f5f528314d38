"""Import batches and sources: create, checkpoint, finish, list; rejected rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from patron.core import NotFoundError, Settings, utcnow
from patron.ingest.rows import RejectedRow
from patron.store.schema import import_batches, rejected_rows, sources

COUNTERS = ("rows_read", "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected")


@dataclass
class SourceInfo:
    id: int
    name: str
    external: bool
    reliability: float
    half_life_days: float


def ensure_source(conn: Connection, settings: Settings, name: str, external: bool) -> SourceInfo:
    """The named source, created with the default reliability and half-life when new."""
    found = source_by_name(conn, name)
    if found is not None:
        return found
    reliability = settings.external_reliability if external else settings.internal_reliability
    half_life = settings.external_half_life_days if external else settings.internal_half_life_days
    result = conn.execute(
        insert(sources).values(
            name=name,
            external=external,
            created_at=utcnow(),
            reliability=reliability,
            half_life_days=half_life,
        )
    )
    assert result.inserted_primary_key is not None
    return SourceInfo(int(result.inserted_primary_key[0]), name, external, reliability, half_life)


def source_by_name(conn: Connection, name: str) -> SourceInfo | None:
    """The named source, or None."""
    row = conn.execute(select(sources).where(sources.c.name == name)).mappings().first()
    if row is None:
        return None
    return SourceInfo(
        int(row["id"]),
        name,
        bool(row["external"]),
        float(row["reliability"]),
        float(row["half_life_days"]),
    )


def set_source(
    conn: Connection,
    name: str,
    *,
    reliability: float | None = None,
    half_life_days: float | None = None,
    external: bool | None = None,
    description: str | None = None,
) -> None:
    values: dict[str, Any] = {}
    if reliability is not None:
        values["reliability"] = reliability
    if half_life_days is not None:
        values["half_life_days"] = half_life_days
    if external is not None:
        values["external"] = external
    if description is not None:
        values["description"] = description
    if values:
        conn.execute(update(sources).where(sources.c.name == name).values(**values))


def create_batch(conn: Connection, **values: Any) -> int:
    now = utcnow()
    values.update(
        status="running",
        started_at=now,
        heartbeat_at=now,
        checkpoint_row=0,
        **dict.fromkeys(COUNTERS, 0),
    )
    new_id = conn.execute(insert(import_batches).values(**values)).inserted_primary_key
    assert new_id is not None
    return int(new_id[0])


def get_batch(conn: Connection, batch_id: int) -> dict[str, Any]:
    row = (
        conn.execute(
            select(import_batches, sources.c.name.label("source"))
            .join(sources, sources.c.id == import_batches.c.source_id)
            .where(import_batches.c.id == batch_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFoundError(
            f"no import batch {batch_id}", hint="list batches with `patron import list`"
        )
    return dict(row)


def list_batches(conn: Connection, limit: int = 50) -> list[dict[str, Any]]:
    query = (
        select(import_batches, sources.c.name.label("source"))
        .join(sources, sources.c.id == import_batches.c.source_id)
        .order_by(import_batches.c.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def unfinished_batch(
    conn: Connection, source_id: int, kind: str, sha256: str
) -> dict[str, Any] | None:
    """A batch of the same file that started but neither completed nor was rolled back."""
    query = (
        select(import_batches)
        .where(
            import_batches.c.source_id == source_id,
            import_batches.c.kind == kind,
            import_batches.c.file_sha256 == sha256,
            import_batches.c.status.in_(("running", "failed", "interrupted")),
        )
        .order_by(import_batches.c.id.desc())
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def checkpoint(conn: Connection, batch_id: int, last_row: int, counts: dict[str, int]) -> None:
    """Advance the batch's counters and checkpoint in the chunk's own transaction."""
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch_id)
        .values(
            checkpoint_row=last_row,
            heartbeat_at=utcnow(),
            **{
                f"rows_{k}": getattr(import_batches.c, f"rows_{k}") + v
                for k, v in counts.items()
                if v
            },
        )
    )


def touch(conn: Connection, batch_id: int) -> None:
    """Take the write lock early and show the batch is alive."""
    conn.execute(
        update(import_batches).where(import_batches.c.id == batch_id).values(heartbeat_at=utcnow())
    )


def finish_batch(conn: Connection, batch_id: int, status: str, error: str | None = None) -> None:
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch_id)
        .values(status=status, finished_at=utcnow() if status != "running" else None, error=error)
    )


def insert_rejects(conn: Connection, batch_id: int, rows: list[RejectedRow], at: datetime) -> None:
    if rows:
        conn.execute(
            rejected_rows.insert(),
            [
                {
                    "batch_id": batch_id,
                    "row_number": r.row_number,
                    "category": r.category,
                    "raw": r.raw,
                    "raw_text": r.raw_text,
                    "problems": r.problems,
                    "created_at": at,
                }
                for r in rows
            ],
        )


def list_rejects(
    conn: Connection, batch_id: int, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    get_batch(conn, batch_id)
    query = (
        select(rejected_rows)
        .where(rejected_rows.c.batch_id == batch_id)
        .order_by(rejected_rows.c.row_number)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]


def count_rejects(conn: Connection, batch_id: int) -> dict[str, int]:
    query = (
        select(rejected_rows.c.category, func.count())
        .where(rejected_rows.c.batch_id == batch_id)
        .group_by(rejected_rows.c.category)
    )
    return {r[0]: int(r[1]) for r in conn.execute(query)}


def list_sources(conn: Connection) -> list[dict[str, Any]]:
    """All sources with their reliability and half-life, by name."""
    return [dict(r) for r in conn.execute(select(sources).order_by(sources.c.name)).mappings()]
