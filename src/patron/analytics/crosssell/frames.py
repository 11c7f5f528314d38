"""The same results as pandas DataFrames, sorted for reading, for notebooks and reports.

The expression functions stay the way to compose (filter, join to customers, write back to
the warehouse); these run them and sort, because a database returns rows in no set order.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from patron.analytics.crosssell.affinity import product_affinity
from patron.analytics.crosssell.recommend import best_customers_for_product, next_best_products


def product_affinity_frame(orders: Any, order_lines: Any, **options: Any) -> pd.DataFrame:
    """``product_affinity(orders, order_lines, **options)`` run, strongest lift first.

    >>> product_affinity_frame(orders, lines, level="category", products=products)  # doctest: +SKIP
    """
    frame = product_affinity(orders, order_lines, **options).to_pandas()
    frame = frame.sort_values(
        ["lift", "baskets", "antecedent", "consequent"], ascending=[False, False, True, True]
    )
    return frame.reset_index(drop=True)


def next_best_products_frame(
    orders: Any, order_lines: Any, affinity: Any, **options: Any
) -> pd.DataFrame:
    """``next_best_products(...)`` run, by customer then rank."""
    frame = next_best_products(orders, order_lines, affinity, **options).to_pandas()
    return frame.sort_values(["customer_id", "rank"]).reset_index(drop=True)


def best_customers_for_product_frame(
    orders: Any, order_lines: Any, affinity: Any, product: int | str, **options: Any
) -> pd.DataFrame:
    """``best_customers_for_product(...)`` run, by rank."""
    frame = best_customers_for_product(orders, order_lines, affinity, product, **options)
    return frame.to_pandas().sort_values("rank").reset_index(drop=True)
