"""Sign in, sign out, and the user's own account."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from patron import access
from patron.access import Principal
from patron.core import AuthenticationError, PatronError, PermissionDeniedError, Settings
from patron.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_same_origin,
    current_principal,
    signed_in,
)
from patron.web.state import State
from patron.web.ui.render import page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# --- sign in / out -----------------------------------------------------------------------


def _login_page(
    request: Request, settings: Settings, context: dict[str, Any], status: int = 200
) -> Response:
    """The sign-in form with a fresh token, also set as a cookie (double submit: there is no
    session yet to hold it)."""
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html", {"login_csrf": token, **context}, status=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.cookie_secure
    )
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, state: State, next: str | None = None) -> Response:
    if await current_principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, state.settings, {"next": _safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
async def login_submit(
    request: Request,
    state: State,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check_same_origin(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise PermissionDeniedError("the sign-in form expired", hint="reload the page")
    client_ip = request.client.host if request.client else "?"
    await run_in_threadpool(access.check_login_rate, state.store, state.settings, client_ip)
    client = f"{request.headers.get('user-agent', '')[:200]} from {client_ip}"
    try:
        token, _who = await run_in_threadpool(
            access.login, state.store, state.settings, name, password, client
        )
    except AuthenticationError as exc:
        context = {"next": _safe_next(next), "error": exc.message, "name": name}
        return _login_page(request, state.settings, context, status=401)
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=state.settings.cookie_secure,
        samesite="lax",
        max_age=state.settings.session_max_hours * 3600,
        path="/",
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE)
    return redirect


@router.post("/logout")
async def logout(
    request: Request, state: State, who: Annotated[Principal, signed_in()]
) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(access.logout, state.store, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, who: Annotated[Principal, signed_in()]) -> Response:
    return page(request, "account.html")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    state: State,
    who: Annotated[Principal, signed_in()],
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        access.change_own_password(state.store, state.settings, who, current, new)
    except PatronError as exc:
        return page(request, "account.html", {"error": str(exc)}, status=422)
    return page(request, "account.html", {"done": True})
