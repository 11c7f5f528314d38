"""Which items are bought together: support, confidence, lift and conviction of item pairs.

A basket is an order (``basket="order"``) or everything one customer bought in the window
(``basket="customer"``: "people who bought A also bought B", whatever the visit). For items
A and B among N baskets, with n(A) the baskets holding A and n(A,B) those holding both:

* support(A,B) = n(A,B) / N, how common the pair is;
* confidence(A→B) = n(A,B) / n(A), the chance a basket with A also holds B;
* lift(A→B) = confidence(A→B) / (n(B) / N), how much more likely B is given A than at large
  (1: independent; above 1: bought together);
* conviction(A→B) = (1 - n(B)/N) / (1 - confidence(A→B)), how often the rule would be wrong
  if A and B were independent, relative to how often it is; null where confidence is 1
  (the rule is never wrong: infinite conviction, which PostgreSQL cannot divide into).

Everything runs in the database as one Ibis expression. Pairs come from a self-join of the
distinct (basket, item) rows, which grows with the square of basket size: a basket of k
items makes k(k-1)/2 pairs. Baskets with more than ``max_items`` distinct items (default 50:
wholesale orders, staff test orders, a customer basket spanning years) are therefore left out
altogether (from N and the item counts as well, so the ratios stay consistent). Items rarer
than the support threshold are dropped before the join: a pair is never more frequent than
either of its items.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.datatypes as dt
from ibis import _

from patron.analytics.crosssell._baskets import (
    NOT_PURCHASED,
    BasketKind,
    Level,
    Moment,
    check_choice,
    purchases,
)
from patron.analytics.crosssell._errors import CrossSellInputError

#: Baskets with more distinct items than this are left out (see the module docstring).
MAX_ITEMS = 50


def product_affinity(
    orders: Any,
    order_lines: Any,
    *,
    products: Any = None,
    level: Level = "product",
    basket: BasketKind = "order",
    min_support: float = 0.001,
    min_count: int = 5,
    min_confidence: float = 0.0,
    max_items: int = MAX_ITEMS,
    as_of: Moment | None = None,
    since: Moment | None = None,
    not_purchased: Sequence[str] = NOT_PURCHASED,
) -> Any:
    """Association rules between item pairs, both directions, as an Ibis table expression.

    Columns: ``antecedent``, ``consequent`` (product ids, or categories at
    ``level="category"``), ``baskets`` (holding both), ``antecedent_baskets``,
    ``consequent_baskets``, ``n_baskets`` (all baskets counted), ``support``, ``confidence``,
    ``lift``, ``conviction``. A pair is kept when at least ``min_count`` baskets and a
    ``min_support`` share of all baskets hold it (both applied in the database); a direction
    is kept when its confidence reaches ``min_confidence``.

    ``as_of`` counts only orders placed before that moment, so rules used to score a past
    campaign are the rules known then; ``since`` opens the window. Orders whose status is in
    ``not_purchased`` are not baskets.

    >>> from patron.warehouse import open_warehouse
    >>> wh = open_warehouse()  # doctest: +SKIP
    >>> rules = product_affinity(wh.table("orders"), wh.table("order_lines"))  # doctest: +SKIP
    >>> rules.order_by(rules.lift.desc()).limit(10).to_pandas()  # doctest: +SKIP
    """
    check_choice("basket", basket, ("order", "customer"))
    if max_items < 2:
        raise CrossSellInputError(
            f"max_items={max_items} leaves no basket with a pair",
            field="max_items",
            hint="pass max_items=2 or more (default 50)",
        )
    if not 0.0 <= min_support <= 1.0 or not 0.0 <= min_confidence <= 1.0:
        raise CrossSellInputError(
            f"min_support={min_support}, min_confidence={min_confidence}: shares of baskets",
            field="min_support" if not 0.0 <= min_support <= 1.0 else "min_confidence",
            hint="pass numbers between 0 and 1",
        )
    bought = purchases(
        orders, order_lines, products=products, level=level, as_of=as_of, since=since,
        not_purchased=not_purchased,
    )  # fmt: skip
    key = "order_id" if basket == "order" else "customer_id"
    items = bought.select(basket=bought[key], item=bought.item).distinct()
    sizes = items.group_by("basket").agg(size=_.count())
    sizes = sizes.filter(sizes.size <= max_items)
    items = items.join(sizes, "basket")
    totals = sizes.aggregate(n_baskets=_.count())

    def frequent(table: Any, count: str) -> Any:
        # Support threshold in the database: N is a one-row table joined on, not a Python int.
        # Thresholds that cannot bite are left out: a planner estimates each filter's
        # selectivity, and a needless one only makes it think fewer rows come through.
        table = table.cross_join(totals)
        if min_count > 1:
            table = table.filter(table[count] >= min_count)
        if min_support > 0:
            share = table[count].cast(dt.float64) / table.n_baskets.cast(dt.float64)
            table = table.filter(share >= min_support)
        return table

    counts = frequent(items.group_by("item").agg(n=_.count()), "n").select("item", "n")
    left = items.filter(items.size >= 2).select("basket", "item").semi_join(counts, "item")
    right = left.rename(basket_b="basket", item_b="item")
    # Both directions straight from the join (item != item_b), not a union of two halves:
    # Ibis would inline the pair pipeline into each half and the database would run it twice.
    pairs = left.join(right, [left.basket == right.basket_b, left.item != right.item_b])
    pairs = pairs.group_by(antecedent=pairs.item, consequent=pairs.item_b).agg(baskets=_.count())
    pairs = frequent(pairs, "baskets")
    rules = pairs.join(counts.rename(antecedent="item", antecedent_baskets="n"), "antecedent")
    rules = rules.join(counts.rename(consequent="item", consequent_baskets="n"), "consequent")
    rules = rules.select(
        "antecedent", "consequent", "baskets", "antecedent_baskets", "consequent_baskets",
        "n_baskets",
    )  # fmt: skip
    rules = _measures(rules)
    return rules.filter(rules.confidence >= min_confidence) if min_confidence > 0 else rules


def _measures(rules: Any) -> Any:
    """Support, confidence, lift and conviction from the counts.

    Each is one division of exact integer products, so every backend rounds it the same way.
    """
    n = rules.n_baskets
    both = rules.baskets
    ante = rules.antecedent_baskets
    cons = rules.consequent_baskets

    def ratio(num: Any, den: Any) -> Any:
        return num.cast(dt.float64) / den.cast(dt.float64)

    return rules.mutate(
        support=ratio(both, n),
        confidence=ratio(both, ante),
        lift=ratio(both * n, ante * cons),
        conviction=ibis.ifelse(
            ante > both, ratio((n - cons) * ante, n * (ante - both)), ibis.null(dt.float64)
        ),
    )
