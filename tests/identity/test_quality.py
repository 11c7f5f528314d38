"""Data quality on stores whose truth is known: every flag, staleness, the per-customer score
and the saved history, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from patron import identity, ingest
from patron.core import NotFoundError
from patron.store import Store
from patron.store.schema import audit_log, contact_points, source_records

NOW = datetime(2026, 6, 1, tzinfo=UTC)

# One person per row; the comment says what the quality report must find.
MEMBERS = """\
member_id,name,mobile,email,birth_date,company,是否死亡,企业状态,会员状态,status,邮件状态,note,\
接受短信
C1,王慧雨,13800138001,wang@qq.com,1985-03-05,,否,,,,,,是
C2,李娜,12345,li.na@163.com,1990-01-01,,,,,,,,
C3,张伟,13800138003,,1950-07-01,,是,,,,,,是
C4,刘洋,13800138004,,,深圳市某某科技有限公司（已注销）,,,,,,,
C5,陈静,13800138005,,,杭州华信物流有限公司,,吊销，未注销,,,,,
C6,杨帆,13800138006,,,,,,,,,,否
C7,赵敏,13800138007,,,,,,,Do Not Contact,,,
C8,黄磊,13800138008,,1900-01-01,,,,注销,,,客户要求注销会员卡，询问已故父亲的积分,
C9,周杰,13800138009,zhou@qq.com,,北京清算服务有限公司,,,,,退信,,
"""
# C1 clean (a "no" in the deceased column, consent granted); C2 invalid phone; C3 deceased
# (so also do-not-contact, though consent was granted); C4 company closed by its name; C5 by
# the company status; C6 every consent denied; C7 an explicit do-not-contact status; C8 is
# none of these: a closed membership (注销 on a person's status) and free text mentioning
# 已故 are not flags, but its birth date is a placeholder (invalid); C9 bounced (a bounce
# column), and 清算 inside a company's name is not a closure.


def _import(
    store: Store, tmp_path: Path, name: str, text: str, source: str, data_as_of: datetime
) -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    options = ingest.ImportOptions(
        path=path, source=source, kind="customers", data_as_of=data_as_of
    )
    report = ingest.run_import(options, store=store)
    assert report.status == "completed" and not report.rejected, report
    return report.batch_id


def _customer(store: Store, key: str) -> int:
    with store.connect() as conn:
        found = conn.execute(
            select(source_records.c.customer_id).where(source_records.c.source_key == key)
        ).scalar_one()
    return int(found)


@pytest.fixture
def shop(store: Store, tmp_path: Path) -> Store:
    _import(store, tmp_path, "members.csv", MEMBERS, "shop", data_as_of=NOW - timedelta(days=10))
    return store


def test_flags_found_per_source_and_for_the_store(shop: Store) -> None:
    report = identity.quality_report(shop, now=NOW)
    flags = {s.source: s.flags for s in report.sources}["shop"]
    assert flags == identity.FlagCounts(
        deceased=1, company_closed=2, invalid_contact=1, bounced=1, do_not_contact=3, any=7
    )
    assert report.overall.flags == flags  # one source, one record per customer
    assert report.overall.customers == report.overall.records == 9


def test_flagged_customers_name_each_one(shop: Store) -> None:
    found = {c.customer_id: c.flags for c in identity.flagged_customers(shop)}
    c = {
        key: _customer(shop, key) for key in ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9")
    }
    assert found == {
        c["C2"]: ("invalid_contact",),
        c["C3"]: ("deceased", "do_not_contact"),
        c["C4"]: ("company_closed",),
        c["C5"]: ("company_closed",),
        c["C6"]: ("do_not_contact",),
        c["C7"]: ("do_not_contact",),
        c["C9"]: ("bounced",),
    }  # C1 and C8 carry none
    closed = identity.flagged_customers(shop, flag="company_closed")
    assert [x.customer_id for x in closed] == sorted([c["C4"], c["C5"]])
    page = identity.flagged_customers(shop, limit=2)
    rest = identity.flagged_customers(shop, after=page[-1].customer_id)
    assert [x.customer_id for x in page + rest] == sorted(found)
    assert identity.flagged_customers(shop, source="elsewhere") == []
    with pytest.raises(ValueError, match="unknown flag"):
        identity.flagged_customers(shop, flag="dead")


def test_english_columns_are_read_too(store: Store, tmp_path: Path) -> None:
    rows = (
        "member_id,name,mobile,Deceased,Company Status,Email Status,DNC,Date of Death\n"
        "E1,Ann Wu,13800139001,Y,,,,\n"
        "E2,Bob Li,13800139002,,Dissolved,,,\n"
        "E3,Cy Ma,13800139003,,,Hard Bounce,,\n"
        "E4,Di He,13800139004,,,,1,\n"
        "E5,Ed Xu,13800139005,false,Active,delivered,no,\n"
        "E6,Fi Lu,13800139006,,,,,2023-01-01\n"
    )
    _import(store, tmp_path, "en.csv", rows, "en", data_as_of=NOW)
    found = {c.customer_id: c.flags for c in identity.flagged_customers(store)}
    assert found == {
        _customer(store, "E1"): ("deceased", "do_not_contact"),
        _customer(store, "E2"): ("company_closed",),
        _customer(store, "E3"): ("bounced",),
        _customer(store, "E4"): ("do_not_contact",),
        _customer(store, "E6"): ("deceased", "do_not_contact"),
    }  # E5 says no to each


def test_a_bounce_written_on_a_contact_point_counts(shop: Store) -> None:
    """What a bounce handler will do: mark the address invalid, the reason starting 'bounced'."""
    customer = _customer(shop, "C1")
    with shop.begin() as conn:
        conn.execute(
            update(contact_points)
            .where(contact_points.c.customer_id == customer, contact_points.c.kind == "email")
            .values(valid=False, validation_error="bounced: 550 5.1.1 user unknown")
        )
    flags = identity.quality_report(shop, now=NOW).overall.flags
    assert (flags.bounced, flags.invalid_contact) == (2, 2)
    assert identity.customer_quality(shop, customer, now=NOW).flags == (
        "invalid_contact",
        "bounced",
    )


def test_fields_validity_duplicates_and_staleness(shop: Store, tmp_path: Path) -> None:
    old = NOW - timedelta(days=400)
    two = "member_id,name,mobile\nD1,吴芳,13800138001\nD2,孙丽,13800138010\n"
    _import(shop, tmp_path, "old.csv", two, "crm", data_as_of=old)
    _import(
        shop, tmp_path, "new.csv", "member_id,name,mobile\nD3,郑强,13800138011\n",
        "crm", data_as_of=NOW - timedelta(days=5),
    )  # fmt: skip
    report = identity.quality_report(shop, now=NOW)
    fields = {(f.source, f.field): f for f in report.fields}
    assert (fields[("shop", "phone")].filled, fields[("shop", "phone")].valid) == (9, 8)
    birth = fields[("shop", "birth_date")]
    assert (birth.filled, birth.valid) == (4, 3)  # 1900-01-01 is a placeholder
    sources = {s.source: s for s in report.sources}
    crm = sources["crm"]
    # D1 shares C1's phone: one of crm's three records, one of shop's nine.
    assert round(crm.duplicate_share, 4) == round(1 / 3, 4)
    assert round(sources["shop"].duplicate_share, 4) == round(1 / 9, 4)
    assert crm.newest_data == NOW - timedelta(days=5)
    assert crm.median_data == old  # two of its three current records are 400 days old
    assert crm.records_reliability < crm.reliability_now
    assert 0 < crm.score <= 100
    assert report.overall.records == 12 and report.overall.customers == 12


def test_customer_scores(shop: Store) -> None:
    clean = identity.customer_quality(shop, _customer(shop, "C1"), now=NOW)
    assert clean.flags == () and clean.missing == ("city",) and clean.validity == 1.0
    assert clean.score == pytest.approx(100 * 0.8 * clean.freshness, abs=0.05)
    assert 0.85 < clean.freshness < 0.9  # ten days old, from a 0.9 source
    invalid = identity.customer_quality(shop, _customer(shop, "C2"), now=NOW)
    assert invalid.invalid == ("phone: 12345",)  # of a phone, an e-mail and a birth date
    assert invalid.validity == pytest.approx(2 / 3)
    assert identity.customer_quality(shop, _customer(shop, "C3"), now=NOW).score == 0.0
    placeholder = identity.customer_quality(shop, _customer(shop, "C8"), now=NOW)
    assert placeholder.invalid == ("birth_date: 1900-01-01",) and placeholder.flags == ()
    with pytest.raises(NotFoundError):
        identity.customer_quality(shop, 10**9)


def test_snapshots_are_saved_and_read_back_over_time(shop: Store) -> None:
    assert identity.quality_history(shop) == []
    first = identity.save_quality_snapshot(
        shop, actor="tester", report=identity.quality_report(shop, now=NOW)
    )
    assert [r.source for r in first] == ["shop", None]
    later = identity.quality_report(shop, now=NOW + timedelta(days=30))
    identity.save_quality_snapshot(shop, actor="tester", report=later)
    history = identity.quality_history(shop)
    assert [(r.taken_at, r.source) for r in history] == [
        (NOW, "shop"), (NOW, None),
        (NOW + timedelta(days=30), "shop"), (NOW + timedelta(days=30), None),
    ]  # fmt: skip
    shop_rows = identity.quality_history(shop, source="shop")
    assert shop_rows[0].score > shop_rows[1].score  # the data aged a month
    assert shop_rows[0].details["flags"]["deceased"] == 1
    assert shop_rows[0].details["fields"]["phone"] == {"filled": 9, "valid": 8}
    whole = identity.quality_history(shop, whole_store=True, limit=1)
    assert len(whole) == 1 and whole[0].details["customers"] == 9
    with shop.connect() as conn:
        actions = conn.execute(
            select(audit_log.c.actor).where(audit_log.c.action == "quality.snapshot_saved")
        ).scalars()
        assert list(actions) == ["tester", "tester"]


def test_an_empty_store_reports_nothing(store: Store) -> None:
    report = identity.quality_report(store, now=NOW)
    assert report.sources == [] and report.fields == []
    assert report.overall == identity.StoreQuality(0, 0, 0.0, 0.0, identity.FlagCounts())
