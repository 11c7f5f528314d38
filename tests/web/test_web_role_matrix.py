"""C1: every route × every role, generated from the routes' own guards and the permission
registry (nothing hand-listed but the few public routes)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from patron import access
from patron.web.security import Requires
from web_fixtures import Web

PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/docs"),
    ("GET", "/api/v1/openapi.json"),
}


def guards(route: APIRoute) -> list[Requires]:
    found: list[Requires] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Requires):
            found.append(dep.call)
        stack.extend(dep.dependencies)
    return found


def all_routes(web: Web) -> list[tuple[str, str, APIRoute | None]]:
    """(method, full path, route) of everything the app answers (routers included)."""
    out = []
    for context in iter_route_contexts(web.app.routes):
        route = context.original_route
        for method in sorted((context.methods or set()) - {"HEAD"}):
            out.append((method, str(context.path), route if isinstance(route, APIRoute) else None))
    return out


def routes(web: Web) -> list[tuple[str, str, frozenset[str]]]:
    """(method, path, permissions needed; none: any signed-in user) of every guarded route."""
    out = []
    for method, path, route in all_routes(web):
        found = guards(route) if route is not None else []
        if (method, path) in PUBLIC:
            assert not found, f"{method} {path} is public but guarded"
            continue
        assert len({g.permissions for g in found}) == 1, f"{method} {path} is not guarded"
        out.append((method, path, found[0].permissions))
    return out


def test_every_route_is_guarded_or_listed_public(web: Web) -> None:
    listed = {(method, path) for method, path, _ in all_routes(web)}
    assert PUBLIC <= listed
    assert len(routes(web)) >= 30  # the API and the pages, all guarded


def concrete(web: Web, path: str) -> str:
    values = {
        "customer_id": str(web.customers["zhang"]),
        "batch_id": "1",
        "job_id": "0" * 32,
        "name": "matrix-target",
        "token_id": str(web.matrix_token_id),
        "channel": "email",
        "purpose": "marketing",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


@pytest.fixture(scope="module")
def prepared(web: Web) -> Web:
    # Targets that allowed requests may change without disturbing the role users.
    if not hasattr(web, "matrix_token_id"):
        access.add_user(web.store, "matrix-target", "viewer", "correct horse battery", actor="t")
        _, info = access.create_token(web.store, "matrix-target", ["read"], actor="t")
        web.matrix_token_id = info.id  # type: ignore[attr-defined]
    return web


@pytest.mark.parametrize("role", access.ROLES)
def test_role_matrix(prepared: Web, role: str) -> None:
    web = prepared
    client = web.api(role)
    allowed = access.ROLE_PERMISSIONS[role]
    failures: list[str] = []
    cells = 0
    for method, path, needed in routes(web):
        url = concrete(web, path)
        response = client.request(method, url, follow_redirects=False)
        cells += 1
        expect_allowed = needed <= allowed
        got: Any = response.status_code
        if expect_allowed and got in (401, 403):
            failures.append(f"{method} {path}: expected allowed, got {got} {response.text[:120]}")
        if not expect_allowed and got != 403:
            failures.append(f"{method} {path}: expected 403, got {got}")
        if got >= 500:
            failures.append(f"{method} {path}: server error {got}")
    assert cells >= 30
    assert failures == []


def test_anonymous_is_sent_to_login_or_401(prepared: Web) -> None:
    client = prepared.browser()
    for method, path, _ in routes(prepared):
        response = client.request(method, concrete(prepared, path), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")
        elif method == "GET":
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/login")
        else:
            assert response.status_code in (303, 401, 403), (method, path)
