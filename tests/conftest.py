"""Shared fixtures: stores on SQLite and on a real PostgreSQL.

PostgreSQL tests run against PATRON_TEST_POSTGRES_URL, or a throwaway cluster started here.
With PATRON_REQUIRE_POSTGRES=1 (CI) a missing PostgreSQL fails the run instead of skipping;
PATRON_REQUIRE_SPARK=1 does the same for pyspark and Java (the Spark matching tests).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from patron.core import Settings
from patron.store import Store, open_store
from pg_server import pg_store as _pg_store

REQUIRE_PG = os.environ.get("PATRON_REQUIRE_POSTGRES") == "1"
REQUIRE_SPARK = os.environ.get("PATRON_REQUIRE_SPARK") == "1"
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    url = os.environ.get("PATRON_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    from pg_server import ThrowawayPostgres

    try:
        server = ThrowawayPostgres()
        url = server.start()
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(
                f"PostgreSQL is required (PATRON_REQUIRE_POSTGRES=1) but did not start: {exc}"
            )
        pytest.skip(f"no PostgreSQL available: {exc}")
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def spark_required() -> bool:
    """Whether a missing Spark (pyspark or Java) fails the run instead of skipping."""
    return REQUIRE_SPARK


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str) -> str:
    """A database migrated once, cloned for each test (CREATE DATABASE ... TEMPLATE)."""
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS patron_template"))
        conn.execute(text("CREATE DATABASE patron_template"))
    url = pg_admin_url.rsplit("/", 1)[0] + "/patron_template"
    store = open_store(Settings(database_url=url))
    store.dispose()
    admin.dispose()
    return url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
def sqlite_store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings)
    yield store
    store.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[Store]:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        st = open_store(settings)
        yield st
        st.dispose()
    else:
        admin = request.getfixturevalue("pg_admin_url")
        template = request.getfixturevalue("pg_template")
        yield from _pg_store(admin, template, tmp_path)


@pytest.fixture(scope="module")
def spark(spark_required: bool) -> Iterator[Any]:
    """A local Spark session per module (starting one takes seconds); skipped without the
    spark extra or Java unless PATRON_REQUIRE_SPARK=1 (CI)."""
    missing = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing = "pyspark is not installed (uv sync --extra spark)"
    if missing is None and shutil.which("java") is None:
        missing = "Java is not installed (bash scripts/ensure-java.sh)"
    if missing is not None:
        if spark_required:
            pytest.fail(f"Spark is required (PATRON_REQUIRE_SPARK=1): {missing}")
        pytest.skip(missing)
    from patron.identity.engine import local_spark_session

    session = local_spark_session()
    yield session
    session.stop()
