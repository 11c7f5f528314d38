"""When scheduled work is due, and the loop that does it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from patron.core import PatronError, Settings, utcnow
from patron.store import Store

log = logging.getLogger(__name__)


@dataclass
class WorkerTick:
    """What one pass of the loop did."""

    analytics: str  # "ran run #N", "not due (next after ...)", "off", or the error


def refresh_due(store: Store, every_hours: float, now: datetime | None = None) -> bool:
    """Whether the analytics refresh is due: on, and no run completed (or started, for a run
    still going) within the last ``every_hours``."""
    if every_hours <= 0:
        return False
    from patron import analytics

    now = now or utcnow()
    with store.connect() as conn:
        runs = analytics.list_runs(conn, limit=20)
    recent = [
        r for r in runs
        if r["status"] in ("completed", "running")
        and r["started_at"] > now - timedelta(hours=every_hours)
    ]  # fmt: skip
    return not recent


def tick(store: Store, settings: Settings, now: datetime | None = None) -> WorkerTick:
    """One pass: run whatever is due."""
    if settings.analytics_refresh_hours <= 0:
        return WorkerTick(analytics="off")
    if not refresh_due(store, settings.analytics_refresh_hours, now):
        return WorkerTick(analytics="not due")
    from patron import analytics
    from patron.warehouse import open_warehouse

    options = analytics.AnalyzeOptions(
        actor="worker", lifecycle_rules=settings.analytics_lifecycle_rules or None
    )
    try:
        with open_warehouse(settings) as warehouse:
            result = analytics.analyze(store, warehouse, options)
    except PatronError as exc:  # recorded in the run; the loop carries on
        log.warning("scheduled analytics run failed: %s", exc)
        return WorkerTick(analytics=f"failed: {exc}")
    return WorkerTick(analytics=f"ran run #{result.run_id}")


def run_forever(store: Store, settings: Settings, poll_seconds: float = 300) -> None:
    """Tick every ``poll_seconds`` until interrupted."""
    while True:
        outcome = tick(store, settings)
        log.info("worker: analytics %s", outcome.analytics)
        time.sleep(poll_seconds)
