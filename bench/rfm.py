"""RFM on the warehouse: patron's Ibis expressions against a hand-written DuckDB query.

    uv run python bench/rfm.py [--customers 1000000] [--lines 10000000] [--repeat 3]

Customers, orders and order lines are generated inside DuckDB (``setseed(0.42)``, then SQL
over ``range`` with ``random()``) in the warehouse layout: each customer has their own
purchase interval (7 to 180 days, log-uniform) and a number of orders (the whole part of an
exponential of mean 4: 3.5 on average, a fifth never buy), so about 3.5M orders carry the 10M
lines. Timed, best of
``--repeat``, each result written to a DuckDB table:

(a) patron ``customer_features`` + ``rfm_scores`` from the fact tables;
(b) patron ``rfm_scores`` alone from a materialised feature snapshot (relative recency, the
    default, and plain recency);
(c) a hand-written DuckDB query: recency, frequency and monetary per customer from the
    orders, and NTILE(5) quintiles.

Target: (b) within 1.5x of (c). For scale, lifecycle stages and value tiers from the same
snapshot are timed too.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from _common import record
from patron.analytics.facts import facts_from
from patron.analytics.features import customer_features
from patron.analytics.lifecycle import lifecycle_stages
from patron.analytics.rfm import RFMConfig, rfm_scores
from patron.analytics.tiers import value_tiers
from patron.core import Settings
from patron.warehouse import Warehouse, open_warehouse

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
_AS_OF_SQL = "TIMESTAMPTZ '2026-01-01 00:00:00+00'"

HAND_WRITTEN = f"""
CREATE OR REPLACE TABLE rfm_sql AS
WITH per_customer AS (
    SELECT customer_id,
           (epoch({_AS_OF_SQL}) - epoch(max(ordered_at))) / 86400 AS recency_days,
           count(*) AS frequency,
           sum(total_amount) AS monetary
    FROM orders
    WHERE ordered_at < {_AS_OF_SQL} AND total_amount > 0
    GROUP BY customer_id
)
SELECT customer_id, recency_days, frequency, monetary,
       NTILE(5) OVER (ORDER BY recency_days DESC) AS r_score,
       NTILE(5) OVER (ORDER BY frequency) AS f_score,
       NTILE(5) OVER (ORDER BY monetary) AS m_score
FROM per_customer
"""


def generate(warehouse: Warehouse, customers: int, lines: int) -> dict[str, int]:
    """Fill the warehouse's fact tables; returns the row counts."""
    run = warehouse.run
    run("SELECT setseed(0.42)")
    # Who each customer is: when they signed up, how often they buy, how many orders.
    run(f"""
        CREATE TEMP TABLE gen_people AS
        SELECT i AS id,
               exp(ln(7) + random() * (ln(180) - ln(7))) AS ipt,
               floor(-ln(1 - random()) * 4)::INTEGER AS orders,
               random() * 400 AS silent_days,
               random() * 1500 AS signed_up_days_ago
        FROM range(1, {customers} + 1) t(i)
    """)
    run(f"""
        INSERT INTO customers (id, status, external, created_at, updated_at, first_seen_at,
                               gender, province, city, member_tier)
        SELECT id, 'active', false,
               {_AS_OF_SQL} - to_days(signed_up_days_ago::INTEGER),
               {_AS_OF_SQL} - to_days(signed_up_days_ago::INTEGER),
               {_AS_OF_SQL} - to_days(signed_up_days_ago::INTEGER),
               CASE WHEN random() < 0.5 THEN 'F' ELSE 'M' END, '江苏省', '南京市', 'regular'
        FROM gen_people
    """)
    # A customer's orders go back from their last one, one interval (+-30 %) apart.
    run(f"""
        INSERT INTO orders (id, source_id, customer_id, ordered_at, total_amount, currency,
                            channel, store, status, batch_id)
        SELECT row_number() OVER () AS id, NULL, p.id,
               {_AS_OF_SQL} - to_microseconds(((p.silent_days + g.j * p.ipt * (0.7 + 0.6 *
                   random())) * 86400e6)::BIGINT),
               round(5 + random() * 300, 2)::DECIMAL(18, 4), 'CNY',
               CASE WHEN random() < 0.4 THEN 'web' ELSE 'store' END, 'S1', 'paid', 1
        FROM gen_people p, range(p.orders) g(j)
    """)
    orders = int(run("SELECT count(*) FROM orders")[0][0])
    run("INSERT INTO products (id, sku, category) "
        "SELECT i, 'P' || i, 'c' || (i % 50) FROM range(1, 5001) t(i)")  # fmt: skip
    # Lines in consecutive blocks: every order gets lines // orders of them, or one more.
    run(f"""
        INSERT INTO order_lines (id, order_id, product_id, quantity, amount, discount, batch_id)
        SELECT i + 1, 1 + (i * {orders} // {lines}), 1 + floor(random() * 5000)::BIGINT, 1,
               round(1 + random() * 100, 2)::DECIMAL(18, 4),
               round(random() * 5, 2)::DECIMAL(18, 4), 1
        FROM range({lines}) t(i)
    """)
    run(f"""
        INSERT INTO interactions (id, customer_id, occurred_at, type, channel)
        SELECT i + 1, 1 + floor(random() * {customers})::BIGINT,
               {_AS_OF_SQL} - to_days(floor(random() * 365)::INTEGER),
               ['page_view', 'email_open', 'email_click', 'call'][1 + floor(random() * 4)::INT],
               'web'
        FROM range({customers}) t(i)
    """)
    run("DROP TABLE gen_people")
    return {
        name: int(run(f"SELECT count(*) FROM {name}")[0][0])
        for name in ("customers", "orders", "order_lines", "interactions")
    }


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    warehouse = open_warehouse(Settings(), memory=True)
    con = warehouse.con
    start = time.perf_counter()
    counts = generate(warehouse, args.customers, args.lines)
    generated = time.perf_counter() - start
    facts = facts_from(con)
    features = customer_features(facts, AS_OF)
    plain = RFMConfig(relative_recency=False)

    def materialise(name: str, expr: Any) -> None:
        con.create_table(name, expr, overwrite=True)

    timings = {
        "features": best_of(args.repeat, lambda: materialise("features", features)),
        "a": best_of(args.repeat, lambda: materialise("rfm_a", rfm_scores(features))),
    }
    snapshot = con.table("features")
    timings["b"] = best_of(args.repeat, lambda: materialise("rfm_b", rfm_scores(snapshot)))
    timings["b_plain"] = best_of(
        args.repeat, lambda: materialise("rfm_b_plain", rfm_scores(snapshot, plain))
    )
    timings["lifecycle"] = best_of(
        args.repeat, lambda: materialise("stages", lifecycle_stages(snapshot))
    )
    timings["tiers"] = best_of(args.repeat, lambda: materialise("tiers", value_tiers(snapshot)))
    timings["c"] = best_of(args.repeat, lambda: warehouse.run(HAND_WRITTEN))

    # The same customers on both sides; scores agree where no tie straddles a quintile edge.
    agree = warehouse.run("""
        SELECT count(*), avg((p.r_score = s.r_score)::INT), avg((p.f_score = s.f_score)::INT),
               avg((p.m_score = s.m_score)::INT)
        FROM rfm_b_plain p JOIN rfm_sql s USING (customer_id)
    """)[0]
    buyers = int(warehouse.run("SELECT count(*) FROM rfm_sql")[0][0])

    c = timings["c"]
    rows = [
        ("(a) patron customer_features + rfm_scores (relative recency)", timings["a"]),
        ("(a') patron customer_features alone", timings["features"]),
        ("(b) patron rfm_scores from the feature snapshot (relative recency)", timings["b"]),
        ("(b) patron rfm_scores from the feature snapshot (plain recency)", timings["b_plain"]),
        ("(c) hand-written DuckDB SQL: aggregate orders + NTILE(5)", c),
        ("patron lifecycle_stages from the feature snapshot", timings["lifecycle"]),
        ("patron value_tiers (monetary) from the feature snapshot", timings["tiers"]),
    ]
    sizes = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items())
    print(f"\n{sizes} ({buyers:,} buyers); generated in {generated:.1f} s; "
          f"best of {args.repeat}\n")  # fmt: skip
    print("| step | seconds | vs (c) |\n|---|---:|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} | {seconds / c:.2f}x |")
    print(f"\nplain-recency scores equal to NTILE's for {agree[0]:,} buyers: "
          f"R {agree[1]:.1%}, F {agree[2]:.1%}, M {agree[3]:.1%} "
          "(ties: NTILE splits them, patron does not)")  # fmt: skip
    record("rfm", {**counts, "buyers": buyers, "repeat": args.repeat,
                   **{f"{k}_s": round(v, 3) for k, v in timings.items()},
                   "b_vs_c": round(timings["b"] / c, 3)})  # fmt: skip
    warehouse.close()


if __name__ == "__main__":
    main()
