"""Interactions: web sessions (page views), newsletter opens and clicks, service tickets, calls.

Events follow the person's purchase life: sessions lead up to web orders, browsing continues
while the buyer is alive and fades after dropout, newsletters arrive monthly after sign-up.
That gives the churn model real signal (activity before churn) instead of noise.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

EVENT_FIELDS = [
    "event_id",
    "source",
    "customer_ref",
    "occurred_at",
    "type",
    "channel",
    "touchpoint",
    "payload",
]
_TOPICS = ("退换货", "物流查询", "发票", "会员积分", "商品咨询", "投诉")


@dataclass(frozen=True, slots=True)
class Event:
    """One line of events.jsonl before the event id is assigned."""

    source: str
    customer_ref: str
    at: datetime
    type: str
    channel: str
    touchpoint: str
    payload: dict[str, Any]


def _poisson_times(
    rng: random.Random, per_day: float, start: float, stop: float
) -> Iterator[float]:
    t = start
    while per_day > 0:
        t += rng.expovariate(per_day)
        if t >= stop:
            return
        yield t


def _session(
    rng: random.Random,
    source: str,
    ref: str,
    at: datetime,
    skus: list[str],
    category_codes: tuple[str, ...],
    purchase: bool,
) -> Iterator[Event]:
    channel = "app" if rng.random() < 0.4 else "web"
    session = f"s{rng.getrandbits(40):010x}"
    pages = ["/"] + [f"/c/{rng.choice(category_codes)}" for _ in range(rng.randint(0, 2))]
    pages += [f"/p/{sku}" for sku in skus]
    if purchase:
        pages += ["/cart", "/checkout"]
    for step, page in enumerate(pages):
        at += timedelta(seconds=rng.randint(5, 240))
        yield Event(
            source, ref, at, "page_view", channel, page, {"session_id": session, "step": step + 1}
        )


def person_events(
    rng: random.Random,
    *,
    start: datetime,
    window_days: float,
    web_ref: str,
    pos_ref: str,
    service_ref: str,
    web_orders: list[tuple[datetime, list[str]]],
    active_until: float,
    signed_up: float,
    categories: tuple[str, ...],
    catalogue_skus: list[str],
    newsletter: bool,
) -> Iterator[Event]:
    """All events of one person. Times are days after `start`; refs are "" when absent."""
    codes = categories or ("APP",)
    signed_up = max(signed_up, 0.0)  # accounts older than the window: events start with it
    if web_ref:
        for ordered_at, skus in web_orders:
            at = ordered_at - timedelta(minutes=rng.randint(3, 40))
            yield from _session(rng, "web_customers", web_ref, at, skus, codes, True)
        # Browsing without buying: ~4 sessions a year while active, rare after dropout.
        for t in _poisson_times(rng, 4 / 365, signed_up, min(active_until, window_days)):
            skus = rng.sample(catalogue_skus, rng.randint(1, 3))
            yield from _session(
                rng, "web_customers", web_ref, start + timedelta(days=t), skus, codes, False
            )
    ref_source, ref = ("web_customers", web_ref) if web_ref else ("pos_members", pos_ref)
    if newsletter and ref:
        open_rate = rng.betavariate(1.2, 5.0)
        first_month = int(signed_up // 30.4) + 1
        for month in range(first_month, int(window_days // 30.4)):
            if rng.random() >= open_rate * (1.0 if month * 30.4 < active_until else 0.3):
                continue
            sent = start + timedelta(days=month * 30.4, hours=10)
            campaign = f"NL-{sent:%Y-%m}"
            opened = sent + timedelta(minutes=rng.randint(5, 4000))
            yield Event(
                ref_source, ref, opened, "email_open", "email", campaign, {"campaign_id": campaign}
            )
            if rng.random() < 0.25:
                yield Event(
                    ref_source,
                    ref,
                    opened + timedelta(seconds=rng.randint(5, 300)),
                    "email_click",
                    "email",
                    campaign,
                    {"campaign_id": campaign, "link": f"/c/{rng.choice(codes)}"},
                )
    if service_ref and ref:
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            at = start + timedelta(
                days=rng.uniform(signed_up, window_days), hours=rng.uniform(0, 8)
            )
            call = rng.random() < 0.4
            yield Event(
                ref_source,
                ref,
                at,
                "call" if call else "service_ticket",
                "phone" if call else "service_desk",
                rng.choice(_TOPICS),
                {
                    "ticket_contact_id": service_ref,
                    "resolved": rng.random() < 0.85,
                    "duration_s": rng.randint(60, 1500) if call else None,
                },
            )
