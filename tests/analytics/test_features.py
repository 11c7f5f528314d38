"""Feature snapshots: hand-checked values, no future data in a past snapshot, and the same
numbers on DuckDB and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from patron.analytics.facts import Facts
from patron.analytics.features import FEATURES, customer_features
from patron.warehouse import FACT_TABLES

T0 = datetime(2025, 1, 1, tzinfo=UTC)
AS_OF = datetime(2025, 7, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    fact = next(f for f in FACT_TABLES if f.name == name)
    columns = {f.name: [r.get(f.name) for r in rows] for f in fact.schema}
    return pa.table(
        {k: pa.array(v, type=fact.schema.field(k).type) for k, v in columns.items()},
        schema=fact.schema,
    )


def _customer(cid: int, first_seen: datetime, status: str = "active") -> dict[str, Any]:
    return {"id": cid, "status": status, "created_at": first_seen, "first_seen_at": first_seen}


def _order(oid: int, cid: int, at: datetime, total: str, channel: str = "web", **kw: Any):
    return {"id": oid, "customer_id": cid, "ordered_at": at, "total_amount": Decimal(total),
            "channel": channel, **kw}  # fmt: skip


def _line(lid: int, oid: int, pid: int, amount: str, discount: str = "0") -> dict[str, Any]:
    return {"id": lid, "order_id": oid, "product_id": pid, "quantity": Decimal(1),
            "amount": Decimal(amount), "discount": Decimal(discount)}  # fmt: skip


def _event(eid: int, cid: int, at: datetime, kind: str) -> dict[str, Any]:
    return {"id": eid, "customer_id": cid, "occurred_at": at, "type": kind}


HAND = {
    "customers": [
        _customer(1, day(-100)),
        _customer(2, day(10)),
        _customer(3, day(20)),  # never buys
        _customer(4, day(-5), status="merged"),  # merged away: no row
        _customer(5, day(200)),  # first seen after AS_OF (day 181): no row
    ],
    "products": [
        {"id": 1, "sku": "A", "category": "shoes"},
        {"id": 2, "sku": "B", "category": "bags"},
    ],
    "orders": [
        _order(1, 1, day(0), "100", "store"),
        _order(2, 1, day(30), "50"),
        _order(3, 1, day(90), "150", "app"),
        _order(4, 1, day(100), "-50", status="returned"),  # a refund: not a purchase
        _order(5, 1, day(200), "999"),  # after AS_OF
        _order(6, 2, day(170), "80"),
    ],
    "order_lines": [
        _line(1, 1, 1, "100"),
        _line(2, 2, 2, "40", "10"),
        _line(3, 3, 1, "150", "30"),
        _line(4, 5, 2, "999"),
        _line(5, 6, 2, "80"),
    ],
    "interactions": [
        _event(1, 1, day(5), "service_ticket"),
        _event(2, 1, day(6), "call"),
        _event(3, 1, day(7), "email_open"),
        _event(4, 1, day(8), "email_click"),
        _event(5, 2, day(150), "page_view"),  # within 90 days of AS_OF
        _event(6, 2, day(50), "page_view"),  # not
        _event(7, 2, day(190), "complaint"),  # after AS_OF
    ],
}


def _load(con: Any, data: dict[str, list[dict[str, Any]]]) -> Facts:
    for name in Facts.__dataclass_fields__:
        con.create_table(name, _table(name, data.get(name, [])), overwrite=True)
    return Facts(*(con.table(n) for n in Facts.__dataclass_fields__))


def _frame(facts: Facts, as_of: datetime = AS_OF) -> pd.DataFrame:
    out = customer_features(facts, as_of).to_pandas()
    return out.sort_values("customer_id").set_index("customer_id")


def test_hand_checked_values(duck: Any) -> None:
    f = _frame(_load(duck, HAND))
    assert list(f.index) == [1, 2, 3]  # merged and not-yet-seen customers have no row
    one = f.loc[1]
    assert one.frequency == 3 and one.monetary == 300
    assert one.avg_order_value == 100
    assert one.recency_days == pytest.approx(181 - 90)
    assert one.first_order_days == pytest.approx(181)
    assert one.tenure_days == pytest.approx(281)  # first seen 100 days before the first order
    assert one.ipt_mean_days == pytest.approx(45)  # gaps 30 and 60
    assert one.ipt_cv == pytest.approx(15 / 45)  # population std of (30, 60) is 15
    assert one.purchase_rate_30d == pytest.approx(3 * 30 / 281)
    assert one.frequency_90d == 0 and one.monetary_90d == 0  # day 90 is 91 days before
    assert one.category_breadth == 2
    assert one.discount_share == pytest.approx(40 / 330)  # (10 + 30) / (290 paid + 40)
    assert one.returns == 1
    assert one.online_share == pytest.approx(2 / 3)
    assert (one.service_contacts, one.campaign_opens, one.campaign_responses) == (2, 1, 1)
    two = f.loc[2]
    assert two.frequency == 1 and two.web_sessions_90d == 1 and two.complaints == 0
    assert pd.isna(two.ipt_mean_days)
    three = f.loc[3]
    assert three.frequency == 0 and three.monetary == 0
    assert pd.isna(three.recency_days) and pd.isna(three.avg_order_value)
    assert set(FEATURES) <= set(f.columns)


def _random_history(seed: int, customers: int = 40) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    data: dict[str, list[dict[str, Any]]] = {k: [] for k in HAND}
    data["products"] = [{"id": p, "sku": f"P{p}", "category": f"c{p % 4}"} for p in range(8)]
    oid = lid = eid = 0
    for cid in range(1, customers + 1):
        data["customers"].append(_customer(cid, day(rng.uniform(-200, 400))))
        for _ in range(rng.randint(0, 8)):
            oid += 1
            at, total = day(rng.uniform(-100, 400)), f"{rng.uniform(-20, 300):.2f}"
            data["orders"].append(_order(oid, cid, at, total, rng.choice(["web", "store"])))
            for _ in range(rng.randint(1, 3)):
                lid += 1
                amount, discount = f"{rng.uniform(1, 100):.2f}", f"{rng.uniform(0, 10):.2f}"
                data["order_lines"].append(_line(lid, oid, rng.randrange(8), amount, discount))
        for _ in range(rng.randint(0, 6)):
            eid += 1
            kind = rng.choice(["page_view", "email_open", "email_click", "call", "complaint"])
            data["interactions"].append(_event(eid, cid, day(rng.uniform(-100, 400)), kind))
    return data


def _before(data: dict[str, list[dict[str, Any]]], moment: datetime) -> dict[str, Any]:
    """Only what happened before ``moment`` (lines go with their orders)."""
    kept = {
        "customers": [c for c in data["customers"] if c["first_seen_at"] < moment],
        "orders": [o for o in data["orders"] if o["ordered_at"] < moment],
        "interactions": [e for e in data["interactions"] if e["occurred_at"] < moment],
        "products": data["products"],
    }
    orders = {o["id"] for o in kept["orders"]}
    kept["order_lines"] = [ln for ln in data["order_lines"] if ln["order_id"] in orders]
    return kept


@pytest.mark.parametrize("seed", range(5))
def test_no_future_data_leaks_into_a_past_snapshot(duck: Any, seed: int) -> None:
    data = _random_history(seed)
    everything = _frame(_load(duck, data))
    past_only = _frame(_load(duck, _before(data, AS_OF)))
    assert len(everything) > 5
    pd.testing.assert_frame_equal(everything, past_only)
    later = _frame(_load(duck, data), AS_OF + timedelta(days=120))
    assert not later.frequency.equals(everything.frequency.reindex(later.index))


@pytest.mark.postgres
def test_postgres_gives_the_same_features(duck: Any, pg_con: Any) -> None:
    data = _random_history(11, customers=60)
    on_duck = _frame(_load(duck, data))
    on_pg = _frame(_load(pg_con, data))
    pd.testing.assert_frame_equal(
        on_duck.drop(columns="as_of"), on_pg.drop(columns="as_of"),
        check_dtype=False, rtol=1e-9,
    )  # fmt: skip
