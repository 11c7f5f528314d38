"""Web fixtures: one app per backend and module, with a user and an API token for every role
and a few customers (module-scoped: argon2 hashing is deliberately slow)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from patron import access, ingest
from patron.core import Settings
from patron.store import Store, open_store
from patron.web import create_app

PASSWORD = "correct horse battery staple"
HOST = "https://testserver"


@dataclass
class Web:
    app: FastAPI
    store: Store
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)

    def api(self, role: str) -> TestClient:
        """A client using the role's API token (scope: all of the role's permissions)."""
        return TestClient(self.app, base_url=HOST,
                          headers={"Authorization": f"Bearer {self.tokens[role]}"})  # fmt: skip

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
        settings = Settings(home=tmp, database_url=store.url)
        app = create_app(settings, store)
        web = Web(app, store, settings)
        for role in access.ROLES:
            access.add_user(store, role, role, PASSWORD, actor="test")
            web.tokens[role], _ = access.create_token(store, role, ["all"], actor="test")
        people = {
            "zhang": {"full_name": "张伟", "phone": "138 0013 8000", "email": "zhang.wei@qq.com",
                      "address": "广东省深圳市南山区科技园路1号", "birth_date": "1985-03-05"},
            "li": {"full_name": "李娜", "phone": "+86 139 0000 1111", "email": "li.na@163.com"},
            "smith": {"full_name": "John Smith", "email": "john@example.com"},
        }  # fmt: skip
        for key, fields in people.items():
            web.customers[key] = ingest.enter_customer(store, fields, actor="test",
                                                       settings=settings)  # fmt: skip
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
