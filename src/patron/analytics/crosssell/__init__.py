"""Cross-sell: which products are bought together, and whom to offer what next.

``product_affinity`` mines association rules (support, confidence, lift, conviction) between
pairs of products or categories from the warehouse's orders; ``next_best_products`` turns
them into each customer's ranked offers with a "because you bought X" reason, and
``best_customers_for_product`` into a target list for one product. All three return Ibis
expressions that run in the warehouse (DuckDB, PostgreSQL, Spark); the ``*_frame`` variants
return sorted pandas DataFrames.

>>> from patron.analytics.crosssell import next_best_products, product_affinity
>>> rules = product_affinity(orders, order_lines, min_support=0.001).cache()  # doctest: +SKIP
>>> offers = next_best_products(orders, order_lines, rules, top=3)  # doctest: +SKIP
"""

from patron.analytics.crosssell._baskets import NOT_PURCHASED
from patron.analytics.crosssell._errors import CrossSellInputError
from patron.analytics.crosssell.affinity import MAX_ITEMS, product_affinity
from patron.analytics.crosssell.frames import (
    best_customers_for_product_frame,
    next_best_products_frame,
    product_affinity_frame,
)
from patron.analytics.crosssell.recommend import best_customers_for_product, next_best_products

__all__ = [
    "MAX_ITEMS",
    "NOT_PURCHASED",
    "CrossSellInputError",
    "best_customers_for_product",
    "best_customers_for_product_frame",
    "next_best_products",
    "next_best_products_frame",
    "product_affinity",
    "product_affinity_frame",
]
