"""Identity resolution in the API and the pages, on the demo company (200 people, five
sources): a matching run started through the API, the review queue and its decisions, merged
ids leading to their survivor, manual merges and their undo, a customer's identity view (masked
for analysts), the links CSV, and the Review queue page and Identity tab in both languages."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import func, select, text

from patron import access
from patron.core import Settings
from patron.demo import run_demo
from patron.store.schema import customers, source_records
from patron.web import create_app
from patron.web.api.identity import links_csv
from web_fixtures import Web, _make_store, csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # Splink on a small store


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """The demo company in a store of each kind, with a user and a token for every role."""
    tmp = tmp_path_factory.mktemp(f"identity-{request.param}")
    for store in _make_store(request.param, tmp, request):
        settings = Settings(home=tmp, database_url=store.url, login_attempts_per_minute=100_000)
        run_demo(people=200, seed=7, settings=settings, console=Console(quiet=True))
        web = Web(create_app(settings, store), store, settings)
        for role in access.ROLES:
            access.add_user(store, role, role, "correct horse battery staple", actor="test")
            web.tokens[role], _ = access.create_token(store, role, ["all"], actor="test")
        yield web


@pytest.fixture(scope="module")
def unified(shop: Web) -> dict[str, Any]:
    """A full matching run started through the API, a second start while it runs, a retry of
    the first with its idempotency key, and the run once finished. The thresholds are wide so
    that enough pairs wait for review whatever the model's calibration on 200 people."""
    admin = shop.api("admin")
    key = {"Idempotency-Key": "first-run"}
    body = {"full": True, "high": 0.9999, "low": 0.3}
    started = admin.post("/api/v1/identity/runs", json=body, headers=key)
    assert started.status_code == 202, started.text
    again = admin.post("/api/v1/identity/runs", json={})
    retried = admin.post("/api/v1/identity/runs", json=body, headers=key)
    url, deadline = started.headers["location"], time.monotonic() + 180
    while (run := admin.get(url).json())["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    return {"started": started, "again": again, "retried": retried, "run": run}


def pending(web: Web, limit: int = 50) -> list[dict[str, Any]]:
    body = web.api("marketer").get("/api/v1/identity/reviews", params={"limit": limit}).json()
    return list(body["items"])


def two_customers(web: Web) -> tuple[int, int]:
    """Two active customers no test merged yet (the newest ones: matching merges into the
    oldest id)."""
    with web.store.connect() as conn:
        ids = conn.execute(
            select(customers.c.id)
            .where(customers.c.status == "active")
            .order_by(customers.c.id.desc())
            .limit(2)
        ).scalars()
        newer, older = (int(i) for i in ids)
    return older, newer


def test_a_run_starts_in_the_background_one_at_a_time(shop: Web, unified: dict) -> None:
    started, run = unified["started"].json(), unified["run"]
    assert started["status"] == "running" and started["mode"] == "full"
    assert unified["again"].status_code == 409, unified["again"].text
    assert unified["again"].headers["content-type"] == "application/problem+json"
    assert f"run #{started['id']} is running" in unified["again"].json()["detail"]
    assert unified["retried"].status_code == 202
    assert unified["retried"].headers["idempotent-replayed"] == "true"
    assert unified["retried"].json()["id"] == started["id"]
    assert run["status"] == "completed", run
    assert run["merges"] > 10 and run["reviews"] >= 5 and run["records"] > 200
    assert (run["high"], run["low"]) == (0.9999, 0.3)
    assert run["actor"] == "user:admin/token" and run["stage"] is None
    listed = shop.api("marketer").get("/api/v1/identity/runs").json()  # identity.review reads
    assert listed["total"] == 1 and listed["items"][0]["id"] == started["id"]
    assert shop.api("marketer").post("/api/v1/identity/runs", json={}).status_code == 403
    assert shop.api("analyst").get("/api/v1/identity/runs").status_code == 403
    bad = shop.api("admin").post("/api/v1/identity/runs", json={"high": 0.4, "low": 0.6})
    assert bad.status_code == 422 and bad.json()["field"] == "threshold"
    # A token allowed only to run matching can follow its runs (either permission reads).
    token, _ = access.create_token(shop.store, "admin", ["identity.run"], actor="test")
    runner = shop.api("admin")
    runner.headers["Authorization"] = f"Bearer {token}"
    assert runner.get(f"/api/v1/identity/runs/{started['id']}").status_code == 200
    assert runner.get("/api/v1/identity/reviews").status_code == 403
    assert runner.get("/api/v1/identity/runs/999999").status_code == 404


def test_review_queue_lists_pairs_with_their_evidence(shop: Web, unified: dict) -> None:
    api = shop.api("marketer")
    body = api.get("/api/v1/identity/reviews", params={"limit": 200}).json()
    items = body["items"]
    assert body["total"] == len(items) >= 3
    probabilities = [i["match_probability"] for i in items]
    assert probabilities == sorted(probabilities, reverse=True)
    first = items[0]
    assert first["status"] == "pending" and first["masked"] is False
    for side in (first["left"], first["right"]):
        assert set(side) == {"record_id", "source", "source_key", "customer_id", "full_name"}
    assert first["left"]["customer_id"] != first["right"]["customer_id"]
    assert {e["field"] for e in first["evidence"]} >= {"name_tokens", "phone", "birth_date"}
    page = api.get("/api/v1/identity/reviews", params={"limit": 2, "offset": 2}).json()
    assert [i["id"] for i in page["items"]] == [i["id"] for i in items[2:4]]
    assert api.get("/api/v1/identity/reviews", params={"status": "maybe"}).status_code == 422
    for role in ("analyst", "viewer", "sales"):
        assert shop.api(role).get("/api/v1/identity/reviews").status_code == 403, role


def test_evidence_is_masked_without_the_personal_data_right(shop: Web, unified: dict) -> None:
    token, _ = access.create_token(shop.store, "marketer", ["identity.review"], actor="test")
    client = shop.api("marketer")
    client.headers["Authorization"] = f"Bearer {token}"
    items = client.get("/api/v1/identity/reviews", params={"limit": 200}).json()["items"]
    phones = [e for i in items for e in i["evidence"] if e["field"] == "phone" and e["left"]]
    assert phones and all("****" in e["left"] for e in phones)
    assert all(i["masked"] for i in items)


def test_accept_merges_reject_keeps_apart_and_decided_pairs_conflict(
    shop: Web, unified: dict
) -> None:
    api = shop.api("marketer")
    queue = pending(shop)
    first = queue[0]
    # A pair sharing neither customer with the first: accepting the first supersedes those.
    ids = {first["left"]["customer_id"], first["right"]["customer_id"]}
    second = next(
        p for p in queue[1:] if not ids & {p["left"]["customer_id"], p["right"]["customer_id"]}
    )
    key = {"Idempotency-Key": f"accept-{first['id']}"}
    url = f"/api/v1/identity/reviews/{first['id']}/decision"
    accepted = api.post(url, json={"decision": "accept", "note": "same card"}, headers=key)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted" and body["merge_id"] and body["note"] == "same card"
    assert body["decided_by"] == "user:marketer/token"
    replay = api.post(url, json={"decision": "accept", "note": "same card"}, headers=key)
    assert replay.json() == body and replay.headers["idempotent-replayed"] == "true"
    late = api.post(url, json={"decision": "reject"})
    assert late.status_code == 409 and "only pending" in late.json()["hint"]
    rejected = api.post(
        f"/api/v1/identity/reviews/{second['id']}/decision", json={"decision": "reject"}
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    missing = api.post("/api/v1/identity/reviews/999999/decision", json={"decision": "reject"})
    assert missing.status_code == 404
    assert api.post(url, json={"decision": "maybe"}).status_code == 422
    decided = api.get("/api/v1/identity/reviews", params={"status": "accepted"}).json()
    assert first["id"] in [i["id"] for i in decided["items"]]
    # The merged id leads to the survivor (the older customer).
    survivor = min(first["left"]["customer_id"], first["right"]["customer_id"])
    merged = max(first["left"]["customer_id"], first["right"]["customer_id"])
    moved = api.get(f"/api/v1/customers/{merged}", follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"] == f"/api/v1/customers/{survivor}"
    assert moved.json() == {"id": merged, "status": "merged", "merged_into": survivor}
    assert api.get(f"/api/v1/customers/{merged}").json()["id"] == survivor  # followed
    view = api.get(f"/api/v1/customers/{merged}/identity").json()
    assert (view["asked_id"], view["customer_id"]) == (merged, survivor)
    assert {first["left"]["record_id"], first["right"]["record_id"]} <= {
        r["id"] for r in view["records"]
    }
    assert body["merge_id"] in [m["id"] for m in view["merges"]]
    assert shop.api("analyst").post(url, json={"decision": "reject"}).status_code == 403


def test_identity_view_shows_sources_and_masks_for_analysts(shop: Web, unified: dict) -> None:
    c = customers.c
    with shop.store.connect() as conn:
        cid = conn.execute(
            select(c.id)
            .where(c.status == "active", c.primary_phone.like("+86%"), c.birth_date.is_not(None))
            .order_by(c.id)
            .limit(1)
        ).scalar_one()
    full = shop.api("marketer").get(f"/api/v1/customers/{cid}/identity")
    assert full.status_code == 200, full.text
    view = full.json()
    golden = {g["field"]: g for g in view["golden"]}
    assert view["masked"] is False and view["customer_id"] == cid
    record_sources = {r["id"]: r["source"] for r in view["records"]}
    assert golden["full_name"]["source"] == record_sources[golden["full_name"]["record_id"]]
    phone = golden["primary_phone"]["value"]
    assert phone and phone.startswith("+86") and "****" not in phone
    masked = shop.api("analyst").get(f"/api/v1/customers/{cid}/identity").json()
    masked_golden = {g["field"]: g for g in masked["golden"]}
    assert masked["masked"] is True
    assert masked_golden["primary_phone"]["value"] == phone[:6] + "****" + phone[-4:]
    assert masked_golden["primary_phone"]["source"] == golden["primary_phone"]["source"]
    assert masked_golden["birth_date"]["value"] == golden["birth_date"]["value"][:4] + "-**-**"
    assert masked_golden["postcode"]["value"] is None
    assert masked_golden["full_name"] == golden["full_name"]  # names are shown to analysts
    with shop.store.connect() as conn:
        audited = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'customer.viewed' "
                "AND target_id = :id AND actor = 'user:marketer/token'"
            ),
            {"id": str(cid)},
        ).scalar()
    assert audited and audited >= 1
    assert shop.api("viewer").get("/api/v1/customers/999999999/identity").status_code == 404


def test_manual_merge_and_its_undo(shop: Web, unified: dict) -> None:
    api = shop.api("marketer")
    survivor, merged = two_customers(shop)
    body = {"survivor_id": survivor, "merged_id": merged, "reason": "same member card"}
    made = api.post("/api/v1/identity/merges", json=body, headers={"Idempotency-Key": "m1"})
    assert made.status_code == 201, made.text
    merge = made.json()
    assert made.headers["location"] == f"/api/v1/identity/merges/{merge['id']}"
    assert merge["reason"] == "manual: same member card" and merge["match_probability"] is None
    assert merge["moved"]["source_records"] >= 1 and merge["undone_at"] is None
    assert shop.api("viewer").get(made.headers["location"]).json() == merge  # customers.read
    assert api.post("/api/v1/identity/merges", json=body).status_code == 409  # merged already
    itself = body | {"merged_id": survivor}
    assert api.post("/api/v1/identity/merges", json=itself).status_code == 409
    unknown = body | {"merged_id": 999_999_999}
    assert api.post("/api/v1/identity/merges", json=unknown).status_code == 404
    assert api.post("/api/v1/identity/merges", json=body | {"reason": ""}).status_code == 422
    assert shop.api("viewer").post("/api/v1/identity/merges", json=body).status_code == 403
    undo_url = f"/api/v1/identity/merges/{merge['id']}/undo"
    assert shop.api("analyst").post(undo_url, json={"reason": "x"}).status_code == 403
    undone = api.post(undo_url, json={"reason": "two people"})
    assert undone.status_code == 200, undone.text
    assert undone.json()["undone_at"] and undone.json()["undone_by"] == "user:marketer/token"
    again = api.post(undo_url, json={"reason": "two people"})
    assert again.status_code == 409 and "already undone" in again.json()["detail"]
    assert api.get(f"/api/v1/customers/{merged}", follow_redirects=False).status_code == 200
    assert api.get("/api/v1/identity/merges/999999").status_code == 404


def test_links_csv_is_the_stores_current_state(shop: Web, unified: dict) -> None:
    response = shop.api("marketer").get("/api/v1/identity/links")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["source", "source_record_key", "customer_id"]
    sr = source_records.c
    with shop.store.connect() as conn:
        current = conn.execute(
            select(func.count()).where(sr.kind == "customers", sr.is_current)
        ).scalar_one()
        linked = {int(r[2]) for r in rows[1:]}
        statuses = set(
            conn.execute(select(customers.c.status).where(customers.c.id.in_(linked))).scalars()
        )
    assert len(rows) - 1 == current
    assert statuses == {"active"}  # merged customers own no records: links name survivors
    assert len(linked) < current  # the run merged some
    assert shop.api("analyst").get("/api/v1/identity/links").status_code == 403


def test_links_csv_escapes_formulas_unless_raw() -> None:
    rows = [("pos", "=HYPERLINK(1)", 3)]
    assert "'=HYPERLINK(1)" in "".join(links_csv(("a", "b", "c"), rows, raw=False))
    assert ",=HYPERLINK(1)," in "".join(links_csv(("a", "b", "c"), rows, raw=True))


# --- pages ---------------------------------------------------------------------------------


def test_review_queue_page_decides_with_csrf(shop: Web, unified: dict) -> None:
    browser = shop.browser("marketer", **{"Accept-Language": "en"})
    queue = browser.get("/identity/reviews")
    assert queue.status_code == 200
    item = pending(shop)[0]
    for text_ in ("Review queue", f"Pair #{item['id']}", "Accept: merge", "Reject: keep apart",
                  "Agreement", "Weight", item["left"]["source_key"]):  # fmt: skip
        assert text_ in queue.text, text_
    assert 'href="/identity/reviews"' in queue.text  # the navigation entry
    # Agreement in words, not Splink's SQL-like labels.
    for raw in ("Exact match", "is NULL", "Jaro-Winkler", "All other comparisons"):
        assert raw not in queue.text, raw
    token = csrf_of(browser, "/identity/reviews")
    url = f"/identity/reviews/{item['id']}/decision"
    refused = browser.post(url, data={"decision": "reject", "csrf_token": "wrong"})
    assert refused.status_code == 403
    done = browser.post(
        url, data={"decision": "reject", "note": "twins", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == f"/identity/reviews?page=1&decided={item['id']}"
    shown = browser.get(done.headers["location"])
    assert f"Pair #{item['id']} rejected" in shown.text
    rejected = browser.get("/identity/reviews?status=rejected")
    assert f'data-testid="review-{item["id"]}"' in rejected.text and "twins" in rejected.text
    late = browser.post(url, data={"decision": "accept", "csrf_token": token})
    assert late.status_code == 409
    analyst = shop.browser("analyst")
    assert analyst.get("/identity/reviews").status_code == 403
    assert 'href="/identity/reviews"' not in analyst.get("/customers").text


def test_identity_tab_redirects_merged_ids_and_undoes_merges(shop: Web, unified: dict) -> None:
    survivor, merged = two_customers(shop)
    merge = shop.api("admin").post(
        "/api/v1/identity/merges",
        json={"survivor_id": survivor, "merged_id": merged, "reason": "test"},
    )
    merge_id = merge.json()["id"]
    browser = shop.browser("admin", **{"Accept-Language": "en"})
    moved = browser.get(f"/customers/{merged}", follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"] == f"/customers/{survivor}?merged_from={merged}"
    page = browser.get(moved.headers["location"])
    assert f"Customer #{merged} was merged into this customer" in page.text
    tab = browser.get(f"/customers/{merged}/identity")  # followed to the survivor's tab
    assert str(tab.url).endswith(f"/customers/{survivor}/identity?merged_from={merged}")
    for text_ in ("Where each value came from", "Records this customer is made of",
                  f'data-testid="merge-{merge_id}"', "Undo merge now", "Household"):  # fmt: skip
        assert text_ in tab.text, text_
    token = csrf_of(browser, f"/customers/{survivor}/identity")
    url = f"/identity/merges/{merge_id}/undo"
    assert browser.post(url, data={"csrf_token": token}).status_code == 422  # reason required
    undone = browser.post(
        url, data={"reason": "two people", "csrf_token": token}, follow_redirects=False
    )
    assert undone.status_code == 303
    assert undone.headers["location"] == f"/customers/{survivor}/identity?undone={merge_id}"
    assert f"Merge #{merge_id} undone" in browser.get(undone.headers["location"]).text
    assert browser.get(f"/customers/{merged}", follow_redirects=False).status_code == 200
    analyst = shop.browser("analyst", **{"Accept-Language": "en"})
    seen = analyst.get(f"/customers/{survivor}/identity")
    assert seen.status_code == 200 and "Personal data is masked" in seen.text
    assert "Undo merge now" not in seen.text


def test_identity_pages_in_chinese(shop: Web, unified: dict) -> None:
    zh = shop.browser("marketer", **{"Accept-Language": "zh-CN"})
    queue = zh.get("/identity/reviews").text
    for text_ in ("审核队列", "接受：合并", "拒绝：保持分开", "一致程度", "权重"):
        assert text_ in queue, text_
    assert "Exact match" not in queue and "is NULL" not in queue
    assert any(word in queue for word in ("相同", "不同", "一方缺失", "相似"))
    cid = two_customers(shop)[0]
    tab = zh.get(f"/customers/{cid}/identity").text
    for text_ in ("身份", "各字段的来源", "组成该客户的记录", "合并记录", "家庭"):
        assert text_ in tab, text_
