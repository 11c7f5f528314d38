"""Customer 360 lookups (facade calls) by id and by phone, with N customers in the store.

    uv run python bench/customer_lookup.py --rows 1000000 --backend sqlite postgresql

Loads N customers with `patron import` (the same file as the import benchmark), then times
`get_customer(store, id)` and `find_customer(store, phone)` for random customers, each with
their contact points, consent, orders and timeline: median, p95, p99.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from _common import bench_store, customer_csv, record
from patron.core import Settings
from patron.customers import find_customer, get_customer
from patron.store import open_store
from patron.store.schema import contact_points, customers


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "n": len(ordered),
    }


def measure(url: str, lookups: int) -> dict[str, object]:
    store = open_store(Settings(database_url=url))
    rng = random.Random(1)
    with store.connect() as conn:
        count = conn.execute(select(func.count()).select_from(customers)).scalar_one()
        max_id = conn.execute(select(func.max(customers.c.id))).scalar_one()
        ids = [rng.randint(1, max_id) for _ in range(lookups)]
        phones = [
            r[0]
            for r in conn.execute(
                select(contact_points.c.value).where(
                    contact_points.c.kind == "phone",
                    contact_points.c.valid,
                    contact_points.c.customer_id.in_(ids[:lookups]),
                )
            )
        ][:lookups]
    for i in ids[:50]:  # warm the caches a user's server would have warm
        get_customer(store, i)
    by_id = []
    for i in ids:
        t = time.perf_counter()
        get_customer(store, i)
        by_id.append(time.perf_counter() - t)
    by_phone = []
    for phone in phones:
        # Users type national formats; the facade normalises like the import did.
        typed = phone[3:] if phone.startswith("+86") else phone
        t = time.perf_counter()
        find_customer(store, typed)
        by_phone.append(time.perf_counter() - t)
    store.dispose()
    return {"customers": count, "by_id": percentiles(by_id), "by_phone": percentiles(by_phone)}


def load(path: Path, env: dict[str, str]) -> None:
    cmd = [sys.executable, "-m", "patron", "import", str(path), "--source", "bench"]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    path = customer_csv(args.rows)
    for backend in args.backend:
        with bench_store(backend, "patron_bench_lookup") as (env, url):
            load(path, env)
            result = measure(url, args.lookups)
        record("customer_lookup", {"backend": backend, "rows": args.rows, **result})


if __name__ == "__main__":
    main()
