"""A small two-source company (customers, orders, events) for merge and unify tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select

from patron.core import Settings
from patron.ingest import ImportOptions, run_import
from patron.store import Store
from patron.store.schema import source_records

POS = [
    ["member_id", "name", "mobile", "email", "birthday", "city", "accepts_sms", "accepts_email"],
    ["P1", "张伟", "13800138000", "zw@qq.com", "1980-01-02", "广州", "yes", "yes"],
    ["P2", "李娜", "13900000001", "", "1985-05-06", "北京", "no", "yes"],
    ["P3", "Robert Smith", "13700000002", "bob@example.com", "", "上海", "yes", ""],
    ["P4", "王芳", "13600000003", "", "1990-09-09", "深圳", "", "no"],
]
WEB = [
    ["customer_no", "full_name", "phone", "e_mail", "dob", "city", "sms_opt_in", "email_opt_in"],
    ["W1", "Zhang Wei", "+86 138 0013 8000", "ZW@qq.com", "", "Guangzhou", "no", "yes"],
    ["W2", "李娜", "", "lina@163.com", "1985-05-06", "北京市", "yes", "no"],
    ["W3", "Bob Smith", "", "bob@example.com", "1970-03-04", "Shanghai", "", "yes"],
    ["W4", "王芳", "13600000003", "wf@126.com", "1990-09-09", "深圳", "yes", ""],
]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def load_company(store: Store, settings: Settings, folder: Path) -> dict[str, int]:
    """Two sources describing four people, with orders and events; key → customer id."""
    for name, rows in (("pos", POS), ("web", WEB)):
        run_import(
            ImportOptions(
                path=_write(folder / f"{name}.csv", rows), source=name, kind="customers", workers=0
            ),
            store=store,
            settings=settings,
        )
    orders = [
        ["order_id", "member_id", "date", "amount"],
        ["O1", "P1", "2025-03-01", "100"],
        ["O2", "P2", "2025-04-01", "50"],
        ["O3", "P3", "2025-05-01", "20"],
    ]
    run_import(
        ImportOptions(
            path=_write(folder / "o.csv", orders), source="pos", kind="orders", workers=0
        ),
        store=store,
        settings=settings,
    )
    events = folder / "events.jsonl"
    events.write_text(
        "".join(
            json.dumps(e) + "\n"
            for e in (
                {
                    "event_id": "e1",
                    "email": "lina@163.com",
                    "time": "2025-02-01",
                    "type": "web_visit",
                },
                {
                    "event_id": "e2",
                    "email": "wf@126.com",
                    "time": "2025-02-02",
                    "type": "web_visit",
                },
            )
        ),
        encoding="utf-8",
    )
    run_import(
        ImportOptions(path=events, source="web", kind="events", workers=0),
        store=store,
        settings=settings,
    )
    with store.connect() as conn:
        sr = source_records.c
        return {
            r.source_key: int(r.customer_id)
            for r in conn.execute(
                select(sr.source_key, sr.customer_id).where(sr.kind == "customers")
            )
        }
