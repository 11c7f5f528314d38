"""C3/C4: CSRF and cookies, session lifecycle, lockout and no user enumeration."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from patron import access
from patron.access.throttle import check_login_rate
from patron.store import Store
from patron.store.schema import login_rate
from patron.web import create_app
from web_fixtures import HOST, PASSWORD, Web, concrete, csrf_of, login, routes


def test_session_cookie_flags(web: Web) -> None:
    client = web.browser()
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    response = client.post(
        "/login",
        data={"name": "viewer", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if "patron_session=" in c)
    flags = cookie.lower()
    assert "httponly" in flags and "secure" in flags and "samesite=lax" in flags


def test_every_unsafe_page_route_needs_the_csrf_token(web: Web) -> None:
    client = web.browser("admin")
    real = csrf_of(client)
    unsafe = [(m, p) for m, p, _ in routes(web) if m != "GET" and not p.startswith("/api/")]
    unsafe += [(m, p) for m, p, _ in routes(web) if m != "GET" and p.startswith("/api/")]
    assert len(unsafe) >= 10
    for method, path in unsafe:
        url = concrete(web, path)
        missing = client.request(method, url, follow_redirects=False)
        assert missing.status_code == 403, (method, path, missing.status_code)
        wrong = client.request(
            method, url, headers={"X-CSRF-Token": "x" * 43}, follow_redirects=False
        )
        assert wrong.status_code == 403, (method, path)
        cross = client.request(
            method,
            url,
            headers={"X-CSRF-Token": real, "Origin": "https://evil.example"},
            follow_redirects=False,
        )
        assert cross.status_code == 403, (method, path)
    # The same token from this site is accepted (here: a harmless consent change).
    cid = web.customers["smith"]
    ok = client.post(
        f"/customers/{cid}/consent",
        data={"channel": "email", "status": "granted", "csrf_token": real},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_login_form_needs_its_token_and_same_origin(web: Web) -> None:
    client = web.browser()
    client.get("/login")
    no_token = client.post("/login", data={"name": "viewer", "password": PASSWORD})
    assert no_token.status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    cross = client.post(
        "/login",
        data={"name": "viewer", "password": PASSWORD, "csrf_token": token.group(1)},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403


def test_logout_ends_the_session(web: Web) -> None:
    client = web.browser("viewer")
    token = csrf_of(client, "/")
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/", follow_redirects=False).status_code == 303


def test_password_change_ends_other_sessions(web: Web, fresh_user: Callable[[str], str]) -> None:
    name = fresh_user("service")
    first, second = web.browser(), web.browser()
    login(first, name)
    login(second, name)
    token = csrf_of(first)
    new = "another long passphrase"
    done = first.post(
        "/account/password", data={"current": PASSWORD, "new": new, "csrf_token": token}
    )
    assert done.status_code == 200 and "sessions have been signed out" in done.text
    assert first.get("/customers", follow_redirects=False).status_code == 200
    assert second.get("/customers", follow_redirects=False).status_code == 303
    third = web.browser()
    login(third, name, new)


def test_disable_and_role_change_apply_at_once(web: Web, fresh_user: Callable[[str], str]) -> None:
    name = fresh_user("marketer")
    client = web.browser()
    login(client, name)
    assert client.get("/imports/new").status_code == 200
    access.set_user_role(web.store, name, "viewer", actor="test")
    assert client.get("/imports/new").status_code == 403
    access.set_user_active(web.store, name, False, actor="test")
    assert client.get("/customers", follow_redirects=False).status_code == 303


def _attempt(web: Web, client: TestClient, name: str, password: str) -> tuple[int, str, float]:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    started = time.perf_counter()
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    took = time.perf_counter() - started
    body = re.sub(r'value="[^"]*"', "", response.text)  # tokens differ per response
    return response.status_code, body, took


def test_no_user_enumeration(web: Web, fresh_user: Callable[[str], str]) -> None:
    known = fresh_user("viewer")
    client = web.browser()
    wrong = [_attempt(web, client, known, "wrong password 1") for _ in range(3)]
    unknown = [_attempt(web, client, "no-such-user-xyz", "wrong password 1") for _ in range(3)]
    assert {w[0] for w in wrong} == {u[0] for u in unknown} == {401}
    assert wrong[0][1].replace(known, "") == unknown[0][1].replace("no-such-user-xyz", "")
    # Same work either way: an unknown name is checked against a dummy hash.
    gap = abs(statistics.median(t for *_, t in wrong) - statistics.median(t for *_, t in unknown))
    assert gap < 0.05, gap


def test_lockout_after_repeated_failures_for_known_and_unknown_names(
    web: Web, fresh_user: Callable[[str], str]
) -> None:
    known = fresh_user("viewer")
    for name in (known, "ghost-user-abc"):
        client = web.browser()
        statuses = [
            _attempt(web, client, name, "bad guess here")[0]
            for _ in range(web.settings.login_max_failures)
        ]
        assert statuses == [401] * web.settings.login_max_failures
        locked = _attempt(web, client, name, PASSWORD if name == known else "x")
        assert locked[0] == 429, name
    # While locked, even the right password does not open a session.


def test_login_rate_limit_per_address(web: Web) -> None:
    """The count is in the store: a second app (another server process) on the same store
    refuses the same address, and other addresses are not affected."""
    strict = web.settings.model_copy(update={"login_attempts_per_minute": 3})
    apps = [create_app(strict, web.store), create_app(strict, web.store)]
    clients = [TestClient(app, base_url=HOST, client=("203.0.113.9", 5000)) for app in apps]
    answers = [_attempt(web, clients[i % 2], f"someone-{i}", "nope nope nope") for i in range(5)]
    assert [a[0] for a in answers] == [401, 401, 401, 429, 429]
    other = TestClient(apps[1], base_url=HOST, client=("203.0.113.10", 5000))
    assert _attempt(web, other, "someone-else", "nope nope nope")[0] == 401


def test_login_rate_limit_tells_when_to_retry(store: Store) -> None:
    from patron.core import RateLimitedError, Settings

    settings = Settings(login_attempts_per_minute=2)
    t0 = 1_700_000_000.0  # a bucket boundary (a multiple of 10 seconds)

    def attempt(at: float) -> None:
        with store.begin() as conn:
            check_login_rate(conn, "198.51.100.1", settings.login_attempts_per_minute, at)

    attempt(t0)
    attempt(t0 + 25)
    with pytest.raises(RateLimitedError) as refused:
        attempt(t0 + 30)
    assert refused.value.retry_after == 30  # when the attempt at t0 leaves the minute
    attempt(t0 + 61)  # it has left: allowed again
    with pytest.raises(RateLimitedError):
        attempt(t0 + 62)
    with store.connect() as conn:  # buckets older than a minute are gone
        assert sorted(conn.execute(select(login_rate.c.bucket)).scalars()) == [
            int(t0 + 25) // 10,
            int(t0 + 61) // 10,
        ]


def test_security_headers(web: Web) -> None:
    client = web.browser("viewer")
    page = client.get("/customers")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"


def test_open_redirect_is_refused(web: Web) -> None:
    client = web.browser()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={
            "name": "viewer",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
