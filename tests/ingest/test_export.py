from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from patron.ingest import escape_formula, write_table

DANGEROUS = ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "\0x", '=HYPERLINK("http://evil","x")']


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_triggers_are_prefixed(value: str) -> None:
    assert escape_formula(value) == "'" + value


def test_safe_values_and_numbers_pass_through() -> None:
    assert escape_formula("张伟") == "张伟"
    assert escape_formula("a=b") == "a=b"
    assert escape_formula(-5) == -5
    assert escape_formula(None) is None


def test_csv_export_is_safe_and_rfc4180(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    rows = [[v, 'quote " and, comma\nnewline'] for v in DANGEROUS]
    assert write_table(path, ["value", "text"], rows) == len(DANGEROUS)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as fh:
        read = list(csv.reader(fh))
    assert [r[0] for r in read[1:]] == ["'" + v for v in DANGEROUS]
    assert read[1][1] == 'quote " and, comma\nnewline'


def test_raw_mode_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    write_table(path, ["v"], [["=1+1"]], raw=True)
    assert path.read_text(encoding="utf-8-sig").splitlines()[1] == "=1+1"


def test_xlsx_export_never_contains_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_table(path, ["value", "n"], [[v, 3] for v in DANGEROUS])
    sheet = openpyxl.load_workbook(path).active
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    kinds = {row[0].data_type for row in sheet.iter_rows(min_row=2)}
    assert kinds == {"s"}  # strings, never formulas ("f")
    assert all(v.startswith("'") for v in values)
    # Control characters come back XML-escaped (_x000D_); printable ones exactly.
    printable = [(v, d) for v, d in zip(values, DANGEROUS, strict=True) if d.isprintable()]
    assert all(v == "'" + d for v, d in printable) and len(printable) == 5
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [3] * len(DANGEROUS)
