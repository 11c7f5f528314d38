"""The per-address limit on login attempts, counted in the store so that every server process
(``patron serve --workers N``) counts the same attempts.

Attempts are counted in 10-second buckets; the last six buckets are the last minute. A refused
attempt is not counted, so a client that waits ``retry_after`` seconds may try again. The
per-name lockout is separate (see ``users.authenticate``).
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from patron.core import RateLimitedError
from patron.store.schema import login_rate

BUCKET_SECONDS = 10
WINDOW_BUCKETS = 6  # one minute


def check_login_rate(conn: Connection, address: str, per_minute: int, now: float) -> None:
    """Count one login attempt from ``address`` at ``now`` (seconds since the epoch), or raise
    RateLimitedError when ``per_minute`` attempts were already counted in the last minute. Run
    it in a transaction of its own: a refusal rolls the transaction back, so a refused attempt
    is not counted.

    The current bucket is incremented first: that write takes the row (PostgreSQL) or the
    database (SQLite) lock, so concurrent attempts from several processes count one by one.
    """
    address = address[:100]
    bucket = int(now) // BUCKET_SECONDS
    oldest = bucket - WINDOW_BUCKETS + 1
    r = login_rate.c
    conn.execute(delete(login_rate).where(r.bucket < oldest))
    _count_attempt(conn, address, bucket)
    window = select(r.bucket, r.attempts).where(r.address == address, r.bucket >= oldest)
    counts: dict[int, int] = {int(b): int(n) for b, n in conn.execute(window)}
    counted = sum(counts.values())
    if counted <= per_minute:
        return
    raise RateLimitedError(
        "too many login attempts from this address",
        retry_after=_seconds_until_allowed(counts, counted - per_minute, now),
    )


def _seconds_until_allowed(counts: dict[int, int], excess: int, now: float) -> int:
    """Seconds until ``excess`` of the oldest attempts (``counts``: bucket -> attempts) have
    left the last minute."""
    leaves_at = (max(counts) + WINDOW_BUCKETS) * BUCKET_SECONDS
    for bucket in sorted(counts):
        excess -= counts[bucket]
        if excess <= 0:
            leaves_at = (bucket + WINDOW_BUCKETS) * BUCKET_SECONDS
            break
    return max(1, int(leaves_at - now))


def _count_attempt(conn: Connection, address: str, bucket: int) -> None:
    r = login_rate.c
    at = (r.address == address) & (r.bucket == bucket)
    if conn.execute(update(login_rate).where(at).values(attempts=r.attempts + 1)).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(login_rate).values(address=address, bucket=bucket, attempts=1))
    except IntegrityError:  # another process counted the bucket's first attempt just now
        conn.execute(update(login_rate).where(at).values(attempts=r.attempts + 1))
