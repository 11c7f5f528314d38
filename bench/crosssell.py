"""Cross-sell on the warehouse's DuckDB: product affinity on a million orders, then offers.

    uv run python bench/crosssell.py [--orders 1000000] [--products 300] [--repeat 3]

The orders are generated here: 200,000 customers, 1 + Poisson(2) lines per order (about 3M
lines), products drawn by a Zipf-like popularity (the 300th is bought ~100 times less often
than the first), 30 categories, and five planted rules: after product A, product B is added
with probability 0.5 (lift about 0.5 / P(B)). A handful of wholesale orders of 80 lines test
the basket-size guard. Each step is timed to its result in Arrow (the fastest of ``repeat``
runs: the machine is shared), and the planted lifts are checked.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from _common import record
from patron.analytics.crosssell import (
    best_customers_for_product,
    next_best_products,
    product_affinity,
)
from patron.core import Settings
from patron.warehouse import FACT_TABLES, open_warehouse

PLANTED = [(7, 40), (12, 3), (55, 120), (90, 91), (150, 200)]  # (A, B) product ranks
FOLLOW = 0.5
WHOLESALE = 20  # orders of 80 distinct lines, dropped by max_items=50


def generate(orders: int, products: int, seed: int = 3) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    customers = max(orders // 5, 1)
    weights = 1.0 / np.arange(1, products + 1) ** 0.8
    weights /= weights.sum()
    sizes = 1 + rng.poisson(2.0, orders)
    sizes[:WHOLESALE] = 80
    order_of_line = np.repeat(np.arange(1, orders + 1), sizes)
    product = rng.choice(products, size=len(order_of_line), p=weights) + 1
    wholesale = order_of_line <= WHOLESALE
    product[wholesale] = np.tile(np.arange(1, 81), WHOLESALE)
    extra_orders, extra_products = [order_of_line], [product]
    for a, b in PLANTED:
        with_a = np.unique(order_of_line[(product == a) & ~wholesale])
        chosen = with_a[rng.random(len(with_a)) < FOLLOW]
        extra_orders.append(chosen)
        extra_products.append(np.full(len(chosen), b))
    order_ids = np.concatenate(extra_orders)
    product_ids = np.concatenate(extra_products)
    n_lines = len(order_ids)
    start = pd.Timestamp("2023-01-01", tz="UTC")
    seconds = rng.integers(0, 2 * 365 * 24 * 3600, orders)
    columns: dict[str, dict[str, Any]] = {
        "orders": {
            "id": np.arange(1, orders + 1),
            "customer_id": rng.integers(1, customers + 1, orders),
            "ordered_at": start + pd.to_timedelta(seconds, unit="s"),
            "status": np.where(rng.random(orders) < 0.02, "cancelled", "paid"),
        },
        "order_lines": {
            "id": np.arange(1, n_lines + 1),
            "order_id": order_ids,
            "product_id": product_ids,
            "quantity": pa.array(np.ones(n_lines, dtype=np.int32)).cast(pa.decimal128(18, 4)),
        },
        "products": {
            "id": np.arange(1, products + 1),
            "category": [f"category {i % 30:02d}" for i in range(products)],
        },
    }
    tables = {}
    for fact in FACT_TABLES:
        if fact.name not in columns:
            continue
        given = columns[fact.name]
        length = len(next(iter(given.values())))
        arrays = [
            pa.array(given[f.name], type=f.type) if f.name in given else pa.nulls(length, f.type)
            for f in fact.schema
        ]
        tables[fact.name] = pa.Table.from_arrays(arrays, schema=fact.schema)
    return tables


def timed(fn: Any, repeat: int) -> tuple[Any, float]:
    """The result and the fastest of ``repeat`` runs."""
    best = float("inf")
    out = None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return out, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step; fastest counts")
    args = parser.parse_args()

    started = time.perf_counter()
    data = generate(args.orders, args.products)
    generate_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="patron-bench-") as home:
        warehouse = open_warehouse(Settings(home=home), memory=True)
        con = warehouse.con
        started = time.perf_counter()
        for name, table in data.items():  # into the warehouse's own (empty) fact tables
            con.insert(name, table)
        orders, lines = warehouse.table("orders"), warehouse.table("order_lines")
        products = warehouse.table("products")
        load_s = time.perf_counter() - started
        n_lines = data["order_lines"].num_rows
        print(
            f"\n{args.orders:,} orders, {n_lines:,} lines, {args.products} products "
            f"(generated in {generate_s:.1f} s, loaded in {load_s:.1f} s); DuckDB "
            f"{con.version}, best of {args.repeat}\n"
        )
        steps = {
            "affinity, product, per order (min_support 0.001)": lambda: product_affinity(
                orders, lines),
            "affinity, product, per order (min_support 0.0001)": lambda: product_affinity(
                orders, lines, min_support=0.0001),
            "affinity, product, per order (no threshold)": lambda: product_affinity(
                orders, lines, min_support=0.0, min_count=1),
            "affinity, category, per order": lambda: product_affinity(
                orders, lines, level="category", products=products),
            "affinity, product, per customer": lambda: product_affinity(
                orders, lines, basket="customer"),
            "affinity, as of 2024-01-01": lambda: product_affinity(
                orders, lines, as_of="2024-01-01"),
        }  # fmt: skip
        rows: list[tuple[str, int, float]] = []
        results: dict[str, pa.Table] = {}
        for name, build in steps.items():
            out, seconds = timed(lambda build=build: build().to_pyarrow(), args.repeat)
            results[name] = out
            rows.append((name, out.num_rows, seconds))

        rules, cache_s = timed(lambda: product_affinity(orders, lines).cache(), 1)
        rows.append(("affinity materialised (.cache())", rules.count().execute(), cache_s))
        offers, seconds = timed(lambda: next_best_products(orders, lines, rules).to_pyarrow(),
                                args.repeat)  # fmt: skip
        rows.append(("next_best_products, every customer, top 5", offers.num_rows, seconds))
        a, b = PLANTED[0]
        targets, seconds = timed(
            lambda: best_customers_for_product(orders, lines, rules, b, top=1000).to_pyarrow(),
            args.repeat,
        )
        rows.append((f"best_customers_for_product({b}), top 1000", targets.num_rows, seconds))

        print("| step | rows | seconds |")
        print("|---|---:|---:|")
        for name, count, seconds in rows:
            print(f"| {name} | {count:,} | {seconds:.2f} |")

        frame = results["affinity, product, per order (min_support 0.001)"].to_pandas()
        planted = frame.set_index(["antecedent", "consequent"])
        print("\nPlanted rules (A→B, B added after A with probability 0.5):\n")
        print("| A→B | confidence | lift | baskets |")
        print("|---|---:|---:|---:|")
        found = []
        for a, b in PLANTED:
            rule = planted.loc[(a, b)]
            print(f"| {a}→{b} | {rule.confidence:.3f} | {rule.lift:.2f} | {int(rule.baskets):,} |")
            found.append([a, b, float(rule.confidence), float(rule.lift)])
        n_baskets = int(frame["n_baskets"].iloc[0])
        print(
            f"\nbaskets counted: {n_baskets:,} (cancelled and the {WHOLESALE} wholesale left out)"
        )
        rules.release()  # drop the cached table while the connection is open
        warehouse.close()
    record("crosssell", {
        "orders": args.orders, "lines": n_lines, "products": args.products,
        "repeat": args.repeat, "steps": [[n, c, round(s, 2)] for n, c, s in rows],
        "planted": found, "n_baskets": n_baskets,
    })  # fmt: skip


if __name__ == "__main__":
    main()
