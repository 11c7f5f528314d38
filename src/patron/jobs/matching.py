"""Matching runs started from the web app or the REST API: recorded at once (so the caller gets
the run's id, and a second start is refused while one runs), then run in a background thread
of the server process that received the request. The run's row in the store (its stage, its
heartbeat, its outcome) is what every server process answers from."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from patron.store import Store

if TYPE_CHECKING:
    from patron.identity import MatchRun

log = logging.getLogger(__name__)


def start_matching(
    store: Store, *, full: bool, high: float | None, low: float, actor: str
) -> MatchRun:
    """Record a running match and run it in a background thread; returns the run as started
    (``high`` None: calibrated, see identity.start_run). Raises ConflictError while another
    run is running, InputError for bad thresholds."""
    # patron.identity brings Splink, DuckDB and pandas: loaded when a run starts, not with
    # the web app.
    from patron import identity

    with store.begin() as conn:
        run = identity.start_run(conn, full=full, high=high, low=low, actor=actor)
    thread = threading.Thread(target=_run, args=(store, run.id, actor), name=f"match-run-{run.id}")
    thread.daemon = True  # a stopped server leaves the run failed (see identity.runs)
    thread.start()
    return run


def _run(store: Store, run_id: int, actor: str) -> None:
    from patron import identity

    try:
        identity.unify(store, run_id=run_id, actor=actor)
    except Exception:  # unify recorded the failure in the run; keep the server alive
        log.exception("matching run %s failed", run_id)
