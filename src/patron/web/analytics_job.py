"""Analytics runs started from the web app or the REST API, in a background thread of the
server process that received the request (as matching runs are, see patron.jobs).

The warehouse is a DuckDB file with one writer at a time: only the background thread opens
it, for the length of the run; the web app itself never holds it. The run's row in the store
(``analytics_runs``) is what every server process answers from once ``analyze`` has recorded
it, which it does after bringing the warehouse up to date. Until then this process knows the
run as *starting*: ``analyze`` has no separate ``start_run`` yet (identity does), so the
answer to a start cannot carry the run's id.

>>> state = local_state(store)   # doctest: +SKIP
>>> state.starting, state.error  # doctest: +SKIP
(False, None)
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from patron.core import ConflictError, Settings, utcnow
from patron.store import Store

log = logging.getLogger(__name__)


@dataclass
class LocalRun:
    """What this process knows about the last run it started."""

    requested_at: datetime
    as_of: date | None
    actor: str
    thread: threading.Thread | None = None
    stage: str | None = None  # the step analyze reported last
    error: str | None = None  # why it stopped, when it failed
    finished: bool = False

    @property
    def starting(self) -> bool:
        """Started here and not yet recorded in the store (bringing the warehouse up to
        date)."""
        return not self.finished and self.stage in (None, "sync")

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


_lock = threading.Lock()
_runs: dict[str, LocalRun] = {}  # by store URL: tests serve several stores in one process


def local_state(store: Store) -> LocalRun | None:
    """The last run this process started on ``store``, or None."""
    return _runs.get(str(store.url))


def running_run(store: Store) -> dict[str, Any] | None:
    """The run the store records as running, if any (whichever process runs it)."""
    from patron import analytics

    with store.connect() as conn:
        recent = analytics.list_runs(conn, limit=5)
    return next((r for r in recent if r["status"] == "running"), None)


def start_analysis(store: Store, settings: Settings, *, as_of: date | None, actor: str) -> LocalRun:
    """Start ``patron analyze`` in a background thread; returns at once. Raises ConflictError
    while a run is running (recorded in the store, or starting in this process)."""
    key = str(store.url)
    with _lock:
        mine = _runs.get(key)
        if mine is not None and mine.alive:
            raise ConflictError(
                "an analytics run is already starting or running (started by "
                f"{mine.actor} at {mine.requested_at:%Y-%m-%d %H:%M:%S} UTC)",
                hint="wait for it to finish: GET /api/v1/analytics/runs",
            )
        other = running_run(store)
        if other is not None:
            raise ConflictError(
                f"analytics run #{other['id']} is running (started by {other['actor']})",
                hint="wait for it to finish: GET /api/v1/analytics/runs; a run whose process "
                "stopped stays running until `patron analyze --abandon` marks it failed",
            )
        run = LocalRun(requested_at=utcnow(), as_of=as_of, actor=actor)
        run.thread = threading.Thread(
            target=_analyse, args=(store, settings, run), name="analytics-run", daemon=True
        )
        _runs[key] = run
        run.thread.start()
    return run


def _analyse(store: Store, settings: Settings, run: LocalRun) -> None:
    from patron import analytics
    from patron.warehouse import open_warehouse

    def progress(step: str) -> None:
        run.stage = step

    try:
        with open_warehouse(settings) as warehouse:
            options = analytics.AnalyzeOptions(
                as_of=run.as_of,
                actor=run.actor,
                lifecycle_rules=settings.analytics_lifecycle_rules or None,
            )
            analytics.analyze(store, warehouse, options, progress)
    except Exception as exc:  # analyze recorded the failure in its run; keep the server alive
        run.error = f"{type(exc).__name__}: {exc}"[:500]
        log.exception("analytics run failed")
    finally:
        run.finished = True
