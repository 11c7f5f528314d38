"""Identity resolution on the demo company at scale: match table, training, scoring and
clusters, timed, with accuracy against the generator's ground truth.

    uv run python bench/identity_demo.py --people 200000

Generates the company once (cached under bench/out; events off, orders are generated but not
imported), imports its three customer sources into a fresh SQLite store, then runs
`patron.identity.propose` and scores the proposed clusters pairwise against the truth. Peak
memory is this process's (matching runs in it).
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

from _common import OUT, record
from patron import identity, ingest
from patron.core import Settings
from patron.demo import DemoConfig, generate_company
from patron.demo.runner import SOURCE_OF_FILE
from patron.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--high", type=float, default=identity.DEFAULT_HIGH)
    args = parser.parse_args()
    folder = OUT / f"company-{args.people}-{args.seed}"
    started = time.perf_counter()
    if not (folder / "ground_truth.csv").is_file():
        generate_company(folder, DemoConfig(people=args.people, seed=args.seed, events=False))
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="patron-identity-") as home:
        settings = Settings(home=Path(home))
        store = open_store(settings)
        t0 = time.perf_counter()
        for name, source in SOURCE_OF_FILE.items():
            path = next(folder.glob(f"{name}.*"))
            ingest.run_import(
                ingest.ImportOptions(path=path, source=source, kind="customers"),
                store=store, settings=settings,
            )  # fmt: skip
        imported = time.perf_counter() - t0
        t1 = time.perf_counter()
        proposal = identity.propose(store, high=args.high, low=0.5)
        matched = time.perf_counter() - t1
        links = identity.links(proposal)
    with (folder / "ground_truth.csv").open(encoding="utf-8") as fh:
        person = {(SOURCE_OF_FILE[r["source"]], r["source_record_key"]): r["person_id"]
                  for r in csv.DictReader(fh)}  # fmt: skip
    clusters: dict[int, list[str]] = {}
    people: dict[str, list[str]] = {}
    for source, key, customer_id in links:
        clusters.setdefault(customer_id, []).append(f"{source}/{key}")
        people.setdefault(person[(source, key)], []).append(f"{source}/{key}")

    scores = identity.pairwise_scores(
        identity.pairs_within(clusters.values()), identity.pairs_within(people.values())
    )
    record("identity_demo", {
        "people": args.people, "records": len(links), "true_pairs": scores.actual,
        "precision": round(scores.precision, 4), "recall": round(scores.recall, 4),
        "f1": round(scores.f1, 4), "high": args.high, "review_pairs": len(proposal.review),
        "generate_s": round(generated, 1), "import_s": round(imported, 1),
        "match_s": round(matched, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    })  # fmt: skip


if __name__ == "__main__":
    main()
