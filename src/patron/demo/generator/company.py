"""`generate_company`: stream people → records, orders, events and ground truth into files.

One pass over the people; each person is turned into all of their rows at once and then
forgotten, so memory stays flat however many people are asked for. Orders are therefore
grouped by person, not sorted by time (importers must not rely on file order).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from patron.demo.generator.catalogue import build_catalogue
from patron.demo.generator.config import DemoConfig, DemoFiles
from patron.demo.generator.events import person_events
from patron.demo.generator.keys import RecordKeys
from patron.demo.generator.orders import Buyer, Shop, simulate_buyer
from patron.demo.generator.persons import Person, iter_people
from patron.demo.generator.records import (
    POS_MEMBER_HEADER,
    WEB_CUSTOMER_HEADER,
    pos_member_row,
    service_contact,
    web_customer_row,
)
from patron.demo.generator.sales import POS_ORDER_HEADER, WEB_ORDER_HEADER, OrderMaker, Placed

Progress = Callable[[str, int, int], None]


def _tier(spend_last_year: float) -> str:
    if spend_last_year >= 8000:
        return "钻石"
    if spend_last_year >= 3000:
        return "金卡"
    if spend_last_year >= 1000:
        return "银卡"
    return "普通"


_DEFAULT_CONFIG = DemoConfig()


def generate_company(
    folder: Path, config: DemoConfig = _DEFAULT_CONFIG, progress: Progress | None = None
) -> DemoFiles:
    """Write the synthetic company's files into `folder` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = DemoFiles.in_folder(folder)
    products = build_catalogue(config.seed, config.products)
    with files.products.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["sku", "name", "category", "brand", "price"])
        writer.writerows([p.sku, p.name, p.category, p.brand, f"{p.price:.2f}"] for p in products)
    counts = {"products": len(products)}
    with ExitStack() as stack:

        def csv_out(
            path: Path, header: list[str], encoding: str = "utf-8", crlf: bool = False
        ) -> Any:
            handle = stack.enter_context(path.open("w", encoding=encoding, newline=""))
            writer = csv.writer(handle, lineterminator="\r\n" if crlf else "\n")
            writer.writerow(header)
            return writer

        def text_out(path: Path) -> Any:
            return stack.enter_context(path.open("w", encoding="utf-8", newline="\n"))

        # POS exports come from Windows tools: legacy Chinese encoding and CRLF line ends.
        run = _Run(
            config=config,
            shop=Shop(products),
            keys=RecordKeys(config.seed),
            pos=csv_out(files.pos_members, POS_MEMBER_HEADER, config.pos_encoding, crlf=True),
            web=csv_out(files.web_customers, WEB_CUSTOMER_HEADER),
            service=text_out(files.service_contacts),
            pos_orders=csv_out(files.pos_orders, POS_ORDER_HEADER, config.pos_encoding, crlf=True),
            web_orders=csv_out(files.web_orders, WEB_ORDER_HEADER),
            events=text_out(files.events) if config.events else None,
            truth=csv_out(files.ground_truth, ["source", "source_record_key", "person_id"]),
            households=csv_out(files.households, ["person_id", "household_id"]),
            customers=csv_out(files.customer_truth, CUSTOMER_TRUTH_HEADER),
        )
        step = max(1, config.people // 100)
        for person in iter_people(config.people, config.seed, config.end_date, config.hard):
            run.person(person)
            if progress is not None and (person.index + 1) % step == 0:
                progress("people", person.index + 1, config.people)
        counts.update(run.counts)
        counts.update(run.orders.counts)
    if not config.events:
        files.events.write_text("", encoding="utf-8")
    files.counts = counts
    if progress is not None:
        progress("done", config.people, config.people)
    return files


CUSTOMER_TRUTH_HEADER = [
    "person_id",
    "first_purchase_at",
    "purchase_rate_per_day",
    "dropout_probability",
    "alive_at_end",
    "purchases",
    "mean_order_value",
]


class _Run:
    """Per-run state: output writers, key counters, row counts."""

    def __init__(
        self,
        *,
        config: DemoConfig,
        shop: Shop,
        keys: RecordKeys,
        pos: Any,
        web: Any,
        service: Any,
        pos_orders: Any,
        web_orders: Any,
        events: Any,
        truth: Any,
        households: Any,
        customers: Any,
    ) -> None:
        self.config, self.shop, self.keys = config, shop, keys
        self.pos, self.web, self.service = pos, web, service
        self.events, self.truth, self.households, self.customers = (
            events,
            truth,
            households,
            customers,
        )
        end = datetime.combine(config.end_date + timedelta(days=1), time())
        self.window_days = round(365.25 * config.years)
        self.start = end - timedelta(days=self.window_days)
        self.orders = OrderMaker(config, shop, keys, self.start, pos_orders, web_orders)
        self.skus = [p.sku for p in shop.products]
        self.counts: dict[str, int] = dict.fromkeys(
            (
                "pos_members",
                "web_customers",
                "service_contacts",
                "ground_truth",
                "households",
                "customer_truth",
                "events",
                "people",
                "buyers",
            ),
            0,
        )

    def person(self, person: Person) -> None:
        rng, counts = person.rng, self.counts
        counts["people"] += 1
        ids: dict[str, list[str]] = {}
        for source in person.sources:
            ids[source] = [self.keys.new(source)]
            if source in person.twice:
                ids[source].append(self.keys.new(source))
        buyer = None
        if ("pos_members" in ids or "web_customers" in ids) and (
            rng.random() < self.config.buyer_share
        ):
            buyer = simulate_buyer(rng, self.config.process, self.window_days)
        placed = self.orders.place(person, buyer, ids)
        for source, keys in ids.items():
            for number, key in enumerate(keys):
                self._record(person, source, key, number > 0, placed)
                self.truth.writerow([source, key, person.person_id])
                counts["ground_truth"] += 1
        self.households.writerow([person.person_id, person.household_id])
        counts["households"] += 1
        if buyer is not None:
            counts["buyers"] += 1
            first = self.start + timedelta(days=buyer.first)
            self.customers.writerow(
                [
                    person.person_id,
                    first.strftime("%Y-%m-%d %H:%M:%S"),
                    f"{buyer.rate:.6f}",
                    f"{buyer.dropout:.4f}",
                    "yes" if buyer.alive else "no",
                    len(buyer.times),
                    f"{buyer.mean_spend:.2f}",
                ]
            )
            counts["customer_truth"] += 1
        if self.events is not None:
            self._events(person, ids, buyer, placed)

    def _record(self, person: Person, source: str, key: str, second: bool, placed: Placed) -> None:
        rng, hard = person.rng, self.config.hard
        first_order = placed.first_order.get(key)
        # Sign-up happens at the till or checkout, minutes before the first order.
        registered = (
            (first_order - timedelta(seconds=rng.randint(60, 1800)))
            if first_order
            else (
                self.start
                + timedelta(
                    days=rng.uniform(-3 * 365, self.window_days - 1), seconds=rng.randrange(86_400)
                )
            )
        )
        if source == "pos_members":
            tier = _tier(placed.spend_last_year.get(key, 0.0))
            self.pos.writerow(pos_member_row(person, key, tier, registered.date(), second, hard))
        elif source == "web_customers":
            self.web.writerow(web_customer_row(person, key, registered, second, hard))
        else:
            self.service.write(
                json.dumps(service_contact(person, key, second, hard), ensure_ascii=False) + "\n"
            )
        self.counts[source] += 1

    def _events(
        self, person: Person, ids: dict[str, list[str]], buyer: Buyer | None, placed: Placed
    ) -> None:
        web_ref = ids.get("web_customers", [""])[0]
        pos_ref = ids.get("pos_members", [""])[0]
        main_ref = web_ref or pos_ref
        if not main_ref:
            return
        signed = placed.first_order.get(main_ref)
        signed_up = (
            (signed - self.start).total_seconds() / 86_400
            if signed
            else person.rng.uniform(0, self.window_days)
        )
        active_until = float(self.window_days)
        if buyer is not None and not buyer.alive:
            active_until = buyer.times[-1] + 30  # interest fades within a month of churning
        events = person_events(
            person.rng,
            start=self.start,
            window_days=self.window_days,
            web_ref=web_ref,
            pos_ref=pos_ref,
            service_ref=ids.get("service_contacts", [""])[0],
            web_orders=placed.web_sessions,
            active_until=active_until,
            signed_up=signed_up,
            categories=buyer.categories if buyer else (),
            catalogue_skus=self.skus,
            newsletter=person.rng.random() < 0.5,
        )
        assert self.events is not None
        for event in events:
            if self.config.event_types is not None and event.type not in self.config.event_types:
                continue
            self.counts["events"] += 1
            ref = event.customer_ref
            if person.rng.random() < self.config.bad_reference_rate:
                ref = self.keys.nonexistent(event.source)
            self.events.write(
                json.dumps(
                    {
                        "event_id": f"E{self.counts['events']:010d}",
                        "source": event.source,
                        "customer_ref": ref,
                        "occurred_at": event.at.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                        "type": event.type,
                        "channel": event.channel,
                        "touchpoint": event.touchpoint,
                        "payload": event.payload,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
