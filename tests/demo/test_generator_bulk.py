"""`write_customer_csv`: the big benchmark file."""

from __future__ import annotations

import csv
from pathlib import Path

from patron.demo.generator import BULK_CUSTOMER_HEADER, write_customer_csv


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
