"""Users: add, list, disable, change passwords, and check a login.

Login checks resist guessing and enumeration: a wrong password and an unknown name give the
same answer in the same time; failures are counted per name (known or not) and lock the name
for a while after too many.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from patron.access.passwords import check_password_strength, hash_password, verify_password
from patron.access.permissions import ROLES
from patron.core import (
    ConflictError,
    InputError,
    NotFoundError,
    RateLimitedError,
    Settings,
    utcnow,
)
from patron.store import record_audit
from patron.store.schema import api_tokens, login_attempts, sessions, users

LOGIN_FAILED = "wrong user name or password"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    active: bool
    display_name: str | None
    locale: str | None
    created_at: datetime


def _user(row: Any) -> User:
    return User(
        int(row.id),
        row.name,
        row.role,
        bool(row.active),
        row.display_name,
        row.locale,
        row.created_at,
    )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(
            f"unknown role '{role}'", field="role", hint=f"choose one of {', '.join(ROLES)}"
        )


def add_user(
    conn: Connection,
    name: str,
    role: str,
    password: str,
    *,
    actor: str,
    display_name: str | None = None,
    locale: str | None = None,
) -> User:
    """Create a user; raises ConflictError if the name is taken."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("a user name has 1 to 100 characters", field="name")
    _check_role(role)
    check_password_strength(password)
    if conn.execute(select(users.c.id).where(users.c.name == name)).first():
        raise ConflictError(f"a user named '{name}' already exists")
    now = utcnow()
    result = conn.execute(
        insert(users).values(
            name=name,
            role=role,
            display_name=display_name,
            locale=locale,
            password_hash=hash_password(password),
            active=True,
            password_changed_at=now,
            created_at=now,
        )
    )
    assert result.inserted_primary_key is not None
    user_id = int(result.inserted_primary_key[0])
    record_audit(
        conn,
        actor=actor,
        action="user.added",
        target_type="user",
        target_id=user_id,
        details={"name": name, "role": role},
    )
    return get_user(conn, user_id)


def get_user(conn: Connection, user_id: int) -> User:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFoundError(f"no user with id {user_id}")
    return _user(row)


def user_by_name(conn: Connection, name: str) -> User:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no user named '{name}'", hint="see `patron user list`")
    return _user(row)


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]


def revoke_all(conn: Connection, user_id: int, *, keep_session: int | None = None) -> None:
    """End every session of a user (but ``keep_session``)."""
    now = utcnow()
    query = update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
    if keep_session is not None:
        query = query.where(sessions.c.id != keep_session)
    conn.execute(query.values(revoked_at=now))


def set_active(conn: Connection, name: str, active: bool, *, actor: str) -> User:
    """Disable (or re-enable) a user; disabling ends their sessions and revokes their tokens."""
    user = user_by_name(conn, name)
    conn.execute(update(users).where(users.c.id == user.id).values(active=active))
    if not active:
        revoke_all(conn, user.id)
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.user_id == user.id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    record_audit(
        conn,
        actor=actor,
        action="user.enabled" if active else "user.disabled",
        target_type="user",
        target_id=user.id,
    )
    return get_user(conn, user.id)


def set_role(conn: Connection, name: str, role: str, *, actor: str) -> User:
    """Change a user's role; it applies to their next request (sessions re-read the role)."""
    _check_role(role)
    user = user_by_name(conn, name)
    conn.execute(update(users).where(users.c.id == user.id).values(role=role))
    record_audit(
        conn,
        actor=actor,
        action="user.role_changed",
        target_type="user",
        target_id=user.id,
        details={"from": user.role, "to": role},
    )
    return get_user(conn, user.id)


def set_password(
    conn: Connection, name: str, password: str, *, actor: str, keep_session: int | None = None
) -> None:
    """Change a password and end every other session of the user."""
    check_password_strength(password)
    user = user_by_name(conn, name)
    conn.execute(
        update(users)
        .where(users.c.id == user.id)
        .values(password_hash=hash_password(password), password_changed_at=utcnow())
    )
    revoke_all(conn, user.id, keep_session=keep_session)
    record_audit(
        conn, actor=actor, action="user.password_changed", target_type="user", target_id=user.id
    )


def authenticate(conn: Connection, settings: Settings, name: str, password: str) -> User | None:
    """The user whose name and password these are, or None after counting the failure (the
    caller commits it, then answers with the one message for every failure). Raises
    RateLimitedError while the name is locked."""
    name = name.strip()[:100]
    now = utcnow()
    attempt = conn.execute(select(login_attempts).where(login_attempts.c.name == name)).first()
    if attempt is not None and attempt.locked_until is not None and attempt.locked_until > now:
        wait = int((attempt.locked_until - now).total_seconds()) + 1
        raise RateLimitedError(
            "too many failed logins for this name",
            retry_after=wait,
            hint=f"try again in {max(1, wait // 60)} minute(s) or ask an administrator",
        )
    row = conn.execute(select(users).where(users.c.name == name)).first()
    ok = verify_password(row.password_hash if row is not None else None, password)
    if ok and row is not None and row.active:
        if attempt is not None:
            conn.execute(delete(login_attempts).where(login_attempts.c.name == name))
        return _user(row)
    _count_failure(conn, settings, name, attempt, now)
    return None


def _count_failure(
    conn: Connection, settings: Settings, name: str, attempt: Any, now: datetime
) -> None:
    window = timedelta(minutes=settings.login_lockout_minutes)
    if attempt is None or now - attempt.first_failure_at > window:
        conn.execute(delete(login_attempts).where(login_attempts.c.name == name))
        conn.execute(insert(login_attempts).values(name=name, failures=1, first_failure_at=now))
        failures = 1
    else:
        failures = int(attempt.failures) + 1
        conn.execute(
            update(login_attempts).where(login_attempts.c.name == name).values(failures=failures)
        )
    if failures >= settings.login_max_failures:
        conn.execute(
            update(login_attempts)
            .where(login_attempts.c.name == name)
            .values(locked_until=now + window)
        )
