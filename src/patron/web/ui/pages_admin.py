"""Administration: users, roles and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from patron import access
from patron.access import Principal
from patron.core import PatronError
from patron.web.api.schemas import Id
from patron.web.security import (
    allow,
)
from patron.web.state import AppState, State
from patron.web.ui.render import page

router = APIRouter(include_in_schema=False)


# --- administration ----------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, state: State, who: Annotated[Principal, allow("users.manage")]
) -> Response:
    return _users_result(request, state, None)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("users.manage")],
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    message = None
    try:
        access.add_user(state.store, name, role, password, actor=who.actor)
    except PatronError as exc:
        message = str(exc)
    return _users_result(request, state, message)


@router.post("/admin/users/{name}/active")
def set_active(
    state: State,
    name: str,
    who: Annotated[Principal, allow("users.manage")],
    active: Annotated[bool, Form()] = False,
) -> Response:
    access.set_user_active(state.store, name, active, actor=who.actor)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/role")
def set_role(
    state: State,
    name: str,
    who: Annotated[Principal, allow("users.manage")],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    access.set_user_role(state.store, name, role, actor=who.actor)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    state: State,
    who: Annotated[Principal, allow("users.manage")],
    user: Annotated[str, Form(max_length=100)],
    scopes: Annotated[str, Form(max_length=500)] = "read",
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        secret, _info = access.create_token(
            state.store,
            user,
            scopes.replace(",", " ").split(),
            actor=who.actor,
            label=label or None,
        )
    except PatronError as exc:
        return _users_result(request, state, str(exc))
    return _users_result(request, state, None, new_token=secret)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    state: State, token_id: Id, who: Annotated[Principal, allow("users.manage")]
) -> Response:
    access.revoke_token(state.store, token_id, actor=who.actor)
    return RedirectResponse("/admin/users", status_code=303)


def _users_result(
    request: Request, state: AppState, error: str | None, new_token: str | None = None
) -> Response:
    return page(
        request,
        "users.html",
        {
            "users": access.list_users(state.store),
            "tokens": access.list_tokens(state.store),
            "roles": access.ROLES,
            "permissions": access.PERMISSIONS,
            "role_permissions": access.ROLE_PERMISSIONS,
            "error": error,
            "new_token": new_token,
        },
        status=422 if error else 200,
    )
