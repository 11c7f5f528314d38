"""Feature snapshots with history: a schedule of moments, re-saving a moment replaces it, and
a customer's and a segment's history read back in order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from test_features import HAND, _load

from patron.analytics.snapshots import (
    backfill,
    customer_history,
    save_snapshot,
    schedule,
    segment_history,
    snapshot_moments,
)
from patron.core import Settings
from patron.warehouse import open_warehouse


@pytest.fixture
def con() -> Any:
    with open_warehouse(Settings(), memory=True) as warehouse:
        _load(warehouse.con, HAND)
        yield warehouse.con


def test_schedule_of_month_and_week_starts() -> None:
    months = schedule(date(2025, 1, 15), date(2025, 4, 1))
    assert [m.date() for m in months] == [date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)]
    weeks = schedule(date(2025, 1, 1), date(2025, 1, 31), every="week")
    assert [m.date() for m in weeks] == [date(2025, 1, d) for d in (6, 13, 20, 27)]
    assert all(m.tzinfo == UTC for m in months + weeks)
    with pytest.raises(ValueError, match="month"):
        schedule(date(2025, 1, 1), date(2025, 2, 1), every="day")


def test_backfill_keeps_history_and_a_moment_once(con: Any) -> None:
    counts = backfill(con, date(2025, 1, 1), date(2025, 7, 1))
    assert len(counts) == 7 and len(snapshot_moments(con)) == 7
    # Customer 1 orders on 1 January, 31 January and 1 April (days 0, 30 and 90): a snapshot
    # as of a month's first day sees what happened before it.
    history = customer_history(con, 1)
    assert list(history.frequency) == [0, 2, 2, 2, 3, 3, 3]
    again = save_snapshot(con, datetime(2025, 3, 1, tzinfo=UTC))
    assert again == counts[datetime(2025, 3, 1, tzinfo=UTC)]
    assert len(customer_history(con, 1)) == 7  # replaced, not added
    segment = segment_history(con, [1, 2])
    assert list(segment.customers) == [1, 2, 2, 2, 2, 2, 2]  # 2 is first seen on day 10
    assert list(segment.buyers) == [0, 1, 1, 1, 1, 1, 2]
