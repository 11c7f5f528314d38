"""Matching runs: one at a time whoever starts it, and a run whose process stopped neither
blocks the next one nor shows as running for ever."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from patron.core import ConflictError, InputError, utcnow
from patron.identity import get_run, list_runs, start_run
from patron.identity.runs import STALE_AFTER
from patron.store import Store
from patron.store.schema import match_runs


def _start(store: Store, actor: str = "ana") -> int:
    with store.begin() as conn:
        return start_run(conn, full=False, high=0.95, low=0.5, actor=actor).id


def test_one_run_at_a_time(store: Store) -> None:
    first = _start(store)
    with store.connect() as conn:
        run = get_run(conn, first)
    assert (run.status, run.mode, run.stage) == ("running", "full", "starting")
    with pytest.raises(ConflictError, match=f"run #{first} is running"):
        _start(store, "bob")
    with store.begin() as conn:
        conn.execute(update(match_runs).where(match_runs.c.id == first).values(status="completed"))
    second = _start(store, "bob")
    with store.connect() as conn:
        runs, total = list_runs(conn)
    assert total == 2 and [r.id for r in runs] == [second, first]
    assert runs[1].status == "completed" and runs[1].stage is None


def test_a_run_whose_process_stopped_is_failed_and_does_not_block(store: Store) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    first = _start(store)
    with store.begin() as conn:
        conn.execute(
            update(match_runs)
            .where(match_runs.c.id == first)
            .values(worker_pid=int(gone.stdout), stage="merging")
        )
    with store.connect() as conn:
        run = get_run(conn, first)
    assert run.status == "failed" and "stopped before it finished" in (run.error or "")
    assert run.stage == "merging"  # where it stopped
    second = _start(store)
    with store.connect() as conn:
        assert get_run(conn, first).status == "failed"  # recorded so, for good
        assert get_run(conn, second).status == "running"


def test_a_run_on_another_host_is_failed_when_its_heartbeat_is_old(store: Store) -> None:
    first = _start(store)
    with store.begin() as conn:
        conn.execute(
            update(match_runs)
            .where(match_runs.c.id == first)
            .values(worker_host="elsewhere", heartbeat_at=utcnow() - timedelta(seconds=5))
        )
    with store.connect() as conn:
        assert get_run(conn, first).status == "running"  # another host: only the beat tells
    with store.begin() as conn:
        conn.execute(
            update(match_runs)
            .where(match_runs.c.id == first)
            .values(heartbeat_at=utcnow() - STALE_AFTER - timedelta(seconds=1))
        )
    with store.connect() as conn:
        assert get_run(conn, first).status == "failed"


def test_thresholds_are_checked_before_anything_is_recorded(store: Store) -> None:
    with store.begin() as conn, pytest.raises(InputError, match="low <= high"):
        start_run(conn, full=False, high=0.4, low=0.6, actor="ana")
    with store.connect() as conn:
        assert list_runs(conn) == ([], 0)


def test_the_heartbeat_carries_the_stage_to_the_store(store: Store) -> None:
    from patron.identity.runs import RunHeartbeat

    run_id = _start(store)
    with store.begin() as conn:
        old = utcnow() - timedelta(seconds=30)
        conn.execute(update(match_runs).where(match_runs.c.id == run_id).values(heartbeat_at=old))
    seen: list[tuple[str, int, int]] = []
    beat = RunHeartbeat(store, run_id)
    try:
        beat.tracking(lambda *args: seen.append(args))("merging", 3, 10)
        deadline = utcnow() + timedelta(seconds=10)
        while utcnow() < deadline:
            with store.connect() as conn:
                row = conn.execute(match_runs.select().where(match_runs.c.id == run_id)).one()
            if row.stage == "merging":
                break
            time.sleep(0.05)
    finally:
        beat.stop()
    assert seen == [("merging", 3, 10)]
    assert (row.stage, row.stage_done, row.stage_total) == ("merging", 3, 10)
    assert row.heartbeat_at > old


def test_without_a_merge_threshold_the_default_applies_until_decisions_calibrate_it(
    store: Store,
) -> None:
    with store.begin() as conn:
        run = start_run(conn, full=False, high=None, low=0.5, actor="ana")
    assert run.high == 0.95  # no decisions yet: the default
