"""The worker's schedule: analytics runs when the last run is older than the setting, never
when it is off, and a failing run is reported without stopping the loop."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import update

from patron import analytics
from patron.core import Settings, utcnow
from patron.demo import run_demo
from patron.store import open_store
from patron.store.schema import analytics_runs
from patron.worker import refresh_due, tick


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("worker")
    run_demo(people=1500, settings=Settings(home=home), console=Console(quiet=True))
    return home


def test_analytics_runs_when_due_and_not_again(home: Path) -> None:
    settings = Settings(home=home, analytics_refresh_hours=24)
    store = open_store(settings)
    assert refresh_due(store, 24)
    first = tick(store, settings)
    assert first.analytics.startswith("ran run #")
    assert not refresh_due(store, 24)
    assert tick(store, settings).analytics == "not due"
    # A day later it is due again.
    with store.begin() as conn:
        conn.execute(update(analytics_runs).values(started_at=utcnow() - timedelta(hours=25)))
    assert refresh_due(store, 24)
    assert tick(store, Settings(home=home, analytics_refresh_hours=0)).analytics == "off"
    store.dispose()


def test_lifecycle_rules_from_the_settings_apply_and_bad_ones_fail_clearly(home: Path) -> None:
    strict = Settings(home=home, analytics_refresh_hours=1e-9,
                      analytics_lifecycle_rules={"loyalty_min_orders": 100_000})  # fmt: skip
    store = open_store(strict)
    outcome = tick(store, strict, now=utcnow() + timedelta(days=1))
    assert outcome.analytics.startswith("ran run #")
    with store.connect() as conn:
        funnel = {row["stage"]: row["customers"]
                  for row in analytics.latest_run(conn)["summary"]["lifecycle_funnel"]}  # fmt: skip
    assert funnel["loyalty"] == 0  # nobody has 100,000 orders
    bad = Settings(home=home, analytics_refresh_hours=1e-9,
                   analytics_lifecycle_rules={"loyalty_orders": 5})  # fmt: skip
    failed = tick(store, bad, now=utcnow() + timedelta(days=2))
    assert failed.analytics.startswith("failed") and "loyalty_orders" in failed.analytics
    store.dispose()
