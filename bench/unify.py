"""`patron unify` at scale: a full run on the demo company, then an incremental batch.

    uv run python bench/unify.py --people 750000 --new 10000 [--backend postgresql]

Generates the company once (cached under bench/out by size, seed and generator version),
imports its three customer sources into a fresh SQLite store except the last ``--new`` rows of
the web shop's file, and runs a full `unify` (train, score, merge with audit, queue reviews,
link households). Then it imports the held-back rows and runs an incremental `unify`, which
scores only those against everything. Accuracy is measured on the store itself (which customer
each current record belongs to) against the generator's truth, at the automatic threshold.
Peak memory is this process's (import and matching run in it).

The company's event log holds only the service desk's tickets and calls (the rest of the log
does not bear on identity and would only slow the import); each ticket names the member it
was logged against and its contact card, a cross-reference `unify` follows. With
``--no-cross-references`` the log is not imported, for the figure without them.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from _common import OUT, fresh_database, postgres_url, record
from patron import identity, ingest
from patron.core import Settings
from patron.demo import DemoConfig, generate_company
from patron.demo.generator import GENERATOR_VERSION
from patron.demo.runner import SOURCE_OF_FILE, split_events
from patron.store import Store, open_store
from patron.store.schema import source_records, sources


def split_tail(path: Path, rows: int, folder: Path) -> tuple[Path, Path]:
    """The file without its last ``rows`` rows, and those rows (both UTF-8 CSV, one header)."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    lines = list(csv.reader(io.StringIO(text)))
    header, body = lines[0], lines[1:]
    head, tail = folder / f"head_{path.name}", folder / f"tail_{path.name}"
    for target, part in ((head, body[: len(body) - rows]), (tail, body[len(body) - rows :])):
        with target.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *part])
    return head, tail


SERVICE_EVENTS = ("service_ticket", "call")


def _import_service_events(folder: Path, store: Store, settings: Settings, home: Path) -> None:
    """The service desk's ticket log: each ticket names the member it was logged against and
    the contact card it came from (``payload.ticket_contact_id``), a cross-reference."""
    for customer_source, path in sorted(split_events(folder / "events.jsonl", home).items()):
        mapping = {
            "columns": {"customer_ref": "customer_key", "source": None},
            "customer_source": customer_source,
        }
        ingest.run_import(
            ingest.ImportOptions(path=path, source="events", kind="events", mapping=mapping),
            store=store, settings=settings,
        )  # fmt: skip


def _baseline(store: Store, person: dict[tuple[str, str], str]) -> dict[str, float]:
    """Plain Splink (as its tutorials set it up) on the same records, clustered at 0.95."""
    from identity_demo import plain_splink_scores

    with store.connect() as conn:
        result, seconds = plain_splink_scores(identity.match_records(conn), person)
    return {"precision": round(result.precision, 4), "recall": round(result.recall, 4),
            "f1": round(result.f1, 4), "seconds": round(seconds, 1)}  # fmt: skip


def scores(store: Store, person: dict[tuple[str, str], str]) -> identity.PairwiseScores:
    sr = source_records.c
    clusters: dict[int, list[int]] = {}
    people: dict[str, list[int]] = {}
    with store.connect() as conn:
        query = (
            select(sr.id, sources.c.name, sr.source_key, sr.customer_id)
            .join(sources, sources.c.id == sr.source_id)
            .where(sr.kind == "customers", sr.is_current)
        )
        for rid, source, key, customer_id in conn.execute(query):
            clusters.setdefault(int(customer_id), []).append(int(rid))
            people.setdefault(person[(source, key)], []).append(int(rid))
    return identity.pairwise_scores(
        identity.pairs_within(clusters.values()), identity.pairs_within(people.values())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--new", type=int, default=10_000, help="web rows held back")
    parser.add_argument("--high", type=float, default=identity.DEFAULT_HIGH)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--baseline", action="store_true",
        help="also score the same records with a plain Splink model (bench/identity_demo.py's)",
    )  # fmt: skip
    parser.add_argument(
        "--no-cross-references", dest="cross_references", action="store_false",
        help="leave out the service desk's ticket log (records naming each other)",
    )  # fmt: skip
    args = parser.parse_args()
    folder = OUT / f"company-{args.people}-{args.seed}-g{GENERATOR_VERSION}-service"
    if not (folder / "ground_truth.csv").is_file():
        config = DemoConfig(people=args.people, seed=args.seed, event_types=SERVICE_EVENTS)
        generate_company(folder, config)
    with (folder / "ground_truth.csv").open(encoding="utf-8") as fh:
        person = {(SOURCE_OF_FILE[r["source"]], r["source_record_key"]): r["person_id"]
                  for r in csv.DictReader(fh)}  # fmt: skip
    server = None
    with tempfile.TemporaryDirectory(prefix="patron-unify-") as home:
        settings = Settings(home=Path(home))
        if args.backend == "postgresql":  # a throwaway server, or PATRON_BENCH_POSTGRES_URL
            admin, server = postgres_url()
            settings = Settings(home=Path(home), database_url=fresh_database(admin, "unify"))
        store = open_store(settings)
        web_head, web_tail = split_tail(next(folder.glob("web_customers.*")), args.new, Path(home))
        t0 = time.perf_counter()
        for name, source in SOURCE_OF_FILE.items():
            path = web_head if source == "web" else next(folder.glob(f"{name}.*"))
            ingest.run_import(
                ingest.ImportOptions(path=path, source=source, kind="customers"),
                store=store, settings=settings,
            )  # fmt: skip
        if args.cross_references:
            _import_service_events(folder, store, settings, Path(home))
        imported = time.perf_counter() - t0
        baseline = _baseline(store, person) if args.baseline else None
        t1 = time.perf_counter()
        references = None if args.cross_references else []
        full = identity.unify(store, high=args.high, actor="bench", cross_references=references)
        full_s = time.perf_counter() - t1
        full_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        full_scores = scores(store, person)
        ingest.run_import(
            ingest.ImportOptions(path=web_tail, source="web", kind="customers"),
            store=store, settings=settings,
        )  # fmt: skip
        t2 = time.perf_counter()
        incremental = identity.unify(
            store, high=args.high, actor="bench", cross_references=references
        )
        incremental_s = time.perf_counter() - t2
        after_scores = scores(store, person)
        store.dispose()
    if server is not None:
        server.stop()
    record("unify", {
        "people": args.people, "generator": GENERATOR_VERSION, "high": args.high,
        "backend": args.backend,
        "import_s": round(imported, 1),
        "full": {
            "records": full.records, "pairs": full.pairs, "merges": full.merges,
            "reviews": full.reviews, "households": full.households, "seconds": round(full_s, 1),
            "precision": round(full_scores.precision, 4), "recall": round(full_scores.recall, 4),
            "f1": round(full_scores.f1, 4),
        },
        "incremental": {
            "records": incremental.records, "new_records": incremental.new_records,
            "pairs": incremental.pairs, "merges": incremental.merges,
            "reviews": incremental.reviews, "seconds": round(incremental_s, 1),
            "precision": round(after_scores.precision, 4),
            "recall": round(after_scores.recall, 4), "f1": round(after_scores.f1, 4),
        },
        "plain_splink": baseline,
        "cross_references": args.cross_references,
        "peak_rss_mib_after_full": round(full_rss),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    })  # fmt: skip


if __name__ == "__main__":
    main()
