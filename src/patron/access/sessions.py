"""Browser sessions: a random token in a cookie, only its hash in the store.

A session ends when it is idle too long, reaches its maximum age, is logged out, or its user
changes password or is disabled. The user's role is read on every request, so a role change
applies at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Connection, insert, select, update

from patron.access.permissions import role_permissions
from patron.access.principal import Principal
from patron.core import Settings, utcnow
from patron.store.schema import sessions, users

# Writing last_seen_at on every request would turn each read into a write; a minute is enough
# resolution for an idle timeout measured in hours.
TOUCH_EVERY = timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    conn: Connection, settings: Settings, user_id: int, client: str | None = None
) -> tuple[str, Principal]:
    """Start a session; returns the cookie token (shown once) and the principal."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    result = conn.execute(
        insert(sessions).values(
            user_id=user_id,
            token_hash=token_digest(token),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
            client=(client or "")[:300],
        )
    )
    assert result.inserted_primary_key is not None
    principal = load_session(conn, settings, token)
    assert principal is not None
    return token, principal


def load_session(conn: Connection, settings: Settings, token: str) -> Principal | None:
    """The principal of a live session, or None (unknown, expired, revoked, user disabled)."""
    s, u = sessions.c, users.c
    row = conn.execute(
        select(
            s.id,
            s.csrf_token,
            s.last_seen_at,
            s.expires_at,
            s.revoked_at,
            u.id.label("user_id"),
            u.name,
            u.role,
            u.active,
            u.locale,
        )
        .join_from(sessions, users, s.user_id == u.id)
        .where(s.token_hash == token_digest(token))
    ).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or not row.active:
        return None
    idle = timedelta(minutes=settings.session_idle_minutes)
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        conn.execute(update(sessions).where(s.id == row.id).values(last_seen_at=now))
    return Principal(
        user_id=int(row.user_id),
        name=row.name,
        role=row.role,
        permissions=role_permissions(row.role),
        via="session",
        session_id=int(row.id),
        csrf_token=row.csrf_token,
        locale=row.locale,
    )


def close_session(conn: Connection, token: str) -> None:
    conn.execute(
        update(sessions)
        .where(sessions.c.token_hash == token_digest(token), sessions.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
