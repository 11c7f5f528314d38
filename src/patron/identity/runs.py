"""Matching runs (``match_runs``): one at a time, whoever starts it (``patron unify``, the REST
API or the web app), each with the stage it is at and the process running it.

The process running a match keeps the run's heartbeat fresh (``RunHeartbeat``). A run whose
process is gone (same host, process id not alive) or whose heartbeat is older than
``STALE_AFTER`` is reported as failed and does not stop the next run: the merges it committed
stay (each audited and undoable), and the next incremental run starts from the last completed
one.

Facade use::

    with store.begin() as conn:          # ConflictError while another run is running
        run = start_run(conn, full=False, high=0.95, low=0.5, actor="ana")
    unify(store, run_id=run.id)          # or unify(store, ...) starts one itself
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from patron.core import ConflictError, InputError, NotFoundError, PatronError, Worker, utcnow
from patron.identity.proposal import DEFAULT_HIGH
from patron.identity.review import calibrated_threshold, decided_scores
from patron.store import Store, hold_match_runs, record_audit
from patron.store.schema import match_runs

# The beat is frequent so that a stage change shows within seconds; a heartbeat older than
# STALE_AFTER means the process is gone (SQLite may hold a beat back behind a long merge
# transaction, so the margin is wide).
HEARTBEAT_SECONDS = 2.0
STALE_AFTER = timedelta(seconds=60)
Progress = Callable[[str, int, int], None]  # (stage, done, total)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MatchRun:
    id: int
    mode: str  # full | incremental
    status: str  # running | completed | failed
    actor: str
    started_at: datetime
    finished_at: datetime | None
    high: float
    low: float
    records: int | None  # the counts are set when the run completes
    pairs: int | None
    merges: int | None
    reviews: int | None
    households: int | None
    error: str | None
    stage: str | None  # what a running run is doing ("merging" ...), where a failed one stopped
    stage_done: int | None
    stage_total: int | None


def check_thresholds(high: float, low: float) -> None:
    """Raise InputError unless 0 < low <= high <= 1."""
    if not 0 < low <= high <= 1:
        raise InputError(
            f"thresholds must satisfy 0 < low <= high <= 1 (got low={low}, high={high})",
            field="threshold",
        )


def start_run(
    conn: Connection, *, full: bool, high: float | None, low: float, actor: str
) -> MatchRun:
    """Record (and audit) a new running match: full when asked or when no run has completed
    yet, else incremental. ``high`` None: DEFAULT_HIGH, lowered where people's review
    decisions show it safe (``calibrated_threshold``). Raises ConflictError while another run
    is running::

        with store.begin() as conn:
            run = start_run(conn, full=False, high=0.95, low=0.5, actor="ana")
    """
    if high is None:
        high = calibrated_threshold(decided_scores(conn), DEFAULT_HIGH, floor=low)
    check_thresholds(high, low)
    hold_match_runs(conn)
    now = utcnow()
    for row in conn.execute(select(match_runs).where(match_runs.c.status == "running")):
        run = _run(row, now)
        if run.status == "running":
            raise ConflictError(
                f"matching run #{run.id} is running (started by {run.actor} at "
                f"{run.started_at:%Y-%m-%d %H:%M} UTC)",
                hint=f"wait for it to finish: GET /api/v1/identity/runs/{run.id}",
            )
        # Its process stopped: record it as failed, so it stays so.
        conn.execute(
            update(match_runs)
            .where(match_runs.c.id == run.id, match_runs.c.status == "running")
            .values(status="failed", finished_at=now, error=run.error)
        )
    previous = last_model(conn)
    worker = Worker.this_process()
    run_id = conn.execute(
        insert(match_runs)
        .values(
            mode="full" if full or previous is None else "incremental",
            status="running",
            actor=actor[:100],
            started_at=now,
            high=high,
            low=low,
            stage="starting",
            worker_host=worker.host[:255],
            worker_pid=worker.pid,
            heartbeat_at=now,
        )
        .returning(match_runs.c.id)
    ).scalar_one()
    run = get_run(conn, int(run_id))
    record_audit(
        conn, actor=actor, action="match_run.started", target_type="match_run", target_id=run.id,
        details={"mode": run.mode, "high": high, "low": low},
    )  # fmt: skip
    return run


def last_model(conn: Connection, *, before: int | None = None) -> Any:
    """The newest completed run's model and watermark (a row), or None: what an incremental
    run carries on from."""
    m = match_runs.c
    query = select(m.model, m.watermark).where(m.status == "completed", m.model.is_not(None))
    if before is not None:
        query = query.where(m.id < before)
    return conn.execute(query.order_by(m.id.desc()).limit(1)).first()


def get_run(conn: Connection, run_id: int) -> MatchRun:
    row = conn.execute(select(match_runs).where(match_runs.c.id == run_id)).first()
    if row is None:
        raise NotFoundError(
            f"no matching run #{run_id}", hint="list them: GET /api/v1/identity/runs"
        )
    return _run(row, utcnow())


def list_runs(conn: Connection, *, limit: int = 20, offset: int = 0) -> tuple[list[MatchRun], int]:
    """Runs, newest first; returns (page, total)."""
    total = int(conn.execute(select(func.count()).select_from(match_runs)).scalar_one())
    now = utcnow()
    rows = conn.execute(
        select(match_runs).order_by(match_runs.c.id.desc()).limit(limit).offset(offset)
    )
    return [_run(row, now) for row in rows], total


def _run(row: Any, now: datetime) -> MatchRun:
    run = MatchRun(
        int(row.id), row.mode, row.status, row.actor, row.started_at, row.finished_at,
        float(row.high), float(row.low), row.records, row.pairs, row.merges, row.reviews,
        row.households, row.error, row.stage, row.stage_done, row.stage_total,
    )  # fmt: skip
    if run.status == "completed":  # the last stage it reported says nothing more
        return replace(run, stage=None, stage_done=None, stage_total=None)
    if run.status != "running":  # failed: the stage says where
        return run
    beat = row.heartbeat_at or row.started_at
    worker = Worker(row.worker_host, int(row.worker_pid)) if row.worker_host else None
    if (worker is not None and worker.is_gone()) or beat < now - STALE_AFTER:
        where = f" (process {worker.pid} on {worker.host})" if worker else ""
        error = PatronError(
            f"the process running this match{where} stopped before it finished; the merges "
            "it committed are kept, each can be undone",
            hint="start a new run",
        )
        return replace(run, status="failed", error=str(error))
    return run


class RunHeartbeat:
    """Keeps a running match's heartbeat fresh from a thread, with the stage it reports, until
    ``stop``. ``tracking(progress)`` wraps a progress callback so that stages reach the run::

        beat = RunHeartbeat(store, run.id)
        try:
            work(progress=beat.tracking(report))
        finally:
            beat.stop()
    """

    def __init__(self, store: Store, run_id: int) -> None:
        self.store, self.run_id = store, run_id
        self._latest: tuple[str, int, int] | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._beat, name=f"match-{run_id}", daemon=True)
        self._thread.start()

    def tracking(self, progress: Progress) -> Progress:
        def report(stage: str, done: int, total: int) -> None:
            changed = self._latest is None or self._latest[0] != stage
            self._latest = (stage, done, total)
            if changed:  # a new stage shows at once, counts with the next beat
                self._wake.set()
            progress(stage, done, total)

        return report

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _beat(self) -> None:
        while True:
            self._wake.wait(HEARTBEAT_SECONDS)
            self._wake.clear()
            if self._stopping:
                return
            values: dict[str, Any] = {"heartbeat_at": utcnow()}
            if self._latest is not None:
                stage, done, total = self._latest
                values |= {"stage": stage[:40], "stage_done": done, "stage_total": total}
            try:
                with self.store.begin() as conn:
                    conn.execute(
                        update(match_runs)
                        .where(match_runs.c.id == self.run_id, match_runs.c.status == "running")
                        .values(**values)
                    )
            except Exception:  # a busy store: the next beat tries again
                log.warning("matching run %s: heartbeat not recorded", self.run_id, exc_info=True)
