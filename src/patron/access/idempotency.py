"""Idempotency keys for POST requests: a retried request gets the first answer, not a second
effect. A key is per principal; reusing it with a different body is an error."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from patron.core import ConflictError, InputError, utcnow
from patron.store.schema import idempotency_keys

KEEP = timedelta(hours=24)


@dataclass(frozen=True)
class Claim:
    """``new`` (go ahead, then save) or a stored answer to replay."""

    new: bool
    status_code: int | None = None
    response: Any = None


def request_digest(method: str, path: str, body: Any) -> str:
    raw = orjson.dumps([method, path, body], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(raw).hexdigest()


def claim_key(conn: Connection, principal: str, key: str, digest: str) -> Claim:
    if not key or len(key) > 200:
        raise InputError("an Idempotency-Key has 1 to 200 characters", field="Idempotency-Key")
    k = idempotency_keys.c
    conn.execute(delete(idempotency_keys).where(k.created_at < utcnow() - KEEP))
    row = conn.execute(
        select(idempotency_keys).where(k.principal == principal, k.key == key)
    ).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(idempotency_keys).values(
                        principal=principal, key=key, request_hash=digest, created_at=utcnow()
                    )
                )
            return Claim(True)
        except IntegrityError:  # a concurrent twin got there first
            row = conn.execute(
                select(idempotency_keys).where(k.principal == principal, k.key == key)
            ).first()
            assert row is not None
    if row.request_hash != digest:
        raise InputError(
            "this Idempotency-Key was used for a different request",
            field="Idempotency-Key",
            hint="use a new key for a new request",
        )
    if row.status_code is None:
        raise ConflictError(
            "the first request with this Idempotency-Key is still running", hint="retry in a moment"
        )
    return Claim(False, int(row.status_code), row.response)


def save_response(
    conn: Connection, principal: str, key: str, status_code: int, response: Any
) -> None:
    k = idempotency_keys.c
    conn.execute(
        update(idempotency_keys)
        .where(k.principal == principal, k.key == key)
        .values(status_code=status_code, response=response)
    )


def release_key(conn: Connection, principal: str, key: str) -> None:
    """Forget a key whose request failed, so a retry runs again."""
    k = idempotency_keys.c
    conn.execute(delete(idempotency_keys).where(k.principal == principal, k.key == key))
