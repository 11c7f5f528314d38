"""WAL checkpoints off the writer's path during bulk writes (SQLite only).

SQLite in WAL mode with synchronous=NORMAL syncs to disk only when it checkpoints, and by
default the connection that commits does the checkpoint, so a bulk writer keeps stopping to
wait for fsync. During an import the writer's automatic checkpoints are switched off and a
background thread checkpoints instead (PASSIVE: it never blocks the writer, and SQLite
restarts the WAL from the beginning once everything in it has been copied).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from patron.store.store import Store

INTERVAL_SECONDS = 0.5
DEFAULT_AUTOCHECKPOINT = 20_000  # pages; what engine.py sets for every connection


@contextmanager
def checkpoints_in_background(store: Store, writer: Connection) -> Iterator[None]:
    """While the block runs, ``writer`` commits without checkpointing; a thread does it."""
    if store.dialect != "sqlite" or store.url.endswith((":memory:", "sqlite://")):
        yield
        return
    stop = threading.Event()

    def run() -> None:
        with store.engine.connect() as conn:
            while not stop.wait(INTERVAL_SECONDS):
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").all()
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").all()

    writer.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    thread = threading.Thread(target=run, name="wal-checkpoints", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        writer.exec_driver_sql(f"PRAGMA wal_autocheckpoint={DEFAULT_AUTOCHECKPOINT}")
