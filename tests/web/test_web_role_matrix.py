"""C1: every route × every role, generated from the routes' own guards and the permission
registry (nothing hand-listed but the few public routes)."""

from __future__ import annotations

from typing import Any

import pytest

from patron import access
from web_fixtures import PUBLIC, Web, all_routes, concrete, routes


def test_every_route_is_guarded_or_listed_public(web: Web) -> None:
    listed = {(method, path) for method, path, _ in all_routes(web)}
    assert listed >= PUBLIC
    assert len(routes(web)) >= 30  # the API and the pages, all guarded


@pytest.mark.parametrize("role", access.ROLES)
def test_role_matrix(web: Web, role: str) -> None:
    client = web.api(role)
    allowed = access.ROLE_PERMISSIONS[role]
    failures: list[str] = []
    cells = 0
    for method, path, needed in routes(web):
        url = concrete(web, path)
        response = client.request(method, url, follow_redirects=False)
        cells += 1
        expect_allowed = needed.satisfied_by(allowed)
        got: Any = response.status_code
        if expect_allowed and got in (401, 403):
            failures.append(f"{method} {path}: expected allowed, got {got} {response.text[:120]}")
        if not expect_allowed and got != 403:
            failures.append(f"{method} {path}: expected 403, got {got}")
        if got >= 500:
            failures.append(f"{method} {path}: server error {got}")
    assert cells >= 30
    assert failures == []


def test_anonymous_is_sent_to_login_or_401(web: Web) -> None:
    client = web.browser()
    for method, path, _ in routes(web):
        response = client.request(method, concrete(web, path), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")
        elif method == "GET":
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/login")
        else:
            assert response.status_code in (303, 401, 403), (method, path)
