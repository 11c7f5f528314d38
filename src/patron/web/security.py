"""Authentication and authorisation, checked in one place.

Every route declares what it needs with ``allow(permission)`` (``allow_any(a, b)`` when either
will do, or ``signed_in()`` for pages any user may see, like their own account); the
dependency authenticates the request (an API token in ``Authorization: Bearer`` or the session
cookie), checks the permission, and for cookie requests that change something checks the CSRF
token and the Origin. Tests enumerate these
dependencies to generate the role x route matrix.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from patron import access
from patron.access import Principal
from patron.core import AuthenticationError, PermissionDeniedError
from patron.web.state import app_state

SESSION_COOKIE = "patron_session"
LOGIN_CSRF_COOKIE = "patron_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def current_principal(request: Request) -> Principal | None:
    """The request's principal, or None; computed once per request."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    state = app_state(request)
    who: Principal | None = None
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            raise AuthenticationError("use 'Authorization: Bearer <token>'")
        who = await run_in_threadpool(access.principal_for_token, state.store, secret.strip())
        if who is None:
            raise AuthenticationError(
                "the API token is unknown or revoked", hint="create one with `patron token create`"
            )
    elif token := request.cookies.get(SESSION_COOKIE):
        who = await run_in_threadpool(
            access.principal_for_session, state.store, state.settings, token
        )
    request.state.principal = who
    return who


def check_same_origin(request: Request) -> None:
    """Refuse cross-site form posts: a present Origin (or Referer) must be this site."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin == "null":  # what browsers send from sandboxed or opaque origins
        raise PermissionDeniedError("cross-site request refused")
    if not origin:  # no header (not a browser form): the CSRF token alone decides
        return
    host = request.headers.get("host", "")
    after_scheme = origin.split("://", 1)[-1]
    if after_scheme.split("/", 1)[0] != host:
        raise PermissionDeniedError("cross-site request refused (Origin does not match)")


async def _csrf_token_sent(request: Request) -> str:
    sent = request.headers.get("x-csrf-token")
    if sent:
        return sent
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request, expected: str) -> None:
    check_same_origin(request)
    sent = await _csrf_token_sent(request)
    if not sent or not secrets.compare_digest(sent, expected):
        raise PermissionDeniedError(
            "missing or wrong CSRF token", hint="reload the page and submit the form again"
        )


class Requires:
    """Dependency: an authenticated principal holding every one of ``permissions`` (none
    named: any signed-in user), or with ``any_of`` at least one of them."""

    def __init__(self, *permissions: str, any_of: bool = False) -> None:
        unknown = [p for p in permissions if p not in access.PERMISSIONS]
        if unknown:
            raise ValueError(f"unknown permission(s) {unknown}")
        self.permissions = frozenset(permissions)
        self.any_of = any_of

    def satisfied_by(self, held: frozenset[str]) -> bool:
        """Whether a principal holding ``held`` may pass."""
        if self.any_of:
            return bool(self.permissions & held)
        return self.permissions <= held

    async def __call__(self, request: Request) -> Principal:
        who = await current_principal(request)
        if who is None:
            raise AuthenticationError("sign in or send an API token")
        if not self.satisfied_by(who.permissions):
            needed = sorted(self.permissions - who.permissions)
            joined = " or ".join(needed) if self.any_of else ", ".join(needed)
            raise PermissionDeniedError(f"your role ({who.role}) does not allow this ({joined})")
        if request.method not in SAFE_METHODS and who.via == "session":
            assert who.csrf_token is not None
            await check_csrf(request, who.csrf_token)
        return who


def allow(*permissions: str) -> Any:
    """``who: Principal = allow("customers.read")`` in a route's parameters; several
    permissions must all be held."""
    if not permissions:
        raise ValueError("name a permission, or use signed_in()")
    return Depends(Requires(*permissions))


def allow_any(*permissions: str) -> Any:
    """Like ``allow``, but one of ``permissions`` is enough."""
    if len(permissions) < 2:
        raise ValueError("name two or more permissions, or use allow()")
    return Depends(Requires(*permissions, any_of=True))


def signed_in() -> Any:
    """Any signed-in user (their own account page, logout)."""
    return Depends(Requires())
