"""Encodings end to end: what is stored equals what was written, whatever the encoding."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from patron.core import EncodingUncertainError, Settings
from patron.ingest import ImportOptions, run_import
from patron.store import Store
from patron.store.schema import source_records

ROWS = [
    ("M1", "陳大文", "香港九龍彌敦道100號", "13800000001"),
    ("M2", "張偉強", "台北市信義區松仁路100號", "13800000002"),
    ("M3", "黃美玲", "高雄市前鎮區中山二路5號", "13800000003"),
]


def write(
    path: Path, encoding: str, rows=ROWS, header=("會員編號", "姓名", "地址", "手機")
) -> Path:  # type: ignore[no-untyped-def]
    text = "\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def stored(store: Store) -> list[tuple[str, str, str]]:
    with store.connect() as conn:
        raws = [
            r[0] for r in conn.execute(select(source_records.c.raw).order_by(source_records.c.id))
        ]
    return [(r["會員編號"], r["姓名"], r["地址"]) for r in raws]


@pytest.mark.parametrize("encoding", ["big5", "utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_traditional_chinese_round_trips(
    store: Store, settings: Settings, tmp_path: Path, encoding: str
) -> None:
    path = write(tmp_path / f"m-{encoding}.csv", encoding)
    try:
        report = run_import(
            ImportOptions(path=path, source="hk", kind="customers", workers=0),
            store=store,
            settings=settings,
        )
    except EncodingUncertainError as exc:  # allowed only for Big5 vs GB18030, with the fix
        assert encoding == "big5" and "--encoding" in str(exc)  # noqa: PT017 - conditional
        report = run_import(
            ImportOptions(path=path, source="hk", kind="customers", workers=0, encoding="big5"),
            store=store,
            settings=settings,
        )
    assert report.inserted == 3
    assert stored(store) == [r[:3] for r in ROWS]  # never GB18030 garbage


def test_gbk_with_euro_sign_as_excel_writes_it(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    rows = [
        ("M1", "张伟", "广州市天河区体育西路103号 €5", "13800000001"),
        ("M2", "李娜", "北京市朝阳区建国路88号", "13800000002"),
    ]
    # Excel's cp936 writes the euro sign as byte 0x80, which Python's gbk codec cannot even
    # encode: build the bytes by hand.
    text = "\r\n".join(",".join(r) for r in [("会员编号", "姓名", "地址", "手机"), *rows]) + "\r\n"
    path = tmp_path / "gbk.csv"
    path.write_bytes(b"\x80".join(part.encode("gbk") for part in text.split("€")))
    assert b"\x80" in path.read_bytes()
    run_import(
        ImportOptions(path=path, source="pos", kind="customers", workers=0),
        store=store,
        settings=settings,
    )
    with store.connect() as conn:
        raws = [
            r[0] for r in conn.execute(select(source_records.c.raw).order_by(source_records.c.id))
        ]
    assert [r["地址"] for r in raws] == [rows[0][2], rows[1][2]]
