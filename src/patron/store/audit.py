"""The append-only, hash-chained audit log.

Each entry's hash covers its content and the previous entry's hash, so removing or editing a row
is detectable by ``verify_audit_chain``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update

from patron.core import utcnow
from patron.store.bulk import chunked
from patron.store.ids import allocate_ids
from patron.store.schema import audit_log

GENESIS = "0" * 64


def _digest(prev_hash: str, entry: Mapping[str, Any]) -> str:
    body = orjson.dumps(dict(entry), option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


def record_audit(
    conn: Connection,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str | int | None = None,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Append one audit entry inside the caller's transaction; returns its id.

    Concurrent writers must not both link to the same predecessor. PostgreSQL serialises them
    with an advisory lock taken before the chain's end is read. SQLite has one writer at a
    time, but a transaction holds the write lock only from its first write, so there the entry
    is inserted first and linked afterwards: by then nobody else can append before it commits.
    """
    now = utcnow()
    entry = {
        "at": now.isoformat(),
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id),
        "details": dict(details or {}),
    }
    row = {**entry, "at": now}
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(724011)")
        prev_hash = _last_hash(conn) or GENESIS
        return int(
            conn.execute(
                insert(audit_log)
                .values(**row, prev_hash=prev_hash, hash=_digest(prev_hash, entry))
                .returning(audit_log.c.id)
            ).scalar_one()
        )
    entry_id = int(conn.execute(insert(audit_log).values(**row, prev_hash="", hash="")
                                .returning(audit_log.c.id)).scalar_one())  # fmt: skip
    prev_hash = _last_hash(conn, before=entry_id) or GENESIS
    conn.execute(
        update(audit_log)
        .where(audit_log.c.id == entry_id)
        .values(prev_hash=prev_hash, hash=_digest(prev_hash, entry))
    )
    return entry_id


def record_audits(conn: Connection, entries: Sequence[Mapping[str, Any]]) -> None:
    """Append many audit entries (each with actor, action, target_type, target_id, details)
    in one pass: the chain is linked in Python and written with one multi-row insert.

    The chain's end is read once, so no other writer may append meanwhile: PostgreSQL takes
    the chain's advisory lock; on SQLite the caller must already hold the write lock (have
    written in this transaction), as bulk writers such as merges do.
    """
    if not entries:
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(724011)")
    elif not conn.in_transaction():  # pragma: no cover - guarded by callers
        raise RuntimeError("record_audits needs an open write transaction")
    now = utcnow()
    prev_hash = _last_hash(conn) or GENESIS
    ids = allocate_ids(conn, audit_log, len(entries))
    rows = []
    for entry_id, given in zip(ids, entries, strict=True):
        entry = {
            "at": now.isoformat(),
            "actor": given["actor"],
            "action": given["action"],
            "target_type": given["target_type"],
            "target_id": None if given.get("target_id") is None else str(given["target_id"]),
            "details": dict(given.get("details") or {}),
        }
        digest = _digest(prev_hash, entry)
        rows.append({**entry, "id": entry_id, "at": now, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    for part in chunked(rows, 1000):
        conn.execute(insert(audit_log), part)


def _last_hash(conn: Connection, before: int | None = None) -> str | None:
    query = select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    if before is not None:
        query = query.where(audit_log.c.id < before)
    return conn.execute(query).scalar()


def verify_audit_chain(conn: Connection) -> int | None:
    """Return the id of the first entry whose hash does not match, or None if the chain holds."""
    prev_hash = GENESIS
    for row in conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings():
        entry = {
            "at": row["at"].isoformat(),
            "actor": row["actor"],
            "action": row["action"],
            "target_type": row["target_type"],
            "target_id": row["target_id"],
            "details": row["details"] or {},
        }
        if row["prev_hash"] != prev_hash or _digest(prev_hash, entry) != row["hash"]:
            return int(row["id"])
        prev_hash = row["hash"]
    return None
