"""Customer rows: the database-ready values built while parsing (prepared, or staged for a
staging file) equal what prepare_customer derives from the stored record (changed records and
rollback rebuild them that way)."""

from __future__ import annotations

import itertools
import random
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from patron.ingest.mapping import build_mapping
from patron.ingest.prepare import (
    CONSENT_COLUMNS,
    CUSTOMER_COLUMNS,
    POINT_COLUMNS,
    PreparedCustomer,
    prepare_customer,
)
from patron.ingest.rows import ParsedRow, RejectedRow, RowContext, parse_row
from patron.ingest.staging import (
    CONSENT_SLOT_COLUMNS,
    POINT_DERIVED,
    POINT_SLOT_COLUMNS,
    RECORD_COLUMNS,
    StageLayout,
    write_stage,
)

HEADERS = [
    "id",
    "姓名",
    "名",
    "姓",
    "性别",
    "手机",
    "手机2",
    "email",
    "邮箱2",
    "生日",
    "地址",
    "城市",
    "邮编",
    "等级",
    "公司",
    "接受短信",
    "接受邮件",
    "备注",
]
CELLS = {
    "id": ["", "A1", " A2 ", "Ａ３"],
    "姓名": ["", "王国文", "Li Yibo", "  张  三 ", "Mr. John Smith", "欧阳娜娜", "x\u200by"],
    "名": ["", "国文", "John"],
    "姓": ["", "王", "Smith"],
    "性别": ["", "男", "女", "M", "f", "未知"],
    "手机": ["", "15958546330", "130 8062 4726", "12345", "021-12345678", "+1 415 555 0100"],
    "手机2": ["", "13900000000", "abc"],
    "email": ["", "a@b.com", "LIYIBO446@QQ.COM", "bad@", " a.b+c@gmail.com "],
    "邮箱2": ["", "z@z.cn"],
    "生日": ["", "2004年7月30日", "1953/11/17", "1990-02-30"],
    "地址": ["", "河南省郑州市金水区金水路340号", "北京朝阳区", "somewhere 12"],
    "城市": ["", "郑州市", "上海"],
    "邮编": ["", "450003"],
    "等级": ["", "普通", "silver"],
    "公司": ["", "某公司 有限"],
    "接受短信": ["", "是", "否", "1", "maybe"],
    "接受邮件": ["", "是", "N"],
    "备注": ["", "note"],
}


SPEC = {"columns": {"手机2": "phone", "邮箱2": "email"}}


def test_prepared_values_match_prepare_customer() -> None:
    mapping = build_mapping("customers", HEADERS, None, SPEC, file="members.csv")
    assert mapping.fields["phone"] == [5, 6] and mapping.fields["email"] == [7, 8]
    ctx = RowContext(mapping)
    assert ctx.plan is not None
    rng = random.Random(3)
    kinds = {ParsedRow: 0, RejectedRow: 0}
    for number in itertools.count(1):
        values = [rng.choice(CELLS[h]) for h in HEADERS]
        row = parse_row(ctx, number, values)
        kinds[type(row)] += 1
        if isinstance(row, ParsedRow):
            parsed = orjson.loads(row.parsed_json)
            assert row.prepared == prepare_customer(parsed), values
            for point in row.prepared[1]:  # staging keeps only its kind's columns
                kept = {"kind", *POINT_SLOT_COLUMNS[point[0]], *POINT_DERIVED[point[0]]}
                assert all(
                    v is None for c, v in zip(POINT_COLUMNS, point, strict=True) if c not in kept
                )
                if point[0] == "address":  # staged as its value, and valid
                    assert point[2] == point[1] and point[3] == 1
        if number >= 3000:
            break
    assert kinds[ParsedRow] > 500 and kinds[RejectedRow] > 100


def test_short_rows_read_missing_cells_as_empty() -> None:
    mapping = build_mapping("customers", HEADERS, None, None, file="members.csv")
    ctx = RowContext(mapping)
    row = parse_row(ctx, 2, ["A9", "王国文", "", "", "男"])
    assert isinstance(row, ParsedRow)
    assert row.raw == {"id": "A9", "姓名": "王国文", "名": "", "姓": "", "性别": "男"}
    assert row.parsed["full_name"] == "王国文" and "phones" not in row.parsed
    assert row.prepared == prepare_customer(row.parsed)


def unfold(
    staged: tuple[Any, ...], layout: StageLayout
) -> tuple[tuple[Any, ...], PreparedCustomer]:
    """(record values, prepared values) a staged row stands for, as the writer unfolds it."""
    assert POINT_DERIVED == {
        "phone": {},
        "email": {},
        "address": {"raw_value": "{}value", "valid": "1"},
    }  # what the derivations below mirror
    named = dict(zip(layout.columns()[1:], staged, strict=True))
    record = tuple(named[c] for c in RECORD_COLUMNS)
    customer = tuple(named[c] for c in CUSTOMER_COLUMNS)
    points = []
    for kind, n in layout.slots():
        slot = f"{kind}{n}_"
        if named[slot + "value"] is None:
            continue
        derived = {"raw_value": named[slot + "value"], "valid": 1} if kind == "address" else {}
        points.append(
            tuple(
                kind
                if c == "kind"
                else named[slot + c]
                if c in POINT_SLOT_COLUMNS[kind]
                else derived.get(c)
                for c in POINT_COLUMNS
            )
        )
    consents = []
    for n, constants in enumerate(layout.consent_columns):
        status = named[f"consent{n}_status"]
        if status is not None:
            by_name = dict(zip(("channel", "purpose", "origin"), constants, strict=True))
            consents.append(tuple(status if c == "status" else by_name[c] for c in CONSENT_COLUMNS))
    return record, (customer, points, consents)


@pytest.mark.parametrize(
    "headers",
    [
        HEADERS,  # two phones and e-mails, an address, two consents, extras
        ["id", "姓名", "手机", "email", "生日"],  # no address, no consents
        ["id", "姓名", "地址", "接受邮件"],  # no phone or e-mail
    ],
)
def test_staged_values_match_prepare_customer(headers: list[str], tmp_path: Path) -> None:
    """Rows parsed for a staging file carry, in the layout's columns, exactly the values the
    other path prepares (0, 1 or 2 phones and e-mails, with or without address and consents)."""
    spec = {"columns": {h: SPEC["columns"][h] for h in headers if h in SPEC["columns"]}}
    mapping = build_mapping("customers", headers, None, spec, file="members.csv")
    ctx = RowContext(mapping)
    staging_ctx = RowContext(mapping, stage=True)
    layout = StageLayout.of(staging_ctx)
    rng = random.Random(5)
    seen: Counter[tuple[str, int]] = Counter()
    staged_rows = []
    for number in range(1, 3001):
        values = [rng.choice(CELLS[h]) for h in headers]
        row = parse_row(ctx, number, values)
        staged = parse_row(staging_ctx, number, values)
        assert type(staged) is type(row)
        if isinstance(row, RejectedRow):
            assert isinstance(staged, RejectedRow) and staged.problems == row.problems
            continue
        assert isinstance(staged, ParsedRow) and staged.prepared is None
        assert staged.staged is not None and row.staged is None
        record, prepared = unfold(staged.staged, layout)
        assert record == (
            row.row_number,
            row.source_key,
            row.row_hash,
            row.raw_json,
            row.parsed_json,
        )
        assert (staged.source_key, staged.row_hash) == (row.source_key, row.row_hash)
        assert (staged.raw_json, staged.parsed_json) == (row.raw_json, row.parsed_json)
        assert prepared == row.prepared == prepare_customer(row.parsed), values
        _, points, consents = prepared
        for kind in ("phone", "email", "address"):
            seen[kind, sum(p[0] == kind for p in points)] += 1
        seen["consent", len(consents)] += 1
        staged_rows.append(staged)
    room = {"phone": layout.phones, "email": layout.emails, "address": layout.addresses}
    room["consent"] = layout.consents
    for kind, most in room.items():  # every number of values a row can have occurred
        assert all(seen[kind, n] > 5 for n in range(most + 1)), (kind, seen)

    # The staging file holds them as they are, idx counting from 0, and the consent constants.
    path = tmp_path / "chunk.db"
    write_stage(path, staged_rows, layout)
    db = sqlite3.connect(path)
    try:
        stored = db.execute("SELECT * FROM records ORDER BY idx").fetchall()
        slots = db.execute("SELECT * FROM slots ORDER BY n").fetchall()
    finally:
        db.close()
    assert [r[0] for r in stored] == list(range(len(staged_rows)))
    assert [r[1:] for r in stored] == [r.staged for r in staged_rows]
    assert len(slots) == max(len(layout.slots()), layout.consents)
    assert [s[1:] for s in slots[: layout.consents]] == list(layout.consent_columns)
    assert CONSENT_SLOT_COLUMNS == ("status",)


def test_only_rows_parsed_for_staging_are_staged(tmp_path: Path) -> None:
    mapping = build_mapping("customers", HEADERS, None, SPEC, file="members.csv")
    row = parse_row(RowContext(mapping), 2, ["A9", "王国文"] + [""] * (len(HEADERS) - 2))
    assert isinstance(row, ParsedRow) and row.staged is None
    with pytest.raises(ValueError, match="parsed for this layout"):
        write_stage(tmp_path / "x.db", [row], StageLayout.of(RowContext(mapping)))
