"""The analytical warehouse: a DuckDB file fed from the operational store through Arrow.

>>> from patron.core import Settings
>>> from patron.store import open_store
>>> from patron.warehouse import open_warehouse, sync
>>> settings = Settings(database_url="sqlite://")
>>> with open_warehouse(settings, memory=True) as warehouse:
...     sync(open_store(settings), warehouse).full
True
"""

from patron.warehouse.connection import WAREHOUSE_FILE, Warehouse, open_warehouse, warehouse_path
from patron.warehouse.feed import SyncReport, sync
from patron.warehouse.tables import FACT_TABLES, FactTable

__all__ = [
    "FACT_TABLES",
    "WAREHOUSE_FILE",
    "FactTable",
    "SyncReport",
    "Warehouse",
    "open_warehouse",
    "sync",
    "warehouse_path",
]
