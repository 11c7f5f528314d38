"""Access: users, roles and permissions, password logins, sessions and API tokens.

Facade::

    from patron.access import login, principal_for_session, principal_for_token
    token, who = login(store, settings, "li.na", "correct horse battery")
    who.can("customers.write"), who.sees_personal_data

Every route and page names a permission from ``PERMISSIONS``; ``ROLE_PERMISSIONS`` says which
roles have it. Functions that change something take the acting principal's audit name.
"""

from __future__ import annotations

from typing import Any

from patron.access import idempotency as _idempotency
from patron.access import sessions as _sessions
from patron.access import throttle as _throttle
from patron.access import tokens as _tokens
from patron.access import users as _users
from patron.access.permissions import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    ROLES,
    expand_scopes,
    role_permissions,
)
from patron.access.principal import Principal
from patron.access.tokens import TokenInfo
from patron.access.users import LOGIN_FAILED, User
from patron.core import AuthenticationError, Settings, utcnow
from patron.store import Store


def login(
    store: Store, settings: Settings, name: str, password: str, client: str | None = None
) -> tuple[str, Principal]:
    """Check a name and password and open a session: (cookie token, principal).

    Raises AuthenticationError with one message for every kind of failure, or
    RateLimitedError while the name is locked after repeated failures.
    """
    with store.begin() as conn:
        user = _users.authenticate(conn, settings, name, password)
        if user is not None:
            return _sessions.open_session(conn, settings, user.id, client)
    # The failure is counted and committed before answering.
    raise AuthenticationError(LOGIN_FAILED, hint="check the name and password")


def check_login_rate(store: Store, settings: Settings, address: str) -> None:
    """Count a login attempt from a client address; RateLimitedError (with ``retry_after``)
    once ``settings.login_attempts_per_minute`` were made in the last minute. The count is in
    the store, so it holds across every process serving the web app::

        check_login_rate(store, settings, "203.0.113.7")  # before checking the password
    """
    with store.begin() as conn:
        _throttle.check_login_rate(
            conn, address, settings.login_attempts_per_minute, utcnow().timestamp()
        )


def logout(store: Store, token: str) -> None:
    with store.begin() as conn:
        _sessions.close_session(conn, token)


def principal_for_session(store: Store, settings: Settings, token: str) -> Principal | None:
    with store.begin() as conn:
        return _sessions.load_session(conn, settings, token)


def principal_for_token(store: Store, secret: str) -> Principal | None:
    with store.begin() as conn:
        return _tokens.load_token(conn, secret)


def change_own_password(
    store: Store, settings: Settings, principal: Principal, current: str, new: str
) -> None:
    """A user changes their password: the current one is checked; other sessions end."""
    with store.begin() as conn:
        if _users.authenticate(conn, settings, principal.name, current) is None:
            failed = True
        else:
            failed = False
            _users.set_password(
                conn,
                principal.name,
                new,
                actor=principal.actor,
                keep_session=principal.session_id,
            )
    if failed:
        raise AuthenticationError("the current password is wrong")


def add_user(
    store: Store, name: str, role: str, password: str, *, actor: str, locale: str | None = None
) -> User:
    with store.begin() as conn:
        return _users.add_user(conn, name, role, password, actor=actor, locale=locale)


def list_users(store: Store) -> list[User]:
    with store.connect() as conn:
        return _users.list_users(conn)


def set_user_active(store: Store, name: str, active: bool, *, actor: str) -> User:
    with store.begin() as conn:
        return _users.set_active(conn, name, active, actor=actor)


def set_user_role(store: Store, name: str, role: str, *, actor: str) -> User:
    with store.begin() as conn:
        return _users.set_role(conn, name, role, actor=actor)


def reset_password(store: Store, name: str, password: str, *, actor: str) -> None:
    """An administrator sets a user's password; all of the user's sessions end."""
    with store.begin() as conn:
        _users.set_password(conn, name, password, actor=actor)


def create_token(
    store: Store, user: str, scopes: list[str], *, actor: str, label: str | None = None
) -> tuple[str, TokenInfo]:
    with store.begin() as conn:
        return _tokens.create_token(conn, user, scopes, actor=actor, label=label)


def list_tokens(store: Store, user: str | None = None) -> list[TokenInfo]:
    with store.connect() as conn:
        return _tokens.list_tokens(conn, user)


def revoke_token(store: Store, token_id: int, *, actor: str) -> TokenInfo:
    with store.begin() as conn:
        return _tokens.revoke_token(conn, token_id, actor=actor)


def claim_idempotency_key(
    store: Store, principal: str, key: str, method: str, path: str, body: Any
) -> _idempotency.Claim:
    """Claim a key for a request, or get the stored answer of its first run."""
    digest = _idempotency.request_digest(method, path, body)
    with store.begin() as conn:
        return _idempotency.claim_key(conn, principal, key, digest)


def save_idempotent_response(
    store: Store, principal: str, key: str, status_code: int, response: Any
) -> None:
    with store.begin() as conn:
        _idempotency.save_response(conn, principal, key, status_code, response)


def release_idempotency_key(store: Store, principal: str, key: str) -> None:
    with store.begin() as conn:
        _idempotency.release_key(conn, principal, key)


def local_principal(name: str = "local") -> Principal:
    """The operator at the server's own command line: an administrator."""
    return Principal(0, name, "admin", role_permissions("admin"), via="local")


__all__ = [
    "PERMISSIONS",
    "ROLES",
    "ROLE_PERMISSIONS",
    "Principal",
    "TokenInfo",
    "User",
    "add_user",
    "change_own_password",
    "check_login_rate",
    "claim_idempotency_key",
    "create_token",
    "expand_scopes",
    "list_tokens",
    "list_users",
    "local_principal",
    "login",
    "logout",
    "principal_for_session",
    "principal_for_token",
    "release_idempotency_key",
    "reset_password",
    "revoke_token",
    "role_permissions",
    "save_idempotent_response",
    "set_user_active",
    "set_user_role",
]
