"""Imports started from the web app or API run in a background thread of the server.

The batch itself is durable (checkpoints in the store, resumable after a crash); this registry
only tracks live progress for the status endpoint and the wizard's progress bar.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from patron import ingest
from patron.core import PatronError, Settings, utcnow
from patron.store import Store


@dataclass
class ImportJob:
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


class ImportJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, ImportJob] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> ImportJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self) -> list[ImportJob]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.started_at, reverse=True)

    def start(
        self,
        store: Store,
        settings: Settings,
        options: ingest.ImportOptions,
        *,
        display_name: str,
    ) -> ImportJob:
        job = ImportJob(
            uuid.uuid4().hex, display_name, options.source, options.kind, options.actor, utcnow()
        )
        with self._lock:
            self._jobs[job.id] = job

        def progress(p: ingest.ImportProgress) -> None:
            job.rows_read, job.bytes_read, job.total_bytes = (
                p.rows_read,
                p.bytes_read,
                (p.total_bytes),
            )

        def run() -> None:
            try:
                report = ingest.run_import(
                    options, store=store, settings=settings, progress=progress
                )
                job.batch_id = report.batch_id
                job.rows_read = report.rows_read
                job.report = {
                    "rows_read": report.rows_read,
                    "inserted": report.inserted,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": report.rejected,
                    "seconds": round(report.seconds, 2),
                }
                job.status = "completed"
                # A finished import needs its upload no more; a failed one keeps it for resume.
                Path(options.path).unlink(missing_ok=True)
            except PatronError as exc:
                job.status, job.error = "failed", str(exc)
            except Exception as exc:  # keep the server alive; the batch stays resumable
                job.status, job.error = "failed", f"{exc.__class__.__name__}: {exc}"

        threading.Thread(target=run, name=f"import-{job.id[:8]}", daemon=True).start()
        return job
