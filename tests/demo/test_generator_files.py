"""Files of the synthetic company: determinism, encodings, headers, counts, pools."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from patron.demo.generator import (
    EVENT_FIELDS,
    POS_MEMBER_HEADER,
    POS_ORDER_HEADER,
    SERVICE_CONTACT_FIELDS,
    WEB_CUSTOMER_HEADER,
    WEB_ORDER_HEADER,
    DemoConfig,
    DemoFiles,
    generate_company,
)
from patron.demo.generator.catalogue import CATEGORIES
from patron.demo.generator.names import GIVEN_CHARS, PINYIN, SIMILAR_CHARS, SURNAMES
from patron.demo.generator.places import CITIES, STORES

SMALL = DemoConfig(people=1200, seed=3)
FILE_FIELDS = (
    "pos_members",
    "web_customers",
    "service_contacts",
    "products",
    "pos_orders",
    "web_orders",
    "events",
    "ground_truth",
    "households",
    "customer_truth",
)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_company(tmp_path_factory.mktemp("company"), SMALL)


def _rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def test_same_seed_gives_identical_bytes(company: DemoFiles, tmp_path: Path) -> None:
    again = generate_company(tmp_path / "again", SMALL)
    for name in FILE_FIELDS:
        first, second = getattr(company, name), getattr(again, name)
        assert first.read_bytes() == second.read_bytes(), name
    assert again.counts == company.counts


def test_other_seed_gives_other_data(company: DemoFiles, tmp_path: Path) -> None:
    other = generate_company(tmp_path / "other", DemoConfig(people=1200, seed=4))
    for name in ("pos_members", "web_customers", "pos_orders", "ground_truth"):
        assert getattr(other, name).read_bytes() != getattr(company, name).read_bytes(), name


def test_pos_files_are_gb18030_not_utf8(company: DemoFiles) -> None:
    for path in (company.pos_members, company.pos_orders):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        raw.decode("gbk")  # also readable by tools that assume GBK
        assert b"\r\n" in raw  # Windows line ends, as POS exports have
    members = _rows(company.pos_members, "gb18030")
    assert members[0] == POS_MEMBER_HEADER
    assert {row[2] for row in members[1:]} <= {"男", "女", ""}
    assert {row[6] for row in members[1:]} <= {"普通", "银卡", "金卡", "钻石"}
    assert {row[8] for row in members[1:]} == {"是", "否"}
    assert any("年" in row[4] for row in members[1:])
    assert any("/" in row[4] for row in members[1:])
    assert _rows(company.pos_orders, "gb18030")[0] == POS_ORDER_HEADER


def test_utf8_files_and_headers(company: DemoFiles) -> None:
    web = _rows(company.web_customers)
    assert web[0] == WEB_CUSTOMER_HEADER
    assert {row[8] for row in web[1:]} == {"yes", "no"}
    phones = [row[4] for row in web[1:]]
    assert any(p.startswith("+86 ") for p in phones)
    assert any(p.startswith("0086") for p in phones)
    assert _rows(company.web_orders)[0] == WEB_ORDER_HEADER
    assert _rows(company.products)[0] == ["sku", "name", "category", "brand", "price"]
    contacts = [json.loads(line) for line in company.service_contacts.open(encoding="utf-8")]
    assert all(list(c) == SERVICE_CONTACT_FIELDS for c in contacts)
    assert any(c["company"] for c in contacts)
    with company.events.open(encoding="utf-8") as handle:
        events = [json.loads(line) for line in handle]
    assert all(list(e) == EVENT_FIELDS for e in events)
    assert {e["type"] for e in events} == {
        "page_view",
        "email_open",
        "email_click",
        "service_ticket",
        "call",
    }


def test_counts_match_files(company: DemoFiles) -> None:
    counts = company.counts
    for name in FILE_FIELDS:
        path: Path = getattr(company, name)
        encoding = "gb18030" if name.startswith("pos_") else "utf-8"
        if path.suffix == ".jsonl":
            rows = sum(1 for _ in path.open(encoding=encoding))
        else:
            rows = len(_rows(path, encoding)) - 1
        assert rows == counts[name], name
    assert counts["people"] == SMALL.people == counts["households"]


def test_catalogue_size_and_categories(company: DemoFiles) -> None:
    products = _rows(company.products)[1:]
    assert 200 <= len(products) <= 500
    assert 8 <= len({row[2] for row in products}) <= 15
    assert len({row[0] for row in products}) == len(products)
    assert all(float(row[4]) > 0 for row in products)
    assert 8 <= len(CATEGORIES) <= 15


def test_place_pool_is_consistent() -> None:
    province_of = {city.name: city.province for city in CITIES}
    assert province_of["广州市"] == province_of["深圳市"] == "广东省"
    assert province_of["杭州市"] == "浙江省"
    assert province_of["成都市"] == "四川省"
    assert province_of["南京市"] == province_of["苏州市"] == "江苏省"
    assert province_of["青岛市"] == "山东省"
    assert province_of["北京市"] == "北京市"
    assert all(len(c.districts) >= 2 for c in CITIES)
    assert all(d.postcode.isdigit() and len(d.postcode) == 6 for c in CITIES for d in c.districts)
    assert len({s.store_id for s in STORES}) == len(STORES)


def test_name_pools() -> None:
    surnames = [s for s, _, _ in SURNAMES]
    assert surnames[:5] == ["王", "李", "张", "刘", "陈"]
    assert "欧阳" in surnames
    assert all(c in PINYIN for c, _, _ in GIVEN_CHARS)
    assert "章" in SIMILAR_CHARS["张"]
