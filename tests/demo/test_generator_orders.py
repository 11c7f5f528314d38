"""Orders follow a BG/NBD process; dirty references and values come at their set rates."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from statistics import mean

import pytest

from patron.demo.generator import DemoConfig, DemoFiles, generate_company

CONFIG = DemoConfig(people=5000, seed=5, events=False, bad_reference_rate=0.02, bad_value_rate=0.01)
END = datetime(2026, 7, 1)


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_company(tmp_path_factory.mktemp("orders"), CONFIG)


def _csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _parse(text: str) -> datetime | None:
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S+08:00"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            pass
    return None


def _order_lines(company: DemoFiles) -> list[dict[str, str]]:
    lines = _csv(company.pos_orders, "gb18030")
    for line in lines:
        line["customer"] = line.pop("会员编号")
    web = _csv(company.web_orders)
    for line in web:
        line["customer"] = line.pop("customer_id")
    return lines + web


def test_bad_references_and_values_near_their_rates(company: DemoFiles) -> None:
    known = {row["source_record_key"] for row in _csv(company.ground_truth)}
    lines = _order_lines(company)
    orders = {line["order_id"]: line["customer"] for line in lines}
    bad_orders = sum(1 for customer in orders.values() if customer not in known)
    assert bad_orders == company.counts["bad_reference_orders"]
    assert (
        0.5 * CONFIG.bad_reference_rate
        < bad_orders / len(orders)
        < (1.5 * CONFIG.bad_reference_rate)
    )
    bad_lines = sum(
        1 for line in lines if _parse(line["ordered_at"]) is None or int(line["quantity"]) < 0
    )
    assert bad_lines == company.counts["bad_value_lines"]
    assert 0.5 * CONFIG.bad_value_rate < bad_lines / len(lines) < 1.5 * CONFIG.bad_value_rate
    for line in lines:  # amounts are consistent where values are good
        if int(line["quantity"]) > 0:
            expected = int(line["quantity"]) * float(line["unit_price"])
            assert abs(float(line["amount"]) - expected) < 0.011


def test_orders_match_customer_truth(company: DemoFiles) -> None:
    person_of = {row["source_record_key"]: row["person_id"] for row in _csv(company.ground_truth)}
    observed: dict[str, set[str]] = defaultdict(set)
    for line in _order_lines(company):
        if line["customer"] in person_of:
            observed[person_of[line["customer"]]].add(line["order_id"])
    truth = _csv(company.customer_truth)
    total_true = sum(int(row["purchases"]) for row in truth)
    total_seen = sum(len(ids) for ids in observed.values())
    # Only the orders with a dirty reference are missing.
    assert total_true - total_seen == company.counts["bad_reference_orders"]
    assert set(observed) <= {row["person_id"] for row in truth}


def test_share_without_repeat_purchase_matches_bgnbd(company: DemoFiles) -> None:
    params = CONFIG.process
    truth = _csv(company.customer_truth)
    expected, zero = [], 0
    for row in truth:
        t = (END - datetime.fromisoformat(row["first_purchase_at"])).total_seconds() / 86_400
        # BG/NBD: P(X(t) = 0) = (α / (α + t))^r — no dropout before the first repeat.
        expected.append((params.alpha / (params.alpha + t)) ** params.r)
        zero += row["purchases"] == "1"
    assert abs(zero / len(truth) - mean(expected)) < 0.03
    assert 0.2 < zero / len(truth) < 0.6  # a realistic share of one-off buyers
    rates = [float(row["purchase_rate_per_day"]) for row in truth]
    assert abs(mean(rates) / (params.r / params.alpha) - 1) < 0.15


def test_activity_decreases_after_acquisition(company: DemoFiles) -> None:
    person_of = {row["source_record_key"]: row["person_id"] for row in _csv(company.ground_truth)}
    first = {
        row["person_id"]: datetime.fromisoformat(row["first_purchase_at"])
        for row in _csv(company.customer_truth)
    }
    start = END - timedelta(days=731)
    early = {p for p, t in first.items() if t < start + timedelta(days=150)}
    order_times: dict[str, datetime] = {}
    for line in _order_lines(company):
        person = person_of.get(line["customer"])
        when = _parse(line["ordered_at"])
        if person in early and when is not None:
            order_times[line["order_id"] + person] = when
    buckets = [0, 0, 0]  # repeat orders in months 1–6, 7–12, 13–18 after acquisition
    for key, when in order_times.items():
        months = (when - first[key[-8:]]).days / 30.4
        if 0.5 < months <= 18:
            buckets[min(2, int(months // 6))] += 1
    assert buckets[0] > buckets[1] > buckets[2] > 0
    assert buckets[2] < 0.8 * buckets[0]
    truth = {row["person_id"]: row for row in _csv(company.customer_truth)}
    alive = [truth[p]["alive_at_end"] == "yes" for p in early]
    assert 0.2 < sum(alive) / len(alive) < 0.9  # many early customers have dropped out
