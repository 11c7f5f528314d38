"""`patron analyze` end to end on the demo company: every customer scored, models registered,
drift and outcomes checked on later runs, failures recorded (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import func, select, update

from patron import analytics
from patron.analytics.facts import as_timestamp
from patron.core import PatronError, Settings, utcnow
from patron.demo import run_demo
from patron.store import Store, open_store
from patron.store.schema import analytics_runs, customer_scores, customers, model_checks
from patron.warehouse import Warehouse, open_warehouse

PEOPLE = 1500
AS_OF = date(2026, 4, 1)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One imported demo company, copied per test (SQLite file)."""
    home = tmp_path_factory.mktemp("demo")
    run_demo(people=PEOPLE, settings=Settings(home=home), console=Console(quiet=True))
    return home


@pytest.fixture
def setup(demo_home: Path, tmp_path: Path) -> Iterator[tuple[Store, Warehouse]]:
    import shutil

    home = tmp_path / "home"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("demo", "warehouse*"))
    settings = Settings(home=home)
    store = open_store(settings)
    with open_warehouse(settings) as warehouse:
        yield store, warehouse
    store.dispose()


def test_every_customer_is_scored_and_models_are_registered(
    setup: tuple[Store, Warehouse],
) -> None:
    store, warehouse = setup
    steps: list[str] = []
    result = analytics.analyze(store, warehouse, analytics.AnalyzeOptions(as_of=AS_OF),
                               progress=steps.append)  # fmt: skip
    assert steps[0] == "sync" and steps[-1] == "save" and len(steps) == 8
    with store.connect() as conn:
        active = conn.execute(
            select(func.count()).select_from(customers).where(customers.c.status == "active")
        ).scalar()
        scored = conn.execute(select(func.count()).select_from(customer_scores)).scalar()
        churn = conn.execute(select(customer_scores.c.churn_probability)).scalars().all()
        run = analytics.latest_run(conn)
        models = analytics.list_models(conn)
    assert result.customers == scored
    # Everyone first seen before the moment is scored; later sign-ups are not (yet).
    assert 0.5 * active < scored <= active
    probabilities = [p for p in churn if p is not None]
    assert probabilities and all(0 <= p <= 1 for p in probabilities)
    assert run is not None and run["status"] == "completed"
    summary = run["summary"]
    backtest = summary["churn"]["backtest"]
    assert 0.5 < backtest["auc"] <= 1 and 0.5 < backtest["baseline_auc"] <= 1
    assert sum(c["customers"] for c in summary["value_churn_matrix"]) == len(probabilities)
    assert {m.kind for m in models} == {"churn", "clv_bgnbd_gg"}
    assert all(m.status == "active" and m.version == 1 for m in models)
    assert summary["drift"] is None  # nothing to compare with yet
    assert summary["lifecycle_funnel"] and summary["rfm_grid"]


def test_later_runs_check_drift_and_outcomes(setup: tuple[Store, Warehouse]) -> None:
    store, warehouse = setup
    horizon = 60
    options = analytics.AnalyzeOptions(as_of=AS_OF, churn_horizon_days=horizon)
    analytics.analyze(store, warehouse, options)
    later = analytics.AnalyzeOptions(
        as_of=AS_OF + timedelta(days=horizon), churn_horizon_days=horizon
    )
    second = analytics.analyze(store, warehouse, later)
    drift = second.summary["drift"]
    assert drift is not None and drift["level"] in ("stable", "watch", "alert")
    # The first model's horizon has passed: its ranking is judged on who came back.
    assert drift["outcome_auc"] is not None and 0.5 < drift["outcome_auc"] <= 1
    with store.connect() as conn:
        churn_models = analytics.list_models(conn, "churn")
        checks = conn.execute(select(model_checks)).all()
    assert [m.version for m in churn_models] == [2, 1]
    assert [m.status for m in churn_models] == ["active", "retired"]
    assert len(checks) == 1 and checks[0].model_id == churn_models[1].id
    assert second.summary["tier_migration"]["counts"]


def test_a_failed_run_is_recorded(setup: tuple[Store, Warehouse]) -> None:
    store, warehouse = setup
    too_early = analytics.AnalyzeOptions(as_of=date(2024, 8, 1))  # before much history
    with pytest.raises(PatronError, match=r"as of|history") as failure:
        analytics.analyze(store, warehouse, too_early)
    with store.connect() as conn:
        runs = analytics.list_runs(conn)
    assert runs[0]["status"] == "failed" and str(failure.value) in runs[0]["error"]
    assert runs[0]["finished_at"] is not None


def test_one_run_at_a_time(setup: tuple[Store, Warehouse]) -> None:
    from patron.analytics.results import start_run

    store, warehouse = setup
    with store.begin() as conn:
        start_run(conn, as_of_moment := as_timestamp(AS_OF), "ana")
    with pytest.raises(PatronError, match="still running"):
        analytics.analyze(store, warehouse, analytics.AnalyzeOptions(as_of=AS_OF))
    with store.begin() as conn:
        assert analytics.abandon_runs(conn, actor="ana") == 1
    assert analytics.analyze(store, warehouse, analytics.AnalyzeOptions(as_of=AS_OF)).customers
    # A run whose process died long ago does not block the next one.
    with store.begin() as conn:
        stale = start_run(conn, as_of_moment, "ana")
        conn.execute(
            update(analytics_runs)
            .where(analytics_runs.c.id == stale)
            .values(started_at=utcnow() - timedelta(hours=4))
        )
    assert analytics.analyze(store, warehouse, analytics.AnalyzeOptions(as_of=AS_OF)).customers
    with store.connect() as conn:
        runs = {r["id"]: r for r in analytics.list_runs(conn)}
    assert runs[stale]["status"] == "failed" and "process stopped" in runs[stale]["error"]


@pytest.mark.postgres
def test_postgresql_store_gives_the_same_scores(
    setup: tuple[Store, Warehouse], pg_admin_url: str, pg_template: str, tmp_path: Path
) -> None:
    from pg_server import pg_store

    sqlite_store, sqlite_warehouse = setup
    on_sqlite = analytics.analyze(sqlite_store, sqlite_warehouse,
                                  analytics.AnalyzeOptions(as_of=AS_OF))  # fmt: skip
    for pg in pg_store(pg_admin_url, pg_template, tmp_path / "pg"):
        settings = Settings(home=tmp_path / "pg-home", database_url=pg.url)
        run_demo(people=PEOPLE, settings=settings, console=Console(quiet=True))
        with open_warehouse(settings) as warehouse:
            on_pg = analytics.analyze(pg, warehouse, analytics.AnalyzeOptions(as_of=AS_OF))
        with pg.connect() as conn:
            pg_scores = conn.execute(
                select(customer_scores.c.customer_id, customer_scores.c.churn_probability).order_by(
                    customer_scores.c.customer_id
                )
            ).all()
    with sqlite_store.connect() as conn:
        sqlite_scores = conn.execute(
            select(customer_scores.c.customer_id, customer_scores.c.churn_probability).order_by(
                customer_scores.c.customer_id
            )
        ).all()
    assert on_pg.customers == on_sqlite.customers
    assert on_pg.summary["churn"]["backtest"]["auc"] == pytest.approx(
        on_sqlite.summary["churn"]["backtest"]["auc"], abs=1e-9
    )
    assert pg_scores == sqlite_scores
