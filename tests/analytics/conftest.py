"""Backends the analytics expressions are checked on: the warehouse's DuckDB (in memory) and a
real PostgreSQL database reached through Ibis, one per test module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ibis
import pytest
from sqlalchemy import make_url

from patron.core import Settings
from patron.warehouse import open_warehouse
from pg_server import throwaway_database


@pytest.fixture
def duck() -> Iterator[Any]:
    """The warehouse's own Ibis connection, in memory (extensions never downloaded)."""
    warehouse = open_warehouse(Settings(), memory=True)
    yield warehouse.con
    warehouse.close()


@pytest.fixture(scope="module")
def pg_con(pg_admin_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """An Ibis connection to a fresh PostgreSQL database named after the test module."""
    name = f"patron_{request.module.__name__.rsplit('.', 1)[-1]}"
    with throwaway_database(pg_admin_url, name) as database:
        url = make_url(database)
        con = ibis.postgres.connect(
            host=url.host, port=url.port, user=url.username, password=url.password, database=name
        )
        try:
            yield con
        finally:
            con.disconnect()
