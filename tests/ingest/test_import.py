"""End-to-end imports into a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from patron.core import PatronError, Settings
from patron.customers import get_customer
from patron.ingest import (
    ImportOptions,
    export_rejects,
    list_rejects,
    rollback_batch,
    run_import,
)
from patron.store import Store, verify_audit_chain
from patron.store.schema import (
    consents,
    contact_points,
    customers,
    import_batches,
    order_lines,
    orders,
    source_records,
)

MEMBERS_HEADER = [
    "会员编号",
    "姓名",
    "性别",
    "手机",
    "邮箱",
    "生日",
    "地址",
    "会员等级",
    "接受短信",
]
MEMBERS = [
    [
        "M001",
        "张伟",
        "男",
        "138 0013 8000",
        "ZHANG.WEI@QQ.COM",
        "1985年3月7日",
        "广东省广州市天河区体育西路103号",
        "金卡",
        "是",
    ],
    [
        "M002",
        "李娜",
        "女",
        "+86 139-1234-5678",
        "lina@163.com",
        "1990/12/1",
        "北京市朝阳区建国路88号",
        "普通",
        "否",
    ],
    [
        "M003",
        "欧阳娜娜",
        "女",
        "0086 13700000001",
        "",
        "2000-01-31",
        "上海市浦东新区世纪大道1号",
        "银卡",
        "",
    ],
    ["M004", "王芳", "外星", "13600000002", "", "1988-02-30", "", "普通", "也许"],
    ["M005", "", "", "", "", "", "", "", ""],
    [
        "M006",
        "John Smith",
        "M",
        "+44 20 7946 0958",
        "john@example.co.uk",
        "1970-05-05",
        "",
        "钻石",
        "yes",
    ],
]


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def import_members(store: Store, settings: Settings, path: Path, **kw) -> object:  # type: ignore[no-untyped-def]
    return run_import(
        ImportOptions(path=path, source="pos", kind="customers", workers=0, **kw),
        store=store,
        settings=settings,
    )


def count(store: Store, table) -> int:  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_customer_import_normalises_and_quarantines(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "members.csv", MEMBERS_HEADER, MEMBERS)
    report = import_members(store, settings, path)
    assert report.rows_read == 6
    assert (report.inserted, report.updated, report.unchanged) == (4, 0, 0)
    assert report.rejected == 2
    assert report.accepted + report.rejected == report.rows_read

    with store.connect() as conn:
        rejects = {r["row_number"]: r for r in list_rejects(conn, report.batch_id)}
    assert set(rejects) == {5, 6}  # physical lines: header is line 1
    fields = {p["field"] for p in rejects[5]["problems"]}
    assert {"性别", "生日", "接受短信"} <= fields  # every bad field named, not just the first
    assert rejects[5]["raw"]["姓名"] == "王芳"  # the whole raw row is kept
    assert "no name, phone, e-mail" in rejects[6]["problems"][0]["reason"]

    with store.connect() as conn:
        rows = {r.source_key: r for r in conn.execute(select(source_records))}
        zhang = conn.execute(
            select(customers).where(customers.c.id == rows["M001"].customer_id)
        ).one()
    assert rows["M001"].raw["手机"] == "138 0013 8000"  # raw exactly as received
    assert zhang.full_name == "张伟" and zhang.name_key == "zhangwei" and zhang.gender == "M"
    assert zhang.primary_phone == "+8613800138000"
    assert zhang.primary_email == "zhang.wei@qq.com"
    assert str(zhang.birth_date) == "1985-03-07"
    assert (zhang.province, zhang.city, zhang.district) == ("广东省", "广州市", "天河区")
    assert zhang.lineage == {"*": rows["M001"].id}  # every field from that one record

    view = get_customer(store, rows["M002"].customer_id)
    assert view.primary_phone == "+8613912345678"
    assert view.consent_for("sms") == "denied"
    assert "接受短信" in view.consents[0].origin and "batch" in view.consents[0].origin
    assert get_customer(store, rows["M001"].customer_id).consent_for("sms") == "granted"
    assert get_customer(store, rows["M003"].customer_id).consent_for("sms") is None
    smith = get_customer(store, rows["M006"].customer_id)
    assert smith.primary_phone == "+442079460958" and smith.family_name == "Smith"


def test_reimport_is_idempotent_and_changes_update(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "members.csv", MEMBERS_HEADER, MEMBERS[:3])
    first = import_members(store, settings, path)
    again = import_members(store, settings, path)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert count(store, customers) == 3 and count(store, source_records) == 3
    assert count(store, contact_points) == first_contacts(store)

    changed = [row[:] for row in MEMBERS[:3]]
    changed[1][3] = "13911112222"  # 李娜 changed her phone
    changed[1][8] = "是"  # and now accepts SMS
    path2 = write_csv(tmp_path / "members2.csv", MEMBERS_HEADER, changed)
    third = import_members(store, settings, path2)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 2)
    assert count(store, customers) == 3
    with store.connect() as conn:
        versions = conn.execute(
            select(source_records)
            .where(source_records.c.source_key == "M002")
            .order_by(source_records.c.id)
        ).all()
    assert [v.is_current for v in versions] == [False, True]  # both raw versions kept
    view = get_customer(store, versions[0].customer_id)
    assert view.primary_phone == "+8613911112222" and view.version == 2
    assert {cp.value for cp in view.contact_points if cp.kind == "phone"} == {
        "+8613912345678",
        "+8613911112222",
    }
    assert view.consent_for("sms") == "granted"
    assert [c.status for c in view.consent_history] == ["denied", "granted"]
    assert first.batch_id != third.batch_id


def first_contacts(store: Store) -> int:
    with store.connect() as conn:
        first_batch = conn.execute(select(func.min(import_batches.c.id))).scalar()
        return int(
            conn.execute(
                select(func.count()).where(contact_points.c.batch_id == first_batch)
            ).scalar_one()
        )


def test_duplicate_key_within_a_file_later_row_wins(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    rows = [MEMBERS[0], [*MEMBERS[0][:3], "13800000009", *MEMBERS[0][4:]]]
    path = write_csv(tmp_path / "dup.csv", MEMBERS_HEADER, rows)
    report = import_members(store, settings, path)
    assert (report.inserted, report.updated, report.rejected) == (1, 0, 1)
    assert report.reject_categories == {"duplicate_key": 1}
    with store.connect() as conn:
        (reject,) = list_rejects(conn, report.batch_id)
        phone = conn.execute(select(customers.c.primary_phone)).scalar()
    assert reject["row_number"] == 2 and "again at row 3" in reject["problems"][0]["reason"]
    assert phone == "+8613800000009"  # the later row won
    again = import_members(store, settings, path)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 1, 1)


def test_rows_without_id_get_a_stable_row_hash_key(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "noid.csv",
        ["name", "mobile"],
        [["Amy Lee", "13800000001"], ["Bo Li", "13800000002"]],
    )
    import_members(store, settings, path)
    again = import_members(store, settings, path)
    assert again.unchanged == 2
    with store.connect() as conn:
        keys = [r[0] for r in conn.execute(select(source_records.c.source_key))]
    assert all(k.startswith("row:") for k in keys) and len(set(keys)) == 2


def test_rollback_restores_previous_version_then_removes(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    first = import_members(
        store, settings, write_csv(tmp_path / "a.csv", MEMBERS_HEADER, MEMBERS[:3])
    )
    changed = [row[:] for row in MEMBERS[:3]]
    changed[0][1] = "张伟伟"
    changed.append(["M010", "赵六", "男", "13500000000", "", "", "", "", "是"])
    second = import_members(store, settings, write_csv(tmp_path / "b.csv", MEMBERS_HEADER, changed))
    assert (second.inserted, second.updated) == (1, 1)

    result = rollback_batch(store, second.batch_id)
    assert result["customers_removed"] == 1 and result["customers_restored"] == 1
    assert count(store, customers) == 3
    with store.connect() as conn:
        zhang_id = conn.execute(
            select(source_records.c.customer_id).where(source_records.c.source_key == "M001")
        ).scalar()
        current = conn.execute(select(func.count()).where(source_records.c.is_current)).scalar()
    assert get_customer(store, zhang_id).full_name == "张伟"
    assert current == 3
    with pytest.raises(PatronError, match="already rolled back"):
        rollback_batch(store, second.batch_id)

    rollback_batch(store, first.batch_id)
    assert count(store, customers) == 0 and count(store, source_records) == 0
    assert count(store, contact_points) == 0 and count(store, consents) == 0
    with store.connect() as conn:
        assert verify_audit_chain(conn) is None


ORDER_HEADER = ["order_id", "line_no", "member_id", "order_date", "sku", "qty", "price", "amount"]


def test_orders_resolve_customers_and_quarantine_unknown(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    import_members(store, settings, write_csv(tmp_path / "m.csv", MEMBERS_HEADER, MEMBERS[:3]))
    lines = [
        ["O1", "1", "M001", "2025-01-02 10:00", "SKU1", "2", "10.5", "21"],
        ["O1", "2", "M001", "2025-01-02 10:00", "SKU2", "1", "5", "5"],
        ["O2", "1", "M002", "2025/1/3", "SKU1", "1", "10.5", ""],
        ["O3", "1", "M999", "2025-01-04", "SKU1", "1", "1", "1"],
        ["O4", "1", "M003", "not a date", "SKU1", "-1", "1", "1"],
    ]
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, lines)
    options = ImportOptions(path=path, source="pos", kind="orders", workers=0)
    report = run_import(options, store=store, settings=settings)
    assert (report.rows_read, report.inserted, report.rejected) == (5, 3, 2)
    assert report.reject_categories == {"unresolved_reference": 1, "validation": 1}
    with store.connect() as conn:
        rejects = {r["row_number"]: r for r in list_rejects(conn, report.batch_id)}
        totals = dict(conn.execute(select(orders.c.order_key, orders.c.total_amount)).all())
    assert "M999" in rejects[5]["problems"][0]["reason"]
    assert {p["field"] for p in rejects[6]["problems"]} == {"order_date", "qty"}
    assert {k: float(v) for k, v in totals.items()} == {"O1": 26.0, "O2": 10.5}

    again = run_import(options, store=store, settings=settings)
    assert (again.inserted, again.unchanged, again.rejected) == (0, 3, 2)
    assert count(store, order_lines) == 3

    blocked_batch = 1
    with pytest.raises(PatronError, match="roll those batches back first"):
        rollback_batch(store, blocked_batch)
    rollback_batch(store, again.batch_id)
    rollback_batch(store, report.batch_id)
    assert count(store, orders) == 0 and count(store, order_lines) == 0
    rollback_batch(store, blocked_batch)
    assert count(store, customers) == 0


def test_events_and_products(store: Store, settings: Settings, tmp_path: Path) -> None:
    import_members(store, settings, write_csv(tmp_path / "m.csv", MEMBERS_HEADER, MEMBERS[:2]))
    products = write_csv(
        tmp_path / "p.csv",
        ["sku", "name", "category", "price"],
        [["SKU1", "保温杯 Thermos", "家居", "¥99.00"], ["SKU2", "Tea", "食品", "25"]],
    )
    rep = run_import(
        ImportOptions(path=products, source="catalogue", kind="products", workers=0),
        store=store,
        settings=settings,
    )
    assert rep.inserted == 2
    events = tmp_path / "events.jsonl"
    lines = [
        {"event_id": "e1", "email": "Zhang.Wei@qq.com", "time": "2025-02-01T08:00:00+08:00",
         "type": "email_open", "channel": "email"},
        {"event_id": "e2", "phone": "13912345678", "time": "2025-02-02 09:30", "type": "web_visit",
         "page": "/sale"},
        {"event_id": "e3", "email": "nobody@nowhere.cn", "time": "2025-02-02", "type": "web_visit",
         "page": "/"},
    ]  # fmt: skip
    events.write_text(
        "".join(json.dumps(line) + "\n" for line in lines),
        encoding="utf-8",
    )
    rep = run_import(
        ImportOptions(path=events, source="web", kind="events", workers=0),
        store=store,
        settings=settings,
    )
    assert (rep.inserted, rep.rejected) == (2, 1)
    with store.connect() as conn:
        zhang = conn.execute(select(customers.c.id).where(customers.c.full_name == "张伟")).scalar()
    view = get_customer(store, zhang)
    assert [i.type for i in view.interactions] == ["email_open"]
    assert view.interactions[0].occurred_at.isoformat() == "2025-02-01T00:00:00+00:00"


def test_reject_export_lists_reason_per_field(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    report = import_members(store, settings, write_csv(tmp_path / "m.csv", MEMBERS_HEADER, MEMBERS))
    out = tmp_path / "rejects.csv"
    assert export_rejects(report.batch_id, out, store=store) == 2
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["row_number"] for r in rows] == ["5", "6"]
    assert "性别" in rows[0]["problems"] and "fix:" in rows[0]["problems"]
    assert rows[0]["姓名"] == "王芳"


def test_unfinished_batch_blocks_a_blind_reimport(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    from sqlalchemy import update

    path = write_csv(tmp_path / "m.csv", MEMBERS_HEADER, MEMBERS[:3])
    report = import_members(store, settings, path)
    with store.begin() as conn:  # pretend it crashed half-way
        conn.execute(update(import_batches).values(status="failed"))
    with pytest.raises(PatronError, match=f"patron import resume {report.batch_id}"):
        import_members(store, settings, path)
