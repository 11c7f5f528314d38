"""Opening the warehouse: a DuckDB file under the data directory, reached through Ibis."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa

from patron.core import Settings, get_settings
from patron.warehouse._compat import CompatConnection
from patron.warehouse.tables import FACT_TABLES, FactTable

WAREHOUSE_FILE = "warehouse.duckdb"
_STATE = "sync_state"


@dataclass
class Warehouse:
    """The analytical store. ``con`` is the Ibis backend analytics build expressions on;
    ``raw`` is the DuckDB connection underneath, for the loading work Ibis has no verb for
    (deleting the rows a sync replaces)."""

    con: Any  # ibis.backends.duckdb.Backend
    path: Path | None

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        return self.con.con.raw

    def run(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement on the DuckDB connection and read its result to the end (DuckDB
        2 refuses other work on a connection while a result is unread)."""
        return self.raw.execute(sql, params or []).fetchall()

    def table(self, name: str) -> Any:
        """An Ibis table expression over a warehouse table."""
        return self.con.table(name)

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- bookkeeping ------------------------------------------------------------------------

    def ensure_tables(self) -> None:
        """Create the fact tables and the sync state if they are missing."""
        for fact in FACT_TABLES:
            self._create(fact, replace=False)
        self.run(f"CREATE TABLE IF NOT EXISTS {_STATE} (key VARCHAR PRIMARY KEY, value VARCHAR)")

    def reset(self) -> None:
        """Empty every fact table and forget the watermarks (a full rebuild follows)."""
        for fact in FACT_TABLES:
            self._create(fact, replace=True)
        self.run(f"DELETE FROM {_STATE}")

    def _create(self, fact: FactTable, *, replace: bool) -> None:
        if replace or fact.name not in self.con.list_tables():
            empty = pa.Table.from_batches([], schema=fact.schema)
            self.con.create_table(fact.name, empty, overwrite=True)

    def state(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.run(f"SELECT key, value FROM {_STATE}")}

    def set_state(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.run(f"INSERT OR REPLACE INTO {_STATE} VALUES (?, ?)", [key, value])


def warehouse_path(settings: Settings) -> Path:
    return settings.home / WAREHOUSE_FILE


def open_warehouse(settings: Settings | None = None, *, memory: bool = False) -> Warehouse:
    """Open (creating if needed) the warehouse file under the data directory, or an in-memory
    one. Extensions are never downloaded: these machines are often offline, and the tables
    arrive through Arrow, which needs none."""
    settings = settings or get_settings()
    path = None if memory else warehouse_path(settings)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    raw = duckdb.connect(
        ":memory:" if path is None else str(path),
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    warehouse = Warehouse(ibis.duckdb.from_connection(CompatConnection(raw)), path)
    warehouse.ensure_tables()
    return warehouse
