from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from patron.core import InputError, NotFoundError, Settings
from patron.customers import find_customer, get_customer, search_customers
from patron.ingest import ImportOptions, run_import
from patron.store import Store
from patron.store.schema import source_records

HEADER = ["member_id", "name", "mobile", "email", "city"]
ROWS = [
    ["A1", "张伟", "13800138000", "zhang.wei@qq.com", "广州"],
    ["A2", "张伟", "13900000000", "", "北京"],  # a namesake
    ["A3", "章伟", "13700000000", "", "上海"],  # same pinyin, different characters
    ["A4", "Wei Zhang", "13600000000", "wz@example.com", "深圳"],
    ["A5", "Anna O'Brien", "+44 7700 900123", "anna%_@example.com", "London"],
    ["A6", "单田芳", "13500000000", "", "鞍山"],  # 单 as a surname reads shan, not dan
]


@pytest.fixture
def loaded(store: Store, settings: Settings, tmp_path: Path) -> dict[str, int]:
    path = tmp_path / "c.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    run_import(
        ImportOptions(path=path, source="crm", kind="customers", workers=0),
        store=store,
        settings=settings,
    )
    orders = tmp_path / "o.csv"
    with orders.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["order_id", "member_id", "date", "amount"],
                ["X1", "A1", "2025-03-01 12:00", "100"],
                ["X2", "A1", "2025-04-01", "50.5"],
            ]
        )
    run_import(
        ImportOptions(path=orders, source="crm", kind="orders", workers=0),
        store=store,
        settings=settings,
    )
    with store.connect() as conn:
        return dict(
            conn.execute(
                select(source_records.c.source_key, source_records.c.customer_id).where(
                    source_records.c.kind == "customers"
                )
            ).all()
        )


def ids(hits) -> set[int]:  # type: ignore[no-untyped-def]
    return {h.id for h in hits}


def test_search_by_phone_in_any_format(store: Store, loaded: dict[str, int]) -> None:
    for query in (
        "13800138000",
        "+86 138-0013-8000",
        "0086 138 0013 8000",
        "１３８００１３８０００",
    ):
        hits = search_customers(store, query)
        assert ids(hits) == {loaded["A1"]}, query
        assert hits[0].matched_on == "phone"
    assert ids(search_customers(store, "1380013")) == {loaded["A1"]}  # a number's beginning


def test_search_by_email_case_insensitive_and_literal(store: Store, loaded: dict[str, int]) -> None:
    assert ids(search_customers(store, "ZHANG.WEI@QQ.COM")) == {loaded["A1"]}
    # % and _ are data, not wildcards
    assert ids(search_customers(store, "anna%_@example.com")) == {loaded["A5"]}
    assert search_customers(store, "%@example.com") == []


def test_search_by_name_chinese_and_pinyin(store: Store, loaded: dict[str, int]) -> None:
    assert ids(search_customers(store, "张伟")) == {loaded["A1"], loaded["A2"]}
    pinyin = ids(search_customers(store, "zhang wei"))
    assert {loaded["A1"], loaded["A2"], loaded["A3"]} <= pinyin  # 张伟 and 章伟 both read zhangwei
    assert loaded["A4"] not in pinyin  # "Wei Zhang" is weizhang
    assert ids(search_customers(store, "Zhang")) >= {loaded["A1"], loaded["A3"]}
    assert ids(search_customers(store, "o'brien")) == set()  # prefix search, not substring
    assert ids(search_customers(store, "Anna O")) == {loaded["A5"]}
    assert ids(search_customers(store, "单田")) == {loaded["A6"]}
    assert ids(search_customers(store, "shan tianfang")) == {loaded["A6"]}


def test_search_by_ids(store: Store, loaded: dict[str, int]) -> None:
    assert ids(search_customers(store, f"#{loaded['A3']}")) == {loaded["A3"]}
    assert ids(search_customers(store, "A4")) == {loaded["A4"]}
    with pytest.raises(InputError):
        search_customers(store, "   ")
    assert search_customers(store, "'; DROP TABLE customers; --") == []
    assert ids(search_customers(store, "张伟")) == {loaded["A1"], loaded["A2"]}  # still there


def test_customer_360_view_and_timeline(store: Store, loaded: dict[str, int]) -> None:
    view = get_customer(store, loaded["A1"])
    assert view.full_name == "张伟" and view.primary_phone == "+8613800138000"
    assert {(cp.kind, cp.value) for cp in view.contact_points} == {
        ("phone", "+8613800138000"),
        ("email", "zhang.wei@qq.com"),
    }
    assert [o.order_key for o in view.orders] == ["X2", "X1"]
    assert sum(o.total_amount for o in view.orders) == 150.5
    kinds = [e.kind for e in view.timeline]
    assert kinds.count("order") == 2 and kinds.count("record") == 1
    times = [e.at for e in view.timeline]
    assert times == sorted(times, reverse=True)
    assert view.source_records[0].raw["name"] == "张伟" and view.source_records[0].source == "crm"
    assert find_customer(store, "+86 13800138000").id == loaded["A1"]
    with pytest.raises(NotFoundError):
        get_customer(store, 10**9)


def test_contact_lookups_use_the_partial_index(sqlite_store: Store) -> None:
    """Exact and prefix phone lookups are index searches, not table scans."""
    from patron.customers.search import starts_with
    from patron.store.schema import contact_kind, contact_points

    cp = contact_points.c
    for condition in (cp.value == "+8613800138000", starts_with(cp.value, "+86138")):
        query = select(cp.customer_id).where(contact_kind("phone"), condition)
        sql = str(query.compile(sqlite_store.engine, compile_kwargs={"literal_binds": True}))
        with sqlite_store.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        assert "USING INDEX ix_contact_points_lookup (kind=? AND value" in plan, plan


def test_source_id_lookup_uses_an_index(sqlite_store: Store) -> None:
    """Searching by a source-system id probes the source-key index, never scans records."""
    from patron.customers.search import source_key_query

    sql = str(
        source_key_query([1, 2], "A1", 5).compile(
            sqlite_store.engine, compile_kwargs={"literal_binds": True}
        )
    )
    with sqlite_store.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "USING INDEX ix_source_records_key (source_id=? AND kind=? AND source_key=?)" in plan
