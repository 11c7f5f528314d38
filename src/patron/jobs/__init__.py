"""Jobs: imports and matching runs started from the web app or the REST API, run in the
background of the server process that received them, with their progress and outcome kept in
the store so that every server process (``patron serve --workers N``) answers the same for
them.

Facade::

    from patron import jobs
    job = jobs.start_import_job(store, settings, options, display_name="members.csv")
    jobs.get_import_job(store, job.id).status      # running | completed | failed
    jobs.recent_import_jobs(store, limit=10)
    run = jobs.start_matching(store, full=False, high=0.95, low=0.5, actor="ana")
    # ... runs `patron unify` in the background; identity.get_run(conn, run.id) follows it

A job whose server process stopped before it finished is reported as failed, naming the batch
to resume with ``patron import resume BATCH``.
"""

from __future__ import annotations

from patron import ingest
from patron.core import Settings
from patron.jobs import records as _records
from patron.jobs import runner as _runner
from patron.jobs.matching import start_matching
from patron.jobs.records import STALE_AFTER, ImportJob
from patron.store import Store


def start_import_job(
    store: Store, settings: Settings, options: ingest.ImportOptions, *, display_name: str
) -> ImportJob:
    """Start importing ``options.path`` in a background thread of this process; the upload is
    deleted when the import completes (kept for ``patron import resume`` otherwise)."""
    return _runner.start_import(store, settings, options, display_name=display_name)


def get_import_job(store: Store, job_id: str) -> ImportJob | None:
    """A job by its id, whichever process runs it, or None."""
    with store.connect() as conn:
        return _records.get_job(conn, job_id)


def recent_import_jobs(store: Store, limit: int = 10) -> list[ImportJob]:
    """The newest jobs first."""
    with store.connect() as conn:
        return _records.recent_jobs(conn, limit)


__all__ = [
    "STALE_AFTER",
    "ImportJob",
    "get_import_job",
    "recent_import_jobs",
    "start_import_job",
    "start_matching",
]
