"""Web fixtures: one app per backend and module, with a user and an API token for every role
and a few customers (module-scoped: argon2 hashing is deliberately slow)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from patron import access, ingest
from patron.core import Settings
from patron.store import Store, open_store
from patron.web import create_app
from patron.web.security import Requires

PASSWORD = "correct horse battery staple"
HOST = "https://testserver"


@dataclass
class Web:
    app: FastAPI
    store: Store
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)
    matrix_token_id: int = 0

    def api(self, role: str) -> TestClient:
        """A client using the role's API token (scope: all of the role's permissions)."""
        return TestClient(
            self.app, base_url=HOST, headers={"Authorization": f"Bearer {self.tokens[role]}"}
        )

    def browser(self, role: str | None = None, **headers: str) -> TestClient:
        """A client signed in through the login form as the role's user (or anonymous)."""
        client = TestClient(self.app, base_url=HOST, headers=headers)
        if role is not None:
            login(client, role)
        return client


def login(client: TestClient, name: str, password: str = PASSWORD) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(client: TestClient, path: str = "/account") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _make_store(kind: str, tmp: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    if kind == "sqlite":
        store = open_store(Settings(home=tmp))
        yield store
        store.dispose()
        return
    from pg_server import pg_store

    admin = request.getfixturevalue("pg_admin_url")
    template = request.getfixturevalue("pg_template")
    yield from pg_store(admin, template, tmp)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    tmp = tmp_path_factory.mktemp(f"web-{request.param}")
    for store in _make_store(request.param, tmp, request):
        # Many logins come from one test address; the rate-limit test lowers this itself.
        settings = Settings(home=tmp, database_url=store.url, login_attempts_per_minute=100_000)
        app = create_app(settings, store)
        web = Web(app, store, settings)
        for role in access.ROLES:
            access.add_user(store, role, role, PASSWORD, actor="test")
            web.tokens[role], _ = access.create_token(store, role, ["all"], actor="test")
        people = {
            "zhang": {
                "full_name": "张伟",
                "phone": "138 0013 8000",
                "email": "zhang.wei@qq.com",
                "address": "广东省深圳市南山区科技园路1号",
                "birth_date": "1985-03-05",
            },
            "li": {"full_name": "李娜", "phone": "+86 139 0000 1111", "email": "li.na@163.com"},
            "smith": {"full_name": "John Smith", "email": "john@example.com"},
        }
        # Targets that allowed requests in the role matrix may change harmlessly.
        access.add_user(store, "matrix-target", "viewer", PASSWORD, actor="test")
        _, info = access.create_token(store, "matrix-target", ["read"], actor="test")
        web.matrix_token_id = info.id
        for key, fields in people.items():
            web.customers[key] = ingest.enter_customer(
                store, fields, actor="test", settings=settings
            )
        yield web


@pytest.fixture
def fresh_user(web: Web) -> Callable[[str], str]:
    """Create a throwaway user of a role (for tests that change or lock users)."""
    counter = iter(range(10_000))

    def make(role: str) -> str:
        name = f"{role}-{next(counter)}-{id(make) % 10_000}"
        access.add_user(web.store, name, role, PASSWORD, actor="test")
        return name

    return make


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


def routes(web: Web) -> list[tuple[str, str, Requires]]:
    """(method, path, its guard: ``guard.satisfied_by(permissions)``; a guard naming no
    permission lets any signed-in user in) of every guarded route."""
    out = []
    for method, path, route in all_routes(web):
        found = guards(route) if route is not None else []
        if (method, path) in PUBLIC:
            assert not found, f"{method} {path} is public but guarded"
            continue
        assert len({(g.permissions, g.any_of) for g in found}) == 1, f"{method} {path} unguarded"
        out.append((method, path, found[0]))
    return out


def concrete(web: Web, path: str) -> str:
    values = {
        "customer_id": str(web.customers["zhang"]),
        "batch_id": "1",
        "job_id": "0" * 32,
        "name": "matrix-target",
        "token_id": str(web.matrix_token_id),
        "channel": "email",
        "purpose": "marketing",
        # Identity: ids that do not exist (allowed requests get 404, refused ones 403).
        "review_id": "999999",
        "merge_id": "999999",
        "run_id": "999999",
        # Analytics: a matrix cell, and a model that does not exist.
        "value": "high",
        "churn": "high",
        "model_id": "999999",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
