"""Turn a buyer's purchase times into order lines in the POS and web order files.

Also where the dirt goes in: a share of orders points at a customer id that does not exist
(to exercise quarantine), and a share of lines carries an unparseable date or a negative
quantity. Both rates come from `DemoConfig` and are counted in `DemoFiles.counts`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from patron.demo.generator.keys import RecordKeys
from patron.demo.generator.places import CITIES, STORE_CITY_CUM, STORES, STORES_BY_CITY, Store

if TYPE_CHECKING:
    from patron.demo.generator.config import DemoConfig
    from patron.demo.generator.orders import Buyer, Shop
    from patron.demo.generator.persons import Person

POS_ORDER_HEADER = [
    "order_id",
    "line_no",
    "会员编号",
    "ordered_at",
    "sku",
    "quantity",
    "unit_price",
    "amount",
    "store_id",
    "store",
]
WEB_ORDER_HEADER = [
    "order_id",
    "line_no",
    "customer_id",
    "ordered_at",
    "sku",
    "quantity",
    "unit_price",
    "amount",
    "channel",
]
_BAD_DATES = ("2025-02-30 25:61:00", "N/A", "昨天", "00/00/0000", "#VALUE!", "2025-13-01")
_STORE_HOUR_CUM = tuple(accumulate((3, 4, 5, 4, 4, 5, 6, 7, 9, 10, 8, 5)))  # 10:00–21:59
_WEB_HOUR_CUM = tuple(
    accumulate((3, 2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 5, 5, 5, 5, 5, 6, 7, 9, 10, 9, 6))
)
_WEB_CHANNELS = ("web", "app", "wechat_mini_program")


@dataclass(slots=True)
class Placed:
    """What the records and events need to know about a person's orders."""

    first_order: dict[str, datetime] = field(default_factory=dict)  # per customer key
    spend_last_year: dict[str, float] = field(default_factory=dict)  # per customer key
    web_sessions: list[tuple[datetime, list[str]]] = field(default_factory=list)


def _home_store(rng: random.Random, person: Person) -> Store:
    local = STORES_BY_CITY.get(person.address.city.name)
    if local:
        return rng.choice(local)
    # No store in their city: they shop when visiting a big city.
    city = rng.choices(CITIES, cum_weights=STORE_CITY_CUM)[0]
    return rng.choice(STORES_BY_CITY[city.name])


class OrderMaker:
    """Writes order lines for one person at a time and keeps order-number counters."""

    def __init__(
        self,
        config: DemoConfig,
        shop: Shop,
        keys: RecordKeys,
        start: datetime,
        pos_writer: Any,
        web_writer: Any,
    ) -> None:
        self.config, self.shop, self.keys, self.start = config, shop, keys, start
        self.pos_writer, self.web_writer = pos_writer, web_writer
        self.year_ago = start + timedelta(days=round(365.25 * config.years) - 365)
        self.receipts: dict[tuple[str, str], int] = {}  # (store, day) → last receipt number
        self.web_count = 0
        self.counts = {
            "pos_orders": 0,
            "web_orders": 0,
            "pos_order_count": 0,
            "web_order_count": 0,
            "bad_reference_orders": 0,
            "bad_value_lines": 0,
        }

    def place(self, person: Person, buyer: Buyer | None, ids: dict[str, list[str]]) -> Placed:
        """Write all orders of `buyer` (None: no orders) and summarise them."""
        placed = Placed()
        if buyer is None:
            return placed
        rng = person.rng
        pos_ids, web_ids = ids.get("pos_members", []), ids.get("web_customers", [])
        pos_share = 1.0 if not web_ids else (0.0 if not pos_ids else rng.uniform(0.3, 0.9))
        home = _home_store(rng, person) if pos_ids else None
        for t in buyer.times:
            day = self.start + timedelta(days=int(t))
            basket = self.shop.basket(rng, buyer, self.config.process)
            if home is not None and rng.random() < pos_share:
                store = home if rng.random() < 0.85 else rng.choice(STORES)
                hour = rng.choices(range(10, 22), cum_weights=_STORE_HOUR_CUM)[0]
                key = pos_ids[0] if len(pos_ids) == 1 or rng.random() < 0.6 else pos_ids[1]
                at = day + timedelta(hours=hour, seconds=rng.randrange(3600))
                self._pos(rng, key, at, store, basket, placed)
            else:
                hour = rng.choices(range(24), cum_weights=_WEB_HOUR_CUM)[0]
                key = web_ids[0] if len(web_ids) == 1 or rng.random() < 0.6 else web_ids[1]
                at = day + timedelta(hours=hour, seconds=rng.randrange(3600))
                self._web(rng, key, at, basket, placed)
                placed.web_sessions.append((at, [p.sku for p, _, _ in basket]))
        return placed

    def _reference(
        self, rng: random.Random, source: str, key: str, at: datetime, amount: float, placed: Placed
    ) -> str:
        if rng.random() < self.config.bad_reference_rate:
            self.counts["bad_reference_orders"] += 1
            return self.keys.nonexistent(source)
        if key not in placed.first_order:
            placed.first_order[key] = at
        if at >= self.year_ago:
            placed.spend_last_year[key] = placed.spend_last_year.get(key, 0.0) + amount
        return key

    def _lines(
        self,
        rng: random.Random,
        order_id: str,
        ref: str,
        at_text: str,
        basket: list[Any],
        extra: list[str],
        writer: Any,
        counter: str,
    ) -> None:
        for line_no, (product, quantity, price) in enumerate(basket, start=1):
            when, qty = at_text, quantity
            if rng.random() < self.config.bad_value_rate:
                self.counts["bad_value_lines"] += 1
                if rng.random() < 0.5:
                    when = rng.choice(_BAD_DATES)
                else:
                    qty = -quantity
            writer.writerow(
                [
                    order_id,
                    line_no,
                    ref,
                    when,
                    product.sku,
                    qty,
                    f"{price:.2f}",
                    f"{quantity * price:.2f}",
                    *extra,
                ]
            )
        self.counts[counter] += len(basket)

    def _pos(
        self,
        rng: random.Random,
        key: str,
        at: datetime,
        store: Store,
        basket: list[Any],
        placed: Placed,
    ) -> None:
        amount = sum(q * p for _, q, p in basket)
        ref = self._reference(rng, "pos_members", key, at, amount, placed)
        day = at.strftime("%Y%m%d")
        number = self.receipts.get((store.store_id, day), 0) + 1
        self.receipts[(store.store_id, day)] = number
        self.counts["pos_order_count"] += 1
        self._lines(
            rng,
            f"{store.store_id}{day}{number:05d}",
            ref,
            at.strftime("%Y-%m-%d %H:%M:%S"),
            basket,
            [store.store_id, store.name],
            self.pos_writer,
            "pos_orders",
        )

    def _web(
        self, rng: random.Random, key: str, at: datetime, basket: list[Any], placed: Placed
    ) -> None:
        amount = sum(q * p for _, q, p in basket)
        ref = self._reference(rng, "web_customers", key, at, amount, placed)
        self.web_count += 1
        self.counts["web_order_count"] += 1
        channel = rng.choices(_WEB_CHANNELS, cum_weights=(50, 85, 100))[0]
        self._lines(
            rng,
            f"WO{self.web_count:09d}",
            ref,
            at.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            basket,
            [channel],
            self.web_writer,
            "web_orders",
        )
