"""JSON Lines: headers from the objects of the first lines, values as text, bad lines as errors."""

from __future__ import annotations

import pytest

from patron.core.errors import InputError
from patron.ingest.readers import ReaderLimits, open_table


def test_values_and_errors(write_file):
    text = (
        '{"name": "张三", "amount": 1.50, "tags": ["a", 1], "vip": true, "note": null}\n'
        "\n"
        '{"name": "李四", "amount": 12345678901234567890, "extra": 1}\n'
        "not json\n"
        "[1, 2]\n"
        '{"amount": 2}\n'
    )
    with open_table(write_file("c.ndjson", text)) as table:
        rows = list(table)
    assert table.info.format == "jsonl"
    # Keys that later lines add become columns too (event files vary per line).
    assert table.info.headers == ["name", "amount", "tags", "vip", "note", "extra"]
    assert [(r.row_number, r.values, r.error) for r in rows[:1]] == [
        (1, ["张三", "1.50", '["a",1]', "true", "", ""], None)
    ]
    assert rows[1].row_number == 3
    assert rows[1].values == ["李四", "12345678901234567890", "", "", "", "1"]
    assert rows[1].error is None
    assert rows[2].error is not None
    assert rows[2].error.startswith("invalid JSON")
    assert rows[3].error == "expected a JSON object, found list"
    assert (rows[4].values, rows[4].error) == (["", "2", "", "", "", ""], None)


def test_keys_first_seen_after_the_look_ahead_are_reported(write_file):
    from patron.ingest.readers.jsonl_reader import HEADER_SCAN_LINES

    lines = [f'{{"id": {i}}}' for i in range(HEADER_SCAN_LINES + 5)]
    lines.append('{"id": 9999, "late": "x"}')
    with open_table(write_file("late.jsonl", "\n".join(lines) + "\n")) as table:
        rows = list(table)
    assert table.info.headers == ["id"]
    assert len(rows) == HEADER_SCAN_LINES + 6
    assert rows[-1].values == ["9999"] and rows[-1].error == "unexpected keys: 'late'"


def test_gbk_jsonl_and_long_line(write_file):
    data = '{"姓名": "王伟", "城市": "北京市朝阳区"}\n{"姓名": "赵敏", "城市": "上海市"}\n'
    data += '{"姓名": "' + "长" * 300 + '"}\n{"姓名": "周杰"}\n'
    path = write_file("g.jsonl", data.encode("gbk"))
    with open_table(path, limits=ReaderLimits(max_field_chars=100)) as table:
        rows = list(table)
    assert table.info.encoding is not None
    assert table.info.encoding.label == "GB18030/GBK"
    assert rows[0].values == ["王伟", "北京市朝阳区"]
    assert "longer than 100" in (rows[2].error or "")
    assert rows[3].values == ["周杰", ""]


def test_first_line_must_be_an_object(write_file):
    with pytest.raises(InputError, match="not valid JSON"):
        open_table(write_file("a.jsonl", "nope\n"))
    with pytest.raises(InputError, match="JSON object"):
        open_table(write_file("b.jsonl", "[1]\n"))
