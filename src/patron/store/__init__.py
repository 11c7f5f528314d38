"""Store: engine, schema, migrations, audit. Depends on core only."""

from patron.store import schema
from patron.store.audit import record_audit, record_audits, verify_audit_chain
from patron.store.bulk import chunked, db_timestamp, insert_rows, insert_tuples
from patron.store.engine import MMAP_BYTES
from patron.store.ids import allocate_ids
from patron.store.locks import hold_customer_links, hold_match_runs
from patron.store.reliability import decayed_reliability
from patron.store.store import Store, open_store

__all__ = [
    "MMAP_BYTES",
    "Store",
    "allocate_ids",
    "chunked",
    "db_timestamp",
    "decayed_reliability",
    "hold_customer_links",
    "hold_match_runs",
    "insert_rows",
    "insert_tuples",
    "open_store",
    "record_audit",
    "record_audits",
    "schema",
    "verify_audit_chain",
]
