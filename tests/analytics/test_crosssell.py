"""Cross-sell on known truth: hand-counted baskets, and simulated orders with a planted rule.

Every expression runs on the warehouse's DuckDB and on PostgreSQL (marker ``postgres``), with
the warehouse's column types (decimal quantities, UTC timestamps), and the two must agree.

The hand-checked data (five purchase orders, 2024-01-01 .. 01-05, plus noise that must not
count):

    order  customer  products         noise on the order
    1      10        {1, 2, 3}        product 1 on a second line; a line with no product
    2      10        {1, 2}
    3      11        {1, 3}           a return line of product 4 (quantity -1)
    4      12        {2, 3}
    5      12        {1, 2, 4}
    6      11        {3, 4}           placed 2024-02-01 (after AS_OF)
    7      10        {1, 4}           status "Cancelled"

Before AS_OF, N = 5 baskets; n(1) = 4, n(2) = 4, n(3) = 3, n(4) = 1;
n(1,2) = 3 (orders 1, 2, 5), n(1,3) = 2 (1, 3), n(2,3) = 2 (1, 4), n(1,4) = n(2,4) = 1 (5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from patron.analytics.crosssell import (
    CrossSellInputError,
    best_customers_for_product,
    best_customers_for_product_frame,
    next_best_products,
    next_best_products_frame,
    product_affinity,
    product_affinity_frame,
)
from patron.core import Settings
from patron.warehouse import FACT_TABLES, open_warehouse

AS_OF = "2024-01-10"
SCHEMAS = {t.name: t.schema for t in FACT_TABLES}

# --- Data -----------------------------------------------------------------------------------


def _arrow(kind: str, rows: dict[str, Any]) -> pa.Table:
    """Rows in the warehouse's own column types; columns not given are null."""
    schema = SCHEMAS[kind]
    length = len(next(iter(rows.values())))
    arrays = [
        pa.array(rows[f.name], type=f.type) if f.name in rows else pa.nulls(length, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _orders(ids: Any, customers: Any, times: Any, status: Any = None) -> pa.Table:
    n = len(ids)
    return _arrow("orders", {
        "id": ids, "customer_id": customers, "ordered_at": pd.to_datetime(times, utc=True),
        "total_amount": [None] * n, "channel": ["web"] * n,
        "status": status if status is not None else ["paid"] * n,
    })  # fmt: skip


def _lines(order_ids: Any, product_ids: Any, quantities: Any = None) -> pa.Table:
    n = len(order_ids)
    qty = quantities if quantities is not None else np.ones(n, dtype=int)
    return _arrow("order_lines", {
        "id": list(range(1, n + 1)), "order_id": order_ids, "product_id": product_ids,
        "sku": [None if p is None else f"SKU-{p}" for p in product_ids],
        "quantity": [Decimal(int(q)) for q in qty],
    })  # fmt: skip


def tiny() -> dict[str, pa.Table]:
    """The hand-checked baskets of the module docstring."""
    basket = {1: [1, 2, 3, 1, None], 2: [1, 2], 3: [1, 3, 4], 4: [2, 3], 5: [1, 2, 4],
              6: [3, 4], 7: [1, 4]}  # fmt: skip
    order_ids = [o for o, items in basket.items() for _ in items]
    product_ids = [p for items in basket.values() for p in items]
    quantities = [
        -1 if (o, p) == (3, 4) else 1 for o, p in zip(order_ids, product_ids, strict=True)
    ]
    days = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-02-01",
            "2024-01-06"]  # fmt: skip
    return {
        "orders": _orders(
            list(basket), [10, 10, 11, 12, 12, 11, 10], days, ["paid"] * 6 + [" Cancelled"]
        ),
        "order_lines": _lines(order_ids, product_ids, quantities),
        "products": _arrow(
            "products",
            {
                "id": [1, 2, 3, 4],
                "sku": ["SKU-1", "SKU-2", "SKU-3", "SKU-4"],
                "name": ["green tea", "black tea", "cup", "cake"],
                "category": ["tea", "tea", "cups", "cakes"],
            },
        ),
    }


# The simulation: every order holds the carrier bag (product 100), so no order is empty, and
# each of products 101..120 independently with probability P, except B (102), which follows A
# (101) with probability PLANTED. Without the bag, dropping empty orders would make
# independent items look slightly repellent (lift = P(order not empty) ≈ 0.88, not 1).
A, B, BAG = 101, 102, 100
P, PLANTED = 0.1, 0.6
BASE_B = P * PLANTED + (1 - P) * P  # P(B) = 0.15
TRUE_LIFT = PLANTED / BASE_B  # 4.0, the same both ways
N_ORDERS, N_CUSTOMERS = 16_000, 4_000


def simulated(seed: int = 20240601) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    has = rng.random((N_ORDERS, 20)) < P  # column j is product 101 + j
    has[:, 1] = np.where(has[:, 0], rng.random(N_ORDERS) < PLANTED, rng.random(N_ORDERS) < P)
    order_idx, col = np.nonzero(has)
    order_ids = np.concatenate([np.arange(1, N_ORDERS + 1), order_idx + 1])
    product_ids = np.concatenate([np.full(N_ORDERS, BAG), col + 101])
    times = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 365 * 24 * 3600, N_ORDERS), unit="s"
    )
    customers = rng.integers(1, N_CUSTOMERS + 1, N_ORDERS)
    return {
        "orders": _orders(np.arange(1, N_ORDERS + 1), customers, times),
        "order_lines": _lines(order_ids, product_ids),
    }


# --- Backends -------------------------------------------------------------------------------


@dataclass
class Data:
    """The datasets' Ibis tables on one backend."""

    name: str
    tables: dict[str, Any]

    def __getattr__(self, key: str) -> Any:
        return self.tables[key]


def _load(name: str, con: Any) -> Data:
    tables: dict[str, Any] = {}
    for prefix, data in (("tiny", tiny()), ("sim", simulated())):
        for kind, arrow in data.items():
            tables[f"{prefix}_{kind}"] = con.create_table(f"{prefix}_{kind}", arrow, overwrite=True)
    return Data(name, tables)


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Data]:
    """The warehouse's own DuckDB connection (in memory; extensions never downloaded)."""
    warehouse = open_warehouse(Settings(home=tmp_path_factory.mktemp("home")), memory=True)
    yield _load("duckdb", warehouse.con)
    warehouse.close()


@pytest.fixture(scope="module")
def pg(pg_con: Any) -> Data:
    return _load("postgres", pg_con)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Data:
    return request.getfixturevalue("duck" if request.param == "duckdb" else "pg")


def _rules(frame: pd.DataFrame) -> dict[tuple[Any, Any], dict[str, Any]]:
    return {(r.antecedent, r.consequent): r._asdict() for r in frame.itertuples(index=False)}


def _tiny_rules(db: Data, **options: Any) -> dict[tuple[Any, Any], dict[str, Any]]:
    options = {"min_support": 0.0, "min_count": 1, "as_of": AS_OF, **options}
    return _rules(product_affinity_frame(db.tiny_orders, db.tiny_order_lines, **options))


# --- Hand-checked baskets -------------------------------------------------------------------


def test_hand_counted_support_confidence_lift_conviction(db: Data) -> None:
    rules = _tiny_rules(db)
    # Five pairs with at least one basket, both directions; (3, 4) never meet before AS_OF.
    assert len(rules) == 10
    assert (3, 4) not in rules
    assert (4, 3) not in rules
    r12, r21, r13, r31, r14, r41 = (
        rules[k] for k in ((1, 2), (2, 1), (1, 3), (3, 1), (1, 4), (4, 1))
    )
    # 1→2: n(1,2) = 3 of N = 5 → support 0.6; confidence 3/4 = 0.75; lift 0.75 / (4/5) =
    # 0.9375; conviction (1 - 4/5) / (1 - 0.75) = 0.8. 2→1 is the same (n(1) = n(2)).
    for rule in (r12, r21):
        assert (rule["baskets"], rule["n_baskets"]) == (3, 5)
        assert rule["support"] == pytest.approx(0.6)
        assert rule["confidence"] == pytest.approx(0.75)
        assert rule["lift"] == pytest.approx(0.9375)
        assert rule["conviction"] == pytest.approx(0.8)
    # 1→3: 2/4 = 0.5, lift 0.5 / (3/5) = 5/6, conviction (1 - 3/5) / 0.5 = 0.8.
    assert (r13["confidence"], r13["lift"], r13["conviction"]) == pytest.approx((0.5, 5 / 6, 0.8))
    # 3→1: 2/3, lift (2/3) / (4/5) = 5/6 (lift is symmetric), conviction 0.2 / (1/3) = 0.6.
    assert (r31["confidence"], r31["lift"], r31["conviction"]) == pytest.approx((2 / 3, 5 / 6, 0.6))
    # 1→4: 1/4, lift 0.25 / (1/5) = 1.25, conviction 0.8 / 0.75 = 16/15.
    assert (r14["confidence"], r14["lift"], r14["conviction"]) == pytest.approx(
        (0.25, 1.25, 16 / 15)
    )
    # 4→1: every basket with 4 holds 1: confidence 1, conviction infinite (null).
    assert (r41["confidence"], r41["lift"]) == pytest.approx((1.0, 1.25))
    assert pd.isna(r41["conviction"])
    assert (r41["antecedent_baskets"], r41["consequent_baskets"]) == (1, 4)


def test_thresholds_are_applied(db: Data) -> None:
    # min_count 2 keeps the pairs seen in two baskets or more: (1,2), (1,3), (2,3).
    assert set(_tiny_rules(db, min_count=2)) == {(1, 2), (2, 1), (1, 3), (3, 1), (2, 3), (3, 2)}
    # min_support 0.5 of 5 baskets: only (1,2), in 3 (support 0.6; the others have 0.4).
    assert set(_tiny_rules(db, min_support=0.5)) == {(1, 2), (2, 1)}
    # ... and at exactly 0.6 still (support 3/5 is not rounded below the threshold).
    assert set(_tiny_rules(db, min_support=0.6)) == {(1, 2), (2, 1)}
    # min_confidence 0.7: 1→2 and 2→1 (0.75), 4→1 and 4→2 (1.0); not 3→1 (2/3).
    assert set(_tiny_rules(db, min_confidence=0.7)) == {(1, 2), (2, 1), (4, 1), (4, 2)}


def test_oversized_baskets_are_left_out_entirely(db: Data) -> None:
    # max_items 2 drops orders 1 and 5 (three items each) from pairs, item counts and N:
    # orders 2 {1,2}, 3 {1,3}, 4 {2,3} remain: N = 3, each item in 2, each pair in 1, so
    # confidence 1/2 and lift 1·3 / (2·2) = 0.75.
    rules = _tiny_rules(db, max_items=2)
    assert set(rules) == {(1, 2), (2, 1), (1, 3), (3, 1), (2, 3), (3, 2)}
    for rule in rules.values():
        assert (rule["baskets"], rule["n_baskets"], rule["antecedent_baskets"]) == (1, 3, 2)
        assert (rule["confidence"], rule["lift"]) == pytest.approx((0.5, 0.75))


def test_customer_baskets(db: Data) -> None:
    # Before AS_OF customer 10 bought {1,2,3}, 11 {1,3}, 12 {1,2,3,4}: N = 3,
    # n(1) = n(3) = 3, n(2) = 2, n(4) = 1, n(1,2) = 2, n(2,4) = 1.
    rules = _tiny_rules(db, basket="customer")
    assert rules[(2, 1)]["n_baskets"] == 3
    assert (rules[(2, 1)]["confidence"], rules[(2, 1)]["lift"]) == pytest.approx((1.0, 1.0))
    # 2→4: 1/2, lift 1·3 / (2·1) = 1.5, conviction (3 - 1)·2 / (3·(2 - 1)) = 4/3.
    r24 = rules[(2, 4)]
    assert (r24["confidence"], r24["lift"], r24["conviction"]) == pytest.approx((0.5, 1.5, 4 / 3))


def test_category_level(db: Data) -> None:
    # Products 1, 2 are tea, 3 cups, 4 cakes. Orders as categories: {tea, cups} ×3 (1, 3, 4),
    # {tea} (2), {tea, cakes} (5). n(tea) = 5, n(cups) = 3, n(tea, cups) = 3.
    rules = _tiny_rules(db, level="category", products=db.tiny_products)
    assert set(rules) == {("tea", "cups"), ("cups", "tea"), ("tea", "cakes"), ("cakes", "tea")}
    # cups→tea: 3/3 = 1, lift 1 / (5/5) = 1 (tea is in every basket), conviction null.
    assert (rules[("cups", "tea")]["confidence"], rules[("cups", "tea")]["lift"]) == (1.0, 1.0)
    # tea→cups: 3/5 = 0.6, lift 0.6 / (3/5) = 1, conviction (1 - 0.6) / (1 - 0.6) = 1.
    assert rules[("tea", "cups")]["confidence"] == pytest.approx(0.6)
    assert rules[("tea", "cups")]["conviction"] == pytest.approx(1.0)


def test_as_of_excludes_later_orders(db: Data) -> None:
    # Without AS_OF order 6 ({3, 4}, February) counts: N = 6 and (3, 4) appears.
    later = _tiny_rules(db, as_of=None)
    assert later[(3, 4)]["baskets"] == 1
    assert later[(1, 2)]["n_baskets"] == 6

    # A moment given in Shanghai time cuts at the same instant as its UTC equivalent.
    def frame(as_of: str | date) -> pd.DataFrame:
        return product_affinity_frame(
            db.tiny_orders, db.tiny_order_lines, min_support=0.0, min_count=1, as_of=as_of
        )

    pd.testing.assert_frame_equal(frame("2024-01-10 08:00+08:00"), frame(AS_OF))
    # One microsecond after order 5 (2024-01-05 00:00 UTC) keeps it; at the moment, not.
    assert frame("2024-01-05 00:00:00.000001")["n_baskets"].max() == 5
    assert frame("2024-01-05")["n_baskets"].max() == 4
    assert frame(date(2024, 1, 5))["n_baskets"].max() == 4  # a date: the start of its day


def test_next_best_products_by_hand(db: Data) -> None:
    rules = product_affinity(db.tiny_orders, db.tiny_order_lines, min_support=0.0, min_count=1,
                             as_of=AS_OF)  # fmt: skip
    offers = next_best_products_frame(db.tiny_orders, db.tiny_order_lines, rules, as_of=AS_OF)
    # Customer 10 owns {1,2,3}: only 4 is left, by 1→4 = 2→4 = 0.25 (tie: the lower id, 1).
    # Customer 11 owns {1,3}: 2 by 1→2 (0.75; 3→2 is 2/3), then 4 by 1→4 (0.25).
    # Customer 12 owns everything.
    got = offers[["customer_id", "rank", "item", "because"]].values.tolist()
    assert got == [[10, 1, 4, 1], [11, 1, 2, 1], [11, 2, 4, 1]]
    assert offers["score"].tolist() == pytest.approx([0.25, 0.75, 0.25])
    # Noisy-or: customer 11's 2 has two reasons: 1 - (1 - 0.75)(1 - 2/3) = 11/12.
    noisy = next_best_products_frame(db.tiny_orders, db.tiny_order_lines, rules, as_of=AS_OF,
                                     scoring="noisy_or")  # fmt: skip
    assert noisy["score"].tolist() == pytest.approx([1 - 0.75 * 0.75, 11 / 12, 0.25])
    # Without AS_OF, customer 11 owns 4 (order 6) and is no longer offered it.
    now = next_best_products_frame(db.tiny_orders, db.tiny_order_lines, rules)
    assert now[now.customer_id == 11]["item"].tolist() == [2]
    # top=1 keeps one offer per customer.
    first = next_best_products_frame(db.tiny_orders, db.tiny_order_lines, rules, as_of=AS_OF,
                                     top=1)  # fmt: skip
    assert first["item"].tolist() == [4, 2]


def test_best_customers_for_product_by_hand(db: Data) -> None:
    rules = product_affinity(db.tiny_orders, db.tiny_order_lines, min_support=0.0, min_count=1,
                             as_of=AS_OF)  # fmt: skip
    targets = best_customers_for_product_frame(
        db.tiny_orders, db.tiny_order_lines, rules, 4, as_of=AS_OF
    )
    # 12 owns 4; 10 and 11 both score 0.25 (1→4), tie broken by customer id.
    assert targets[["customer_id", "rank", "because"]].values.tolist() == [[10, 1, 1], [11, 2, 1]]
    targets = best_customers_for_product_frame(
        db.tiny_orders, db.tiny_order_lines, rules, 4, as_of=AS_OF, exclude_owned=False
    )
    # Owners kept too: 12 (owns 4) scores 0.25 by 1→4 like the others; ties by customer id.
    assert targets[["customer_id", "rank"]].values.tolist() == [[10, 1], [11, 2], [12, 3]]


def test_rules_at_one_level_applied_at_another_are_refused(db: Data) -> None:
    categories = product_affinity(db.tiny_orders, db.tiny_order_lines, level="category",
                                  products=db.tiny_products)  # fmt: skip
    with pytest.raises(CrossSellInputError, match="level='category'"):
        next_best_products(db.tiny_orders, db.tiny_order_lines, categories)
    with pytest.raises(CrossSellInputError, match="needs the products table"):
        product_affinity(db.tiny_orders, db.tiny_order_lines, level="category")
    with pytest.raises(CrossSellInputError, match="basket='visit'"):
        product_affinity(db.tiny_orders, db.tiny_order_lines, basket="visit")


# --- Planted rule ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim_rules_frame(duck: Data) -> pd.DataFrame:
    return product_affinity_frame(duck.sim_orders, duck.sim_order_lines, min_support=0.0,
                                  min_count=1)  # fmt: skip


def test_planted_rule_is_recovered(sim_rules_frame: pd.DataFrame) -> None:
    rules = _rules(sim_rules_frame)
    assert rules[(A, B)]["n_baskets"] == N_ORDERS  # the bag makes every order a basket
    # P(B | A) = 0.6 planted; lift = 0.6 / P(B) = 0.6 / 0.15 = 4 both ways; P(A | B) = 0.4.
    # Standard errors at 16,000 orders: about 2 % on confidence and 3 % on lift.
    assert rules[(A, B)]["confidence"] == pytest.approx(PLANTED, rel=0.08)
    assert rules[(B, A)]["confidence"] == pytest.approx(P * PLANTED / BASE_B, rel=0.08)
    assert rules[(A, B)]["lift"] == pytest.approx(TRUE_LIFT, rel=0.1)
    assert rules[(A, B)]["lift"] == rules[(B, A)]["lift"]


def test_unrelated_pairs_have_lift_one(sim_rules_frame: pd.DataFrame) -> None:
    frame = sim_rules_frame
    others = frame[~(frame.antecedent.isin([A, B]) & frame.consequent.isin([A, B]))]
    # The bag is in every basket: lift with it is exactly 1.
    with_bag = others[(others.antecedent == BAG) | (others.consequent == BAG)]
    assert len(with_bag) == 2 * 20
    assert (with_bag["lift"] == 1.0).all()
    assert with_bag.loc[with_bag.consequent == BAG, "conviction"].isna().all()
    # The other 189 pairs are independent: each count is within 4.5 standard errors of
    # n(X)·n(Y)/N (189 pairs: a false alarm about once in 800 seeds) and lifts average 1.
    pairs = others[(others.antecedent < others.consequent) & (others.antecedent != BAG)]
    assert len(pairs) == 189
    n = pairs["n_baskets"]
    expected = pairs["antecedent_baskets"] * pairs["consequent_baskets"] / n
    sd = np.sqrt(expected * (1 - pairs["antecedent_baskets"] / n)
                 * (1 - pairs["consequent_baskets"] / n))  # fmt: skip
    z = (pairs["baskets"] - expected) / sd
    assert z.abs().max() < 4.5
    assert pairs["lift"].mean() == pytest.approx(1.0, abs=0.02)
    # The planted pair stands far out: its lift is over three times the largest of them.
    ab = sim_rules_frame[(sim_rules_frame.antecedent == A) & (sim_rules_frame.consequent == B)]
    assert float(ab["lift"].iloc[0]) > 3 * pairs["lift"].max()


def _owned(duck: Data) -> pd.DataFrame:
    orders = duck.sim_orders.to_pandas()[["id", "customer_id"]]
    lines = duck.sim_order_lines.to_pandas()[["order_id", "product_id"]]
    bought = lines.merge(orders, left_on="order_id", right_on="id")
    return bought[["customer_id", "product_id"]].drop_duplicates()


def test_next_best_products_offers_b_to_a_buyers(duck: Data) -> None:
    rules = product_affinity(duck.sim_orders, duck.sim_order_lines, min_support=0.001)
    offers = next_best_products_frame(duck.sim_orders, duck.sim_order_lines, rules, top=3)
    owned = _owned(duck)
    by_customer = owned.groupby("customer_id")["product_id"].agg(set)
    a_not_b = {c for c, items in by_customer.items() if A in items and B not in items}
    b_not_a = {c for c, items in by_customer.items() if B in items and A not in items}
    assert len(a_not_b) > 100
    assert len(b_not_a) > 100
    first = offers[offers["rank"] == 1].set_index("customer_id")
    # Every A-buyer without B is offered B first, because of A, at P(B | A) ≈ 0.6.
    assert set(first.index) >= a_not_b
    assert (first.loc[sorted(a_not_b), "item"] == B).all()
    assert (first.loc[sorted(a_not_b), "because"] == A).all()
    assert first.loc[sorted(a_not_b), "score"].between(0.55, 0.65).all()
    # B-buyers without A are offered A first (P(A | B) ≈ 0.4 beats every P(X | Y) ≈ 0.1).
    assert (first.loc[sorted(b_not_a), "item"] == A).all()
    # Nothing offered is owned, and at most three per customer, ranked 1, 2, 3.
    clash = offers.merge(owned, left_on=["customer_id", "item"],
                         right_on=["customer_id", "product_id"])  # fmt: skip
    assert clash.empty
    assert (
        offers.groupby("customer_id")["rank"]
        .apply(list)
        .map(lambda ranks: ranks == list(range(1, len(ranks) + 1)) and len(ranks) <= 3)
        .all()
    )


def test_best_customers_for_b_are_a_buyers(duck: Data) -> None:
    rules = product_affinity(duck.sim_orders, duck.sim_order_lines, min_support=0.001)
    targets = best_customers_for_product_frame(duck.sim_orders, duck.sim_order_lines, rules, B,
                                               top=200)  # fmt: skip
    owned = _owned(duck)
    owners_of = owned.groupby("product_id")["customer_id"].agg(set)
    assert len(targets) == 200
    assert targets["rank"].tolist() == list(range(1, 201))
    assert set(targets["customer_id"]) <= owners_of[A] - owners_of[B]
    assert (targets["because"] == A).all()


# --- The same answers on DuckDB and PostgreSQL ----------------------------------------------


def _rules_table(d: Data, **options: Any) -> Any:
    """Rules materialised first, as recommend.py's docstring advises."""
    return product_affinity(d.sim_orders, d.sim_order_lines, **options).cache()


QUERIES: dict[str, Callable[[Data], Any]] = {
    "affinity": lambda d: product_affinity(
        d.sim_orders, d.sim_order_lines, min_support=0.0, min_count=1),
    "affinity_customer": lambda d: product_affinity(
        d.sim_orders, d.sim_order_lines, basket="customer", min_support=0.01, max_items=12,
        as_of="2024-07-01"),
    "affinity_category": lambda d: product_affinity(
        d.tiny_orders, d.tiny_order_lines, products=d.tiny_products, level="category",
        min_support=0.0, min_count=1),
    "next_best_max": lambda d: next_best_products(
        d.sim_orders, d.sim_order_lines, _rules_table(d, as_of="2024-10-01"),
        as_of="2024-10-01"),
    "next_best_noisy_or": lambda d: next_best_products(
        d.sim_orders, d.sim_order_lines, _rules_table(d), scoring="noisy_or", top=2),
    "best_customers": lambda d: best_customers_for_product(
        d.sim_orders, d.sim_order_lines, _rules_table(d), B, scoring="noisy_or"),
}  # fmt: skip


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("antecedent", "consequent", "customer_id", "rank") if c in frame]
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.postgres
@pytest.mark.parametrize("query", list(QUERIES))
def test_duckdb_and_postgres_agree(query: str, duck: Data, pg: Data) -> None:
    ours = _sorted(QUERIES[query](duck).to_pandas())
    theirs = _sorted(QUERIES[query](pg).to_pandas())
    assert len(ours) > 0
    # Counts, ranks and explanations exactly; so are the ratios, each one division of exact
    # integers (the same double on both). The noisy-or goes through ln and exp, whose last
    # digit each engine's maths library may round its own way.
    if "noisy_or" in query or query == "best_customers":
        pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-12, atol=0)
    else:
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)


def test_tables_in_the_warehouse_layout_are_typed_as_the_warehouse(duck: Data) -> None:
    # A guard on the fixture itself: the data has the warehouse's decimals and UTC times.
    schema = duck.sim_order_lines.schema()
    assert schema["quantity"].is_decimal()
    assert duck.sim_orders.schema()["ordered_at"].timezone == "UTC"
