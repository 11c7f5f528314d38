"""What was bought: one row per purchased item, from the warehouse's orders and order lines.

Affinity, next-best products and best customers all start here, so all three agree on what
counts as a purchase: an order not cancelled, refunded or returned (by ``status``, compared
in lower case; a missing status counts as a purchase), a line with a positive quantity (return
lines carry negative quantities) and a known product. At ``level="category"`` the item is the
product's category from the ``products`` table; lines whose product has no category drop out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

import ibis
import pandas as pd

from patron.analytics.crosssell._errors import CrossSellInputError

Level = Literal["product", "category"]
BasketKind = Literal["order", "customer"]
#: A point in time: a datetime, a date (its start, UTC) or ISO text ("2025-01-01 08:00+08:00").
Moment = date | datetime | str

#: Order statuses that are not purchases (lower case). A status outside this list, or none,
#: counts as a purchase.
NOT_PURCHASED = ("cancelled", "canceled", "refunded", "returned", "void", "failed")

_REQUIRED = {
    "orders": ("id", "customer_id", "ordered_at"),
    "order_lines": ("order_id", "product_id"),
    "products": ("id", "category"),
}


def check_columns(name: str, table: Any) -> None:
    """Refuse a table missing a column the warehouse layout promises, naming it."""
    missing = [c for c in _REQUIRED[name] if c not in table.columns]
    if missing:
        raise CrossSellInputError(
            f"{name} has no column {', '.join(repr(c) for c in missing)}",
            field=missing[0],
            hint=f"pass the warehouse's {name} table (columns: {', '.join(_REQUIRED[name])})",
        )


def check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise CrossSellInputError(
            f"{name}={value!r} is not one of {', '.join(repr(a) for a in allowed)}",
            field=name,
            hint=f"pass {name}=" + f" or {name}=".join(repr(a) for a in allowed),
        )


def moment(value: Moment, column: Any) -> Any:
    """``value`` as a literal comparable with the timestamp ``column``.

    Naive moments are read as UTC (the warehouse's clock), a date as the start of its day;
    aware ones are converted to UTC and made naive when the column is, so a moment in
    Shanghai time still cuts at the right instant.
    """
    ts = pd.Timestamp(value)
    dtype = column.type()
    if getattr(dtype, "timezone", None) is None:
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
    elif ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ibis.literal(ts.to_pydatetime(), type=dtype)


def purchases(
    orders: Any,
    order_lines: Any,
    *,
    products: Any = None,
    level: Level = "product",
    as_of: Moment | None = None,
    since: Moment | None = None,
    not_purchased: Sequence[str] = NOT_PURCHASED,
) -> Any:
    """Purchased items: columns ``order_id``, ``customer_id``, ``item`` (one row per line).

    ``item`` is the product id at ``level="product"`` and the category at ``"category"``.
    ``as_of`` keeps orders placed strictly before that moment (what was known then);
    ``since`` keeps orders placed at or after it.
    """
    check_choice("level", level, ("product", "category"))
    check_columns("orders", orders)
    check_columns("order_lines", order_lines)
    kept = orders
    if as_of is not None:
        kept = kept.filter(kept.ordered_at < moment(as_of, kept.ordered_at))
    if since is not None:
        kept = kept.filter(kept.ordered_at >= moment(since, kept.ordered_at))
    if "status" in kept.columns and not_purchased:
        status = kept.status.strip().lower()
        kept = kept.filter(status.isnull() | ~status.isin([s.lower() for s in not_purchased]))
    kept = kept.select(order_id=kept.id, customer_id=kept.customer_id)

    lines = order_lines.filter(order_lines.product_id.notnull())
    if "quantity" in lines.columns:
        lines = lines.filter(lines.quantity.isnull() | (lines.quantity > 0))
    lines = lines.select(order_id=lines.order_id, product_id=lines.product_id)
    if level == "category":
        if products is None:
            raise CrossSellInputError(
                "level='category' needs the products table",
                field="products",
                hint="pass products=<the warehouse's products table>",
            )
        check_columns("products", products)
        categories = products.select(product_id=products.id, item=products.category)
        categories = categories.filter(categories.item.notnull() & (categories.item.strip() != ""))
        lines = lines.join(categories, "product_id").select("order_id", "item")
    else:
        lines = lines.select(order_id=lines.order_id, item=lines.product_id)
    return lines.join(kept, "order_id").select("order_id", "customer_id", "item")


def owned_items(bought: Any) -> Any:
    """Distinct (customer_id, item): what each customer has bought at least once."""
    return bought.select("customer_id", "item").distinct()
