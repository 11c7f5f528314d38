"""A6: kill -9 an import half-way, resume it, and get exactly what a clean run gives."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from patron.core import PatronError, Settings
from patron.ingest import ImportOptions, resume_import, run_import
from patron.store import Store, open_store
from patron.store.schema import contact_points, customers, import_batches, source_records

ROWS = 40_000


def write_members(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["member_id", "name", "mobile", "email", "birthday", "accepts_sms"])
        for i in range(rows):
            w.writerow(
                [
                    f"M{i:06d}",
                    f"客户{i}" if i % 2 else f"Customer {i}",
                    f"1380000{i % 10000:04d}",
                    f"c{i}@example.com",
                    f"19{60 + i % 40}-0{1 + i % 9}-1{i % 10}",
                    "yes" if i % 3 else "no",
                ]
            )
    return path


def snapshot(store: Store) -> tuple[int, int, int, list[str]]:
    with store.connect() as conn:
        n_customers = conn.execute(select(func.count()).select_from(customers)).scalar_one()
        n_points = conn.execute(select(func.count()).select_from(contact_points)).scalar_one()
        n_records = conn.execute(select(func.count()).select_from(source_records)).scalar_one()
        keys = [
            r[0]
            for r in conn.execute(
                select(source_records.c.source_key).order_by(source_records.c.source_key)
            )
        ]
    return n_customers, n_points, n_records, keys


def test_kill_mid_import_then_resume_matches_clean_run(store: Store, tmp_path: Path) -> None:
    path = write_members(tmp_path / "members.csv", ROWS)
    env = {
        **os.environ,
        "PATRON_DATABASE_URL": store.url,
        "PATRON_HOME": str(tmp_path / "home"),
        "PATRON_IMPORT_CHUNK_ROWS": "500",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "patron", "import", str(path), "--source", "pos", "--workers", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    checkpoint = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            with store.connect() as conn:
                checkpoint = (
                    conn.execute(select(func.max(import_batches.c.checkpoint_row))).scalar() or 0
                )
            if checkpoint >= ROWS // 4:
                os.kill(proc.pid, signal.SIGKILL)  # a real crash: no cleanup runs
                break
            time.sleep(0.05)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""

    with store.connect() as conn:
        batch = conn.execute(select(import_batches)).one()
    assert batch.status == "running" and 0 < batch.checkpoint_row < ROWS + 1
    # Never half-applied: what is committed is exactly the rows up to the checkpoint.
    assert snapshot(store)[0] == batch.rows_inserted == batch.checkpoint_row - 1

    settings = Settings(database_url=store.url, home=tmp_path / "home")
    with pytest.raises(PatronError, match="resume"):  # no blind re-import of an unfinished batch
        run_import(
            ImportOptions(path=path, source="pos", kind="customers", workers=0),
            store=store,
            settings=settings,
        )

    report = resume_import(batch.id, store=store, settings=settings, workers=0)
    assert report.resumed_from_row == batch.checkpoint_row
    assert report.rows_read == ROWS and report.inserted == ROWS and report.rejected == 0

    clean = open_store(Settings(home=tmp_path / "clean"))
    run_import(
        ImportOptions(path=path, source="pos", kind="customers", workers=0),
        store=clean,
        settings=Settings(home=tmp_path / "clean"),
    )
    assert snapshot(store) == snapshot(clean)
    clean.dispose()
