"""Source-record versions: decide per row whether it is new, changed or unchanged.

Every raw record is kept. A record is identified by (source, kind, source key); each distinct
content of it is a version (unique by its row hash). Re-reading identical content is
"unchanged" and writes nothing, which is what makes re-imports idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from patron.ingest.rows import ParsedRow
from patron.store import allocate_ids, chunked, db_timestamp, insert_tuples
from patron.store.schema import source_records


@dataclass(frozen=True)
class BatchContext:
    """What every apply step needs to know about the batch it writes for."""

    batch_id: int
    source_id: int
    source_name: str
    kind: str
    external: bool
    loaded_at: datetime
    customer_source_id: int


@dataclass
class Version:
    id: int
    row_hash: str
    is_current: bool
    customer_id: int | None


@dataclass
class Classified:
    new: list[ParsedRow]
    changed: list[tuple[ParsedRow, Version]]  # the row and the version it supersedes
    unchanged: list[ParsedRow]


def load_versions(
    conn: Connection, source_id: int, kind: str, keys: list[str]
) -> dict[str, list[Version]]:
    found: dict[str, list[Version]] = {}
    sr = source_records.c
    for part in chunked(sorted(set(keys))):
        query = select(sr.id, sr.source_key, sr.row_hash, sr.is_current, sr.customer_id).where(
            sr.source_id == source_id, sr.kind == kind, sr.source_key.in_(part)
        )
        for row in conn.execute(query):
            found.setdefault(row.source_key, []).append(
                Version(row.id, row.row_hash, row.is_current, row.customer_id)
            )
    return found


def classify(conn: Connection, ctx: BatchContext, rows: list[ParsedRow]) -> Classified:
    """Sort a chunk's rows into new, changed and unchanged (keys are unique within ``rows``)."""
    versions = load_versions(conn, ctx.source_id, ctx.kind, [r.source_key for r in rows])
    result = Classified([], [], [])
    for row in rows:
        known = versions.get(row.source_key)
        if not known:
            result.new.append(row)
            continue
        current = next((v for v in known if v.is_current), known[-1])
        if current.row_hash == row.row_hash:
            result.unchanged.append(row)
            continue
        result.changed.append((row, current))
    return result


SOURCE_RECORD_COLUMNS = (
    "id",
    "batch_id",
    "source_id",
    "kind",
    "source_key",
    "row_number",
    "row_hash",
    "loaded_at",
    "external",
    "raw",
    "parsed",
    "customer_id",
    "is_current",
)


def insert_source_records(
    conn: Connection,
    ctx: BatchContext,
    rows: list[tuple[ParsedRow, int | None]],
    ids: list[int] | None = None,
) -> list[int]:
    """Insert new current versions (with ids from ``allocate_ids`` if given); returns the ids."""
    if not rows:
        return []
    ids = ids or allocate_ids(conn, source_records, len(rows))
    loaded_at = db_timestamp(conn, ctx.loaded_at)
    head = (ctx.batch_id, ctx.source_id, ctx.kind)
    external = int(ctx.external)
    values = [
        (
            rid,
            *head,
            r.source_key,
            r.row_number,
            r.row_hash,
            loaded_at,
            external,
            r.raw_json,
            r.parsed_json,
            cid,
            1,
        )
        for (r, cid), rid in zip(rows, ids, strict=True)
    ]
    insert_tuples(conn, source_records, SOURCE_RECORD_COLUMNS, values, ready=True)
    return ids


def retire(conn: Connection, version_ids: list[int]) -> None:
    """Mark superseded versions as no longer current (they stay, as history)."""
    for part in chunked(version_ids):
        conn.execute(
            update(source_records).where(source_records.c.id.in_(part)).values(is_current=False)
        )
