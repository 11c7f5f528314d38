"""Delimited text: malformed input becomes error rows, never a crash or a silent merge."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patron.core.errors import InputError, LimitExceededError
from patron.ingest.readers import RawRow, ReaderLimits, TableReader, open_table, sniff_delimiter


def read(path, **kwargs) -> tuple[TableReader, list[RawRow]]:
    with open_table(path, **kwargs) as table:
        return table, list(table)


def test_ragged_rows_report_counts(write_file):
    _, rows = read(write_file("r.csv", "a,b,c\n1,2,3\n1,2\n1,2,3,4\n1,2,3,,\n"))
    assert [r.error for r in rows] == [
        None,
        "expected 3 fields, found 2",
        "expected 3 fields, found 4",
        None,  # trailing empty cells are harmless
    ]
    assert rows[1].values == ["1", "2"]
    assert rows[1].raw_text == "1,2"
    assert rows[3].values == ["1", "2", "3"]


def test_embedded_newlines_keep_start_line(write_file):
    text = 'id,note,x\n1,"line one\nline two\r\nline three",a\n2,plain,b\n'
    _, rows = read(write_file("n.csv", text))
    assert [(r.row_number, r.values) for r in rows] == [
        (2, ["1", "line one\nline two\r\nline three", "a"]),
        (5, ["2", "plain", "b"]),
    ]


def test_mixed_line_endings_and_blank_lines(write_file):
    text = "id,name\r\n1,a\n2,b\r3,c\r\n\r\n\n4,d\n,\n5,e"
    _, rows = read(write_file("m.csv", text))
    assert [(r.row_number, r.values) for r in rows] == [
        (2, ["1", "a"]),
        (3, ["2", "b"]),
        (4, ["3", "c"]),
        (7, ["4", "d"]),
        (9, ["5", "e"]),
    ]


def test_nul_bytes_give_an_error_row(write_file):
    data = b"id,name\n1,ann\n2,b\x00ob\n3,cy\n"
    _, rows = read(write_file("nul.csv", data))
    assert [r.error is None for r in rows] == [True, False, True]
    assert "NUL" in (rows[1].error or "")


def test_unterminated_quote_resynchronises_at_next_line(write_file):
    lines = ["id,name,city"] + [f"{i},name{i},city{i}" for i in range(2, 30_000)]
    lines[9] = '10,"broken,city10'  # physical line 10
    path = write_file("q.csv", "\n".join(lines) + "\n")
    _, rows = read(path, limits=ReaderLimits(max_record_lines=500))
    errors = [r for r in rows if r.error]
    assert [(r.row_number, r.raw_text) for r in errors] == [(10, '10,"broken,city10')]
    assert "unterminated quote" in (errors[0].error or "")
    assert errors[0].values[0] == "10"
    good = [r for r in rows if not r.error]
    assert len(good) == len(lines) - 2  # every other data line survives
    assert good[8].row_number == 11
    assert good[8].values == ["11", "name11", "city11"]
    assert good[-1].values == ["29999", "name29999", "city29999"]


def test_unterminated_quote_near_end_of_file(write_file):
    text = 'id,name\n1,a\n2,"oops\n3,c\n4,d\n'
    _, rows = read(write_file("e.csv", text))
    assert [(r.row_number, r.error is None, r.values) for r in rows] == [
        (2, True, ["1", "a"]),
        (3, False, ["2", "oops"]),
        (4, True, ["3", "c"]),
        (5, True, ["4", "d"]),
    ]


def test_default_record_line_limit_cuts_runaway_quote(write_file):
    body = "".join(f"{i},n{i}\n" for i in range(3, 12_050))
    _, rows = read(write_file("big.csv", 'id,name\n2,"open\n' + body))
    assert rows[0].row_number == 2
    assert rows[0].error
    assert rows[1].row_number == 3
    assert rows[1].values == ["3", "n3"]
    assert sum(1 for r in rows if r.error) == 1


def test_field_longer_than_limit_is_an_error_row(write_file):
    text = "id,note\n1," + "x" * 500 + '\n2,ok\n3,"' + "y" * 5000 + '"\n4,ok\n'
    _, rows = read(write_file("long.csv", text), limits=ReaderLimits(max_field_chars=100))
    assert [r.error is None for r in rows] == [False, True, False, True]
    assert "longer than 100" in (rows[0].error or "")
    assert rows[3].row_number == 5


def test_too_many_columns_is_a_limit_error(write_file):
    path = write_file("wide.csv", ",".join(f"c{i}" for i in range(50)) + "\n" + "1," * 49 + "1\n")
    with pytest.raises(LimitExceededError, match="50 columns"):
        open_table(path, limits=ReaderLimits(max_columns=20))


def test_empty_and_header_only_files(write_file):
    with pytest.raises(InputError, match="file is empty"):
        open_table(write_file("empty.csv", b""))
    with pytest.raises(InputError, match="no data rows"):
        open_table(write_file("head.csv", "id,name\n\n\n"))
    with pytest.raises(InputError, match="no header row"):
        open_table(write_file("blank.csv", "\n\n"))


def test_headers_cleaned_and_duplicates_exposed(write_file):
    text = "\ufeff Email ,name,,email ,ＥＭＡＩＬ,Name\n1,2,3,4,5,6\n"
    table, rows = read(write_file("h.csv", text), encoding="utf-8")  # BOM left in by the codec
    assert table.info.headers == ["Email", "name", "column_3", "email", "ＥＭＡＩＬ", "Name"]
    assert table.info.duplicate_headers == [[0, 3, 4], [1, 5]]
    assert rows[0].values == ["1", "2", "3", "4", "5", "6"]


def test_plain_duplicate_headers(write_file):
    table, _ = read(write_file("d.csv", "email,name,email\na,b,c\n"))
    assert table.info.duplicate_headers == [[0, 2]]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2,5;3\n", ";"),
        ("a\tb\tc\n1\t2,3\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('name,note\n"x; y; z",1\n', ","),
    ],
)
def test_sniff_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_tsv_extension_and_explicit_delimiter(write_file):
    table, rows = read(write_file("t.tsv", "a\tb\n1,2\t3\n"))
    assert (table.info.format, table.info.delimiter, rows[0].values) == ("tsv", "\t", ["1,2", "3"])
    table, rows = read(write_file("x.csv", "a;b\n1;2\n"), delimiter=";")
    assert rows[0].values == ["1", "2"]


def test_skip_to_row_resumes_after_a_line(write_file):
    text = "id,n\n" + 'x,"multi\nline"\n' + "".join(f"{i},v\n" for i in range(4, 10))
    _, rows = read(write_file("s.csv", text), skip_to_row=5)
    assert [r.row_number for r in rows] == [6, 7, 8, 9]
    _, rows = read(write_file("s.csv", text), skip_to_row=2)
    assert rows[0].row_number == 4  # the record starting at 2 (lines 2-3) is skipped whole


def test_bytes_read_reaches_total(write_file):
    path = write_file("p.csv", "id,n\n" + "".join(f"{i},v\n" for i in range(20_000)))
    with open_table(path) as table:
        seen = []
        for i, _ in enumerate(table):
            if i % 5000 == 0:
                seen.append(table.bytes_read)
        assert seen == sorted(seen)
        assert seen[-1] > 0
        assert table.bytes_read == table.info.total_bytes


def test_unknown_format_and_missing_file(tmp_path, write_file):
    with pytest.raises(InputError, match="unsupported"):
        open_table(write_file("old.xls", b"\xd0\xcf\x11\xe0"))
    with pytest.raises(InputError, match="not found"):
        open_table(tmp_path / "nope.csv")


_field = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"),
    max_size=12,
) | st.sampled_from(['"', '""', ",", "\n", "\r\n", "张三, 北京", " x ", "€é"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_field, min_size=3, max_size=3), min_size=1, max_size=8))
def test_round_trip_of_anything_csv_writes(write_file, rows):
    rows = [r for r in rows if any(r)] or [["a", "", ""]]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([["h1", "h2", "h3"], *rows])
    path = write_file("rt.csv", out.getvalue().encode("utf-8"))
    _, got = read(path, delimiter=",", encoding="utf-8")  # one "ß" alone is ambiguous
    assert [r.values for r in got] == rows
    assert all(r.error is None for r in got)
