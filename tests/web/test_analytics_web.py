"""Analytics in the API and the pages, on the demo company analysed once (400 people): who may
read, run and edit; names masked for roles without the personal-data right; the churn list's
filters and pages; strategy edits audited; the cell's CSV; a run started in the background
(202, one at a time, 409); the model registry and its drift checks; the pages in both
languages and the scores panel of the customer 360 page."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select

from patron import access
from patron.analytics import AnalyzeOptions, analyze
from patron.core import Settings
from patron.demo import run_demo
from patron.store import open_store
from patron.store.schema import audit_log
from patron.warehouse import open_warehouse
from patron.web import create_app
from patron.web.analytics_view import mask_name
from web_fixtures import PASSWORD, Web, csrf_of, routes

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
API = "/api/v1"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """The demo company, analysed once, with a user and a token for every role."""
    tmp = tmp_path_factory.mktemp("analytics-web")
    settings = Settings(home=tmp, login_attempts_per_minute=100_000)
    run_demo(people=400, seed=7, settings=settings, console=Console(quiet=True))
    store = open_store(settings)
    with open_warehouse(settings) as warehouse:
        analyze(store, warehouse, AnalyzeOptions(actor="test"))
    web = Web(create_app(settings, store), store, settings)
    for role in access.ROLES:
        access.add_user(store, role, role, PASSWORD, actor="test")
        web.tokens[role], _ = access.create_token(store, role, ["all"], actor="test")
    yield web
    store.dispose()


def audits(web: Web, action: str) -> list[Any]:
    with web.store.connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.action == action))
        return list(rows)


def summary_matrix(web: Web) -> dict[str, int]:
    latest = web.api("analyst").get(f"{API}/analytics/runs/latest").json()
    return {c["cell"]: c["customers"] for c in latest["summary"]["value_churn_matrix"]}


def test_permissions_of_the_roles() -> None:
    can = access.ROLE_PERMISSIONS
    assert {r for r in can if "analytics.read" in can[r]} == {"admin", "marketer", "analyst"}
    assert {r for r in can if "analytics.run" in can[r]} == {"admin", "analyst"}
    assert {r for r in can if "analytics.write" in can[r]} == {"admin", "marketer"}
    assert "analytics.read" in access.expand_scopes(["read"])


def test_every_analytics_route_refuses_roles_without_its_permission(shop: Web) -> None:
    mine = [
        (method, path, guard)
        for method, path, guard in routes(shop)
        if "analytics" in path or path.endswith("/scores")
    ]
    assert len(mine) >= 19  # 12 API routes and 7 pages
    values = {"customer_id": "1", "value": "high", "churn": "high", "model_id": "1"}
    refused = 0
    for role in access.ROLES:
        client = shop.api(role)
        for method, path, guard in mine:
            if guard.satisfied_by(access.ROLE_PERMISSIONS[role]):
                continue
            url = path.format(**values)
            response = client.request(method, url, json={}, follow_redirects=False)
            assert response.status_code == 403, (role, method, path, response.status_code)
            refused += 1
    assert refused >= 19 * 3  # viewer, sales and service read nothing of it


def test_latest_run_and_the_runs(shop: Web) -> None:
    latest = shop.api("marketer").get(f"{API}/analytics/runs/latest")
    assert latest.status_code == 200
    body = latest.json()
    assert body["status"] == "completed" and body["actor"] == "test"
    summary = body["summary"]
    for key in ("rfm_grid", "lifecycle_funnel", "clv", "churn", "value_churn_matrix", "tiers"):
        assert summary[key], key
    assert len(summary["rfm_grid"]) == 5
    assert 0.5 < summary["churn"]["backtest"]["auc"] <= 1
    listed = shop.api("analyst").get(f"{API}/analytics/runs").json()
    assert listed["starting"] is False
    assert [r["id"] for r in listed["items"]] == [body["id"]]


def test_a_customers_scores_with_reasons_and_offers(shop: Web) -> None:
    api = shop.api("marketer")
    risky = api.get(f"{API}/analytics/at-risk", params={"min_probability": 0.8}).json()["items"]
    customer = next(r for r in risky if r["reasons"])
    got = api.get(f"{API}/customers/{customer['customer_id']}/scores")
    assert got.status_code == 200
    scores = got.json()["scores"]
    assert scores["churn_probability"] == pytest.approx(customer["churn_probability"])
    assert scores["rfm_segment"] and scores["lifecycle_stage"] and scores["value_tier"]
    assert scores["clv"] >= 0 and 0 <= scores["p_alive"] <= 1
    assert scores["reasons"][0]["feature"] in scores["churn_reasons"]
    assert [r["feature"] for r in scores["reasons"]] == [r["feature"] for r in customer["reasons"]]
    with_offers = next(
        s
        for r in risky[:40]
        if (s := api.get(f"{API}/customers/{r['customer_id']}/scores").json()["scores"])[
            "next_products"
        ]
    )
    assert {"item", "name", "because", "score"} <= set(with_offers["next_products"][0])
    assert api.get(f"{API}/customers/99999999/scores").status_code == 404


def test_the_churn_list_filters_pages_and_masks(shop: Web) -> None:
    marketer, analyst = shop.api("marketer"), shop.api("analyst")
    params = {"min_probability": 0.7, "limit": 10}
    first = marketer.get(f"{API}/analytics/at-risk", params=params).json()
    assert first["masked"] is False and len(first["items"]) == 10 and first["next_offset"] == 10
    chances = [r["churn_probability"] for r in first["items"]]
    assert min(chances) >= 0.7 and chances == sorted(chances, reverse=True)
    second = marketer.get(f"{API}/analytics/at-risk", params=params | {"offset": 10}).json()
    assert not {r["customer_id"] for r in first["items"]} & {
        r["customer_id"] for r in second["items"]
    }
    # Names are masked for analysts (no personal-data right), for the same customers.
    masked = analyst.get(f"{API}/analytics/at-risk", params=params).json()
    assert masked["masked"] is True
    for seen, hidden in zip(first["items"], masked["items"], strict=True):
        assert seen["customer_id"] == hidden["customer_id"]
        assert hidden["full_name"] == mask_name(seen["full_name"]) != seen["full_name"]
    # Who saw whose name unmasked is audited.
    listed = [a for a in audits(shop, "customers.listed") if a.details.get("view") == "at_risk"]
    assert any(a.actor == "user:marketer/token" for a in listed)
    assert not any(a.actor.startswith("user:analyst") for a in listed)
    cell = "medium_value/high_churn"
    narrowed = marketer.get(f"{API}/analytics/at-risk", params={"cell": cell, "limit": 500})
    items = narrowed.json()["items"]
    assert items and {r["value_churn_cell"] for r in items} == {cell}
    assert marketer.get(f"{API}/analytics/at-risk", params={"cell": "nope"}).status_code == 422


def test_the_matrix_and_a_strategy_edit_audited(shop: Web) -> None:
    marketer = shop.api("marketer")
    matrix = marketer.get(f"{API}/analytics/matrix", params={"lang": "zh_CN"}).json()
    assert len(matrix["cells"]) == 9
    assert {c["cell"]: c["customers"] for c in matrix["cells"]} == summary_matrix(shop)
    first = matrix["cells"][0]
    assert (first["cell"], first["value"], first["churn"]) == (
        "high_value/high_churn",
        "high",
        "high",
    )
    assert first["strategy"].startswith("立即挽留") and first["edited"] is False

    text = "  专人电话回访，一周内完成。 "
    url = f"{API}/analytics/matrix/high/medium/strategy"
    saved = marketer.put(url, json={"strategy": text})
    assert saved.status_code == 200, saved.text
    assert saved.json()["strategy"] == text.strip() and saved.json()["edited"] is True
    assert saved.json()["updated_by"] == "user:marketer/token"
    entry = audits(shop, "analytics.strategy")[-1]
    assert (entry.actor, entry.target_id) == ("user:marketer/token", "high_value/medium_churn")
    assert entry.details == {"strategy": text.strip()}
    again = marketer.get(f"{API}/analytics/matrix").json()["cells"][1]
    assert again["strategy"] == text.strip()

    assert shop.api("analyst").put(url, json={"strategy": "x"}).status_code == 403
    blank = marketer.put(url, json={"strategy": "   "})
    assert blank.status_code == 422 and blank.headers["content-type"] == "application/problem+json"
    assert (
        marketer.put(
            f"{API}/analytics/matrix/top/high/strategy", json={"strategy": "x"}
        ).status_code
        == 422
    )


def test_a_cells_customers_and_its_csv(shop: Web) -> None:
    counts = summary_matrix(shop)
    cell = max(counts, key=lambda c: counts[c])
    value, churn = (part.split("_")[0] for part in cell.split("/"))
    base = f"{API}/analytics/matrix/{value}/{churn}/customers"
    page = shop.api("marketer").get(base, params={"limit": 5}).json()
    clvs = [r["clv"] for r in page["items"]]
    assert len(clvs) == 5 and clvs == sorted(clvs, reverse=True)

    exported = shop.api("marketer").get(f"{base}.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.startswith("\ufeffcustomer_id,full_name,clv,churn_probability")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert len(rows) == counts[cell]  # every customer of the cell (all are active here)
    assert rows[0]["full_name"] == page["items"][0]["full_name"]
    assert [a.target_id for a in audits(shop, "customers.exported")] == [cell]

    hidden = shop.api("analyst").get(f"{base}.csv")
    masked_rows = list(csv.DictReader(io.StringIO(hidden.text.lstrip("\ufeff"))))
    assert masked_rows[0]["full_name"] == mask_name(rows[0]["full_name"])
    assert len(audits(shop, "customers.exported")) == 1  # masked exports are not personal


def test_a_run_starts_in_the_background_one_at_a_time(shop: Web) -> None:
    analyst = shop.api("analyst")
    key = {"Idempotency-Key": "analyse-once"}
    started = analyst.post(f"{API}/analytics/runs", json={}, headers=key)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "starting" and started.json()["as_of"] is None
    assert started.json()["actor"] == "user:analyst/token"
    assert started.headers["location"] == f"{API}/analytics/runs"
    replayed = analyst.post(f"{API}/analytics/runs", json={}, headers=key)
    assert replayed.status_code == 202 and replayed.headers["idempotent-replayed"] == "true"
    again = shop.api("admin").post(f"{API}/analytics/runs", json={"as_of": "2026-05-01"})
    assert again.status_code == 409, again.text
    assert again.headers["content-type"] == "application/problem+json"
    assert "running" in again.json()["detail"]
    assert shop.api("marketer").post(f"{API}/analytics/runs", json={}).status_code == 403
    future = analyst.post(f"{API}/analytics/runs", json={"as_of": "2999-01-01"})
    assert future.status_code in (409, 422)  # refused either way while a run is running

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        runs = analyst.get(f"{API}/analytics/runs").json()
        if len(runs["items"]) == 2 and runs["items"][0]["status"] != "running":
            break
        time.sleep(0.3)
    newest = runs["items"][0]
    assert newest["status"] == "completed", newest
    assert newest["actor"] == "user:analyst/token" and runs["starting"] is False
    future = analyst.post(f"{API}/analytics/runs", json={"as_of": "2999-01-01"})
    assert future.status_code == 422 and future.json()["field"] == "as_of"


def test_the_model_registry_and_its_drift_checks(shop: Web) -> None:
    api = shop.api("marketer")
    churn = api.get(f"{API}/analytics/models", params={"kind": "churn"}).json()
    assert [m["version"] for m in churn] == [2, 1]  # the background run made the second
    assert [m["status"] for m in churn] == ["active", "retired"]
    assert 0.5 < churn[0]["metrics"]["auc"] <= 1 and churn[0]["metrics"]["baseline_auc"]
    assert api.get(f"{API}/analytics/models/{churn[1]['id']}").json()["kind"] == "churn"
    checks = api.get(f"{API}/analytics/models/{churn[1]['id']}/checks").json()
    assert len(checks) == 1
    assert checks[0]["level"] in ("stable", "watch", "alert") and checks[0]["worst_input"]
    assert api.get(f"{API}/analytics/models/{churn[0]['id']}/checks").json() == []
    assert api.get(f"{API}/analytics/models/999999/checks").status_code == 404
    kinds = {m["kind"] for m in api.get(f"{API}/analytics/models").json()}
    assert kinds == {"churn", "clv_bgnbd_gg"}


def test_the_pages_in_both_languages(shop: Web) -> None:
    marketer = shop.browser("marketer")
    english = marketer.get("/analytics?lang=en").text
    assert "Value × churn matrix" in english and 'data-testid="rfm-grid"' in english
    for chart in ("lifecycle-funnel", "clv-histogram", "churn-histogram"):
        assert f'data-testid="{chart}"' in english
    assert 'name="strategy"' in english and 'data-testid="start-run"' not in english
    chinese = marketer.get("/analytics?lang=zh_CN").text
    assert "价值×流失矩阵" in chinese and "高流失风险" in chinese and "流失预警" in chinese

    analyst = shop.browser("analyst").get("/analytics").text
    assert 'data-testid="start-run"' in analyst and 'name="strategy"' not in analyst
    assert shop.browser("sales").get("/analytics").status_code == 403

    risk = shop.browser("analyst").get("/analytics/at-risk?min_probability=0.8").text
    assert "Names are masked for your role." in risk
    models = marketer.get("/analytics/models?lang=en").text
    assert 'data-testid="model-registry"' in models and "Churn model" in models


def test_a_strategy_edited_from_the_page_needs_the_csrf_token(shop: Web) -> None:
    marketer = shop.browser("marketer")
    url = "/analytics/matrix/low/high/strategy"
    refused = marketer.post(url, data={"strategy": "automate"}, follow_redirects=False)
    assert refused.status_code == 403
    token = csrf_of(marketer, "/analytics")
    saved = marketer.post(
        url, data={"strategy": "automate", "csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303 and "saved=low_value" in saved.headers["location"]
    assert "automate</textarea>" in marketer.get(saved.headers["location"]).text


def test_the_scores_panel_of_the_360_page_and_merged_ids(shop: Web) -> None:
    from patron import identity

    marketer = shop.browser("marketer")
    risky = shop.api("marketer").get(f"{API}/analytics/at-risk").json()["items"]
    survivor, merged = risky[-1]["customer_id"], risky[-2]["customer_id"]
    page = marketer.get(f"/customers/{survivor}").text
    assert f'hx-get="/customers/{survivor}/scores"' in page
    panel = marketer.get(f"/customers/{survivor}/scores", headers={"HX-Request": "true"}).text
    assert panel.startswith('<section class="card" id="scores-panel"')
    assert 'data-testid="score-churn"' in panel and "<html" not in panel
    tab = marketer.get(f"/customers/{survivor}/scores").text
    assert 'data-testid="scores-tab" aria-current="page"' in tab
    assert "hx-get" not in shop.browser("viewer").get(f"/customers/{survivor}").text

    with shop.store.begin() as conn:
        identity.merge_customers(conn, survivor, merged, actor="test", reason="manual: test")
    moved = shop.api("marketer").get(f"{API}/customers/{merged}/scores", follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"] == f"{API}/customers/{survivor}/scores"
    assert moved.json() == {"id": merged, "status": "merged", "merged_into": survivor}
    tab_moved = marketer.get(f"/customers/{merged}/scores", follow_redirects=False)
    assert tab_moved.status_code == 307
    assert tab_moved.headers["location"] == f"/customers/{survivor}/scores?merged_from={merged}"
