"""Shared helpers for the benchmarks: data files, stores, a throwaway PostgreSQL."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests"))  # the suite's throwaway PostgreSQL helper


def customer_csv(rows: int, seed: int = 7) -> Path:
    """The demo generator's bulk customer file with ``rows`` rows (written once, then reused)."""
    from patron.demo import write_customer_csv

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"customers_{rows}_{seed}.csv"
    if not path.is_file():
        write_customer_csv(path, rows, seed=seed)
    return path


def postgres_url() -> tuple[str, Any]:
    """PATRON_BENCH_POSTGRES_URL, or a throwaway cluster (returned so the caller stops it)."""
    url = os.environ.get("PATRON_BENCH_POSTGRES_URL")
    if url:
        return url, None
    from pg_server import ThrowawayPostgres

    server = ThrowawayPostgres()
    return server.start(), server


def fresh_database(admin_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def record(name: str, result: dict[str, Any]) -> None:
    """Append a result to bench/out/results.jsonl and print it."""
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "results.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"bench": name, **result}, default=str) + "\n")
    print(json.dumps({"bench": name, **result}, default=str, ensure_ascii=False))


@contextmanager
def bench_store(backend: str, database: str) -> Iterator[tuple[dict[str, str], str]]:
    """(environment for `patron` child processes, store URL) on a fresh store of ``backend``.

    SQLite gets a temporary PATRON_HOME; PostgreSQL a fresh database on the throwaway server
    (or PATRON_BENCH_POSTGRES_URL), stopped afterwards.
    """
    base = {k: v for k, v in os.environ.items() if k != "PATRON_DATABASE_URL"}
    with tempfile.TemporaryDirectory(prefix="patron-bench-") as home:
        env = {**base, "PATRON_HOME": home}
        if backend != "postgresql":
            yield env, f"sqlite:///{home}/patron.db"
            return
        admin, server = postgres_url()
        try:
            env["PATRON_DATABASE_URL"] = fresh_database(admin, database)
            yield env, env["PATRON_DATABASE_URL"]
        finally:
            if server is not None:
                server.stop()
