"""Feeding the warehouse from the operational store: whole, or only what changed.

Watermarks say what a warehouse has seen: the newest import batch whose rows it copied, the
newest merge or unmerge it followed, and how many batches had been rolled back. An incremental
sync then copies

- rows of batches after the batch watermark (new facts, and facts a re-import changed: those
  carry the batch that changed them; an order's total changes with its lines, so orders of
  new lines come again too),
- every order and interaction of customers a merge or unmerge touched since (the store moved
  them to another customer id),
- all customers (a small table that changes without a batch: merges, people's edits),

and replaces the rows it copies by id. A rollback since the last sync deletes rows the
watermark cannot see, so it makes the sync a full rebuild. A batch still running holds the
watermark below itself, so its rows are not skipped when it finishes after a later one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import pyarrow as pa
from sqlalchemy import ColumnElement, Connection, false, func, or_, select

from patron.store import Store, chunked
from patron.store.schema import (
    customer_merges,
    import_batches,
    order_lines,
    orders,
    source_records,
)
from patron.warehouse.connection import Warehouse
from patron.warehouse.tables import FACT_TABLES, FactTable

READ_ROWS = 100_000  # rows per Arrow batch read from the store
Progress = Callable[[str, int], None]  # (table, rows copied so far)


@dataclass
class SyncReport:
    """What a sync copied, per table, and whether it rebuilt everything."""

    full: bool
    rows: dict[str, int] = field(default_factory=dict)
    batch_watermark: int = 0
    seconds: float = 0.0
    reason: str = ""


@dataclass(frozen=True)
class _Watermarks:
    batch: int
    merge_event: datetime | None
    rollbacks: int

    def as_state(self) -> dict[str, str]:
        return {
            "batch": str(self.batch),
            "merge_event": self.merge_event.isoformat() if self.merge_event else "",
            "rollbacks": str(self.rollbacks),
            "synced_at": datetime.now().astimezone().isoformat(),
        }

    @classmethod
    def from_state(cls, state: dict[str, str]) -> _Watermarks | None:
        if "batch" not in state:
            return None
        event = state.get("merge_event") or ""
        return cls(
            int(state["batch"]),
            datetime.fromisoformat(event) if event else None,
            int(state.get("rollbacks", "0")),
        )


def sync(
    store: Store, warehouse: Warehouse, *, full: bool = False, progress: Progress | None = None
) -> SyncReport:
    """Bring the warehouse up to date with the store (see the module docstring)."""
    started = time.perf_counter()
    with store.connect() as conn:
        now = _current_watermarks(conn)
        before = None if full else _Watermarks.from_state(warehouse.state())
        report = SyncReport(full=before is None, batch_watermark=now.batch)
        if before is not None and now.rollbacks != before.rollbacks:
            before, report.full, report.reason = None, True, "an import was rolled back"
        elif before is None:
            report.reason = "asked for" if full else "first sync"
        if before is None:
            warehouse.reset()
            for fact in FACT_TABLES:
                report.rows[fact.name] = _copy(conn, warehouse, fact, None, progress)
        else:
            touched = _customers_touched(conn, before.merge_event)
            for fact in FACT_TABLES:
                where = _changed(conn, fact, before.batch, now.batch, touched)
                report.rows[fact.name] = _copy(conn, warehouse, fact, where, progress)
    warehouse.set_state(now.as_state())
    report.seconds = time.perf_counter() - started
    return report


def _current_watermarks(conn: Connection) -> _Watermarks:
    b = import_batches.c
    running = conn.execute(select(func.min(b.id)).where(b.status == "running")).scalar()
    newest = conn.execute(select(func.max(b.id))).scalar() or 0
    batch = int(running) - 1 if running is not None else int(newest)
    m = customer_merges.c
    merged = conn.execute(select(func.max(m.merged_at))).scalar()
    undone = conn.execute(select(func.max(m.undone_at))).scalar()
    events = [t for t in (merged, undone) if t is not None]
    rollbacks = conn.execute(
        select(func.count()).select_from(import_batches).where(b.status == "rolled_back")
    ).scalar()
    return _Watermarks(batch, max(events) if events else None, int(rollbacks or 0))


def _customers_touched(conn: Connection, since: datetime | None) -> list[int]:
    """Both customers of every merge made or undone after ``since``."""
    m = customer_merges.c
    query = select(m.survivor_id, m.merged_id)
    if since is not None:
        query = query.where(or_(m.merged_at > since, m.undone_at > since))
    return sorted({int(cid) for row in conn.execute(query) for cid in row})


def _changed(
    conn: Connection, fact: FactTable, after: int, upto: int, touched: Sequence[int]
) -> ColumnElement[bool] | None:
    """The rows of ``fact`` an incremental sync copies; None means all of them."""
    if fact.whole:
        return None
    c = fact.source.c
    in_window = (c.batch_id > after) & (c.batch_id <= upto)
    parts: list[ColumnElement[bool]] = [in_window]
    if fact.follows_customer and touched:
        parts.extend(c.customer_id.in_(part) for part in chunked(touched))
    if fact.source is orders:
        lines = order_lines.c
        changed_lines = select(lines.order_id).where(
            (lines.batch_id > after) & (lines.batch_id <= upto)
        )
        parts.append(c.id.in_(changed_lines))
    return or_(false(), *parts)


def _copy(
    conn: Connection,
    warehouse: Warehouse,
    fact: FactTable,
    where: ColumnElement[bool] | None,
    progress: Progress | None,
) -> int:
    """Copy the rows of ``fact`` matching ``where`` (all when None), replacing them by id."""
    whole = where is None
    if whole:
        warehouse.run(f"DELETE FROM {fact.name}")
    copied = 0
    for batch in _read(conn, fact, where):
        if not whole:
            warehouse.raw.register("_incoming", batch)
            warehouse.run(f"DELETE FROM {fact.name} WHERE id IN (SELECT id FROM _incoming)")
            warehouse.raw.unregister("_incoming")
        warehouse.raw.register("_incoming", batch)
        warehouse.run(f"INSERT INTO {fact.name} SELECT * FROM _incoming")
        warehouse.raw.unregister("_incoming")
        copied += batch.num_rows
        if progress is not None:
            progress(fact.name, copied)
    if "first_seen_at" in fact.computed:
        _fill_first_seen(conn, warehouse, fact)
    return copied


def _fill_first_seen(conn: Connection, warehouse: Warehouse, fact: FactTable) -> None:
    """Each customer's earliest sign-up date among their current source records (parsed as
    timestamps: sources write different UTC offsets), else when patron created them."""
    sr = source_records.c
    query = select(sr.customer_id, sr.parsed["registered_at"].as_string()).where(
        sr.kind == "customers", sr.is_current, sr.customer_id.is_not(None)
    )
    frame = pd.DataFrame(conn.execute(query).all(), columns=["customer_id", "registered"])
    frame["registered"] = pd.to_datetime(
        frame.registered, utc=True, format="ISO8601", errors="coerce"
    )
    earliest = frame.dropna().groupby("customer_id", as_index=False).registered.min()
    earliest["registered"] = earliest.registered.astype("datetime64[us, UTC]")
    warehouse.raw.register("_first_seen", pa.Table.from_pandas(earliest, preserve_index=False))
    warehouse.run(
        f"UPDATE {fact.name} SET first_seen_at = least(created_at, coalesce(f.registered, "
        f"created_at)) FROM (SELECT * FROM _first_seen) f WHERE f.customer_id = {fact.name}.id"
    )
    warehouse.raw.unregister("_first_seen")
    warehouse.run(f"UPDATE {fact.name} SET first_seen_at = created_at WHERE first_seen_at IS NULL")


def _read(
    conn: Connection, fact: FactTable, where: ColumnElement[bool] | None
) -> Iterator[pa.Table]:
    """The rows of ``fact`` as Arrow tables of up to READ_ROWS rows, in id order."""
    read = [name for name in fact.names if name not in fact.computed]
    query = select(*(fact.source.c[name] for name in read)).order_by(fact.source.c.id)
    if where is not None:
        query = query.where(where)
    result = conn.execution_options(yield_per=READ_ROWS).execute(query)
    schema = fact.schema
    for rows in result.partitions():
        values = dict(zip(read, zip(*rows, strict=True), strict=True))
        arrays = [
            pa.array(values[f.name], type=f.type)
            if f.name in values
            else pa.nulls(len(rows), type=f.type)
            for f in schema
        ]
        yield pa.Table.from_arrays(arrays, schema=schema)
