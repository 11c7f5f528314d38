"""Parallel parsing (two worker processes, staging files on SQLite) gives exactly what inline
parsing gives: same counts, same customers, contact points, consent and raw records."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from sqlalchemy import select
from test_rows import CELLS, HEADERS, SPEC

from patron.core import Settings
from patron.ingest import ImportOptions, list_rejects, run_import
from patron.store import Store, open_store
from patron.store.schema import consents, contact_points, customers, source_records

HEADER = ["member_id", "name", "mobile", "email", "birthday", "city", "accepts_sms"]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def members(n: int, changed: set[int] = frozenset()) -> list[list[str]]:  # type: ignore[assignment]
    rows = []
    for i in range(n):
        phone = f"139{i:08d}" if i in changed else f"138{i:08d}"
        birthday = "1990-02-30" if i % 97 == 5 else f"19{60 + i % 40}-0{1 + i % 9}-1{i % 10}"
        rows.append(
            [
                f"M{i:05d}",
                f"会员{i}" if i % 3 else f"Member {i}",
                phone,
                f"m{i}@example.com" if i % 4 else "",
                birthday,
                "广州",
                "是" if i % 2 else "否",
            ]
        )
    duplicate = rows[10][:]  # the same member again, with another phone, in the same chunk
    duplicate[2] = "13700000000"
    rows.insert(12, duplicate)
    return rows


def snapshot(store: Store) -> dict[str, object]:
    with store.connect() as conn:
        return {
            "customers": sorted(
                conn.execute(
                    select(
                        customers.c.full_name,
                        customers.c.name_key,
                        customers.c.primary_phone,
                        customers.c.primary_email,
                        customers.c.birth_date,
                        customers.c.version,
                    )
                ).all()
            ),
            "points": sorted(
                conn.execute(
                    select(contact_points.c.kind, contact_points.c.value, contact_points.c.valid)
                ).all()
            ),
            "consents": sorted(
                conn.execute(select(consents.c.channel, consents.c.status, consents.c.origin)).all()
            ),
            "records": sorted(
                conn.execute(
                    select(
                        source_records.c.source_key,
                        source_records.c.row_number,
                        source_records.c.raw,
                        source_records.c.parsed,
                        source_records.c.is_current,
                    )
                ).all(),
                key=str,
            ),
            # A customer's lineage points at its current source record.
            "lineage_ok": all(
                lineage == {"*": record_id}
                for lineage, record_id in conn.execute(
                    select(customers.c.lineage, source_records.c.id)
                    .join(source_records, source_records.c.customer_id == customers.c.id)
                    .where(source_records.c.is_current)
                ).all()
            ),
        }


def run(store: Store, settings: Settings, path: Path, workers: int):  # type: ignore[no-untyped-def]
    return run_import(
        ImportOptions(path=path, source="pos", kind="customers", workers=workers),
        store=store,
        settings=settings,
    )


def test_two_workers_match_inline(tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv", members(700))
    second = write(tmp_path / "b.csv", members(700, changed={3, 50, 400}))
    results = {}
    for workers in (0, 2):
        settings = Settings(home=tmp_path / f"w{workers}", import_chunk_rows=64)
        store = open_store(settings)
        a = run(store, settings, first, workers)
        again = run(store, settings, first, workers)
        b = run(store, settings, second, workers)
        with store.connect() as conn:
            rejects = sorted(r["row_number"] for r in list_rejects(conn, a.batch_id))
        results[workers] = (
            (a.rows_read, a.inserted, a.updated, a.unchanged, a.rejected),
            (again.inserted, again.updated, again.unchanged, again.rejected),
            (b.inserted, b.updated, b.unchanged, b.rejected),
            rejects,
            snapshot(store),
        )
        store.dispose()
        assert not any((settings.home / "tmp").rglob("*.db"))  # staging files cleaned up
    # 8 bad birthdays, and the first of the two M00010 rows (the later one wins)
    assert results[0][0] == (701, 692, 0, 0, 9)
    assert results[0][1] == (0, 0, 692, 9)  # re-import: nothing flips
    assert results[0][2] == (0, 3, 689, 9)  # 3 changed phones
    assert results[2][:4] == results[0][:4]
    assert results[2][4] == results[0][4]
    assert results[0][4]["lineage_ok"]


def test_staged_contact_points_and_consents_match_inline(tmp_path: Path) -> None:
    """Rows with 0, 1 or 2 phones and e-mails, with and without an address and consents, give
    the same customers, contact points and consents staged as inline (by customer key: ids of
    changed records are allocated in another order)."""
    rng = random.Random(11)
    rows = [[rng.choice(CELLS[h]) for h in HEADERS] for _ in range(900)]
    for i, row in enumerate(rows):
        row[0] = f"K{i % 700}"  # some keys repeat: later chunks change earlier records
    path = tmp_path / "varied.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADERS, *rows])
    ids = {"id", "customer_id", "source_record_id", "batch_id", "lineage"}
    times = {"created_at", "updated_at", "recorded_at"}
    results = {}
    for workers in (0, 2):
        settings = Settings(home=tmp_path / f"w{workers}", import_chunk_rows=64)
        store = open_store(settings)
        report = run_import(
            ImportOptions(path=path, source="pos", kind="customers", mapping=SPEC, workers=workers),
            store=store,
            settings=settings,
        )
        snap: dict[str, list[tuple[object, ...]]] = {}
        with store.connect() as conn:
            keys = dict(
                conn.execute(
                    select(source_records.c.customer_id, source_records.c.source_key).where(
                        source_records.c.is_current
                    )
                ).all()
            )
            for table in (customers, contact_points, consents):
                cid = table.c.id if table is customers else table.c.customer_id
                values = [c for c in table.c if c.name not in ids | times]
                snap[table.name] = sorted(
                    (keys[r[0]], *r[1:])
                    for r in conn.execute(select(cid, *values).order_by(table.c.id)).all()
                )
        results[workers] = (report.inserted, report.updated, report.rejected), snap
        store.dispose()
    assert results[0][0][0] > 300 and results[0][0][1] > 50
    assert all(results[0][1].values())
    assert results[2] == results[0]
