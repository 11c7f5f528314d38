"""Import jobs in the store: what any server process reads about a job, however it ended."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from patron import ingest, jobs
from patron.core import Settings, utcnow
from patron.jobs import records, runner
from patron.store import Store
from patron.store.schema import import_jobs


def wait_for(store: Store, job_id: str) -> jobs.ImportJob:
    deadline = time.monotonic() + 60
    while True:
        job = jobs.get_import_job(store, job_id)
        assert job is not None
        if job.status != "running" or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def members_file(folder: Path, rows: int) -> Path:
    path = folder / "members.csv"
    lines = "".join(f"M{i},Member {i},137{i:08d}\n" for i in range(rows))
    path.write_text("member_id,name,mobile\n" + lines, encoding="utf-8")
    return path


def test_a_job_runs_to_its_report_and_removes_its_upload(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    path = members_file(tmp_path, 30)
    options = ingest.ImportOptions(path=path, source="pos", kind="customers", actor="li.na")
    started = jobs.start_import_job(store, settings, options, display_name="members.csv")
    job = wait_for(store, started.id)
    assert job.status == "completed", job.error
    assert job.report["inserted"] == 30 and job.report["rejected"] == 0
    assert job.batch_id is not None and job.percent == 100.0 and job.started_by == "li.na"
    assert not path.exists()
    assert [j.id for j in jobs.recent_import_jobs(store)] == [job.id]


def test_a_failed_job_keeps_its_error(store: Store, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    options = ingest.ImportOptions(path=path, source="pos", kind="customers")
    job = wait_for(store, jobs.start_import_job(store, settings, options, display_name="e").id)
    assert job.status == "failed" and job.error
    assert path.exists()  # kept: the user may fix and resume


def _record(store: Store, worker: records.Worker, batch_id: int | None = None) -> str:
    job = jobs.ImportJob("f" * 32, "m.csv", "pos", "customers", "li.na", utcnow())
    with store.begin() as conn:
        records.create_job(conn, job, worker)
        records.record_progress(conn, job.id, rows_read=500, batch_id=batch_id)
    return job.id


def _a_batch(store: Store, settings: Settings, tmp_path: Path) -> int:
    options = ingest.ImportOptions(path=members_file(tmp_path, 3), source="pos", kind="customers")
    return ingest.run_import(options, store=store, settings=settings).batch_id


def test_a_job_whose_process_is_gone_is_reported_failed_with_its_batch(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    exited = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    gone = records.Worker(records.Worker.this_process().host, int(exited.stdout))
    batch_id = _a_batch(store, settings, tmp_path)
    job = jobs.get_import_job(store, _record(store, gone, batch_id))
    assert job is not None and job.status == "failed" and job.rows_read == 500
    assert job.error is not None
    assert f"patron import resume {batch_id}" in job.error
    assert f"patron import rollback {batch_id}" in job.error


def test_a_job_on_another_host_is_failed_only_when_its_heartbeat_is_stale(store: Store) -> None:
    job_id = _record(store, records.Worker("another-host", 1))
    job = jobs.get_import_job(store, job_id)
    assert job is not None and job.status == "running"
    with store.begin() as conn:
        stale = utcnow() - jobs.STALE_AFTER - timedelta(seconds=1)
        conn.execute(update(import_jobs).values(heartbeat_at=stale))
    job = jobs.get_import_job(store, job_id)
    assert job is not None and job.status == "failed"
    assert job.error is not None and "another-host" in job.error
    assert "patron import resume BATCH" in job.error  # no batch was committed yet


def test_progress_is_written_at_most_every_half_second(store: Store) -> None:
    job_id = _record(store, records.Worker.this_process())
    write = runner._ProgressWriter(store, job_id, "/no/such/file.csv")

    def rows_read() -> int:
        job = jobs.get_import_job(store, job_id)
        assert job is not None
        return job.rows_read

    for n in range(1, 101):  # a fast import reporting 100 chunks at once
        write(ingest.ImportProgress(n, n * 10, 1000))
    assert rows_read() == 1
    time.sleep(runner.PROGRESS_SECONDS)
    write(ingest.ImportProgress(200, 2000, 2000))
    assert rows_read() == 200


def test_jobs_ended_a_month_ago_are_forgotten_when_a_job_starts(store: Store) -> None:
    here = records.Worker.this_process()
    old, live = _record(store, here), "a" * 32
    with store.begin() as conn:
        month = utcnow() - timedelta(days=31)
        conn.execute(update(import_jobs).values(started_at=month, heartbeat_at=month))
        job = jobs.ImportJob(live, "n.csv", "pos", "customers", "li.na", utcnow())
        records.create_job(conn, job, here)
    assert jobs.get_import_job(store, old) is None
    assert [j.id for j in jobs.recent_import_jobs(store)] == [live]
