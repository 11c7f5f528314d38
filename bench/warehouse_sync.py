"""The warehouse sync: a first (full) sync of the demo company's store, then an incremental one
after a new import batch and after merges.

    uv run python bench/warehouse_sync.py [--people 100000]

Generates the demo company once (cached under bench/out), imports it all into a fresh SQLite
store (products, three customer sources, orders, events), then times:
(1) the first sync (everything), (2) a sync with nothing new, (3) after unify's merges (every
order and event of the customers they touched), (4) a full rebuild on request.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from _common import OUT, record
from patron import identity, ingest
from patron.core import Settings
from patron.demo import DemoConfig, generate_company
from patron.demo.generator import GENERATOR_VERSION, DemoFiles
from patron.demo.runner import import_plan, split_events
from patron.store import open_store
from patron.warehouse import open_warehouse, sync


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    folder = OUT / f"company-{args.people}-{args.seed}-g{GENERATOR_VERSION}-events"
    if not (folder / "ground_truth.csv").is_file():
        generate_company(folder, DemoConfig(people=args.people, seed=args.seed))
    with tempfile.TemporaryDirectory(prefix="patron-sync-") as home:
        settings = Settings(home=Path(home))
        store = open_store(settings)
        t0 = time.perf_counter()
        events = split_events(folder / "events.jsonl", Path(home))
        for options in import_plan(DemoFiles.in_folder(folder), events):
            ingest.run_import(options, store=store, settings=settings)
        imported = time.perf_counter() - t0
        with open_warehouse(settings) as warehouse:
            first = sync(store, warehouse)
            nothing = sync(store, warehouse)
            report = identity.unify(store, actor="bench")
            after_merges = sync(store, warehouse)
            rebuild = sync(store, warehouse, full=True)
    record("warehouse_sync", {
        "people": args.people, "import_s": round(imported, 1), "rows": first.rows,
        "first_s": round(first.seconds, 1), "nothing_new_s": round(nothing.seconds, 1),
        "merges": report.merges, "after_merges_s": round(after_merges.seconds, 1),
        "after_merges_rows": after_merges.rows, "rebuild_s": round(rebuild.seconds, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    })  # fmt: skip


if __name__ == "__main__":
    main()
