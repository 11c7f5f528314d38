"""`write_customer_csv`: the big benchmark file."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from patron.demo.generator import (
    BULK_CUSTOMER_HEADER,
    BULK_TRUTH_HEADER,
    HardCases,
    write_customer_csv,
)
from patron.demo.generator.names import COMMON_NAMES, NICKNAMES


def test_rows_and_columns(tmp_path: Path) -> None:
    path = write_customer_csv(tmp_path / "c.csv", rows=12_345)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert (
        rows[0]
        == BULK_CUSTOMER_HEADER
        == [
            "record_id",
            "name",
            "gender",
            "mobile",
            "email",
            "birth_date",
            "address",
            "city",
            "postcode",
            "member_tier",
            "accepts_sms",
            "accepts_email",
        ]
    )
    assert len(rows) == 12_346
    assert all(len(row) == 12 for row in rows)
    assert len({row[0] for row in rows[1:]}) == 12_345
    names = [row[1] for row in rows[1:]]
    assert any(name.isascii() for name in names)  # pinyin and Western names
    assert any(not name.isascii() for name in names)  # Chinese names
    assert any(row[3].startswith("+86") for row in rows[1:])
    assert any("年" in row[5] for row in rows[1:])


def test_deterministic_and_encodable(tmp_path: Path) -> None:
    a = write_customer_csv(tmp_path / "a.csv", rows=2000, seed=1)
    b = write_customer_csv(tmp_path / "b.csv", rows=2000, seed=1)
    c = write_customer_csv(tmp_path / "c.csv", rows=2000, seed=2)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    gb = write_customer_csv(tmp_path / "gb.csv", rows=2000, seed=1, encoding="gb18030")
    assert gb.read_bytes().decode("gb18030") == a.read_text(encoding="utf-8")


def _bulk(tmp_path: Path, rows: int, **options: Any) -> list[dict[str, str]]:
    """The bulk file's rows, each with its true person_id and household_id."""
    path, truth = tmp_path / "bulk.csv", tmp_path / "truth.csv"
    write_customer_csv(path, rows=rows, seed=3, truth=truth, **options)
    with path.open(encoding="utf-8", newline="") as a, truth.open(encoding="utf-8") as b:
        records, owners = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert list(owners[0]) == BULK_TRUTH_HEADER
    assert [o["record_id"] for o in owners] == [r["record_id"] for r in records]
    return [r | o for r, o in zip(records, owners, strict=True)]


def _iso(birth: str) -> str | None:
    if found := re.match(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", birth):
        return f"{found[1]}-{int(found[2]):02d}-{int(found[3]):02d}"
    if found := re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", birth):
        return f"{found[3]}-{found[2]}-{found[1]}"
    return None


def _mobile(phone: str) -> str | None:
    """The 11 digits of a mobile in any format, None for landlines and blanks."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone).split("转")[0])[-11:]
    return digits if digits.startswith("1") and len(digits) == 11 else None


def test_truth_and_hard_cases(tmp_path: Path) -> None:
    rows = _bulk(tmp_path, 30_000)
    people: dict[str, list[dict[str, str]]] = defaultdict(list)
    households: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        people[row["person_id"]].append(row)
        households[row["household_id"]].add(row["person_id"])
    assert 0.2 <= 1 - len(people) / len(rows) <= 0.3  # ~25% duplicates
    shared_address = twins = landline = 0
    for members in households.values():
        for a, b in combinations(sorted(members), 2):
            addresses_a = {r["address"] for r in people[a]}
            shared_address += bool(addresses_a & {r["address"] for r in people[b]})
            births_a = {_iso(r["birth_date"]) for r in people[a]} - {None}
            same_birth = births_a & {_iso(r["birth_date"]) for r in people[b]}
            surnames = {r["name"][0] for r in people[a] + people[b] if not r["name"].isascii()}
            twins += bool(same_birth) and len(surnames) == 1
            phones_a = {r["mobile"] for r in people[a] if r["mobile"].startswith("0")}
            landline += bool(phones_a & {r["mobile"] for r in people[b]})
    assert shared_address > 1000 and twins > 50 and landline > 10
    namesakes: dict[str, set[str]] = defaultdict(set)
    lookalike: dict[str, set[str]] = defaultdict(set)
    office: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["name"] in COMMON_NAMES:
            namesakes[row["name"]].add(row["household_id"])
            if re.fullmatch(r"[a-z]+_?[a-z]+\d{2,}@(126|163)\.com", row["email"]):
                lookalike[row["email"]].add(row["person_id"])
        if "转" in row["mobile"]:
            office[row["mobile"].split("转")[0]].add(row["household_id"])
    assert max(len(h) for h in namesakes.values()) >= 10  # the same name, unrelated people
    assert len(lookalike) > 20 and all(len(p) == 1 for p in lookalike.values())
    assert any(len(h) >= 2 for h in office.values())  # colleagues' switchboard
    switched = nicknamed = 0
    nickname_of = {n: full for full, nicks in NICKNAMES.items() for n in nicks}
    for records in people.values():
        names = {r["name"] for r in records}
        switched += any(n.isascii() for n in names) and any(not n.isascii() for n in names)
        nicknamed += any(nickname_of.get(n.split()[0]) in {m.split()[0] for m in names}
                         for n in names if n.isascii())  # fmt: skip
    assert switched > 1000 and nicknamed > 30
    moved = sum(
        len({r["city"] + r["postcode"] for r in records}) > 1 for records in people.values()
    )
    changed = sum(len({m for r in records if (m := _mobile(r["mobile"]))}) > 1
                  for records in people.values())  # fmt: skip
    assert moved > 100 and changed > 100


def test_rates_and_truth_are_optional_and_deterministic(tmp_path: Path) -> None:
    plain = _bulk(tmp_path, 3000, duplicate_rate=0.0, hard=HardCases(household=0, twins=0))
    assert len({r["person_id"] for r in plain}) == len({r["household_id"] for r in plain}) == 3000
    again = _bulk(tmp_path, 3000, duplicate_rate=0.0, hard=HardCases(household=0, twins=0))
    assert again == plain
    without = write_customer_csv(tmp_path / "no-truth.csv", rows=3000, seed=3, duplicate_rate=0.0,
                                 hard=HardCases(household=0, twins=0))  # fmt: skip
    with without.open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == [
            {k: v for k, v in r.items() if k not in ("person_id", "household_id")} for r in plain
        ]
