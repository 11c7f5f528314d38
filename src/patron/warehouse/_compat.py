"""Ibis 12.0 on DuckDB 2.0.

DuckDB 2.0 removed ``fetch_arrow_table`` and ``fetch_record_batch`` in favour of
``to_arrow_table`` and ``to_arrow_reader``; Ibis 12.0 still calls the old names (fixed upstream
in ibis-project/ibis#12001, not yet released). patron pins DuckDB 2.0 for Splink, so the Ibis
backend gets a connection that answers to both names. Remove once Ibis releases the fix.
"""

from __future__ import annotations

import warnings
from typing import Any

import duckdb

# The copy it warns about is the one Ibis 12.0 made with the old names too.
_COPY_WARNING = "Arrow output on a DB-API result"


class CompatConnection:
    """A DuckDB connection that also answers to the method names Ibis 12.0 calls."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, *args: Any, **kwargs: Any) -> CompatConnection:
        result = self._con.execute(*args, **kwargs)
        return self if result is self._con else CompatConnection(result)

    def cursor(self) -> CompatConnection:
        return CompatConnection(self._con.cursor())

    def fetch_arrow_table(self) -> Any:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_COPY_WARNING)
            return self._con.to_arrow_table()

    def fetch_record_batch(self, rows_per_batch: int = 1_000_000) -> Any:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_COPY_WARNING)
            return self._con.to_arrow_reader(rows_per_batch)

    def __enter__(self) -> CompatConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        return self._con
