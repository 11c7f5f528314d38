"""Data quality in the API and the page: who may read and save, the flags, one customer's
score, the history and its chart, in English and Chinese."""

from __future__ import annotations

import re
import time
import typing

import pytest

from patron import identity
from patron.web.api.quality import FlagName
from web_fixtures import Web, csrf_of

MEMBERS = (
    "member_id,name,mobile,email,是否死亡,企业状态\n"
    "W1,顾明,13600000001,gu@qq.com,,\n"
    "W2,Anna Lee,12345,anna@example.com,,\n"
    "W3,钱进,13600000003,,已故,\n"
    "W4,孙悦,13600000004,,,破产\n"
)


@pytest.fixture(scope="module")
def shop(web: Web) -> Web:
    """The module's app with four more customers, imported once through the API."""
    admin = web.api("admin")
    response = admin.post(
        "/api/v1/imports",
        files={"file": ("w.csv", MEMBERS.encode(), "text/csv")},
        data={"source": "wshop", "kind": "customers"},
    )
    assert response.status_code == 202, response.text
    url, deadline = f"/api/v1/imports/jobs/{response.json()['id']}", time.monotonic() + 60
    while (job := admin.get(url).json())["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job["status"] == "completed", job
    return web


def test_the_flag_names_agree_with_the_facade() -> None:
    assert typing.get_args(FlagName) == identity.FLAGS


def test_report_with_flags_for_readers_only(shop: Web) -> None:
    response = shop.api("analyst").get("/api/v1/quality")
    assert response.status_code == 200, response.text
    report = response.json()
    wshop = {s["source"]: s for s in report["sources"]}["wshop"]
    assert wshop["flags"] == {
        "deceased": 1, "company_closed": 1, "invalid_contact": 1, "bounced": 0,
        "do_not_contact": 1, "any": 3,
    }  # fmt: skip
    assert wshop["median_data"] and 0 < wshop["records_reliability"] <= 1
    assert report["overall"]["flags"]["deceased"] >= 1 and report["overall"]["customers"] >= 4
    assert shop.api("viewer").get("/api/v1/quality").status_code == 403


def test_flagged_customers_and_one_customers_score(shop: Web) -> None:
    analyst = shop.api("analyst")
    page = analyst.get("/api/v1/quality/flagged", params={"flag": "deceased", "source": "wshop"})
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [i["flags"] for i in items] == [["deceased", "do_not_contact"]]
    assert page.json()["next_after"] is None
    dead = items[0]["customer_id"]
    score = analyst.get(f"/api/v1/quality/customers/{dead}").json()
    assert score["score"] == 0 and score["flags"] == ["deceased", "do_not_contact"]
    clean = analyst.get(f"/api/v1/quality/customers/{shop.customers['zhang']}").json()
    assert clean["flags"] == [] and clean["score"] > 50 and clean["missing"] == []
    assert analyst.get("/api/v1/quality/customers/999999999").status_code == 404
    assert analyst.get("/api/v1/quality/flagged", params={"flag": "dead"}).status_code == 422
    one = analyst.get("/api/v1/quality/flagged", params={"limit": 1}).json()
    assert len(one["items"]) == 1 and one["next_after"] == one["items"][0]["customer_id"]
    assert shop.api("viewer").get(f"/api/v1/quality/customers/{dead}").status_code == 403


def test_only_admins_save_snapshots_and_readers_see_the_history(shop: Web) -> None:
    for role in ("analyst", "marketer", "viewer"):
        assert shop.api(role).post("/api/v1/quality/snapshots").status_code == 403, role
    before = len(shop.api("analyst").get("/api/v1/quality/history").json()["items"])
    saved = shop.api("admin").post("/api/v1/quality/snapshots")
    assert saved.status_code == 201, saved.text
    rows = saved.json()["items"]
    assert rows[-1]["source"] is None and "wshop" in {r["source"] for r in rows}
    history = shop.api("analyst").get("/api/v1/quality/history").json()["items"]
    assert len(history) == before + len(rows)
    whole = shop.api("analyst").get("/api/v1/quality/history", params={"whole_store": True})
    assert all(r["source"] is None for r in whole.json()["items"])
    assert shop.api("viewer").get("/api/v1/quality/history").status_code == 403


def test_page_shows_flags_history_chart_in_both_languages(shop: Web) -> None:
    admin = shop.browser("admin", **{"Accept-Language": "en"})
    token = csrf_of(admin, "/quality")
    assert "Save today&#39;s scores" in admin.get("/quality").text
    for _ in range(2):  # two points make a line
        saved = admin.post("/quality/snapshots", data={"csrf_token": token}, follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"].startswith("/quality")
    refused = admin.post("/quality/snapshots", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    en = shop.browser("analyst", **{"Accept-Language": "en"}).get("/quality")
    assert en.status_code == 200
    for text in ("High-risk flags", "Deceased", "Score history", "Median record", "wshop"):
        assert text in en.text, text
    assert "<svg" in en.text and len(re.findall(r"<polyline ", en.text)) >= 2
    assert "<script" not in en.text.split("</head>", 1)[1]  # the chart needs no script
    assert "Save today" not in en.text  # analysts read, only admins save
    zh = shop.browser("analyst", **{"Accept-Language": "zh-CN"}).get("/quality")
    for text in ("数据质量", "高风险标记", "已故", "评分历史", "wshop"):
        assert text in zh.text, text
