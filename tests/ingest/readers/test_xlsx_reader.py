"""XLSX: values as text, safe against zip bombs and XML entity expansion."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from patron.core.errors import InputError, LimitExceededError
from patron.ingest.readers import ReaderLimits, open_table


def make_xlsx(path: Path, rows: list[list[object]], *, sheets: tuple[str, ...] = ("客户",)) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for name in sheets:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    fmt = date_fmt if value.time() == dt.time(0) else time_fmt
                    ws.write_datetime(r, c, value, fmt)
                else:
                    ws.write(r, c, value)
    wb.close()
    return path


def replace_member(path: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts[member] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in parts.items():
            zf.writestr(name, blob)


def test_values_become_text(tmp_path):
    path = make_xlsx(
        tmp_path / "c.xlsx",
        [
            ["姓名", "手机", "金额", "生日", "登记时间", "VIP", "备注"],
            ["张三", 13800138000, 12.5, dt.datetime(1990, 5, 1), dt.datetime(2024, 1, 2, 8, 30),
             True, "😀 €"],
            [],
            ["李四", 13900139000, 100, None, None, False, None],
        ],
    )  # fmt: skip
    with open_table(path) as table:
        rows = list(table)
        info = table.info
    assert (info.format, info.sheet, info.encoding) == ("xlsx", "客户", None)
    assert info.headers == ["姓名", "手机", "金额", "生日", "登记时间", "VIP", "备注"]
    assert [(r.row_number, r.values, r.error) for r in rows] == [
        (2, ["张三", "13800138000", "12.5", "1990-05-01", "2024-01-02 08:30:00", "TRUE", "😀 €"],
         None),
        (4, ["李四", "13900139000", "100", "", "", "FALSE", ""], None),
    ]  # fmt: skip
    assert table.bytes_read == info.total_bytes


def test_ragged_row_and_sheet_choice(tmp_path):
    path = make_xlsx(tmp_path / "s.xlsx", [["a", "b"], [1, 2, 3], [4]], sheets=("one", "two"))
    with open_table(path, sheet="two") as table:
        rows = list(table)
    assert table.info.sheet == "two"
    assert rows[0].error == "expected 2 fields, found 3"
    assert rows[1].values == ["4", ""]
    assert rows[1].error is None
    with pytest.raises(InputError, match="no sheet named"):
        open_table(path, sheet="three")


def test_header_only_and_skip(tmp_path):
    with pytest.raises(InputError, match="no data rows"):
        open_table(make_xlsx(tmp_path / "h.xlsx", [["a", "b"]]))
    path = make_xlsx(tmp_path / "k.xlsx", [["a"], [1], [2], [3]])
    with open_table(path, skip_to_row=3) as table:
        assert [r.row_number for r in table] == [4]


def test_not_a_zip(write_file):
    with pytest.raises(InputError, match="not a valid XLSX"):
        open_table(write_file("fake.xlsx", b"id,name\n1,a\n"))


def test_zip_bomb_refused_before_parsing(tmp_path):
    path = make_xlsx(tmp_path / "bomb.xlsx", [["a"], [1]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/pad.bin", b"\0" * 20_000_000)  # ~1000:1
    with pytest.raises(LimitExceededError, match="compressed"):
        open_table(path)
    with pytest.raises(LimitExceededError, match="expand"):
        open_table(path, limits=ReaderLimits(max_xlsx_uncompressed_bytes=1_000_000))


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


def test_billion_laughs_in_shared_strings_fails_safely(tmp_path):
    path = make_xlsx(tmp_path / "lol.xlsx", [["name"], ["x"]])
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" '
        b'uniqueCount="2"><si><t>name</t></si><si><t>&lol9;</t></si></sst>'
    )
    replace_member(path, "xl/sharedStrings.xml", LAUGHS + sst)
    with pytest.raises(InputError, match="unsafe XML"):
        open_table(path)


def test_billion_laughs_in_sheet_xml_fails_safely(tmp_path):
    path = make_xlsx(tmp_path / "lol2.xlsx", [[1], [2]])
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    replace_member(path, "xl/worksheets/sheet1.xml", LAUGHS + sheet)
    with pytest.raises(InputError, match="unsafe XML"):
        open_table(path)
