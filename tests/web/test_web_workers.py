"""`patron serve --workers 2` answers the same whichever worker gets a request: import jobs
(progress, report, an interrupted job) and the per-address login limit live in the store.

Each backend gets one real server subprocess for the module; requests are sent to a chosen
worker (see worker_server), alternating between the two.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from patron import access, ingest
from patron.core import Settings
from patron.store import Store, open_store
from worker_server import Answer, Served, patron_serve, server_env

LOGINS_PER_MINUTE = 4


@dataclass
class Setup:
    served: Served
    store: Store
    settings: Settings
    token: str

    def api(self, worker: int, method: str, path: str, **kwargs: Any) -> Answer:
        headers = {"Authorization": f"Bearer {self.token}"} | kwargs.pop("headers", {})
        return self.served.request(worker, method, path, headers=headers, **kwargs)

    def upload(self, worker: int, name: str, text: str) -> str:
        """POST /api/v1/imports to ``worker``; returns the job id."""
        form = httpx.Request(
            "POST",
            "http://x/",
            files={"file": (name, text.encode(), "text/csv")},
            data={"source": "pos", "kind": "customers"},
        )
        body = form.read()
        started = self.api(
            worker,
            "POST",
            "/api/v1/imports",
            headers={"content-type": form.headers["content-type"]},
            body=body,
        )
        assert started.status == 202, started.body
        job_id: str = started.json()["id"]
        return job_id


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp(f"workers-{request.param}")
    env = server_env(
        tmp / "home",
        PATRON_LOGIN_ATTEMPTS_PER_MINUTE=str(LOGINS_PER_MINUTE),
        # Small chunks: an import of a few thousand rows reports progress many times.
        PATRON_IMPORT_CHUNK_ROWS="250",
    )
    if request.param == "sqlite":
        stores: Iterator[Store] = iter([open_store(Settings(home=tmp / "home"))])
    else:
        from pg_server import pg_store

        admin = request.getfixturevalue("pg_admin_url")
        template = request.getfixturevalue("pg_template")
        stores = pg_store(admin, template, tmp)
    for store in stores:
        env["PATRON_DATABASE_URL"] = store.url
        settings = Settings(home=tmp / "home", database_url=store.url)
        access.add_user(store, "importer", "marketer", "correct horse battery", actor="test")
        token, _ = access.create_token(store, "importer", ["all"], actor="test")
        with patron_serve(env, tmp, workers=2) as served:
            yield Setup(served, store, settings, token)
        store.dispose()


def members(n: int) -> str:
    """A member file of ``n`` good rows and one rejected for its birth date."""
    rows = "".join(f"M{i},Member {i},137{i:08d},1990-01-02\n" for i in range(n))
    return "member_id,name,mobile,birthday\n" + rows + "M-bad,Bad Date,13799999999,not a date\n"


def test_import_job_is_followed_from_either_worker(setup: Setup) -> None:
    first, second = setup.served.workers
    job_id = setup.upload(first, "members.csv", members(2000))
    seen: dict[int, list[dict[str, Any]]] = {first: [], second: []}
    deadline = time.monotonic() + 60
    polls = 0
    # Alternate workers; after the job ends, each worker answers a few more times.
    while polls < 10 or any(j[-1]["status"] == "running" for j in seen.values() if j):
        worker = (second, first)[polls % 2]
        answer = setup.api(worker, "GET", f"/api/v1/imports/jobs/{job_id}")
        assert answer.status == 200, (worker, answer.body)
        seen[worker].append(answer.json())
        polls += 1
        assert time.monotonic() < deadline, seen
        time.sleep(0.05)
    finals = [jobs[-1] for jobs in seen.values()]
    assert finals[0] == finals[1]  # both workers tell the same
    job = finals[0]
    assert job["status"] == "completed", job
    assert job["report"]["rows_read"] == 2001
    assert job["report"]["inserted"] == 2000 and job["report"]["rejected"] == 1
    assert job["percent"] == 100.0 and job["file_name"] == "members.csv"
    rows = [j["rows_read"] for jobs in seen.values() for j in jobs]
    assert all(0 <= r <= 2001 for r in rows)
    batch = setup.api(first, "GET", f"/api/v1/imports/{job['batch_id']}").json()
    assert batch["rows_read"] == 2001 and batch["status"] == "completed"


def login_attempt(served: Served, worker: int, name: str) -> Answer:
    """GET the sign-in form and POST a wrong password, both to ``worker``."""
    form = served.request(worker, "GET", "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.body.decode())
    assert token, form.body[:300]
    cookie = form.headers["set-cookie"].split(";", 1)[0]
    body = httpx.QueryParams(
        {"name": name, "password": "not the password", "csrf_token": token.group(1)}
    )
    return served.request(
        worker,
        "POST",
        "/login",
        headers={"content-type": "application/x-www-form-urlencoded", "cookie": cookie},
        body=str(body).encode(),
    )


def test_login_limit_counts_attempts_on_every_worker(setup: Setup) -> None:
    first, second = setup.served.workers
    answers = [
        login_attempt(setup.served, (first, second)[i % 2], f"guess-{i}")
        for i in range(LOGINS_PER_MINUTE + 2)
    ]
    codes = [(a.worker, a.status) for a in answers]
    # Each worker alone saw at most three attempts: only a shared count refuses the 5th and 6th.
    assert [c for _, c in codes] == [401] * LOGINS_PER_MINUTE + [429, 429], codes
    assert {w for w, c in codes if c == 429} == {first, second}
    assert "too many login attempts" in answers[-1].body.decode()


# Last: it kills a worker (the supervisor starts a new one).
def test_import_of_a_stopped_worker_is_reported_with_how_to_resume(setup: Setup) -> None:
    first, _ = setup.served.workers
    job_id = setup.upload(first, "big.csv", members(20_000))
    # Wait until the import has committed chunks and knows its batch, then kill its worker.
    deadline = time.monotonic() + 60
    while True:
        other = next(w for w in setup.served.worker_pids() if w != first)
        job = setup.api(other, "GET", f"/api/v1/imports/jobs/{job_id}").json()
        assert job["status"] == "running", job  # too fast: use more rows
        if job["batch_id"] is not None and job["rows_read"] > 0:
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.02)
    os.kill(first, signal.SIGKILL)
    batch_id = job["batch_id"]
    while True:  # the supervisor reaps the killed worker and starts another
        survivor = next(w for w in setup.served.worker_pids() if w != first)
        job = setup.api(survivor, "GET", f"/api/v1/imports/jobs/{job_id}").json()
        if job["status"] != "running":
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "failed", job
    assert f"patron import resume {batch_id}" in job["error"], job["error"]
    assert f"process {first}" in job["error"]
    assert 0 < job["rows_read"] < 20_001
    # The hint works: the batch continues from its checkpoint and completes.
    report = ingest.resume_import(batch_id, store=setup.store, settings=setup.settings)
    assert report.rows_read == 20_001 and report.rejected == 1
    assert report.inserted + report.unchanged == 20_000
    setup.served.workers = _two_workers(setup.served)


def _two_workers(served: Served) -> list[int]:
    deadline = time.monotonic() + 30
    while len(pids := served.worker_pids()) != 2:
        assert time.monotonic() < deadline, pids
        time.sleep(0.1)
    for pid in pids:
        served.request(pid, "GET", "/healthz", deadline=30)
    return pids
