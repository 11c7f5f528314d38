"""Customer rows: the database-ready values built while parsing equal what prepare_customer
derives from the stored record (changed records and rollback rebuild them that way)."""

from __future__ import annotations

import itertools
import random

import orjson

from patron.ingest.mapping import build_mapping
from patron.ingest.prepare import POINT_COLUMNS, prepare_customer
from patron.ingest.rows import ParsedRow, RejectedRow, RowContext, parse_row
from patron.ingest.staging import POINT_SLOT_COLUMNS

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
                kept = {"kind", *POINT_SLOT_COLUMNS[point[0]]}
                assert all(
                    v is None for c, v in zip(POINT_COLUMNS, point, strict=True) if c not in kept
                )
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
