from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select, update

from patron.core import PatronError, Settings
from patron.store import Store, decayed_reliability, open_store, record_audit, verify_audit_chain
from patron.store.migrate import head_revision
from patron.store.schema import ROLE_DEFINITIONS, audit_log, roles

REQUIRED_TABLES = {
    "customers",
    "source_records",
    "contact_points",
    "consents",
    "products",
    "orders",
    "order_lines",
    "interactions",
    "import_batches",
    "sources",
    "rejected_rows",
    "users",
    "roles",
    "api_tokens",
    "audit_log",
}


def test_schema_created_at_head_with_every_table(store: Store) -> None:
    assert store.schema_revision() == head_revision()
    assert set(inspect(store.engine).get_table_names()) >= REQUIRED_TABLES
    with store.connect() as conn:
        names = {r.name: r.sees_personal_data for r in conn.execute(select(roles))}
    assert names == {name: sees for name, _, sees in ROLE_DEFINITIONS}


def test_upgrade_is_idempotent(store: Store) -> None:
    before, after = store.upgrade()
    assert before == after == head_revision()


def test_sqlite_uses_wal_and_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # New files get 16 KiB pages; the WAL is checkpointed by size, not page count.
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 16384
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 80 * 2**20 // 16384


def test_an_existing_store_keeps_its_page_size(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    path = tmp_path / "old" / "patron.db"
    path.parent.mkdir()
    old = sqlite3.connect(path)
    old.execute("PRAGMA page_size=4096")
    old.execute("CREATE TABLE legacy (x)")  # the file now exists with 4 KiB pages
    old.close()
    store = open_store(Settings(database_url=f"sqlite:///{path}"))
    with store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 80 * 2**20 // 4096
    store.dispose()


def test_data_directory_defaults_under_patron_home(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(Settings(home=tmp_path / "data"))
    assert (tmp_path / "data" / "patron.db").is_file()
    store.dispose()


def test_unreachable_database_gives_actionable_error() -> None:
    with pytest.raises(PatronError, match="PATRON_DATABASE_URL"):
        open_store(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))


def test_audit_chain_detects_tampering(store: Store) -> None:
    with store.begin() as conn:
        for i in range(3):
            record_audit(
                conn,
                actor="tester",
                action="customer.update",
                target_type="customer",
                target_id=i,
                details={"field": "full_name", "n": i},
            )
    with store.connect() as conn:
        assert verify_audit_chain(conn) is None
    with store.begin() as conn:
        second = conn.execute(select(audit_log.c.id).order_by(audit_log.c.id).offset(1)).scalar()
        conn.execute(update(audit_log).where(audit_log.c.id == second).values(actor="mallory"))
    with store.connect() as conn:
        assert verify_audit_chain(conn) == second


def test_reliability_halves_every_half_life() -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    assert decayed_reliability(0.9, 100, t0, t0) == pytest.approx(0.9)
    assert decayed_reliability(0.9, 100, t0, t0 + timedelta(days=100)) == pytest.approx(0.45)
    assert decayed_reliability(0.9, 100, t0, t0 + timedelta(days=300)) == pytest.approx(0.1125)
    # Data "from the future" (clock skew) is not more reliable than fresh data.
    assert decayed_reliability(0.9, 100, t0, t0 - timedelta(days=5)) == pytest.approx(0.9)


def test_migrations_build_exactly_the_schema_in_code(store: Store) -> None:
    """The Alembic chain and schema.py describe the same tables, columns and indexes."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from patron.store.schema import metadata

    with store.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, metadata)
    assert [d for d in diff if not _benign(d)] == []


def _benign(entry: object) -> bool:
    # Alembic's own version table is not part of patron's schema.
    return "alembic_version" in repr(entry)


def test_audit_chain_holds_under_concurrent_writers(store: Store) -> None:
    """Writers that read before they write must still never link to the same predecessor."""
    import threading

    from sqlalchemy import text

    from patron.store import record_audit, verify_audit_chain

    errors: list[Exception] = []

    def work(n: int) -> None:
        for i in range(25):
            try:
                with store.begin() as conn:
                    conn.execute(text("SELECT count(*) FROM customers")).all()
                    record_audit(conn, actor=f"t{n}", action="x", target_type="t", target_id=i)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.connect() as conn:
        assert verify_audit_chain(conn) is None
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 150
