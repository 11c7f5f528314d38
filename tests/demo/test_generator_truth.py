"""Ground truth for identity resolution: every record once, realistic duplicate rates."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from patron.demo.generator import DemoConfig, DemoFiles, generate_company


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_company(
        tmp_path_factory.mktemp("truth"), DemoConfig(people=3000, seed=11, events=False)
    )


def _csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _truth(company: DemoFiles) -> list[dict[str, str]]:
    return _csv(company.ground_truth)


def test_every_record_key_appears_once(company: DemoFiles) -> None:
    truth = _truth(company)
    keys = Counter((row["source"], row["source_record_key"]) for row in truth)
    assert max(keys.values()) == 1
    source_keys = {
        "pos_members": [r["会员编号"] for r in _csv(company.pos_members, "gb18030")],
        "web_customers": [r["customer_id"] for r in _csv(company.web_customers)],
        "service_contacts": [
            json.loads(line)["ticket_contact_id"]
            for line in company.service_contacts.open(encoding="utf-8")
        ],
    }
    for source, ids in source_keys.items():
        assert len(ids) == len(set(ids)), source
        assert {k for s, k in keys if s == source} == set(ids), source


def test_duplicate_rates_in_band(company: DemoFiles) -> None:
    truth = _truth(company)
    people = {row["person_id"] for row in truth}
    assert len(people) == 3000  # everybody appears in at least one source
    duplicate_share = (len(truth) - len(people)) / len(truth)
    assert 0.20 <= duplicate_share <= 0.32
    per_person_sources: dict[str, set[str]] = defaultdict(set)
    per_source_person = Counter((row["source"], row["person_id"]) for row in truth)
    for row in truth:
        per_person_sources[row["person_id"]].add(row["source"])
    spread = Counter(len(s) for s in per_person_sources.values())
    assert set(spread) == {1, 2, 3}
    within = sum(1 for n in per_source_person.values() if n > 1)
    assert 0.005 <= within / len(truth) <= 0.04  # members who registered twice


def test_households(company: DemoFiles) -> None:
    households = _csv(company.households)
    assert [row["person_id"] for row in households] == [f"P{i:07d}" for i in range(1, 3001)]
    sizes = Counter(row["household_id"] for row in households)
    assert 1 < len(sizes) < 3000
    assert max(sizes.values()) <= 4
    assert sum(1 for n in sizes.values() if n > 1) / len(sizes) > 0.3


def test_hard_cases_are_present(company: DemoFiles) -> None:
    members = _csv(company.pos_members, "gb18030")
    names = Counter(row["姓名"] for row in members)
    assert names.most_common(1)[0][1] >= 2  # namesakes
    web = _csv(company.web_customers)
    assert any(row["first_name"].isascii() and row["first_name"] for row in web)  # pinyin
    assert any(not row["first_name"].isascii() for row in web)  # Chinese characters
    assert any(any("０" <= ch <= "９" for ch in row["phone"]) for row in web)  # full-width
    assert any(row["email"] and row["email"] == row["email"].upper() for row in web)
    contacts = [json.loads(line) for line in company.service_contacts.open(encoding="utf-8")]
    assert any(c["name"].endswith(("女士", "先生")) for c in contacts)
    assert any(c["phone"].count("-") == 1 and c["phone"].startswith("0") for c in contacts)
