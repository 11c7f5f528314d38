"""Running an import job: a background thread of the server process that started it.

The import itself is a durable batch (checkpoints in the store, resumable after a crash); the
job row adds what the web app shows while it runs. Progress is written at most every
``PROGRESS_SECONDS`` so that tracking costs the import nothing measurable, and a heartbeat
thread keeps the row fresh between progress writes (a chunk can take longer than that).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from patron import ingest
from patron.core import PatronError, Settings, utcnow
from patron.jobs import records
from patron.jobs.records import HEARTBEAT_SECONDS, ImportJob, Worker
from patron.store import Store

PROGRESS_SECONDS = 0.5

log = logging.getLogger(__name__)


def start_import(
    store: Store, settings: Settings, options: ingest.ImportOptions, *, display_name: str
) -> ImportJob:
    """Record a job and run the import in a background thread; returns the job as started."""
    job = ImportJob(
        uuid.uuid4().hex, display_name, options.source, options.kind, options.actor, utcnow()
    )
    with store.begin() as conn:
        records.create_job(conn, job, Worker.this_process())
    thread = threading.Thread(
        target=_run, args=(store, settings, options, job.id), name=f"import-{job.id[:8]}"
    )
    thread.daemon = True  # the batch stays resumable if the server stops mid-import
    thread.start()
    return job


def _run(store: Store, settings: Settings, options: ingest.ImportOptions, job_id: str) -> None:
    stop_beating = _heartbeat(store, job_id)
    progress = _ProgressWriter(store, job_id, str(Path(options.path).resolve()))
    try:
        report = ingest.run_import(options, store=store, settings=settings, progress=progress)
    except PatronError as exc:
        _finish(store, job_id, "failed", error=str(exc), batch_id=progress.batch_id)
    except Exception as exc:  # keep the server alive; the batch stays resumable
        error = f"{exc.__class__.__name__}: {exc}"
        _finish(store, job_id, "failed", error=error, batch_id=progress.batch_id)
    else:
        _finish(
            store,
            job_id,
            "completed",
            batch_id=report.batch_id,
            rows_read=report.rows_read,
            report={
                "rows_read": report.rows_read,
                "inserted": report.inserted,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
                "seconds": round(report.seconds, 2),
            },
        )
        # A finished import needs its upload no more; a failed one keeps it for resume.
        Path(options.path).unlink(missing_ok=True)
    finally:
        stop_beating()


class _ProgressWriter:
    """The import's progress callback: writes the counters at most every PROGRESS_SECONDS,
    and on its first call records which batch the import writes to."""

    def __init__(self, store: Store, job_id: str, path: str) -> None:
        self.store, self.job_id, self.path = store, job_id, path
        self.batch_id: int | None = None
        self._written_at = float("-inf")

    def __call__(self, p: ingest.ImportProgress) -> None:
        now = time.monotonic()
        if now - self._written_at < PROGRESS_SECONDS:
            return
        self._written_at = now
        values: dict[str, int | None] = {
            "rows_read": p.rows_read,
            "bytes_read": p.bytes_read,
            "total_bytes": p.total_bytes,
        }
        try:
            with self.store.begin() as conn:
                if self.batch_id is None:
                    self.batch_id = records.batch_of_file(conn, self.path)
                    values["batch_id"] = self.batch_id
                records.record_progress(conn, self.job_id, **values)
        except Exception:  # a busy store must not stop the import: the next call writes
            log.warning("import job %s: progress not recorded", self.job_id, exc_info=True)


def _finish(store: Store, job_id: str, status: str, **values: object) -> None:
    try:
        with store.begin() as conn:
            records.finish_job(conn, job_id, status, **values)
    except Exception:  # the store is unreachable: readers will see the heartbeat go stale
        log.exception("could not record the outcome of import job %s", job_id)


def _heartbeat(store: Store, job_id: str) -> Callable[[], None]:
    """Refresh the job's heartbeat every HEARTBEAT_SECONDS until the returned function is
    called."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with store.begin() as conn:
                    records.record_progress(conn, job_id)
            except Exception:  # a busy store: the next beat tries again
                log.warning("import job %s: heartbeat not recorded", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"import-{job_id[:8]}-heartbeat", daemon=True)
    thread.start()

    def stop_and_wait() -> None:
        stop.set()
        thread.join()

    return stop_and_wait
