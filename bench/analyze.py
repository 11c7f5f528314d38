"""`patron analyze`'s computation at scale: features, RFM, lifecycle, CLV, churn (backtested,
scored, the riskiest explained), value x churn and cross-sell for 1M customers and 10M order
lines, then every customer's scores written to a SQLite store.

    uv run python bench/analyze.py [--customers 1000000] [--lines 10000000]

The data is generated inside DuckDB by bench/rfm.py's generator (each customer their own
purchase interval and number of orders, a fifth never buy). The warehouse sync is not part of
the timing (the data is generated in the warehouse, not imported); it is measured by
bench/warehouse_sync.py. Target: everything but cross-sell under 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from _common import record
from patron.analytics import results
from patron.analytics.facts import facts_from
from patron.analytics.run import AnalyzeOptions, _compute, _durations
from patron.core import Settings
from patron.store import chunked, open_store
from patron.store.schema import customers
from patron.warehouse import open_warehouse
from rfm import AS_OF, generate


def _customers_in_store(store: Any, ids: list[int]) -> None:
    """The generated customers as rows of the store (their scores refer to them)."""
    now = datetime.now(UTC)
    with store.begin() as conn:
        for part in chunked(ids, 10_000):
            conn.execute(insert(customers), [
                {"id": int(i), "status": "active", "external": False, "version": 1,
                 "created_at": now, "updated_at": now} for i in part
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="patron-analyze-") as home:
        settings = Settings(home=Path(home))
        with open_warehouse(settings) as warehouse:
            t0 = time.perf_counter()
            counts = generate(warehouse, args.customers, args.lines)
            generated = time.perf_counter() - t0
            marks: dict[str, float] = {}

            def step(name: str) -> None:
                marks[name] = time.perf_counter()
                print(f"{time.strftime('%H:%M:%S')} {name}", flush=True)

            started = time.perf_counter()
            result = _compute(
                warehouse, facts_from(warehouse.con), AS_OF, AnalyzeOptions(as_of=AS_OF), step
            )
            total = time.perf_counter() - started
            steps = _durations(marks)
        summary, scores = result.summary, result.scores
        store = open_store(settings)
        _customers_in_store(store, scores.customer_id.tolist())
        t1 = time.perf_counter()
        with store.begin() as conn:
            run_id = results.start_run(conn, AS_OF, "bench")
            written = results.write_scores(conn, run_id, AS_OF, scores)
        saved = time.perf_counter() - t1
    record("analyze", {
        **counts, "generate_s": round(generated, 1),
        "steps_s": {name: round(seconds, 1) for name, seconds in steps.items()},
        "compute_s": round(total, 1),
        "compute_without_cross_sell_s": round(total - steps.get("cross-sell", 0), 1),
        "write_scores_s": round(saved, 1), "scores": written,
        "churn_auc": round(summary["churn"]["backtest"]["auc"], 4),
        "churn_baseline_auc": round(summary["churn"]["backtest"]["baseline_auc"], 4),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    })  # fmt: skip


if __name__ == "__main__":
    main()
