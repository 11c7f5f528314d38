"""API tokens for the REST API: random, shown once, stored as a hash, scoped, revocable.

A token acts for its user with at most its scopes: the permissions it grants are its scopes
intersected with the user's current role, so a role downgrade also narrows every token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, insert, select, update

from patron.access.permissions import expand_scopes, role_permissions
from patron.access.principal import Principal
from patron.access.sessions import token_digest
from patron.access.users import user_by_name
from patron.core import InputError, NotFoundError, utcnow
from patron.store import record_audit
from patron.store.schema import api_tokens, users

PREFIX = "ptn_"
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    prefix: str
    label: str | None
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def create_token(
    conn: Connection, user_name: str, scopes: list[str], *, actor: str, label: str | None = None
) -> tuple[str, TokenInfo]:
    """A new token for a user; returns the secret (never stored, shown once) and its record."""
    user = user_by_name(conn, user_name)
    try:
        expand_scopes(scopes or ["read"])
    except ValueError as exc:
        raise InputError(str(exc), field="scope") from exc
    explicit = expand_scopes([s for s in scopes if s not in ("read", "all")])
    beyond = sorted(explicit - role_permissions(user.role))
    if beyond:
        raise InputError(
            f"role '{user.role}' does not have {', '.join(beyond)}",
            field="scope",
            hint="a token can only carry permissions its user has",
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    result = conn.execute(
        insert(api_tokens).values(
            user_id=user.id,
            token_hash=token_digest(secret),
            prefix=secret[:12],
            label=label,
            scopes=sorted(scopes or ["read"]),
            created_at=utcnow(),
        )
    )
    assert result.inserted_primary_key is not None
    token_id = int(result.inserted_primary_key[0])
    record_audit(
        conn,
        actor=actor,
        action="token.created",
        target_type="api_token",
        target_id=token_id,
        details={"user": user.name, "scopes": sorted(scopes or ["read"])},
    )
    return secret, _info(conn, token_id)


def _info(conn: Connection, token_id: int) -> TokenInfo:
    t = api_tokens.c
    row = conn.execute(
        select(api_tokens, users.c.name.label("user_name"))
        .join_from(api_tokens, users, t.user_id == users.c.id)
        .where(t.id == token_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no API token with id {token_id}")
    return TokenInfo(
        int(row.id),
        row.user_name,
        row.prefix,
        row.label,
        list(row.scopes),
        row.created_at,
        row.last_used_at,
        row.revoked_at,
    )


def list_tokens(conn: Connection, user_name: str | None = None) -> list[TokenInfo]:
    query = select(api_tokens.c.id).order_by(api_tokens.c.id)
    if user_name is not None:
        query = query.where(api_tokens.c.user_id == user_by_name(conn, user_name).id)
    return [_info(conn, int(r.id)) for r in conn.execute(query)]


def revoke_token(conn: Connection, token_id: int, *, actor: str) -> TokenInfo:
    _info(conn, token_id)  # raises NotFoundError for an unknown id
    conn.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    record_audit(
        conn, actor=actor, action="token.revoked", target_type="api_token", target_id=token_id
    )
    return _info(conn, token_id)


# Every API request runs this lookup: built once.
_BY_HASH = (
    select(
        api_tokens.c.id,
        api_tokens.c.scopes,
        api_tokens.c.revoked_at,
        api_tokens.c.last_used_at,
        users.c.id.label("user_id"),
        users.c.name,
        users.c.role,
        users.c.active,
        users.c.locale,
    )
    .join_from(api_tokens, users, api_tokens.c.user_id == users.c.id)
    .where(api_tokens.c.token_hash == bindparam("token_hash"))
)


def load_token(conn: Connection, secret: str) -> Principal | None:
    """The principal an API token acts as, or None (unknown, revoked, user disabled)."""
    if not secret.startswith(PREFIX):
        return None
    row = conn.execute(_BY_HASH, {"token_hash": token_digest(secret)}).first()
    if row is None or row.revoked_at is not None or not row.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
    try:
        scopes = expand_scopes(list(row.scopes))
    except ValueError:  # a scope this version no longer knows grants nothing
        scopes = frozenset()
    return Principal(
        user_id=int(row.user_id),
        name=row.name,
        role=row.role,
        permissions=scopes & role_permissions(row.role),
        via="token",
        token_id=int(row.id),
        locale=row.locale,
    )
