"""Who should be offered what: rules from ``product_affinity`` applied to what people own.

A customer's candidates are the consequents of rules whose antecedent they have bought. Each
(customer, item) is scored from the confidences of those rules:

* ``scoring="max"``: the best single rule, so the score reads as "of the people who bought X,
  this share also bought Y" and stays explainable;
* ``scoring="noisy_or"``: 1 - Π(1 - confidence), treating each owned antecedent as an
  independent reason to buy; customers owning several antecedents of an item rank higher.

Either way the strongest rule (highest confidence, then lift, then the lower antecedent) is
kept as the explanation: ``because`` (the antecedent the customer bought), its ``confidence``
and ``lift``. Equal scores are ranked by that confidence, then by item or customer id, so the
same data always gives the same ranking on every backend.

Scores are a hash aggregation over every (customer, owned item, rule) hit, and only the
offers kept are ranked and explained: window functions over all the hits cost several times
more (DuckDB sorts each partition).

Ownership counts every purchase before ``as_of`` (not only the rules' window): a customer who
bought an item three years ago still owns it.

Materialise the rules before scoring (``rules = product_affinity(...).cache()``, or a
warehouse table): they are small and read for every customer, and a planner that sees them as
a table, with its true size, plans the scoring far better than one handed the whole mining
query inline (PostgreSQL, 16,000 orders: about a second instead of ten).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import ibis
import ibis.expr.datatypes as dt

from patron.analytics.crosssell._baskets import (
    NOT_PURCHASED,
    Level,
    Moment,
    check_choice,
    owned_items,
    purchases,
)
from patron.analytics.crosssell._errors import CrossSellInputError

Scoring = Literal["max", "noisy_or"]

# ln(1 - confidence) is -inf at confidence 1; clipping keeps the noisy-or finite (score 1 to
# twelve decimals) on backends that raise on ln(0), such as PostgreSQL.
_FLOOR = 1e-12


def next_best_products(
    orders: Any,
    order_lines: Any,
    affinity: Any,
    *,
    products: Any = None,
    level: Level = "product",
    top: int = 5,
    exclude_owned: bool = True,
    scoring: Scoring = "max",
    as_of: Moment | None = None,
    not_purchased: Sequence[str] = NOT_PURCHASED,
) -> Any:
    """Each customer's ``top`` items to offer next, as an Ibis table expression.

    Columns: ``customer_id``, ``rank`` (1 = best), ``item``, ``score``, ``because``,
    ``confidence``, ``lift``. ``affinity`` is the output of ``product_affinity`` at the same
    ``level``. With ``exclude_owned`` (default) nothing the customer has bought is offered.
    Customers who own no antecedent of any rule get no rows.

    >>> rules = product_affinity(orders, lines, as_of="2025-01-01").cache()  # doctest: +SKIP
    >>> offers = next_best_products(orders, lines, rules, as_of="2025-01-01")  # doctest: +SKIP
    >>> offers.filter(offers.customer_id == 42).to_pandas()  # doctest: +SKIP
    """
    _check_top(top)
    owned = _owned(orders, order_lines, affinity, products, level, as_of, not_purchased)
    scored = _scores(owned, affinity, exclude_owned=exclude_owned, scoring=scoring)
    rank = ibis.row_number().over(
        group_by=scored.customer_id,
        order_by=[ibis.desc(scored.score), ibis.desc(scored.confidence), scored.item],
    )
    ranked = scored.mutate(rank=rank + 1)
    return _explain(ranked.filter(ranked.rank <= top), owned, affinity)


def best_customers_for_product(
    orders: Any,
    order_lines: Any,
    affinity: Any,
    product: int | str,
    *,
    products: Any = None,
    level: Level = "product",
    top: int = 100,
    exclude_owned: bool = True,
    scoring: Scoring = "max",
    as_of: Moment | None = None,
    not_purchased: Sequence[str] = NOT_PURCHASED,
) -> Any:
    """The ``top`` customers most likely to buy ``product``, as an Ibis table expression.

    The same scores as ``next_best_products``, read the other way: a campaign for one item
    asks whom to target. ``product`` is a product id, or a category at ``level="category"``.
    Columns: ``customer_id``, ``rank``, ``item``, ``score``, ``because``, ``confidence``,
    ``lift``; customers who already own it are left out unless ``exclude_owned=False``.

    >>> targets = best_customers_for_product(orders, order_lines, rules, 1017)  # doctest: +SKIP
    """
    _check_top(top)
    owned = _owned(orders, order_lines, affinity, products, level, as_of, not_purchased)
    rules = affinity.filter(affinity.consequent == product)
    scored = _scores(owned, rules, exclude_owned=exclude_owned, scoring=scoring)
    rank = ibis.row_number().over(
        order_by=[ibis.desc(scored.score), ibis.desc(scored.confidence), scored.customer_id]
    )
    ranked = scored.mutate(rank=rank + 1)
    return _explain(ranked.filter(ranked.rank <= top), owned, rules)


def _check_top(top: int) -> None:
    if top < 1:
        raise CrossSellInputError(
            f"top={top} asks for no rows", field="top", hint="pass top=1 or more"
        )


def _owned(
    orders: Any,
    order_lines: Any,
    affinity: Any,
    products: Any,
    level: Level,
    as_of: Moment | None,
    not_purchased: Sequence[str],
) -> Any:
    _check_level(affinity, level)
    bought = purchases(
        orders, order_lines, products=products, level=level, as_of=as_of,
        not_purchased=not_purchased,
    )  # fmt: skip
    return owned_items(bought)


def _scores(owned: Any, rules: Any, *, exclude_owned: bool, scoring: Scoring) -> Any:
    """One row per (customer, candidate item): ``score`` and the best rule's ``confidence``."""
    check_choice("scoring", scoring, ("max", "noisy_or"))
    hits = owned.join(rules, owned.item == rules.antecedent)
    hits = hits.select(
        customer_id=hits.customer_id,
        item=hits.consequent,
        confidence=hits.confidence.cast(dt.float64),
        owned=ibis.literal(0, dt.int8),
    )
    if exclude_owned:
        # Owned pairs join the hits as marker rows and the grouping drops the groups they
        # mark, instead of an anti-join: PostgreSQL, misjudging the size of these grouped
        # subqueries, ran that anti-join as a nested loop (minutes on 16,000 orders).
        hits = hits.union(
            owned.select(
                customer_id=owned.customer_id,
                item=owned.item,
                confidence=ibis.null(dt.float64),
                owned=ibis.literal(1, dt.int8),
            )
        )
    sums = {"confidence": hits.confidence.max(), "owned": hits.owned.max()}
    if scoring == "noisy_or":
        # ln(1 - confidence) summed: the log of the chance no rule fires (nulls are skipped).
        sums["miss"] = (1.0 - hits.confidence).clip(lower=_FLOOR).ln().sum()
    scored = hits.group_by("customer_id", "item").aggregate(**sums)
    scored = scored.filter(scored.owned == 0, scored.confidence.notnull())
    score = scored.confidence if scoring == "max" else 1.0 - scored.miss.exp()
    return scored.select("customer_id", "item", "confidence", score=score)


def _explain(ranked: Any, owned: Any, rules: Any) -> Any:
    """The strongest rule behind each kept offer: an antecedent the customer owns whose rule
    to the item has the offer's best confidence; among equals the higher lift, then the
    lower antecedent."""
    reasons = ranked.join(
        rules, [ranked.item == rules.consequent, ranked.confidence == rules.confidence]
    )
    reasons = reasons.select(
        "customer_id", "rank", "item", "score", "confidence",
        because=reasons.antecedent, lift=reasons.lift.cast(dt.float64),
    )  # fmt: skip
    reasons = reasons.semi_join(
        owned, [reasons.customer_id == owned.customer_id, reasons.because == owned.item]
    )
    strongest = ibis.row_number().over(
        group_by=[reasons.customer_id, reasons.item],
        order_by=[ibis.desc(reasons.lift), reasons.because],
    )
    reasons = reasons.mutate(strongest=strongest)
    reasons = reasons.filter(reasons.strongest == 0)
    return reasons.select("customer_id", "rank", "item", "score", "because", "confidence", "lift")


def _check_level(affinity: Any, level: Level) -> None:
    """Catch category rules applied to product ids (and back): they would silently match nothing."""
    check_choice("level", level, ("product", "category"))
    if "antecedent" not in affinity.columns or "confidence" not in affinity.columns:
        raise CrossSellInputError(
            "affinity has no antecedent/confidence columns",
            field="affinity",
            hint="pass the table product_affinity() returns",
        )
    rules_are_categories = affinity.antecedent.type().is_string()
    if rules_are_categories != (level == "category"):
        made = "category" if rules_are_categories else "product"
        raise CrossSellInputError(
            f"the rules are at level {made!r} but level={level!r}",
            field="level",
            hint=f"pass level={made!r} (and products= for categories), as to product_affinity",
        )
