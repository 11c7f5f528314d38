"""Import jobs in the store: one row per job, with its progress, outcome and owning process.

Any server process can read a job; only the process running it writes to it. A job whose
process is gone (same host, process id no longer alive) or whose heartbeat is older than
``STALE_AFTER`` is reported as failed, with how to resume its batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from patron.core import PatronError, Worker, utcnow
from patron.store.schema import import_batches, import_jobs

# The running process refreshes its jobs' heartbeat this often; a heartbeat older than
# STALE_AFTER means the process is gone (or cut off from the store). SQLite may hold a beat
# back while an import commits a large group of rows, so the margin is wide.
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=60)
KEEP_ENDED = timedelta(days=30)


@dataclass
class ImportJob:
    """One import started from the web app or API, as any server process sees it."""

    id: str
    file_name: str
    source: str
    kind: str
    started_by: str
    started_at: datetime
    status: str = "running"  # running | completed | failed
    rows_read: int = 0
    bytes_read: int = 0
    total_bytes: int = 0
    batch_id: int | None = None
    report: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def percent(self) -> float:
        if self.status == "completed":
            return 100.0
        return round(100 * self.bytes_read / self.total_bytes, 1) if self.total_bytes else 0.0


def create_job(conn: Connection, job: ImportJob, worker: Worker) -> None:
    """Record a new running job; also forgets jobs started more than 30 days ago that have
    ended (finished, or their process stopped)."""
    now = utcnow()
    j = import_jobs.c
    conn.execute(
        delete(import_jobs).where(
            j.started_at < now - KEEP_ENDED, j.heartbeat_at < now - STALE_AFTER
        )
    )
    conn.execute(
        insert(import_jobs).values(
            id=job.id,
            file_name=job.file_name,
            source=job.source,
            kind=job.kind,
            started_by=job.started_by,
            started_at=job.started_at,
            status="running",
            rows_read=0,
            bytes_read=0,
            total_bytes=0,
            worker_host=worker.host[:255],
            worker_pid=worker.pid,
            heartbeat_at=now,
        )
    )


def record_progress(conn: Connection, job_id: str, **values: Any) -> None:
    """Update a running job's counters (rows_read, bytes_read, total_bytes, batch_id) and its
    heartbeat."""
    j = import_jobs.c
    conn.execute(
        update(import_jobs)
        .where(j.id == job_id, j.status == "running")
        .values(**values, heartbeat_at=utcnow())
    )


def finish_job(conn: Connection, job_id: str, status: str, **values: Any) -> None:
    """Record a job's outcome: ``completed`` with its report, or ``failed`` with its error."""
    now = utcnow()
    conn.execute(
        update(import_jobs)
        .where(import_jobs.c.id == job_id)
        .values(status=status, finished_at=now, heartbeat_at=now, **values)
    )


def batch_of_file(conn: Connection, path: str) -> int | None:
    """The newest import batch of the file at ``path`` (as the batch records it), or None."""
    b = import_batches.c
    found = conn.execute(
        select(b.id).where(b.file_name == path).order_by(b.id.desc()).limit(1)
    ).scalar()
    return None if found is None else int(found)


def get_job(conn: Connection, job_id: str) -> ImportJob | None:
    row = conn.execute(select(import_jobs).where(import_jobs.c.id == job_id)).mappings().first()
    return None if row is None else _job(row)


def recent_jobs(conn: Connection, limit: int = 10) -> list[ImportJob]:
    """The newest jobs first."""
    rows = conn.execute(
        select(import_jobs).order_by(import_jobs.c.started_at.desc()).limit(limit)
    ).mappings()
    return [_job(row) for row in rows]


def _job(row: Any) -> ImportJob:
    job = ImportJob(
        id=row["id"],
        file_name=row["file_name"],
        source=row["source"],
        kind=row["kind"],
        started_by=row["started_by"],
        started_at=row["started_at"],
        status=row["status"],
        rows_read=int(row["rows_read"]),
        bytes_read=int(row["bytes_read"]),
        total_bytes=int(row["total_bytes"]),
        batch_id=None if row["batch_id"] is None else int(row["batch_id"]),
        report=row["report"] or {},
        error=row["error"],
    )
    if job.status == "running":
        worker = Worker(row["worker_host"], int(row["worker_pid"]))
        if worker.is_gone() or row["heartbeat_at"] < utcnow() - STALE_AFTER:
            job.status, job.error = "failed", interrupted_message(job.batch_id, worker)
    return job


def interrupted_message(batch_id: int | None, worker: Worker) -> str:
    """What a user reads about a job whose server process stopped before it finished."""
    stopped = (
        f"the server process running this import (process {worker.pid} on {worker.host}) "
        "stopped before it finished"
    )
    if batch_id is None:
        return str(
            PatronError(
                stopped,
                hint="import the file again; if patron names an unfinished batch, "
                "`patron import resume BATCH` continues it",
            )
        )
    return str(
        PatronError(
            f"{stopped}; rows committed so far are kept in batch {batch_id}",
            hint=f"`patron import resume {batch_id}` continues it, "
            f"`patron import rollback {batch_id}` undoes it",
        )
    )
