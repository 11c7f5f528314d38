"""Purchases: a buy-till-you-die (BG/NBD) process per buyer, Gamma-Gamma-like spend, baskets.

Per buyer (Fader, Hardie & Lee 2005):
* first purchase at a time T0 uniform over the window (the acquisition);
* while alive, repeat purchases arrive as a Poisson process with rate λ ~ Gamma(r, α);
* after each repeat purchase the buyer drops out for good with probability p ~ Beta(a, b).
So P(no repeat purchase within t of T0) = (α / (α + t))^r, which the tests check.
Spend: each buyer has a mean order value ν ~ Gamma; each order's target value is Gamma around
ν, and the basket (1–4 lines, categories linked by affinity) is filled to roughly that value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import accumulate

from patron.demo.generator.catalogue import CATEGORIES, CATEGORY_BY_CODE, CATEGORY_CUM, Product


@dataclass(frozen=True, slots=True)
class ProcessParams:
    """Parameters of the purchase process; time unit is the day."""

    r: float = 0.4  # shape of the purchase-rate distribution (0.25–0.5 in published fits)
    alpha: float = 20.0  # rate parameter of λ, in days: mean λ = r/α = one order per 50 days
    a: float = 0.8  # dropout probability p ~ Beta(a, b); mean a/(a+b) ≈ 0.24
    b: float = 2.5
    spend_shape: float = 2.0  # heterogeneity of mean order value between buyers
    spend_mean: float = 280.0  # mean order value (CNY)
    order_shape: float = 6.0  # spread of single orders around a buyer's mean


@dataclass(slots=True)
class Buyer:
    """The true purchase behaviour of one buyer (written to customer_truth.csv)."""

    first: float  # T0, days after the window start
    rate: float  # λ, purchases per day
    dropout: float  # p
    mean_spend: float  # ν, CNY per order
    times: list[float] = field(default_factory=list)  # all purchase times incl. T0
    alive: bool = True  # still active at the end of the window
    categories: tuple[str, ...] = ()  # favourite category codes


def simulate_buyer(rng: random.Random, params: ProcessParams, window_days: float) -> Buyer:
    """Draw one buyer's parameters and purchase times within [0, window_days)."""
    first = rng.random() * window_days
    # λ is capped at one order a day: the Gamma's far tail would otherwise yield a few
    # "customers" with thousands of orders, which real data would call resellers or fraud.
    rate = min(1.0, rng.gammavariate(params.r, 1.0 / params.alpha))
    dropout = rng.betavariate(params.a, params.b)
    mean_spend = rng.gammavariate(params.spend_shape, params.spend_mean / params.spend_shape)
    buyer = Buyer(first, rate, dropout, max(mean_spend, 15.0), [first])
    t = first
    while True:
        t += rng.expovariate(rate) if rate > 0 else window_days
        if t >= window_days:
            break
        buyer.times.append(t)
        if rng.random() < dropout:  # dropout happens only after a repeat purchase
            buyer.alive = False
            break
    fav = rng.choices(CATEGORIES, cum_weights=CATEGORY_CUM, k=2)
    buyer.categories = tuple(c.code for c in fav)
    return buyer


class Shop:
    """The catalogue indexed for fast basket drawing."""

    def __init__(self, products: list[Product]) -> None:
        self.products = products
        self.by_category: dict[str, list[Product]] = {}
        for product in products:
            code = product.sku.split("-", 1)[0]
            self.by_category.setdefault(code, []).append(product)
        # Zipf-like popularity inside a category: a few best-sellers, a long tail.
        self.cum: dict[str, list[float]] = {
            code: list(accumulate(1.0 / (rank + 1) for rank in range(len(items))))
            for code, items in self.by_category.items()
        }
        self.codes = [c.code for c in CATEGORIES if c.code in self.by_category]
        self.code_cum = list(accumulate(CATEGORY_BY_CODE[c].weight for c in self.codes))

    def _category(
        self, rng: random.Random, previous: str | None, favourites: tuple[str, ...]
    ) -> str:
        draw = rng.random()
        if previous is not None and draw < 0.4:
            return previous
        if previous is not None and draw < 0.75:
            linked = [c for c in CATEGORY_BY_CODE[previous].affinity if c in self.by_category]
            if linked:
                return rng.choice(linked)
        if draw < 0.85 and favourites:
            return rng.choice(favourites)
        return rng.choices(self.codes, cum_weights=self.code_cum)[0]

    def basket(
        self, rng: random.Random, buyer: Buyer, params: ProcessParams
    ) -> list[tuple[Product, int, float]]:
        """1–4 lines (product, quantity, unit price) adding up to about one order's value."""
        lines = rng.choices((1, 2, 3, 4), cum_weights=(45, 75, 90, 100))[0]
        target = rng.gammavariate(params.order_shape, buyer.mean_spend / params.order_shape)
        per_line = target / lines
        chosen: list[tuple[Product, int, float]] = []
        previous: str | None = None
        for _ in range(lines):
            code = self._category(rng, previous, buyer.categories)
            items = self.by_category[code]
            product = rng.choices(items, cum_weights=self.cum[code])[0]
            quantity = max(1, min(6, round(per_line / product.price * rng.uniform(0.6, 1.4))))
            price = product.price
            if rng.random() < 0.15:  # promotions: unit price below list price
                price = round(price * rng.choice((0.9, 0.85, 0.8, 0.7)), 2)
            chosen.append((product, quantity, price))
            previous = code
        return chosen
