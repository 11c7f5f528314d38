"""Warehouse sync: the warehouse equals the store after full and incremental syncs, through
new batches, re-imports, merges, unmerges and rollbacks (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from patron import identity, ingest
from patron.core import Settings
from patron.store import Store
from patron.store.schema import import_batches, order_lines, orders
from patron.warehouse import Warehouse, open_warehouse, sync

CUSTOMERS = """customer_id,first_name,last_name,email,phone
c1,Wei,Zhang,zhang.wei@qq.com,13800000001
c2,Na,Li,li.na@163.com,13800000002
c3,Jun,Wang,wang.jun@126.com,13800000003
"""
ORDERS_1 = """order_id,line_no,customer_id,ordered_at,sku,quantity,unit_price,amount,channel
o1,1,c1,2025-01-05T10:00:00+08:00,A,1,10.00,10.00,web
o1,2,c1,2025-01-05T10:00:00+08:00,B,2,5.00,10.00,web
o2,1,c2,2025-02-01T12:00:00+08:00,A,1,10.00,10.00,app
"""
ORDERS_2 = """order_id,line_no,customer_id,ordered_at,sku,quantity,unit_price,amount,channel
o1,3,c1,2025-01-05T10:00:00+08:00,C,1,7.50,7.50,web
o3,1,c3,2025-03-01T09:00:00+08:00,B,4,5.00,20.00,web
"""


def _import(store: Store, settings: Settings, tmp_path: Path, name: str, text: str, kind: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest.run_import(
        ingest.ImportOptions(path=path, source="web", kind=kind), store=store, settings=settings
    )


def _store_facts(store: Store) -> dict[str, object]:
    with store.connect() as conn:
        return {
            "orders": sorted(
                (int(i), int(c), float(t))
                for i, c, t in conn.execute(
                    select(orders.c.id, orders.c.customer_id, orders.c.total_amount)
                )
            ),
            "lines": conn.execute(select(func.count()).select_from(order_lines)).scalar(),
        }


def _warehouse_facts(warehouse: Warehouse) -> dict[str, object]:
    rows = warehouse.run("SELECT id, customer_id, total_amount FROM orders ORDER BY id")
    lines = warehouse.run("SELECT count(*) FROM order_lines")[0][0]
    return {"orders": sorted((int(i), int(c), float(t)) for i, c, t in rows), "lines": lines}


@pytest.fixture
def loaded(store: Store, settings: Settings, tmp_path: Path) -> Store:
    _import(store, settings, tmp_path, "customers.csv", CUSTOMERS, "customers")
    _import(store, settings, tmp_path, "orders1.csv", ORDERS_1, "orders")
    return store


@pytest.fixture
def warehouse(settings: Settings):
    with open_warehouse(settings) as wh:
        yield wh


def test_first_sync_copies_every_fact(loaded: Store, warehouse: Warehouse) -> None:
    report = sync(loaded, warehouse)
    assert report.full and report.reason == "first sync"
    assert report.rows["customers"] == 3 and report.rows["order_lines"] == 3
    assert _warehouse_facts(warehouse) == _store_facts(loaded)
    assert warehouse.table("orders").total_amount.sum().to_pyarrow().as_py() == 30


def test_incremental_sync_copies_new_rows_and_changed_orders_only(
    loaded: Store, warehouse: Warehouse, settings: Settings, tmp_path: Path
) -> None:
    sync(loaded, warehouse)
    # A later batch adds a line to o1 (its total changes, the order row's batch does not) and a
    # new order o3.
    _import(loaded, settings, tmp_path, "orders2.csv", ORDERS_2, "orders")
    report = sync(loaded, warehouse)
    assert not report.full
    assert report.rows["order_lines"] == 2  # only the new lines
    assert report.rows["orders"] == 2  # o1 (new total) and o3
    assert _warehouse_facts(warehouse) == _store_facts(loaded)
    again = sync(loaded, warehouse)
    assert again.rows["orders"] == 0 and again.rows["order_lines"] == 0


def test_merge_and_unmerge_move_orders_in_the_warehouse(
    loaded: Store, warehouse: Warehouse
) -> None:
    sync(loaded, warehouse)
    by_key = dict(warehouse.run("SELECT id, customer_id FROM orders ORDER BY id"))
    first, second = sorted(set(by_key.values()))
    with loaded.begin() as conn:
        merge_id = identity.merge_customers(conn, first, second, actor="ana", reason="test")
    report = sync(loaded, warehouse)
    assert not report.full and report.rows["orders"] >= 1
    assert _warehouse_facts(warehouse) == _store_facts(loaded)
    assert {c for _, c, _ in _warehouse_facts(warehouse)["orders"]} == {first}  # type: ignore[attr-defined]
    with loaded.begin() as conn:
        identity.unmerge(conn, merge_id, actor="ana")
    sync(loaded, warehouse)
    assert _warehouse_facts(warehouse) == _store_facts(loaded)
    assert {c for _, c, _ in _warehouse_facts(warehouse)["orders"]} == {first, second}  # type: ignore[attr-defined]


def test_a_rollback_makes_the_next_sync_a_rebuild(
    loaded: Store, warehouse: Warehouse, settings: Settings, tmp_path: Path
) -> None:
    sync(loaded, warehouse)
    second = _import(loaded, settings, tmp_path, "orders2.csv", ORDERS_2, "orders")
    sync(loaded, warehouse)
    ingest.rollback_batch(loaded, second.batch_id, actor="ana")
    report = sync(loaded, warehouse)
    assert report.full and "rolled back" in report.reason
    assert _warehouse_facts(warehouse) == _store_facts(loaded)


def test_a_running_batch_holds_the_watermark_below_itself(
    loaded: Store, warehouse: Warehouse, settings: Settings, tmp_path: Path
) -> None:
    second = _import(loaded, settings, tmp_path, "orders2.csv", ORDERS_2, "orders")
    # As if that batch were still running when the sync ran: its rows must come later.
    with loaded.begin() as conn:
        conn.execute(
            update(import_batches)
            .where(import_batches.c.id == second.batch_id)
            .values(status="running")
        )
    report = sync(loaded, warehouse)
    assert report.batch_watermark == second.batch_id - 1
    with loaded.begin() as conn:
        conn.execute(
            update(import_batches)
            .where(import_batches.c.id == second.batch_id)
            .values(status="completed")
        )
    sync(loaded, warehouse)
    assert _warehouse_facts(warehouse) == _store_facts(loaded)


def test_full_sync_on_request_rebuilds(loaded: Store, warehouse: Warehouse) -> None:
    sync(loaded, warehouse)
    warehouse.run("DELETE FROM order_lines")  # damage the derived copy
    assert sync(loaded, warehouse).rows["order_lines"] == 0  # incremental cannot see it
    report = sync(loaded, warehouse, full=True)
    assert report.full and report.reason == "asked for"
    assert _warehouse_facts(warehouse) == _store_facts(loaded)
